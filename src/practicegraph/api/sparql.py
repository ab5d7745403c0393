"""/sparql: the SPARQL 1.1 Protocol (query and update) and the Service Description.

Queries arrive by GET (``?query=``), by a form POST (``query=``) or as an
``application/sparql-query`` body; updates by a form POST (``update=``) or an
``application/sparql-update`` body. ``default-graph-uri``/``named-graph-uri``
set a query's dataset; without them the default graph is the union of all
graphs (the project's public view: each document lives in its own named
graph). ``using-graph-uri``/``using-named-graph-uri`` become USING / USING
NAMED clauses of the update's DELETE/INSERT operations; giving them together
with a USING or WITH in the update is a 400, as the protocol says.

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

``GET``/``POST /sparql`` reach :func:`handle` straight from the application's
middleware (:class:`practicegraph.api.app.SparqlFastPath`), past FastAPI's
router and request wrapper: the same route code and the same error handlers,
with less per-request work for the hottest route. The FastAPI route stays (it
is what the OpenAPI page shows, and what any other way in reaches).
"""

from __future__ import annotations

import asyncio
import math
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from practicegraph.api import sparql_guard, sparql_text
from practicegraph.api.deps import get_service, get_settings, has_valid_token, require_token
from practicegraph.api.errors import ApiError
from practicegraph.api.protocol import (
    GRAPH_MEDIA,
    GRAPH_MEDIA_TYPES,
    LIMIT_HEADER,
    RESULTS_MEDIA,
    TRUNCATED_HEADER,
    decode_utf8,
    media_type_of,
    negotiate,
    read_body,
    require_utf8,
    sync_index_after_write,
)
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
from practicegraph.config import Settings
from practicegraph.errors import QueryError, StorageFullError, StoreError
from practicegraph.graph.snapshot_worker import GRAPH_FORMATS
from practicegraph.graph.store import GraphStore, snapshots
from practicegraph.service import PracticeGraphService

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
RESULT_FORMAT_NAMES = ("json", "xml", "csv", "tsv")
GRAPH_FORMAT_NAMES = ("turtle", "nt", "jsonld", "rdfxml")
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"

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

Without a query, `GET /sparql` returns the SPARQL Service Description.
"""


def get_runner(request: Request) -> QueryExecutor:
    runner: QueryExecutor = request.app.state.queries
    return runner


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
    params = list(request.query_params.multi_items())
    direct_query: str | None = None
    direct_update: str | None = None
    if request.method == "POST":
        media_type, media_params = media_type_of(request)
        if media_type == FORM:
            body = await read_body(request, settings.max_body_bytes)
            text = decode_utf8(body, "form body")
            try:
                params += parse_qsl(text, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise ApiError(400, "the form's values are not valid UTF-8") from None
        elif media_type in (QUERY_TYPE, UPDATE_TYPE):
            require_utf8(media_params)
            body = await read_body(request, settings.max_body_bytes)
            text = decode_utf8(body, "request body")
            if media_type == QUERY_TYPE:
                direct_query = text
            else:
                direct_update = text
        elif not media_type:
            raise ApiError(
                400,
                f"a POST to /sparql needs a Content-Type: {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
            )
        else:
            raise ApiError(
                415,
                f"/sparql does not take {media_type}; send {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
            )
    values: dict[str, list[str]] = {}
    for name, value in params:
        values.setdefault(name, []).append(value)
    queries = values.pop("query", []) + ([direct_query] if direct_query is not None else [])
    updates = values.pop("update", []) + ([direct_update] if direct_update is not None else [])
    if len(queries) + len(updates) > 1:
        raise ApiError(
            400,
            "one request carries one query or one update, this one has "
            f"{len(queries)} queries and {len(updates)} updates",
        )
    endpoint = _endpoint(request)
    if updates:
        if request.method != "POST":
            raise ApiError(
                400, "an update must be sent with POST (form or application/sparql-update)"
            )
        require_token(request)
        return await _update(request, updates[0], values, endpoint)
    if queries:
        return await _query(request, queries[0], values, endpoint, settings)
    if request.method == "POST":
        raise ApiError(400, "the request has neither a query nor an update")
    # the description ignores them, but a malformed parameter is still an error
    _timeout(values, settings, has_valid_token(request))
    _iris(values, "default-graph-uri")
    _iris(values, "named-graph-uri")
    return _service_description(request, values, endpoint, settings)


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


#: Small caches of per-request work that depends on a few header values only;
#: bounded, because clients choose those values.
_CACHE_LIMIT = 256
_endpoints: dict[tuple[Any, ...], str] = {}
_negotiated: dict[str | None, tuple[str | None, str | None]] = {}


def _endpoint(request: Request) -> str:
    """The endpoint's own URL (the base IRI of queries and updates), without the query."""
    scope = request.scope
    server = scope.get("server")
    key = (
        scope.get("scheme"),
        tuple(server) if server is not None else None,
        scope.get("root_path"),
        scope["path"],
        request.headers.get("host"),
    )
    endpoint = _endpoints.get(key)
    if endpoint is None:
        if len(_endpoints) >= _CACHE_LIMIT:
            _endpoints.clear()
        endpoint = _endpoints[key] = str(request.url.replace(query=""))
    return endpoint


# -- query ----------------------------------------------------------------------------
def _formats(request: Request, values: dict[str, list[str]]) -> tuple[str, str]:
    """(results format, graph format) from ``format=`` or the Accept header."""
    chosen = values.get("format", [])
    if chosen:
        fmt = chosen[-1].lower()
        if fmt in RESULT_FORMAT_NAMES:
            return fmt, "turtle"
        if fmt in GRAPH_FORMAT_NAMES:
            return "json", fmt
        if fmt in ("rdf", "xml+rdf"):
            return "xml", "rdfxml"
        raise ApiError(
            400,
            f"unknown format {fmt!r}",
            {"formats": [*RESULT_FORMAT_NAMES, *GRAPH_FORMAT_NAMES]},
        )
    accept = request.headers.get("accept")
    known = _negotiated.get(accept)
    if known is None:
        if len(_negotiated) >= _CACHE_LIMIT:
            _negotiated.clear()
        known = _negotiated[accept] = (
            negotiate(accept, RESULTS_MEDIA, "json"),
            negotiate(accept, GRAPH_MEDIA, "turtle"),
        )
    results, graph = known
    if results is None and graph is None:
        raise ApiError(
            406,
            f"none of the accepted media types ({accept}) is one this endpoint writes",
            {"results": sorted(RESULTS_MEDIA), "graphs": sorted(GRAPH_MEDIA)},
        )
    return results or "json", graph or "turtle"


def _iris(values: dict[str, list[str]], name: str) -> list[str] | None:
    given = values.get(name)
    if given is None:
        return None
    for iri in given:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ApiError(400, f"{name} must be an absolute IRI, got {iri!r}") from None
    return given


#: The shortest time limit a request may ask for: below it a query cannot even
#: reach its worker, and the answer would always be a time-out.
MIN_QUERY_TIMEOUT = 0.1


def _timeout(values: dict[str, list[str]], settings: Settings, trusted: bool) -> float:
    """The query's time limit: ``timeout=`` within the caller's maximum.

    Callers with the write token may ask for up to ``max_query_timeout``; anyone
    else up to ``anonymous_max_query_timeout``, so that two anonymous requests
    cannot hold every worker for the longest time the operator allows.
    """
    longest = settings.max_query_timeout if trusted else settings.anonymous_max_query_timeout
    given = values.get("timeout")
    if not given:
        return min(settings.query_timeout, longest)
    try:
        seconds = float(given[-1])
    except ValueError:
        raise ApiError(400, f"timeout must be a number of seconds, got {given[-1]!r}") from None
    if not math.isfinite(seconds) or not MIN_QUERY_TIMEOUT <= seconds <= longest:
        who = "" if trusted else " for a request without the write token"
        raise ApiError(
            400,
            f"timeout must be a number from {MIN_QUERY_TIMEOUT:g} to {longest:g} seconds{who}, "
            f"got {given[-1]!r}",
            {"timeout": given[-1], "min": MIN_QUERY_TIMEOUT, "max": longest},
        )
    return seconds


def _check_shape(text: str) -> None:
    try:
        sparql_guard.check_shape(text)
    except sparql_guard.RefusedRequestError as exc:
        raise ApiError(400, str(exc), exc.detail) from None


async def _check_network(
    text: str, *, update: bool, base: str, settings: Settings
) -> sparql_guard.NetworkUse:
    """Refuse LOAD, and SERVICE calls to endpoints outside the allow-list (400).

    The parse runs in the thread pool; a text that cannot mention either keyword
    skips it.
    """
    if not sparql_guard.mentions_network(text):
        return sparql_guard.NetworkUse()
    try:
        use = await run_in_threadpool(sparql_guard.network_use, text, update=update, base=base)
    except sparql_guard.RefusedRequestError as exc:
        raise ApiError(400, str(exc), exc.detail) from None
    refused = sparql_guard.refusal(use, frozenset(settings.service_allowlist_iris))
    if refused is not None:
        raise ApiError(400, str(refused), refused.detail)
    return use


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
    results, graph = _formats(request, values)
    timeout = _timeout(values, settings, has_valid_token(request))
    _check_shape(query)
    network = await _check_network(query, update=False, base=endpoint, settings=settings)
    job = QueryJob(
        query=query,
        base_iri=endpoint,
        default_graph=_iris(values, "default-graph-uri"),
        named_graphs=_iris(values, "named-graph-uri"),
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
        outcome = await _run(request, runner, job, timeout, settings, network)
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
    except QueryFailedError as exc:
        raise _query_error(exc, network) from None
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


def _query_error(exc: QueryFailedError, network: sparql_guard.NetworkUse) -> ApiError:
    if exc.kind == "syntax":
        return ApiError(400, "the SPARQL query does not parse", _parser_detail(exc.message))
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


def _parser_detail(message: str) -> dict[str, Any]:
    detail: dict[str, Any] = {"parser": message}
    position = sparql_text.error_position(message)
    if position:
        detail["line"], detail["column"] = position
    elif (line := sparql_text.error_line(message)) is not None:
        detail["line"] = line  # a store server that names the line only (Virtuoso)
    return detail


# -- update ---------------------------------------------------------------------------
async def _update(
    request: Request, update: str, values: dict[str, list[str]], endpoint: str
) -> Response:
    if "default-graph-uri" in values or "named-graph-uri" in values:
        raise ApiError(
            400,
            "default-graph-uri and named-graph-uri belong to queries; "
            "an update's dataset is using-graph-uri and using-named-graph-uri",
        )
    using = _iris(values, "using-graph-uri") or []
    using_named = _iris(values, "using-named-graph-uri") or []
    if (using or using_named) and sparql_text.names_dataset(update):
        raise ApiError(
            400,
            "the update names its own dataset (USING or WITH) and the request gives "
            "using-graph-uri/using-named-graph-uri: the protocol allows one or the other",
        )
    _check_shape(update)
    settings = get_settings(request)
    network = await _check_network(update, update=True, base=endpoint, settings=settings)
    text = sparql_text.with_using(update, using, using_named)
    if get_runner(request).trial_updates and not sparql_guard.provably_within_limits(text):
        await _trial_run(request, text, endpoint, settings)
    service = get_service(request)
    await run_in_threadpool(apply_update, service, text, endpoint, calls_out=network.any)
    return Response(status_code=204)


async def _trial_run(request: Request, update: str, endpoint: str, settings: Settings) -> None:
    """Run a large or intricate update on an empty store in a worker first.

    Updates run in this process: an update that overflowed the engine's stack
    would take the whole server down. The trial runs the same text in a query
    worker (no network, nothing written); a worker that dies marks the update as
    unsafe, and it is refused before it reaches the store.
    """
    job = QueryJob(update, base_iri=endpoint, trial_update=True)
    try:
        await get_runner(request).run_async(
            job, settings.query_timeout, None, settings.query_queue_timeout
        )
    except QueryFailedError as exc:
        if exc.kind == "crashed":
            raise ApiError(
                400,
                "the update is too complex to run safely: it stopped the SPARQL engine in a "
                "trial run on an empty store (too deeply nested or too long a chain?)",
            ) from None
        # a syntax or evaluation error: the real run reports it as usual
    except QueryTimeoutError:
        raise ApiError(
            400,
            f"the update did not finish a trial run on an empty store within "
            f"{settings.query_timeout:g} s: it is refused rather than run on the store",
        ) from None
    except QueryBusyError as exc:
        raise ApiError(
            503,
            "the service is busy: no worker was free to check this update; try again shortly",
            {"waited": exc.waited},
            headers={"Retry-After": "2"},
        ) from exc


def apply_update(
    service: PracticeGraphService, update: str, base_iri: str, *, calls_out: bool = False
) -> None:
    """Run an update (one transaction) and bring the keyword index in step.

    ``calls_out``: the update calls an allow-listed SERVICE, so the engine's error
    message may quote a remote answer and is not passed on.
    """
    with service.write_lock:
        _apply_update(service, update, base_iri, calls_out)


def _apply_update(
    service: PracticeGraphService, update: str, base_iri: str, calls_out: bool
) -> None:
    try:
        service.store.update(update, base_iri=base_iri)
    except StorageFullError:
        raise
    except StoreError as exc:
        message = str(exc)
        if isinstance(exc, QueryError) and "does not parse" in message:
            raise ApiError(
                400, "the SPARQL update does not parse", _parser_detail(message)
            ) from None
        if calls_out:  # the engine reports a failed SERVICE call as an I/O error
            raise ApiError(
                502,
                "the update calls SERVICE and could not be applied; the remote endpoint's "
                "answer is not shown",
            ) from None
        if not isinstance(exc, QueryError):
            raise
        raise ApiError(400, "the SPARQL update could not be applied", {"reason": message}) from None
    scope = sparql_text.write_scope(update, base_iri)
    sync_index_after_write(service, None if scope.any_graph else sorted(scope.iris))


# -- service description ----------------------------------------------------------------
def _service_description(
    request: Request, values: dict[str, list[str]], endpoint: str, settings: Settings
) -> Response:
    chosen = values.get("format")
    if chosen:
        fmt = chosen[-1].lower()
        if fmt not in GRAPH_FORMAT_NAMES:
            raise ApiError(400, f"the service description comes as {', '.join(GRAPH_FORMAT_NAMES)}")
    else:
        fmt = negotiate(request.headers.get("accept"), GRAPH_MEDIA, "turtle") or "turtle"
    features = [f"<{SD}UnionDefaultGraph>", f"<{SD}EmptyGraphs>"]
    if settings.service_allowlist_iris:
        features.append(f"<{SD}BasicFederatedQuery>")
    result_formats = ", ".join(
        f"<{FORMATS}{name}>"
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
        )
    )
    turtle = f"""
        @prefix sd: <{SD}> .
        <{endpoint}#service> a sd:Service ;
            sd:endpoint <{endpoint}> ;
            sd:supportedLanguage sd:SPARQL11Query, sd:SPARQL11Update ;
            sd:resultFormat {result_formats} ;
            sd:inputFormat <{FORMATS}Turtle>, <{FORMATS}N-Triples>, <{FORMATS}JSON-LD>,
                <{FORMATS}RDF_XML> ;
            sd:feature {", ".join(features)} ;
            sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .
    """
    triples = [q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]
    payload = ox.serialize(triples, format=GRAPH_FORMATS[fmt][0]) or b""
    return Response(payload, media_type=GRAPH_MEDIA_TYPES[fmt], headers={"Vary": "Accept"})
