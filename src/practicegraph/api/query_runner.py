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

The jobs are split by module: the query types every executor shares
(:mod:`~practicegraph.api.query_types`), the worker processes and the pool that
hands them over (:mod:`~practicegraph.api.query_pool`), what travels over a
worker's pipes (:mod:`~practicegraph.api.query_framing`) and the snapshots
(:mod:`~practicegraph.api.query_snapshots`); this module runs a query with them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from practicegraph.api.query_framing import (
    PIPE_ATOMIC,
    Exchange,
    exchange_blocking,
    frame_request,
    outcome_of,
)
from practicegraph.api.query_pool import WORKER_SCRIPT, Worker, WorkerPool
from practicegraph.api.query_snapshots import SNAPSHOT_GONE, Snapshots
from practicegraph.api.query_types import (
    Abandonable,
    QueryAbandonedError,
    QueryBusyError,
    QueryExecutor,
    QueryFailedError,
    QueryJob,
    QueryOutcome,
    QueryStop,
    QueryTimeoutError,
)
from practicegraph.errors import StoreError
from practicegraph.graph.store import GraphStore, SnapshotStore, snapshots

__all__ = [
    "SNAPSHOT_GONE",
    "WORKER_SCRIPT",
    "Abandonable",
    "QueryAbandonedError",
    "QueryBusyError",
    "QueryExecutor",
    "QueryFailedError",
    "QueryJob",
    "QueryOutcome",
    "QueryRunner",
    "QueryStop",
    "QueryTimeoutError",
]

logger = logging.getLogger(__name__)


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
        self._idle = WorkerPool(abandon=self._abandoned)
        self._all: list[Worker] = []
        self._registry = threading.Lock()
        self._closed = False
        # Every worker is started from this one thread: a worker is killed by the
        # kernel when the thread that started it ends (snapshot_worker.die_with_parent),
        # so it must not be a pool thread that may end, only one that lasts as long
        # as the runner.
        self._spawner = concurrent.futures.ThreadPoolExecutor(1, "query-worker-spawner")
        self._snapshots = Snapshots(self.store, snapshot_dir, self._in_use)
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
        return self._snapshots.newest()

    def _in_use(self) -> set[Path]:
        """The snapshots the workers have open (not to be pruned)."""
        with self._registry:
            return {w.snapshot for w in self._all if w.snapshot is not None}

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
            self._snapshots.renew(snapshot)
            header, payload, _ = self._run_once(job, timeout, wait)
        return outcome_of(header, payload)

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
            header, payload = exchange_blocking(worker, frame_request(job, snapshot), deadline)
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
            await run_in_threadpool(self._snapshots.renew, snapshot)
            header, payload, _ = await self._run_once_async(job, timeout, wait, loop, stop)
        return outcome_of(header, payload)

    async def _run_once_async(
        self,
        job: QueryJob,
        timeout: float,
        wait: float,
        loop: asyncio.AbstractEventLoop,
        stop: QueryStop | None,
    ) -> tuple[dict[str, Any], bytes, Path]:
        worker = self._idle.try_get()
        exchange: Exchange | None = None
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
                snapshot = self._snapshots.fresh()
                if snapshot is None:  # the store changed: a checkpoint, off the loop
                    snapshot = await run_in_threadpool(self.snapshot)
                exchange = Exchange(worker, snapshot, self._idle, loop)
                message = frame_request(job, snapshot)
                if len(message) <= PIPE_ATOMIC:
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

    def _abandoned(self, worker: Worker, exchange: Exchange | None) -> None:
        """A worker handed to a caller that was cancelled before taking it."""
        if exchange is None:
            self._idle.put(worker)
        elif not exchange.answered:  # its query is under way and nobody will read the answer
            exchange.stop_listening()
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        # an answered exchange has given the worker back already

    def _start_now(
        self, worker: Worker, job: QueryJob, line_deadline: float, loop: asyncio.AbstractEventLoop
    ) -> Exchange | None:
        """Send ``job`` to a worker being handed over, if nothing needs a thread first
        and the caller's time in line is not up."""
        snapshot = self._snapshots.fresh()
        if snapshot is None or loop.time() >= line_deadline:
            return None
        message = frame_request(job, snapshot)
        if len(message) > PIPE_ATOMIC:
            return None
        exchange = Exchange(worker, snapshot, self._idle, loop)
        exchange.send(message)
        return exchange

    def _replace(self, worker: Worker) -> None:
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

    def _start_worker(self) -> Worker:
        return self._spawner.submit(Worker.start, self.network).result()

    @property
    def idle_workers(self) -> int:
        """How many workers wait for a query now."""
        return self._idle.idle

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
        self._snapshots.remove()
