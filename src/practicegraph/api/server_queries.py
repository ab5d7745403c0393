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

Updates run on the server too, so nothing here needs the embedded runner's trial
of an update on an empty in-process store (``trial_updates`` is False).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import httpx
import pyoxigraph as ox

from practicegraph.api.query_runner import (
    QueryAbandonedError,
    QueryBusyError,
    QueryFailedError,
    QueryJob,
    QueryOutcome,
    QueryStop,
    QueryTimeoutError,
)
from practicegraph.config import Settings
from practicegraph.graph.snapshot_worker import serialise_answer
from practicegraph.graph.store import GraphStore

logger = logging.getLogger(__name__)

#: Seconds to wait for a connection to the server (the query's own limit is separate).
CONNECT_TIMEOUT = 10.0
_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


class _Request:
    """A query at the server that its caller may give up on (see QueryStop)."""

    def __init__(self, task: asyncio.Task[httpx.Response]) -> None:
        self.task = task
        self.abandoned = False

    def abandon(self) -> None:
        self.abandoned = True
        self.task.cancel()


class ServerQueryRunner:
    """Queries of the SPARQL endpoint sent to the store's SPARQL server."""

    #: Updates are evaluated by the server, not by an engine in this process.
    trial_updates = False

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        if not settings.sparql_query_url:
            raise ValueError("the server runner needs sparql_query_url")
        self.store = store
        self.url = settings.sparql_query_url
        self.slots = settings.query_workers
        auth: httpx.Auth | None = None
        if settings.sparql_user is not None:
            password = settings.sparql_password or ""
            auth = (
                httpx.DigestAuth(settings.sparql_user, password)
                if settings.sparql_auth == "digest"
                else httpx.BasicAuth(settings.sparql_user, password)
            )
        self._auth = auth
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate: asyncio.Semaphore | None = None

    def _for_loop(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        """The client and the concurrency gate of the running loop (made on first use)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._gate is None or self._loop is not loop:
            # no read timeout of its own: the query's time limit is the one that counts
            limits = httpx.Timeout(None, connect=CONNECT_TIMEOUT)
            self._client = httpx.AsyncClient(auth=self._auth, timeout=limits)
            self._gate = asyncio.Semaphore(self.slots)
            self._loop = loop
        return self._client, self._gate

    async def run_async(
        self,
        job: QueryJob,
        timeout: float,
        stop: QueryStop | None = None,
        queue_timeout: float | None = None,
    ) -> QueryOutcome:
        """Send ``job`` to the server; raises as QueryRunner.run_async does."""
        client, gate = self._for_loop()
        wait = timeout if queue_timeout is None else queue_timeout
        try:
            await asyncio.wait_for(gate.acquire(), wait)
        except TimeoutError:
            raise QueryBusyError(wait) from None
        try:
            task = asyncio.ensure_future(self._post(client, job))
            request = _Request(task)
            if stop is not None:
                stop._bind(request)
            try:
                response = await asyncio.wait_for(task, timeout)
            except TimeoutError:
                raise QueryTimeoutError(timeout) from None
            except asyncio.CancelledError:
                if request.abandoned:
                    raise QueryAbandonedError() from None
                raise
        finally:
            gate.release()
        return _outcome(job, response)

    def run(
        self, job: QueryJob, timeout: float, queue_timeout: float | None = None
    ) -> QueryOutcome:
        """:meth:`run_async` for plain threads (its own loop, so no shared gate)."""
        return asyncio.run(self.run_async(job, timeout, None, queue_timeout))

    async def _post(self, client: httpx.AsyncClient, job: QueryJob) -> httpx.Response:
        # The protocol has no base IRI parameter: a BASE line in front (a query's own
        # BASE, later in the prologue, still wins); error positions are moved back.
        text = f"BASE <{job.base_iri}>\n{job.query}" if job.base_iri else job.query
        form: dict[str, str | list[str]] = {"query": text}
        if job.default_graph is not None or job.named_graphs is not None:
            form["default-graph-uri"] = job.default_graph or []
            form["named-graph-uri"] = job.named_graphs or []
        try:
            return await client.post(self.url, data=form, headers={"Accept": _ACCEPT})
        except httpx.HTTPError as exc:
            logger.error("the SPARQL server did not answer: %s", exc)
            raise QueryFailedError(
                "crashed", "the SPARQL server that holds the graph did not answer"
            ) from exc

    def worker_pids(self) -> list[int]:
        """No worker processes: the server evaluates the queries."""
        return []

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None or self._loop is None or self._loop.is_closed():
            return
        if self._loop.is_running():  # closed from inside the loop (the app's shutdown)
            self._loop.create_task(client.aclose())
        else:
            self._loop.run_until_complete(client.aclose())


def _outcome(job: QueryJob, response: httpx.Response) -> QueryOutcome:
    """The server's answer, parsed and written as the job asks; its errors as
    QueryFailedError (400: the query does not parse; otherwise it failed)."""
    if response.status_code >= 400:
        message = " ".join(response.text.split())[:1000] or f"HTTP {response.status_code}"
        if job.base_iri:
            message = _one_line_up(message)
        kind = "syntax" if response.status_code == 400 and _is_parse_error(message) else "failed"
        raise QueryFailedError(kind, message)
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        result: Any
        if media == "application/sparql-results+json":
            result = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        elif media in ("application/n-triples", "text/plain", "text/turtle"):
            syntax = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
            result = (quad.triple for quad in ox.parse(response.content, syntax))
        else:
            raise QueryFailedError("failed", f"the SPARQL server answered in {media!r}")
        request = {"results": job.results, "graph": job.graph, "max_rows": job.max_rows}
        header, payload = serialise_answer(result, request)
    except SyntaxError as exc:
        raise QueryFailedError(
            "failed", f"the SPARQL server's answer does not parse: {exc}"
        ) from exc
    return QueryOutcome(
        kind=header["kind"],
        media_type=header["media_type"],
        payload=payload,
        truncated=bool(header["truncated"]),
        rows=int(header["rows"]),
    )


def _one_line_up(message: str) -> str:
    """A server's error position in the caller's text (one BASE line was put in front)."""

    def up(match: re.Match[str]) -> str:
        return f"{match.group(1)}{max(1, int(match.group(2)) - 1)}"

    return _LINE_NUMBER.sub(up, message, count=1)


#: "error at 3:17" (Oxigraph), "line 3" (Virtuoso and others).
_LINE_NUMBER = re.compile(r"(error at |line )(\d+)", re.IGNORECASE)


def _is_parse_error(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("parse", "syntax", "expected", "error at "))
