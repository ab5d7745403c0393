"""SPARQL queries in killable worker processes over store snapshots: limits that hold.

pyoxigraph cannot interrupt a running query from Python, and a thread cannot
be killed, so a time limit enforced in-process would only stop *waiting*:
the query would go on burning a core. Queries therefore run in a small pool
of persistent worker processes (:mod:`practicegraph.graph.snapshot_worker`, a pipe
each, no spawn per query). When a query overruns, its worker is killed and a
fresh one started; the request is answered 503 naming the limit.

The workers cannot open the live store (RocksDB allows one writer and a
read-only opener must not share a directory with one), so they read
*snapshots* (a capability the embedded store declares,
``Capability.SNAPSHOTS``): after any write (the store's ``snapshot_version``
moves on) the
next query makes a RocksDB checkpoint with ``Store.backup`` into
``data_dir/snapshots/<n>`` -- hard links to the immutable table files, a few
milliseconds -- and the workers reopen the newest one. Every write the
service makes (SPARQL Update, Graph Store Protocol, document ingest/removal)
goes through ``GraphStore.update`` and so is visible to the next query.
Snapshots no worker has open are deleted. One is made when the pool starts,
so that there is always one to fall back on: on a full disk a checkpoint
cannot be written, and queries go on reading the newest snapshot there is
(the store refuses writes meanwhile) until one can, after space is freed.

The row cap is applied by the worker while it serialises, so a huge result
never crosses the pipe; a cut result is reported as ``truncated``. The worker
writes the response body itself, in the negotiated format: this process only
passes the bytes on.

Two ways in: :meth:`QueryRunner.run_async` for the event loop (the HTTP
route) -- the worker's pipe is watched by the loop itself, the time limit is
a loop timer, and no thread is involved unless a snapshot must be made or a
worker replaced -- and :meth:`QueryRunner.run` for plain threads. Both share
one pool of idle workers; a caller that finds none waits in line for the
next one returned.

On the loop, a worker is returned by the pipe's reader the moment its answer
is complete, and the first caller in line has its query written to it right
there, when nothing needs a thread first: the worker goes from one query to
the next without waiting for the event loop to come round to either caller's
coroutine (measured: +20 % requests/s with 8 clients on two cores, see
bench/README.md).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool

from practicegraph.errors import StorageFullError, StoreError
from practicegraph.graph import snapshot_worker
from practicegraph.graph.store import GraphStore, SnapshotStore, snapshots

logger = logging.getLogger(__name__)

WORKER_SCRIPT = Path(snapshot_worker.__file__).resolve()


class QueryTimeoutError(Exception):
    """The query did not finish in its time limit (its worker has been replaced)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query did not finish within its time limit of {seconds:g} s")
        self.seconds = seconds


class QueryBusyError(Exception):
    """No worker became free while the query waited in line; it never started."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"no query worker became free within {waited:g} s")
        self.waited = waited


class QueryAbandonedError(Exception):
    """The caller stopped the query (its client went away); its worker was replaced."""

    def __init__(self) -> None:
        super().__init__("the query was stopped: its client went away")


class Abandonable(Protocol):
    """A query under way that its caller can give up on (a worker's, a server's)."""

    def abandon(self) -> None: ...


class QueryStop:
    """A caller's way to stop its query while it runs (or before it starts).

    The HTTP route fires it when the client disconnects: the worker is killed and
    replaced, as after a timeout, instead of computing an answer nobody will read
    for up to the query's time limit.
    """

    def __init__(self) -> None:
        self.stopped = False
        self._exchange: Abandonable | None = None

    def stop(self) -> None:
        self.stopped = True
        if self._exchange is not None:
            self._exchange.abandon()

    def _bind(self, exchange: Abandonable) -> None:
        self._exchange = exchange
        if self.stopped:
            exchange.abandon()


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
    #: ``query`` is an update, to be tried on an empty store (snapshot_worker.trial_update)
    trial_update: bool = False


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
    def start(cls, network: bool = False) -> _Worker:
        """A new worker; call it from the runner's spawner thread (see ``die_with_parent``)."""
        sandbox = [] if network else [snapshot_worker.NO_NETWORK]
        process = subprocess.Popen(  # noqa: S603 - our own script, no shell
            [sys.executable, str(WORKER_SCRIPT), str(os.getpid()), *sandbox],
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
    #: (store version, checkpoint directory) of the newest snapshot: one
    #: attribute, so that a reader without the lock never pairs a path with the
    #: wrong version.
    latest: tuple[tuple[int, int], Path] | None = None
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def current(self) -> Path | None:
        return self.latest[1] if self.latest is not None else None


#: Called with the worker a waiting caller is handed, on that caller's loop, to send
#: its query at once; returns what it started (an ``_Exchange``) or None.
Starter = Callable[["_Worker"], Any]


class _Pool:
    """Idle workers, for callers on threads and on event loops alike.

    A caller that finds no idle worker waits in line (FIFO): a caller on an event
    loop on a future of that loop, a caller on a plain thread on a
    ``concurrent.futures.Future`` it blocks on (no short-lived loop, which could
    be closed under a hand-over). A returned worker goes to the first caller
    still waiting. A caller on the loop that returns the worker may leave a
    *starter*: its query is then sent to the worker right there, by the code
    returning it (the pipe's reader), instead of a loop turn later when the
    caller's coroutine resumes; the worker spends that time working.
    """

    def __init__(self, abandon: Callable[[_Worker, Any], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        #: what to do with a worker handed to a caller that was cancelled before it
        #: could take it (default: back to the pool)
        self._abandon = abandon or (lambda worker, _started: self.put(worker))
        self._waiters: deque[tuple[_Waiter, Starter | None]] = deque()

    def try_get(self) -> _Worker | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    async def get(self, timeout: float, starter: Starter | None = None) -> tuple[_Worker, Any]:
        """An idle worker and what ``starter`` started on it (or None), waiting up to
        ``timeout`` s for one (QueryTimeoutError)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._idle:
                return self._idle.pop(), None
            waiter: asyncio.Future[tuple[_Worker, Any]] = loop.create_future()
            self._waiters.append((waiter, starter))
        timer = loop.call_later(max(timeout, 0), _expire, waiter)
        try:
            return await waiter
        except BaseException:
            # cancelled after the hand-over but before this caller resumed: the worker
            # (and a query already sent to it) must not be lost with the caller
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._abandon(*waiter.result())
            raise
        finally:
            timer.cancel()

    def get_blocking(self, timeout: float) -> _Worker:
        """:meth:`get` for a plain thread (QueryTimeoutError after ``timeout`` s)."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            waiter: concurrent.futures.Future[tuple[_Worker, Any]] = concurrent.futures.Future()
            self._waiters.append((waiter, None))
        try:
            return waiter.result(max(timeout, 0))[0]
        except concurrent.futures.TimeoutError:
            with self._lock:  # put() decides under the same lock: handed over, or not
                if waiter.done():
                    return waiter.result()[0]
                waiter.cancel()
            raise QueryTimeoutError(0) from None

    def put(self, worker: _Worker) -> None:
        with self._lock:
            while self._waiters:
                waiter, starter = self._waiters.popleft()
                if waiter.done():  # timed out or cancelled
                    continue
                if isinstance(waiter, concurrent.futures.Future):
                    waiter.set_result((worker, None))  # its thread takes it from here
                    return
                loop = waiter.get_loop()
                if _running_loop() is not loop:
                    try:
                        loop.call_soon_threadsafe(self._deliver, waiter, worker)
                        return
                    except RuntimeError:  # that loop is closed: the next one in line
                        continue
                break  # a caller on this very loop: handed over below, outside the lock
            else:
                self._idle.append(worker)
                return
        self._hand(waiter, starter, worker)

    def _hand(
        self,
        waiter: asyncio.Future[tuple[_Worker, Any]],
        starter: Starter | None,
        worker: _Worker,
    ) -> None:
        started = None
        if starter is not None:
            try:
                started = starter(worker)
            except Exception:  # the caller's own path meets the error again and reports it
                logger.debug("sending a query from the hand-over failed", exc_info=True)
        waiter.set_result((worker, started))

    def _deliver(self, waiter: asyncio.Future[tuple[_Worker, Any]], worker: _Worker) -> None:
        if waiter.done():  # timed out or cancelled meanwhile: the next one in line
            self.put(worker)
        else:
            waiter.set_result((worker, None))


_Waiter = asyncio.Future[tuple[_Worker, Any]] | concurrent.futures.Future[tuple[_Worker, Any]]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(QueryTimeoutError(0))


class QueryExecutor(Protocol):
    """What the SPARQL endpoint needs to run queries: this module's worker pool over the
    embedded store's snapshots, or the store's own SPARQL server
    (:class:`practicegraph.api.server_queries.ServerQueryRunner`)."""

    #: Whether updates must first be tried on an empty store (they run in this process).
    trial_updates: bool

    @property
    def store(self) -> GraphStore: ...

    async def run_async(
        self,
        job: QueryJob,
        timeout: float,
        stop: QueryStop | None = None,
        queue_timeout: float | None = None,
    ) -> QueryOutcome: ...
    def run(
        self, job: QueryJob, timeout: float, queue_timeout: float | None = None
    ) -> QueryOutcome: ...
    def worker_pids(self) -> list[int]: ...
    def close(self) -> None: ...
    async def aclose(self) -> None:
        """:meth:`close` from the event loop (the app's shutdown)."""
        ...


class QueryRunner:
    """A pool of query worker processes reading snapshots of ``store``."""

    #: Updates run in this process's engine: a risky one is tried in a worker first.
    trial_updates = True

    def __init__(
        self, store: GraphStore, snapshot_dir: Path, workers: int = 2, *, network: bool = False
    ) -> None:
        """``network``: whether queries may reach the network (SERVICE to allow-listed
        endpoints); without it the workers run under :mod:`practicegraph.graph.sandbox`."""
        snapshot_store = snapshots(store)
        if snapshot_store is None:
            raise StoreError("this store backend makes no snapshots for the query workers to read")
        self.store: SnapshotStore = snapshot_store
        self.size = workers
        self.network = network
        self._snapshots = _Snapshots(snapshot_dir)
        self._idle = _Pool(abandon=self._abandoned)
        self._all: list[_Worker] = []
        self._registry = threading.Lock()
        self._closed = False
        # Every worker is started from this one thread: a worker is killed by the
        # kernel when the thread that started it ends (snapshot_worker.die_with_parent),
        # so it must not be a pool thread that may end, only one that lasts as long
        # as the runner.
        self._spawner = concurrent.futures.ThreadPoolExecutor(1, "query-worker-spawner")
        if snapshot_dir.exists():
            shutil.rmtree(snapshot_dir)  # leftovers of an earlier run: no worker uses them
        snapshot_dir.mkdir(parents=True)
        for _ in range(workers):
            worker = self._start_worker()
            self._all.append(worker)
            self._idle.put(worker)
        try:
            self.snapshot()  # the one to fall back on should the disk fill up
        except StoreError as exc:  # queries try again, and say why if they cannot
            logger.warning("no first snapshot of the store: %s", exc)

    # -- snapshots -------------------------------------------------------------------
    def snapshot(self) -> Path:
        """The newest snapshot, made now if the store changed since the last one."""
        ready = self._fresh_snapshot()
        if ready is not None:
            return ready
        snaps = self._snapshots
        with snaps.lock:
            if snaps.latest is None or self.store.snapshot_version != snaps.latest[0]:
                return self._checkpoint_locked()
            return snaps.latest[1]

    def _fresh_snapshot(self) -> Path | None:
        """The newest snapshot if the store has not been written since (no lock, no I/O)."""
        latest = self._snapshots.latest
        if latest is not None and latest[0] == self.store.snapshot_version:
            return latest[1]
        return None

    def _renew_snapshot(self, gone: Path) -> None:
        """A new checkpoint in place of ``gone``, a snapshot deleted before a worker opened it.

        Choosing the newest snapshot takes no lock (the hot path), so a write's
        pruning in another thread can, rarely, delete one a caller has just chosen;
        that caller then runs again, once, on a fresh one.
        """
        snaps = self._snapshots
        with snaps.lock:
            if snaps.latest is None or snaps.latest[1] == gone or not snaps.latest[1].exists():
                self._checkpoint_locked()

    def _checkpoint_locked(self) -> Path:
        """A new checkpoint, now the newest snapshot (the snapshot lock is held)."""
        snaps = self._snapshots
        version = self.store.snapshot_version  # read before the checkpoint: never newer than it
        snaps.counter += 1
        target = snaps.root / f"{snaps.counter:08d}"
        try:
            self.store.backup(target)
        except StorageFullError:
            if snaps.latest is None or not snaps.latest[1].exists():
                raise
            # Kept with its old version: the next query tries a checkpoint again.
            logger.info("disk full: queries read the newest snapshot there is")
            self.store.stale_reads_served()
            return snaps.latest[1]
        snaps.latest = (version, target)
        self._prune_locked()
        return target

    def _prune_locked(self) -> None:
        """Delete snapshots that are neither the newest nor open in a worker."""
        with self._registry:
            in_use = {w.snapshot for w in self._all if w.snapshot is not None}
        for path in self._snapshots.root.iterdir():
            if path != self._snapshots.current and path not in in_use:
                shutil.rmtree(path, ignore_errors=True)

    # -- running -----------------------------------------------------------------------
    def run(
        self, job: QueryJob, timeout: float, queue_timeout: float | None = None
    ) -> QueryOutcome:
        """Run ``job`` in a worker; raises QueryBusyError, QueryTimeoutError or QueryFailedError.

        The query waits up to ``queue_timeout`` s (default: ``timeout``) for a free
        worker, then has ``timeout`` s to run: time in line is not taken from its
        time limit, and a query that never started is told so (QueryBusyError).
        """
        wait = timeout if queue_timeout is None else queue_timeout
        header, payload, snapshot = self._run_once(job, timeout, wait)
        if header.get("error") == SNAPSHOT_GONE:
            self._renew_snapshot(snapshot)
            header, payload, _ = self._run_once(job, timeout, wait)
        return _outcome(header, payload)

    def _run_once(
        self, job: QueryJob, timeout: float, wait: float
    ) -> tuple[dict[str, Any], bytes, Path]:
        worker = self._idle.try_get()
        if worker is None:
            try:
                worker = self._idle.get_blocking(wait)
            except QueryTimeoutError:
                raise QueryBusyError(wait) from None
        deadline = time.monotonic() + timeout
        healthy = False
        try:
            snapshot = self.snapshot()
            worker.snapshot = snapshot
            header, payload = self._exchange(worker, _frame_request(job, snapshot), deadline)
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
        return header, payload, snapshot

    async def run_async(
        self,
        job: QueryJob,
        timeout: float,
        stop: QueryStop | None = None,
        queue_timeout: float | None = None,
    ) -> QueryOutcome:
        """:meth:`run` for the event loop: no thread unless a snapshot is due or a worker dies.

        ``stop``, when fired, ends the query early with QueryAbandonedError.
        """
        loop = asyncio.get_running_loop()
        wait = timeout if queue_timeout is None else queue_timeout
        header, payload, snapshot = await self._run_once_async(job, timeout, wait, loop, stop)
        if header.get("error") == SNAPSHOT_GONE:
            await run_in_threadpool(self._renew_snapshot, snapshot)
            header, payload, _ = await self._run_once_async(job, timeout, wait, loop, stop)
        return _outcome(header, payload)

    async def _run_once_async(
        self,
        job: QueryJob,
        timeout: float,
        wait: float,
        loop: asyncio.AbstractEventLoop,
        stop: QueryStop | None,
    ) -> tuple[dict[str, Any], bytes, Path]:
        worker = self._idle.try_get()
        exchange: _Exchange | None = None
        if worker is None:
            line_deadline = loop.time() + wait
            try:
                worker, exchange = await self._idle.get(
                    wait, lambda w: self._start_now(w, job, line_deadline, loop)
                )
            except QueryTimeoutError:
                raise QueryBusyError(wait) from None
            if exchange is None and loop.time() >= line_deadline:  # handed over too late
                self._idle.put(worker)
                raise QueryBusyError(wait)
        # the time limit counts from the query's start, not from its arrival
        deadline = (exchange.started if exchange is not None else loop.time()) + timeout
        if exchange is None and stop is not None and stop.stopped:  # gone while in line
            self._idle.put(worker)
            raise QueryAbandonedError
        try:
            if exchange is None:
                snapshot = self._fresh_snapshot()
                if snapshot is None:  # the store changed: a checkpoint, off the loop
                    snapshot = await run_in_threadpool(self.snapshot)
                exchange = _Exchange(worker, snapshot, self._idle, loop)
                message = _frame_request(job, snapshot)
                if len(message) <= _PIPE_ATOMIC:
                    exchange.send(message)
                else:  # a large query: the pipe buffer may fill while the worker reads
                    await run_in_threadpool(exchange.write, message)
                    exchange.listen()
            if stop is not None:
                stop._bind(exchange)
            header, payload = await exchange.result(deadline)
        except QueryTimeoutError:
            await run_in_threadpool(self._replace, worker)
            raise QueryTimeoutError(timeout) from None
        except QueryAbandonedError:
            await run_in_threadpool(self._replace, worker)
            raise
        except (RuntimeError, OSError) as exc:
            logger.error("query worker failed: %s", exc)
            await run_in_threadpool(self._replace, worker)
            raise QueryFailedError(
                "crashed", "the query worker stopped unexpectedly (out of memory?)"
            ) from exc
        except BaseException:
            # cancelled (client gone, shutdown) with the query under way: the worker's
            # answer would be read by the next caller, so it goes
            if exchange is None or not exchange.answered:
                threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            raise
        return header, payload, exchange.snapshot

    def _abandoned(self, worker: _Worker, exchange: _Exchange | None) -> None:
        """A worker handed to a caller that was cancelled before taking it."""
        if exchange is None:
            self._idle.put(worker)
        elif not exchange.answered:  # its query is under way and nobody will read the answer
            exchange.stop_listening()
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        # an answered exchange has given the worker back already

    def _start_now(
        self, worker: _Worker, job: QueryJob, line_deadline: float, loop: asyncio.AbstractEventLoop
    ) -> _Exchange | None:
        """Send ``job`` to a worker being handed over, if nothing needs a thread first
        and the caller's time in line is not up."""
        snapshot = self._fresh_snapshot()
        if snapshot is None or loop.time() >= line_deadline:
            return None
        message = _frame_request(job, snapshot)
        if len(message) > _PIPE_ATOMIC:
            return None
        exchange = _Exchange(worker, snapshot, self._idle, loop)
        exchange.send(message)
        return exchange

    def _exchange(
        self, worker: _Worker, message: bytes, deadline: float
    ) -> tuple[dict[str, Any], bytes]:
        """One framed request and its answer, from a plain thread (``select`` + ``read``)."""
        stdin, stdout = worker.process.stdin, worker.process.stdout
        if stdin is None or stdout is None or worker.process.poll() is not None:
            raise RuntimeError("query worker is not running")
        _write_all(stdin.fileno(), message)
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
            fresh = self._start_worker()
            self._all.append(fresh)
        self._idle.put(fresh)

    def _start_worker(self) -> _Worker:
        return self._spawner.submit(_Worker.start, self.network).result()

    def worker_pids(self) -> list[int]:
        with self._registry:
            return [w.process.pid for w in self._all]

    async def aclose(self) -> None:
        await run_in_threadpool(self.close)

    def close(self) -> None:
        with self._registry:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
        self._spawner.shutdown()
        shutil.rmtree(self._snapshots.root, ignore_errors=True)


#: The worker's error when the snapshot it was sent to had been deleted.
SNAPSHOT_GONE = snapshot_worker.SNAPSHOT_GONE

#: Writes up to this size into an idle worker's pipe go straight from the loop.
_PIPE_ATOMIC = 60_000


def _encode(job: QueryJob, snapshot: Path) -> bytes:
    return json.dumps(
        {
            "snapshot": str(snapshot),
            "query": job.query,
            "base_iri": job.base_iri,
            "default_graph": job.default_graph,
            "named_graphs": job.named_graphs,
            "union": True,
            "results": job.results,
            "graph": job.graph,
            "max_rows": job.max_rows,
            "trial_update": job.trial_update,
        }
    ).encode()


def _outcome(header: dict[str, Any], payload: bytes) -> QueryOutcome:
    if not header.get("ok"):
        raise QueryFailedError(str(header.get("error")), str(header.get("message")))
    return QueryOutcome(
        kind=header["kind"],
        media_type=header["media_type"],
        payload=payload,
        truncated=bool(header["truncated"]),
        rows=int(header["rows"]),
    )


class _Frame:
    """An answer being read: 4-byte length, JSON header, ``header["size"]`` payload bytes."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.header: dict[str, Any] | None = None
        self.start = 0
        self.end = 0

    def feed(self, chunk: bytes) -> tuple[dict[str, Any], bytes] | None:
        """Add bytes; the (header, payload) once the whole answer is in."""
        self.buffer += chunk
        if self.header is None:
            if len(self.buffer) < 4:
                return None
            (length,) = struct.unpack_from(">I", self.buffer)
            if len(self.buffer) < 4 + length:
                return None
            self.header = json.loads(self.buffer[4 : 4 + length])
            if not isinstance(self.header, dict):
                raise ValueError("the header is not an object")
            self.start = 4 + length
            self.end = self.start + int(self.header.get("size", 0))
        if len(self.buffer) < self.end:
            return None
        if len(self.buffer) > self.end:
            raise ValueError("more bytes than the answer announced")
        return self.header, bytes(self.buffer[self.start : self.end])


class _Exchange:
    """One query sent to a worker, its answer read by the loop as it arrives.

    The pipe's reader hands the worker back to the pool the moment the answer is
    complete (and may so send the next caller's query), before the coroutine
    waiting in :meth:`result` resumes; from then on the reader is no longer ours.
    """

    def __init__(
        self, worker: _Worker, snapshot: Path, pool: _Pool, loop: asyncio.AbstractEventLoop
    ) -> None:
        stdin, stdout = worker.process.stdin, worker.process.stdout
        if stdin is None or stdout is None:  # a dead worker
            raise RuntimeError("query worker is not running")
        self.worker = worker
        self.snapshot = snapshot
        self.answered = False
        #: when the query set off (loop time): its time limit counts from here
        self.started = loop.time()
        self._pool = pool
        self._loop = loop
        self._stdin = stdin.fileno()
        self._fd = stdout.fileno()
        self._answer: asyncio.Future[tuple[dict[str, Any], bytes]] = loop.create_future()
        self._frame = _Frame()
        worker.snapshot = snapshot

    def send(self, message: bytes) -> None:
        """Write a small request from the loop (an idle worker is reading) and listen."""
        os.write(self._stdin, message)
        self.listen()

    def write(self, message: bytes) -> None:
        """Write a large request (from a thread: the pipe fills while the worker reads)."""
        _write_all(self._stdin, message)

    def listen(self) -> None:
        self._loop.add_reader(self._fd, self._readable)

    def stop_listening(self) -> None:
        self._loop.remove_reader(self._fd)

    def abandon(self) -> None:
        """End the wait for an answer nobody wants any more (the worker must go)."""
        if not self._answer.done():
            self._answer.set_exception(QueryAbandonedError())

    async def result(self, deadline: float) -> tuple[dict[str, Any], bytes]:
        timer = self._loop.call_later(max(deadline - self._loop.time(), 0), _expire, self._answer)
        try:
            return await self._answer
        finally:
            timer.cancel()
            if not self.answered:  # the reader is still ours to remove
                self.stop_listening()

    def _readable(self) -> None:
        answer = self._answer
        if answer.done():
            return
        try:
            chunk = os.read(self._fd, 1 << 20)
        except OSError as exc:
            answer.set_exception(exc)
            return
        if not chunk:
            answer.set_exception(RuntimeError("query worker ended unexpectedly"))
            return
        try:
            done = self._frame.feed(chunk)
        except (ValueError, TypeError) as exc:
            answer.set_exception(RuntimeError(f"query worker sent a bad answer: {exc}"))
            return
        if done is not None:
            self._loop.remove_reader(self._fd)
            self.answered = True
            answer.set_result(done)
            self.worker.served += 1
            self._pool.put(self.worker)


def _frame_request(job: QueryJob, snapshot: Path) -> bytes:
    encoded = _encode(job, snapshot)
    return struct.pack(">I", len(encoded)) + encoded


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


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
