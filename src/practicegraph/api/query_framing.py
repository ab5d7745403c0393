"""The pipes to a query worker: framed requests out, framed answers read back.

A request is a 4-byte length and a JSON object; an answer a 4-byte length, a
JSON header and ``header["size"]`` payload bytes (the response body, written
by the worker itself in the negotiated format). An answer is read either from
a plain thread (``select`` + ``read``, :func:`exchange_blocking`) or by the
event loop as it arrives (:class:`Exchange`, whose reader returns the worker to
its pool the moment the answer is complete).
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import struct
import time
from pathlib import Path
from typing import Any

from practicegraph.api.query_pool import Worker, WorkerPool, expire
from practicegraph.api.query_types import (
    QueryAbandonedError,
    QueryFailedError,
    QueryJob,
    QueryOutcome,
    QueryTimeoutError,
)

#: Writes up to this size into an idle worker's pipe go straight from the loop.
PIPE_ATOMIC = 60_000


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


def frame_request(job: QueryJob, snapshot: Path) -> bytes:
    encoded = _encode(job, snapshot)
    return struct.pack(">I", len(encoded)) + encoded


def outcome_of(header: dict[str, Any], payload: bytes) -> QueryOutcome:
    """The worker's answer, or the QueryFailedError it reports."""
    if not header.get("ok"):
        raise QueryFailedError(str(header.get("error")), str(header.get("message")))
    return QueryOutcome(
        kind=header["kind"],
        media_type=header["media_type"],
        payload=payload,
        truncated=bool(header["truncated"]),
        rows=int(header["rows"]),
    )


def exchange_blocking(
    worker: Worker, message: bytes, deadline: float
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


class Exchange:
    """One query sent to a worker, its answer read by the loop as it arrives.

    The pipe's reader hands the worker back to the pool the moment the answer is
    complete (and may so send the next caller's query), before the coroutine
    waiting in :meth:`result` resumes; from then on the reader is no longer ours.
    """

    def __init__(
        self, worker: Worker, snapshot: Path, pool: WorkerPool, loop: asyncio.AbstractEventLoop
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
        timer = self._loop.call_later(max(deadline - self._loop.time(), 0), expire, self._answer)
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
