"""SPARQL queries answered by the SPARQL server the store lives on, with the same limits.

On the server backend there are no snapshots for killable worker processes to
read (:mod:`practicegraph.api.query_runner` serves the embedded store that way):
the server evaluates the queries. What the endpoint promises still holds:

- **Time limit.** The request is abandoned when the limit passes -- its
  connection is closed, which frees this process at once -- and the answer is
  503 naming the limit, as on the embedded store. Stopping the evaluation on the
  server is the server's part: give it a time limit of its own at least as long
  as ``max_query_timeout`` (Oxigraph: ``serve --timeout-s``; Virtuoso:
  ``MaxQueryExecutionTime``), or an abandoned query runs on there until done.
- **Row cap.** The server's answer is parsed (SPARQL JSON results, or N-Triples
  for graphs) and written by the query workers' own serialiser
  (:func:`practicegraph.graph.snapshot_worker.serialise_answer`), cut at
  ``max_rows``: the same bytes and the same ``truncated`` flag on every backend.
  The answer is read whole before it is cut, so a server should cap its own
  results too (Virtuoso: ``ResultSetMaxRows``).
- **Load.** At most ``query_workers`` queries are at the server at once; the
  rest wait ``query_queue_timeout`` and are then told the service is busy.
- **A client that goes away** has its request abandoned (:class:`QueryStop`).

Updates run on the server, but an update that overflows the engine's stack
would take the server down as surely as this process (measured: a deeply nested
update stopped Oxigraph server), so the risky ones are still tried first on an
empty in-memory store, in a one-off worker process (``trial_updates``). So are
queries whose text alone does not show them within the engine's limits: on
the embedded store those run in killable workers anyway; here they would run in
the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import struct
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
from starlette.concurrency import run_in_threadpool

from practicegraph.api.query_runner import (
    WORKER_SCRIPT,
    QueryAbandonedError,
    QueryBusyError,
    QueryFailedError,
    QueryJob,
    QueryOutcome,
    QueryStop,
    QueryTimeoutError,
)
from practicegraph.api.sparql_guard import provably_within_limits
from practicegraph.config import Settings
from practicegraph.graph import snapshot_worker
from practicegraph.graph.snapshot_worker import serialise_answer
from practicegraph.graph.sparql_answers import (
    AnswerError,
    accept_for,
    is_parse_error,
    lines_back,
    query_form,
    read_capped,
)
from practicegraph.graph.sparql_client import server_auth
from practicegraph.graph.store import GraphStore
from practicegraph.sparql_terms import iri

logger = logging.getLogger(__name__)

#: Seconds to wait for a connection to the server (the query's own limit is separate).
CONNECT_TIMEOUT = 10.0


class _Request:
    """A query at the server that its caller may give up on (see QueryStop)."""

    def __init__(self, task: asyncio.Future[QueryOutcome]) -> None:
        self.task = task
        self.abandoned = False

    def abandon(self) -> None:
        self.abandoned = True
        self.task.cancel()


class ServerQueryRunner:
    """Queries of the SPARQL endpoint sent to the store's SPARQL server."""

    #: A risky update is tried on an empty store first: it could crash the server.
    trial_updates = True

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        if not settings.sparql_query_url:
            raise ValueError("the server runner needs sparql_query_url")
        self.store = store
        self.url = settings.sparql_query_url
        self.slots = settings.query_workers
        self._auth = server_auth(
            settings.sparql_user, settings.sparql_password, settings.sparql_auth
        )
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate: asyncio.Semaphore | None = None
        #: Requests at the server now (an abandoned one leaves at once).
        self.in_flight = 0

    def _new_client(self) -> httpx.AsyncClient:
        # no read timeout of its own: the query's time limit is the one that counts
        limits = httpx.Timeout(None, connect=CONNECT_TIMEOUT)
        return httpx.AsyncClient(auth=self._auth, timeout=limits)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[tuple[httpx.AsyncClient, asyncio.Semaphore]]:
        """The client and the concurrency gate to use on the running loop.

        The first loop that asks (the server's own) keeps a client with its pooled
        connections, closed by :meth:`aclose` on that loop. A call from any other
        loop (a test client without a lifespan runs each request on a loop of its
        own) gets a client of its own, closed before that loop ends: connections
        belong to the loop that opened them.
        """
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._client, self._gate, self._loop = (
                self._new_client(),
                asyncio.Semaphore(self.slots),
                loop,
            )
        if self._loop is loop and self._client is not None and self._gate is not None:
            yield self._client, self._gate
            return
        async with self._new_client() as client:
            yield client, asyncio.Semaphore(self.slots)

    async def run_async(
        self,
        job: QueryJob,
        timeout: float,
        stop: QueryStop | None = None,
        queue_timeout: float | None = None,
    ) -> QueryOutcome:
        """Send ``job`` to the server; raises as QueryRunner.run_async does."""
        if job.trial_update:
            return await run_in_threadpool(self.trial, job, timeout)
        if not provably_within_limits(job.query):
            await run_in_threadpool(self.trial, job, timeout)
        async with self._connection() as (client, gate):
            return await self._gated(client, gate, job, timeout, stop, queue_timeout)

    async def _gated(
        self,
        client: httpx.AsyncClient,
        gate: asyncio.Semaphore,
        job: QueryJob,
        timeout: float,
        stop: QueryStop | None,
        queue_timeout: float | None,
    ) -> QueryOutcome:
        wait = timeout if queue_timeout is None else queue_timeout
        try:
            await asyncio.wait_for(gate.acquire(), wait)
        except TimeoutError:
            raise QueryBusyError(wait) from None
        self.in_flight += 1
        try:
            task = asyncio.ensure_future(self._ask(client, job))
            request = _Request(task)
            if stop is not None:
                stop._bind(request)
            try:
                outcome = await asyncio.wait_for(task, timeout)
            except TimeoutError:
                raise QueryTimeoutError(timeout) from None
            except asyncio.CancelledError:
                if request.abandoned:
                    raise QueryAbandonedError() from None
                raise
        finally:
            self.in_flight -= 1
            gate.release()
        return outcome

    def run(
        self, job: QueryJob, timeout: float, queue_timeout: float | None = None
    ) -> QueryOutcome:
        """:meth:`run_async` for plain threads (a loop of its own for the call, so a
        client and a gate of its own: the pooled ones belong to the server's loop)."""

        async def once() -> QueryOutcome:
            async with self._new_client() as client:
                gate = asyncio.Semaphore(self.slots)
                return await self._gated(client, gate, job, timeout, None, queue_timeout)

        if job.trial_update:
            return self.trial(job, timeout)
        if not provably_within_limits(job.query):
            self.trial(job, timeout)
        return asyncio.run(once())

    async def _ask(self, client: httpx.AsyncClient, job: QueryJob) -> QueryOutcome:
        """Send the query; read the answer only as far as the row cap, then hang up."""
        # The protocol has no base IRI parameter: a BASE line in front (a query's own
        # BASE, later in the prologue, still wins); error positions are moved back.
        text = f"BASE {iri(job.base_iri)}\n{job.query}" if job.base_iri else job.query
        form: dict[str, str | list[str]] = {"query": text}
        if job.default_graph is not None or job.named_graphs is not None:
            form["default-graph-uri"] = job.default_graph or []
            form["named-graph-uri"] = job.named_graphs or []
        accept = accept_for(query_form(job.query))
        request = client.build_request("POST", self.url, data=form, headers={"Accept": accept})
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            logger.error("the SPARQL server did not answer: %s", exc)
            raise QueryFailedError(
                "crashed", "the SPARQL server that holds the graph did not answer"
            ) from exc
        try:
            return await _outcome(job, response)
        except httpx.HTTPError as exc:
            raise QueryFailedError(
                "failed", f"the SPARQL server's answer broke off: {exc}"
            ) from exc
        finally:
            await response.aclose()

    def trial(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Try an update on an empty in-memory store in a one-off worker process (no
        network): a crash or an overrun there is reported, and the server is spared."""
        kind = "trial_update" if job.trial_update else "trial_query"
        encoded = json.dumps(
            {
                "query": job.query,
                "base_iri": job.base_iri,
                kind: True,
                "results": "json",
                "graph": "nt",
                "max_rows": 1,
            }
        )
        message = struct.pack(">I", len(encoded)) + encoded.encode()
        command = [sys.executable, str(WORKER_SCRIPT), str(os.getpid()), snapshot_worker.NO_NETWORK]
        try:
            done = subprocess.run(  # noqa: S603 - our own worker script, no shell
                command, input=message, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise QueryTimeoutError(timeout) from None
        answer = snapshot_worker.read_message(io.BytesIO(done.stdout))
        if answer is None:
            raise QueryFailedError(
                "crashed", "a trial of the request on an empty store stopped the SPARQL engine"
            )
        header, _payload = answer
        if not header.get("ok"):
            raise QueryFailedError(str(header.get("error")), str(header.get("message")))
        return QueryOutcome("trial", "", b"", truncated=False, rows=0)

    def worker_pids(self) -> list[int]:
        """No worker processes: the server evaluates the queries."""
        return []

    def close(self) -> None:
        """Close from outside the loop (its connections go with the loop otherwise)."""
        client, self._client = self._client, None
        loop = self._loop
        if client is not None and loop is not None and not loop.is_closed():
            if loop.is_running():  # inside the loop: aclose() is the way
                raise RuntimeError("close a running loop's runner with aclose()")
            loop.run_until_complete(client.aclose())

    async def aclose(self) -> None:
        """Close from the loop that used the client (the app's shutdown)."""
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()
        self._loop = None


async def _outcome(job: QueryJob, response: httpx.Response) -> QueryOutcome:
    """The server's answer, read up to the row cap and written as the job asks; its
    errors as QueryFailedError (400: the query does not parse; otherwise it failed).
    An answer the server cut at its own row limit is marked truncated too."""
    if response.status_code >= 400:
        body = (await response.aread()).decode("utf-8", "replace")
        message = " ".join(body.split())[:1000] or f"HTTP {response.status_code}"
        message = lines_back(message, 1 if job.base_iri else 0)
        kind = "syntax" if response.status_code == 400 and is_parse_error(message) else "failed"
        raise QueryFailedError(kind, message)
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        result, more = await read_capped(response.aiter_bytes(), media, job.max_rows)
    except AnswerError as exc:
        raise QueryFailedError("failed", str(exc)) from exc
    request = {"results": job.results, "graph": job.graph, "max_rows": job.max_rows}
    header, payload = serialise_answer(result, request)
    return QueryOutcome(
        kind=header["kind"],
        media_type=header["media_type"],
        payload=payload,
        truncated=more or bool(header["truncated"]) or "x-sparql-maxrows" in response.headers,
        rows=int(header["rows"]),
    )
