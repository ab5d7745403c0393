"""The store snapshots the query workers read: made after writes, pruned when unused.

After any write (the store's ``snapshot_version`` moves on) the next query
makes a RocksDB checkpoint with ``Store.backup`` into ``<root>/<n>`` -- hard
links to the immutable table files, a few milliseconds -- and the workers
reopen the newest one. Snapshots no worker has open are deleted. On a full
disk a checkpoint cannot be written, and queries go on reading the newest
snapshot there is (the store refuses writes meanwhile) until one can.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from practicegraph.errors import StorageFullError
from practicegraph.graph import snapshot_worker
from practicegraph.graph.store import SnapshotStore

logger = logging.getLogger(__name__)

#: The worker's error when the snapshot it was sent to had been deleted.
SNAPSHOT_GONE = snapshot_worker.SNAPSHOT_GONE


class Snapshots:
    """Checkpoints of ``store`` under ``root``; ``in_use`` says which ones workers have open."""

    def __init__(self, store: SnapshotStore, root: Path, in_use: Callable[[], set[Path]]) -> None:
        self.store = store
        self.root = root
        self._in_use = in_use
        #: (store version, checkpoint directory) of the newest snapshot: one
        #: attribute, so that a reader without the lock never pairs a path with the
        #: wrong version.
        self.latest: tuple[tuple[int, int], Path] | None = None
        self.counter = 0
        self.lock = threading.Lock()
        if root.exists():
            shutil.rmtree(root)  # leftovers of an earlier run: no worker uses them
        root.mkdir(parents=True)

    @property
    def current(self) -> Path | None:
        return self.latest[1] if self.latest is not None else None

    def newest(self) -> Path:
        """The newest snapshot, made now if the store changed since the last one."""
        ready = self.fresh()
        if ready is not None:
            return ready
        with self.lock:
            if self.latest is None or self.store.snapshot_version != self.latest[0]:
                return self._checkpoint_locked()
            return self.latest[1]

    def fresh(self) -> Path | None:
        """The newest snapshot if the store has not been written since (no lock, no I/O)."""
        latest = self.latest
        if latest is not None and latest[0] == self.store.snapshot_version:
            return latest[1]
        return None

    def renew(self, gone: Path) -> None:
        """A new checkpoint in place of ``gone``, a snapshot deleted before a worker opened it.

        Choosing the newest snapshot takes no lock (the hot path), so a write's
        pruning in another thread can, rarely, delete one a caller has just chosen;
        that caller then runs again, once, on a fresh one.
        """
        with self.lock:
            if self.latest is None or self.latest[1] == gone or not self.latest[1].exists():
                self._checkpoint_locked()

    def remove(self) -> None:
        """Delete every snapshot (the runner is closing)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def _checkpoint_locked(self) -> Path:
        """A new checkpoint, now the newest snapshot (the snapshot lock is held)."""
        version = self.store.snapshot_version  # read before the checkpoint: never newer than it
        self.counter += 1
        target = self.root / f"{self.counter:08d}"
        try:
            self.store.backup(target)
        except StorageFullError:
            if self.latest is None or not self.latest[1].exists():
                raise
            # Kept with its old version: the next query tries a checkpoint again.
            logger.info("disk full: queries read the newest snapshot there is")
            self.store.stale_reads_served()
            return self.latest[1]
        self.latest = (version, target)
        self._prune_locked()
        return target

    def _prune_locked(self) -> None:
        """Delete snapshots that are neither the newest nor open in a worker."""
        in_use = self._in_use()
        for path in self.root.iterdir():
            if path != self.current and path not in in_use:
                shutil.rmtree(path, ignore_errors=True)
