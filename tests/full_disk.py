"""A small, real disk to fill: a tmpfs mounted under the test's ``tmp_path``.

Why a real file system rather than a mocked ENOSPC: RocksDB's behaviour after
a full disk (it refuses every later write, even once space is back, until the
store is reopened) is what the service has to survive, and only a real full
disk shows it. Needs root (as in CI); elsewhere the tests skip, saying why,
except under CI, where a missing prerequisite fails (the project's rule).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Big enough for the corpus store, its index and RocksDB's preallocated files.
DISK_MB = 96


@dataclass
class SmallDisk:
    """A mounted tmpfs: ``fill`` it to the last byte, ``free`` it again."""

    root: Path

    @property
    def filler(self) -> Path:
        return self.root / "filler"

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.root).free

    def fill(self, leave: int = 0) -> None:
        """Take all the free space but ``leave`` bytes (then nothing more fits)."""
        self.free()
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            room = self.free_bytes() - leave
            if room > 0:
                os.posix_fallocate(fd, 0, room)
            if not leave:  # the last partial pages, a block at a time
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, b"\0" * 4096)
        finally:
            os.close(fd)
        assert self.free_bytes() <= leave, "the disk did not fill up"

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


def _fail_or_skip(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: a missing prerequisite fails)")
    pytest.skip(reason)


@contextlib.contextmanager
def small_disk(where: Path, megabytes: int = DISK_MB) -> Iterator[SmallDisk]:
    """Mount a ``megabytes`` tmpfs at ``where`` for the block; always unmounted after."""
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if mount is None or umount is None:
        _fail_or_skip("mount/umount are not installed: no small disk to fill")
    assert mount is not None and umount is not None
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        _fail_or_skip(f"cannot mount a small tmpfs to fill (needs root): {done.stderr.strip()}")
    try:
        yield SmallDisk(where)
    finally:
        # Lazily if something still has a file open there: never leave it mounted.
        if subprocess.run([umount, str(where)], capture_output=True, check=False).returncode:
            subprocess.run([umount, "-l", str(where)], capture_output=True, check=False)
