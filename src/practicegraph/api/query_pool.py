"""The query worker processes and the pool of idle ones: who gets the next free worker.

A worker is a persistent process running :mod:`practicegraph.graph.snapshot_worker`
(a pipe each, no spawn per query). The pool hands a returned worker to the first
caller in line, whether that caller waits on an event loop or on a plain thread;
on the loop it may send the caller's query right there (the hand-over, see
:class:`WorkerPool`). What travels over a worker's pipes is
:mod:`practicegraph.api.query_framing`'s business.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from practicegraph.api.query_types import QueryTimeoutError
from practicegraph.graph import snapshot_worker

logger = logging.getLogger(__name__)

WORKER_SCRIPT = Path(snapshot_worker.__file__).resolve()


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    snapshot: Path | None = None
    served: int = 0

    @classmethod
    def start(cls, network: bool = False) -> Worker:
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


#: Called with the worker a waiting caller is handed, on that caller's loop, to send
#: its query at once; returns what it started (an ``Exchange``) or None.
Starter = Callable[[Worker], Any]


class WorkerPool:
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

    def __init__(self, abandon: Callable[[Worker, Any], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        #: what to do with a worker handed to a caller that was cancelled before it
        #: could take it (default: back to the pool)
        self._abandon = abandon or (lambda worker, _started: self.put(worker))
        self._waiters: deque[tuple[_Waiter, Starter | None]] = deque()

    @property
    def idle(self) -> int:
        """How many workers wait for a query now."""
        with self._lock:
            return len(self._idle)

    @property
    def waiting(self) -> int:
        """How many callers wait for a worker now."""
        with self._lock:
            return len(self._waiters)

    def try_get(self) -> Worker | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    async def get(self, timeout: float, starter: Starter | None = None) -> tuple[Worker, Any]:
        """An idle worker and what ``starter`` started on it (or None), waiting up to
        ``timeout`` s for one (QueryTimeoutError)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._idle:
                return self._idle.pop(), None
            waiter: asyncio.Future[tuple[Worker, Any]] = loop.create_future()
            self._waiters.append((waiter, starter))
        timer = loop.call_later(max(timeout, 0), expire, waiter)
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

    def get_blocking(self, timeout: float) -> Worker:
        """:meth:`get` for a plain thread (QueryTimeoutError after ``timeout`` s)."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            waiter: concurrent.futures.Future[tuple[Worker, Any]] = concurrent.futures.Future()
            self._waiters.append((waiter, None))
        try:
            return waiter.result(max(timeout, 0))[0]
        except concurrent.futures.TimeoutError:
            with self._lock:  # put() decides under the same lock: handed over, or not
                if waiter.done():
                    return waiter.result()[0]
                waiter.cancel()
            raise QueryTimeoutError(0) from None

    def put(self, worker: Worker) -> None:
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
        waiter: asyncio.Future[tuple[Worker, Any]],
        starter: Starter | None,
        worker: Worker,
    ) -> None:
        started = None
        if starter is not None:
            try:
                started = starter(worker)
            except Exception:  # the caller's own path meets the error again and reports it
                logger.debug("sending a query from the hand-over failed", exc_info=True)
        waiter.set_result((worker, started))

    def _deliver(self, waiter: asyncio.Future[tuple[Worker, Any]], worker: Worker) -> None:
        if waiter.done():  # timed out or cancelled meanwhile: the next one in line
            self.put(worker)
        else:
            waiter.set_result((worker, None))


_Waiter = asyncio.Future[tuple[Worker, Any]] | concurrent.futures.Future[tuple[Worker, Any]]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def expire(waiter: asyncio.Future[Any]) -> None:
    """A loop timer's end of a wait: ``waiter`` fails with QueryTimeoutError."""
    if not waiter.done():
        waiter.set_exception(QueryTimeoutError(0))
