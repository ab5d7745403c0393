"""/sparql: the SPARQL 1.1 Protocol (query and update) and the Service Description.

Queries arrive by GET (``?query=``), by a form POST (``query=``) or as an
``application/sparql-query`` body; updates by a form POST (``update=``) or an
``application/sparql-update`` body. ``default-graph-uri``/``named-graph-uri``
set a query's dataset; without them the default graph is the union of all
graphs (the project's public view: each document lives in its own named
graph). ``using-graph-uri``/``using-named-graph-uri`` become USING / USING
NAMED clauses of the update's DELETE/INSERT operations, or, for a SPARQL server
that refuses those clauses, are passed on as the same protocol parameters
(:mod:`practicegraph.api.sparql_update`); giving them together with a USING or
WITH in the update is a 400, as the protocol says.

Queries run in killable worker processes over a snapshot of the store (see
:mod:`practicegraph.api.query_runner`), under a time limit (``timeout=`` up to
the server's maximum) and a row cap (a cut result carries the response header
``PracticeGraph-Results-Truncated: true`` and ``PracticeGraph-Results-Limit``).
SERVICE is refused unless its endpoint is allow-listed in the settings, and
LOAD always (the server fetches nothing on a request's behalf): both are read
from the request's parse tree by :mod:`practicegraph.api.sparql_guard`, which
also refuses requests nested or chained past what the engine evaluates
safely. A query waits for a free worker at most ``query_queue_timeout`` s (then
503, "busy", with Retry-After) and its time limit counts from its start;
callers without the write token may ask for at most
``anonymous_max_query_timeout`` s.

Keyword index after an update: the update text is scanned for the graphs it
can write to. The documents whose named graphs it names (as IRIs or prefixed
names) are re-extracted into the index; when it may write to any graph
(``GRAPH ?g`` in a template, DROP/CLEAR ALL or NAMED) every document is; and
index entries of documents that are no longer in the store are removed. The
index is updated before the response is sent, so /search agrees with the
store as soon as the client sees the 204.

The route functions are ``async``: the body is read under its size cap, and
a query waits for its worker on the event loop itself (the worker's pipe is
watched by the loop, :meth:`QueryRunner.run_async`). Everything that blocks --
an update, the index, a store checkpoint -- runs in the thread pool, so a slow
query never holds the event loop (and /search answers).

A researcher's text may use the predefined prefixes undeclared; declarations for
them are put on its first line (:func:`practicegraph.graph.sparql_syntax.with_prefixes`)
before anything reads it, and a text that does not parse is answered with one
line naming the place in the text as written and the problem. ``GET /sparql``
without a query answers a browser (``Accept: text/html``) with the editor page,
anyone else with the Service Description. ``default-graph-uri=``
``urn:x-practicegraph:default-graph`` selects the store's own default graph.

``GET``/``POST /sparql`` reach :func:`handle` straight from the application's
middleware (:class:`practicegraph.api.app.SparqlFastPath`), past FastAPI's
router and request wrapper: the same route code and the same error handlers,
with less per-request work for the hottest route. The FastAPI route stays (it
is what the OpenAPI page shows, and what any other way in reaches).

This module holds the route and the query path; reading and checking the
request is :mod:`practicegraph.api.sparql_request`, the update path
:mod:`practicegraph.api.sparql_update`, and the Service Description (and the
editor page) :mod:`practicegraph.api.sparql_description`. ``apply_update`` and
``MIN_QUERY_TIMEOUT`` are re-exported here for their callers (the CLI, the OpenAPI page).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from practicegraph.api import sparql_guard
from practicegraph.api.deps import get_settings, has_valid_token, require_token
from practicegraph.api.errors import ApiError
from practicegraph.api.protocol import LIMIT_HEADER, TRUNCATED_HEADER
from practicegraph.api.query_runner import (
    SNAPSHOT_GONE,
    QueryAbandonedError,
    QueryBusyError,
    QueryExecutor,
    QueryFailedError,
    QueryJob,
    QueryOutcome,
    QueryStop,
    QueryTimeoutError,
)
from practicegraph.api.result_cache import ResultCache, cache_key
from practicegraph.api.sparql_description import service_description, wants_editor
from practicegraph.api.sparql_request import (
    MIN_QUERY_TIMEOUT as MIN_QUERY_TIMEOUT,
)
from practicegraph.api.sparql_request import (
    answer_formats,
    check_network,
    check_shape,
    does_not_parse,
    endpoint_of,
    get_runner,
    iris,
    read_request,
    time_limit,
)
from practicegraph.api.sparql_update import apply_update as apply_update
from practicegraph.api.sparql_update import update as run_update
from practicegraph.config import Settings
from practicegraph.graph import sparql_syntax
from practicegraph.graph.store import GraphStore, snapshots
from practicegraph.web.query_page import query_page

router = APIRouter(tags=["sparql"])

_DESCRIPTION = """
SPARQL 1.1 Protocol endpoint over the whole graph.

**Query**: `GET /sparql?query=...`, `POST` a form with `query=`, or `POST` the
query as `application/sparql-query`. `default-graph-uri` / `named-graph-uri`
set the dataset (default: the union of all graphs). Results by `Accept`
(SPARQL JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD, RDF/XML for
CONSTRUCT/DESCRIBE) or `format=json|xml|csv|tsv|turtle|nt|jsonld|rdfxml`.
`timeout=` seconds (up to the server's maximum). A result cut at the row cap
carries `PracticeGraph-Results-Truncated: true`. Answers are kept until the next
write (not those of `NOW()`, `RAND()`, `UUID()`, `STRUUID()`, `BNODE()` or
`SERVICE`); GET answers carry an `ETag`, and `If-None-Match` gets a 304.

**Update** (bearer token): `POST` a form with `update=` or the update as
`application/sparql-update`; `using-graph-uri` / `using-named-graph-uri`.

Without a query, `GET /sparql` returns the SPARQL Service Description; a browser
(`Accept: text/html`, or `format=html`) gets the query editor page instead.

Prefixes: the project's prefixes (`schema:`, `skos:`, `dcterms:`, `oa:`, `prov:`,
`pg:`, `themes:`, `owl:`, `rdf:`, `rdfs:`, `xsd:`, `void:`, `dcat:`) may be used
without declaring them; a query's own `PREFIX` wins. `default-graph-uri=`
`urn:x-practicegraph:default-graph` selects the store's own default graph.
"""


@router.api_route(
    "/sparql",
    methods=["GET", "POST"],
    summary="SPARQL 1.1 query and update; Service Description",
    description=_DESCRIPTION,
    response_class=Response,
)
@router.api_route("/sparql/", methods=["GET", "POST"], include_in_schema=False)
async def sparql(request: Request) -> Response:
    settings = get_settings(request)
    carried = await read_request(request, settings)
    queries, updates, values = carried.queries, carried.updates, carried.values
    endpoint = endpoint_of(request)
    if updates:
        if request.method != "POST":
            raise ApiError(
                400, "an update must be sent with POST (form or application/sparql-update)"
            )
        require_token(request)
        return await run_update(request, updates[0], values, endpoint)
    if queries:
        return await _query(request, queries[0], values, endpoint, settings)
    if request.method == "POST":
        raise ApiError(400, "the request has neither a query nor an update")
    # the description ignores them, but a malformed parameter is still an error
    time_limit(values, settings, has_valid_token(request))
    iris(values, "default-graph-uri")
    iris(values, "named-graph-uri")
    if wants_editor(request, values):
        return HTMLResponse(query_page(settings.base_iri), headers={"Vary": "Accept"})
    return service_description(request, values, endpoint, settings)


async def handle(scope: Scope, receive: Receive, send: Send) -> None:
    """``/sparql`` as a plain ASGI app: :func:`sparql`, then the app's error handlers.

    What FastAPI's request wrapper would do for this route, minus what the route
    does not use (dependency solving, path matching, an exit stack for uploads).
    An exception with a handler (ApiError, the domain errors) is answered by that
    handler; any other goes up to the server-error handler, as on every route.
    """
    request = Request(scope, receive)
    try:
        response = await sparql(request)
    except Exception as exc:
        handler = _handler_for(request, exc)
        if handler is None:
            raise
        response = await handler(request, exc)
    await response(scope, receive, send)


def _handler_for(request: Request, exc: Exception) -> Any:
    """The exception handler the app's ExceptionMiddleware would pick for ``exc``."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None  # the server-error middleware's: unexpected, logged, 500
        if cls in handlers:
            return handlers[cls]
    return None


async def _query(
    request: Request,
    query: str,
    values: dict[str, list[str]],
    endpoint: str,
    settings: Settings,
) -> Response:
    if "using-graph-uri" in values or "using-named-graph-uri" in values:
        raise ApiError(
            400,
            "using-graph-uri and using-named-graph-uri belong to updates; "
            "a query's dataset is default-graph-uri and named-graph-uri",
        )
    if not query.strip():
        # Refused here, not by the parser in a worker: an empty query must not wait
        # for a worker (or time out behind others) to be told it is empty.
        raise ApiError(400, "the query is empty: send a SELECT, ASK, CONSTRUCT or DESCRIBE")
    results, graph = answer_formats(request, values)
    timeout = time_limit(values, settings, has_valid_token(request))
    prepared = sparql_syntax.with_prefixes(query)
    check_shape(prepared.text)
    network = await check_network(prepared.text, update=False, base=endpoint, settings=settings)
    job = QueryJob(
        query=prepared.text,
        base_iri=endpoint,
        default_graph=iris(values, "default-graph-uri"),
        named_graphs=iris(values, "named-graph-uri"),
        results=results,
        graph=graph,
        max_rows=settings.max_rows,
    )
    runner = get_runner(request)
    cache: ResultCache = request.app.state.results
    # the embedded store knows its version in memory; a server is asked over HTTP,
    # which must not block the event loop
    store = runner.store
    generation = (
        store.version if snapshots(store) is not None else await run_in_threadpool(_version, store)
    )
    key = cache_key(job)
    etag: str | None = None
    if key is not None and request.method == "GET":
        etag = cache.etag(generation, key)
        if _matches(request.headers.getlist("if-none-match"), etag):
            return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept"})
    outcome = cache.get(generation, key) if key is not None and cache.enabled else None
    if outcome is None:
        try:
            outcome = await _run(request, runner, job, timeout, settings, network)
        except QueryFailedError as exc:
            raise _query_error(exc, network, prepared) from None
        if key is not None and cache.enabled:
            cache.put(generation, key, outcome)
    headers = {"Vary": "Accept"}
    if etag is not None:
        headers["ETag"] = etag
    if outcome.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[LIMIT_HEADER] = str(settings.max_rows)
    return Response(outcome.payload, media_type=outcome.media_type, headers=headers)


def _matches(if_none_match: list[str], etag: str) -> bool:
    """Whether the ``If-None-Match`` header lines name ``etag`` (weak comparison, RFC 9110).

    ``*`` is not honoured: it would answer 304 without knowing the query runs at all.
    """
    wanted = etag.removeprefix("W/")
    return any(
        tag.strip().removeprefix("W/") == wanted
        for line in if_none_match
        for tag in line.split(",")
    )


#: A query still running after this long starts watching for its client going away.
#: Most answers come sooner, and pay nothing for the watch.
DISCONNECT_WATCH_AFTER = 0.05


async def _run(
    request: Request,
    runner: QueryExecutor,
    job: QueryJob,
    timeout: float,
    settings: Settings,
    network: sparql_guard.NetworkUse,
) -> QueryOutcome:
    stop = QueryStop()
    loop = asyncio.get_running_loop()
    watchers: list[asyncio.Task[None]] = []
    timer = loop.call_later(
        DISCONNECT_WATCH_AFTER,
        lambda: watchers.append(loop.create_task(_stop_on_disconnect(request.receive, stop))),
    )
    try:
        return await runner.run_async(job, timeout, stop, settings.query_queue_timeout)
    except QueryBusyError as exc:
        raise ApiError(
            503,
            f"the service is busy: every query worker ({settings.query_workers}) was in use for "
            f"{exc.waited:g} s and this query did not start; try again shortly",
            {"query_workers": settings.query_workers, "waited": exc.waited},
            headers={"Retry-After": "2"},
        ) from exc
    except QueryAbandonedError as exc:
        # nobody reads this answer; the status is what the access log shows (nginx's 499)
        raise ApiError(499, "the client went away: its query was stopped") from exc
    except QueryTimeoutError as exc:
        raise ApiError(
            503,
            f"the query was stopped: it did not finish within its time limit of {timeout:g} s",
            {"timeout": timeout, "max_query_timeout": settings.max_query_timeout},
            headers={"Retry-After": "1"},
        ) from exc
    finally:
        timer.cancel()
        for watcher in watchers:
            watcher.cancel()


async def _stop_on_disconnect(receive: Receive, stop: QueryStop) -> None:
    """Fire ``stop`` when the client disconnects (the request body is already read)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            stop.stop()
            return


def _version(store: GraphStore) -> int:
    return store.version


def _query_error(
    exc: QueryFailedError, network: sparql_guard.NetworkUse, prepared: sparql_syntax.Prepared
) -> ApiError:
    if exc.kind == "syntax":
        return does_not_parse("query", exc.message, prepared)
    if exc.kind == "crashed":
        return ApiError(503, exc.message)
    if exc.kind == SNAPSHOT_GONE:  # deleted twice in a row under the query: a busy moment
        return ApiError(503, "the store's snapshot changed under the query; try again")
    if network.services:
        # the engine's message may quote the remote endpoint's answer: never echo it
        return ApiError(
            502,
            "the query calls SERVICE and could not be evaluated; the remote endpoint's "
            "answer is not shown",
            {"services": [e for e in network.services if e is not None]},
        )
    return ApiError(400, "the SPARQL query could not be evaluated", {"reason": exc.message})
