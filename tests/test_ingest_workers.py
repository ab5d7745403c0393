"""kill -9 of a CLI ingest that parses in spaCy worker processes leaves no process behind.

The ingest runs as a real ``python -m practicegraph ingest`` with
``PRACTICEGRAPH_N_PROCESS=2`` over enough documents to use workers; once its
children exist the parent gets SIGKILL, and its children must be gone within
a bounded wait (before the fix they waited on their queue for ever).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, CORPUS_NAMES
from practicegraph.service import MIN_DOCS_FOR_WORKERS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return fields[0], int(fields[1]), int(fields[19])


def _children(parent: int) -> dict[int, int]:
    """pid -> start time of the live children of ``parent``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _stat(int(entry.name))
            if info and info[1] == parent and info[0] not in "ZX":
                found[int(entry.name)] = info[2]
    return found


def _alive(pid: int, started: int) -> bool:
    info = _stat(pid)
    return info is not None and info[2] == started and info[0] not in "ZX"


def test_killing_an_ingest_kills_its_spacy_workers(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    texts = [(CORPUS / name).read_text(encoding="utf-8") for name in CORPUS_NAMES]
    for i in range(MIN_DOCS_FOR_WORKERS + 30):  # enough parsing to outlast the wait below
        (folder / f"doc-{i:03d}.txt").write_text(texts[i % len(texts)], encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    env |= {"PRACTICEGRAPH_N_PROCESS": "2", "PRACTICEGRAPH_BATCH_SIZE": "2"}
    process = subprocess.Popen(
        [sys.executable, "-m", "practicegraph", "ingest", "--data", str(tmp_path / "data"), folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    workers: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 180
        while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
            workers = _children(process.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the ingest never started two worker processes"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL, "the ingest ended before the kill"
        deadline = time.monotonic() + 30
        while any(_alive(p, s) for p, s in workers.items()) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p, s in workers.items() if _alive(p, s)]
        assert not left, f"worker processes {left} outlived their killed parent"
    finally:
        process.kill()
        process.wait(timeout=30)
        for pid, started in workers.items():  # do not leave them running if the test failed
            if _alive(pid, started):
                os.kill(pid, signal.SIGKILL)
