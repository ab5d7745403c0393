"""SPARQL queries in killable worker processes over store snapshots: limits that hold.

pyoxigraph cannot interrupt a running query from Python, and a thread cannot
be killed, so a time limit enforced in-process would only stop *waiting*:
the query would go on burning a core. Queries therefore run in a small pool
of persistent worker processes (:mod:`practicegraph.api.query_worker`, a pipe
each, no spawn per query). When a query overruns, its worker is killed and a
fresh one started; the request is answered 503 naming the limit.

The workers cannot open the live store (RocksDB allows one writer and a
read-only opener must not share a directory with one), so they read
*snapshots*: after any write (the store counts them in ``generation``) the
next query makes a RocksDB checkpoint with ``Store.backup`` into
``data_dir/snapshots/<n>`` -- hard links to the immutable table files, a few
milliseconds -- and the workers reopen the newest one. Every write the
service makes (SPARQL Update, Graph Store Protocol, document ingest/removal)
goes through ``OxigraphStore.update`` and so is visible to the next query.
Snapshots no worker has open are deleted.

The row cap is applied by the worker while it serialises, so a huge result
never crosses the pipe; a cut result is reported as ``truncated``.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from practicegraph.api import query_worker
from practicegraph.graph.store import OxigraphStore

logger = logging.getLogger(__name__)

WORKER_SCRIPT = Path(query_worker.__file__).resolve()


class QueryTimeoutError(Exception):
    """The query did not finish in its time limit (its worker has been replaced)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query did not finish within its time limit of {seconds:g} s")
        self.seconds = seconds


class QueryFailedError(Exception):
    """The query did not parse (``syntax``) or could not be evaluated (``failed``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class QueryJob:
    query: str
    base_iri: str | None = None
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    results: str = "json"  # json | xml | csv | tsv
    graph: str = "turtle"  # turtle | nt | jsonld | rdfxml
    max_rows: int = 10_000


@dataclass(frozen=True)
class QueryOutcome:
    kind: str  # solutions | boolean | graph
    media_type: str
    payload: bytes
    truncated: bool
    rows: int


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    snapshot: Path | None = None
    served: int = 0

    @classmethod
    def start(cls) -> _Worker:
        process = subprocess.Popen(  # noqa: S603 - our own script, no shell
            [sys.executable, str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            close_fds=True,
        )
        return cls(process)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def stop(self) -> None:
        """Ask the worker to end (stdin closes); kill it if it does not."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


@dataclass
class _Snapshots:
    root: Path
    current: Path | None = None
    generation: int = -1
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class QueryRunner:
    """A pool of query worker processes reading snapshots of ``store``."""

    def __init__(self, store: OxigraphStore, snapshot_dir: Path, workers: int = 2) -> None:
        self.store = store
        self.size = workers
        self._snapshots = _Snapshots(snapshot_dir)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: list[_Worker] = []
        self._registry = threading.Lock()
        self._closed = False
        if snapshot_dir.exists():
            shutil.rmtree(snapshot_dir)  # leftovers of an earlier run: no worker uses them
        snapshot_dir.mkdir(parents=True)
        for _ in range(workers):
            worker = _Worker.start()
            self._all.append(worker)
            self._idle.put(worker)

    # -- snapshots -------------------------------------------------------------------
    def snapshot(self) -> Path:
        """The newest snapshot, made now if the store changed since the last one."""
        snaps = self._snapshots
        with snaps.lock:
            generation = self.store.generation
            if snaps.current is None or generation != snaps.generation:
                snaps.counter += 1
                target = snaps.root / f"{snaps.counter:08d}"
                self.store.backup(target)
                snaps.current, snaps.generation = target, generation
                self._prune_locked()
            return snaps.current

    def _prune_locked(self) -> None:
        """Delete snapshots that are neither the newest nor open in a worker."""
        with self._registry:
            in_use = {w.snapshot for w in self._all if w.snapshot is not None}
        for path in self._snapshots.root.iterdir():
            if path != self._snapshots.current and path not in in_use:
                shutil.rmtree(path, ignore_errors=True)

    # -- running -----------------------------------------------------------------------
    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run ``job`` in a worker; raises QueryTimeoutError or QueryFailedError."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeoutError(timeout) from None
        healthy = False
        try:
            snapshot = self.snapshot()
            request = {
                "snapshot": str(snapshot),
                "query": job.query,
                "base_iri": job.base_iri,
                "default_graph": job.default_graph,
                "named_graphs": job.named_graphs,
                "union": True,
                "results": job.results,
                "graph": job.graph,
                "max_rows": job.max_rows,
            }
            worker.snapshot = snapshot
            header, payload = self._exchange(worker, request, deadline)
            healthy = True
        except QueryTimeoutError:
            raise QueryTimeoutError(timeout) from None
        except (RuntimeError, OSError) as exc:
            logger.error("query worker failed: %s", exc)
            raise QueryFailedError(
                "crashed", "the query worker stopped unexpectedly (out of memory?)"
            ) from exc
        finally:
            if healthy:
                worker.served += 1
                self._idle.put(worker)
            else:
                self._replace(worker)
        if not header.get("ok"):
            raise QueryFailedError(str(header.get("error")), str(header.get("message")))
        return QueryOutcome(
            kind=header["kind"],
            media_type=header["media_type"],
            payload=payload,
            truncated=bool(header["truncated"]),
            rows=int(header["rows"]),
        )

    def _exchange(
        self, worker: _Worker, request: dict[str, Any], deadline: float
    ) -> tuple[dict[str, Any], bytes]:
        stdin, stdout = worker.process.stdin, worker.process.stdout
        if stdin is None or stdout is None or worker.process.poll() is not None:
            raise RuntimeError("query worker is not running")
        encoded = json.dumps(request).encode()
        stdin.write(struct.pack(">I", len(encoded)) + encoded)
        stdin.flush()
        fd = stdout.fileno()
        raw = _read_exactly(fd, 4, deadline)
        (length,) = struct.unpack(">I", raw)
        header: dict[str, Any] = json.loads(_read_exactly(fd, length, deadline))
        payload = _read_exactly(fd, int(header.get("size", 0)), deadline)
        return header, payload

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker that overran or broke and put a fresh one in its place."""
        worker.kill()
        with self._registry:
            if worker in self._all:
                self._all.remove(worker)
            if self._closed:
                return
            fresh = _Worker.start()
            self._all.append(fresh)
        self._idle.put(fresh)

    def worker_pids(self) -> list[int]:
        with self._registry:
            return [w.process.pid for w in self._all]

    def close(self) -> None:
        with self._registry:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
        shutil.rmtree(self._snapshots.root, ignore_errors=True)


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    """``size`` bytes from a pipe, or QueryTimeoutError when the deadline passes first."""
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        left = deadline - time.monotonic()
        if left <= 0:
            raise QueryTimeoutError(0)
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            raise QueryTimeoutError(0)
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise RuntimeError("query worker ended unexpectedly")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
