"""Reading and checking a /sparql request: its parameters, formats, time limit and text.

What :mod:`practicegraph.api.sparql` and :mod:`practicegraph.api.sparql_update`
ask of a request before anything runs: the query or update it carries (from the
URL, a form or a direct body), the endpoint's own URL, the result formats
(``format=`` or Accept), the dataset IRIs, the time limit, and the guards
(shape, LOAD and SERVICE). Every refusal is an :class:`ApiError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from practicegraph import formats
from practicegraph.api import sparql_guard
from practicegraph.api.errors import ApiError
from practicegraph.api.protocol import (
    GRAPH_MEDIA,
    RESULTS_MEDIA,
    decode_utf8,
    media_type_of,
    negotiate,
    read_body,
    require_utf8,
)
from practicegraph.api.query_runner import QueryExecutor
from practicegraph.config import Settings
from practicegraph.graph import sparql_syntax

FORM = formats.FORM
QUERY_TYPE = formats.SPARQL_QUERY
UPDATE_TYPE = formats.SPARQL_UPDATE
RESULT_FORMAT_NAMES = tuple(formats.RESULTS_FORMATS)
GRAPH_FORMAT_NAMES = tuple(formats.GRAPH_SYNTAXES)

#: The shortest time limit a request may ask for: below it a query cannot even
#: reach its worker, and the answer would always be a time-out.
MIN_QUERY_TIMEOUT = 0.1


def get_runner(request: Request) -> QueryExecutor:
    runner: QueryExecutor = request.app.state.queries
    return runner


@dataclass
class SparqlRequest:
    """What a request to /sparql carries: its queries, its updates, its other parameters."""

    queries: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)


async def read_request(request: Request, settings: Settings) -> SparqlRequest:
    """The request's parameters (URL, form body) and its direct query or update body.

    A POST with another Content-Type is refused (415; 400 without one). More than
    one query or update in a request is a 400.
    """
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
    return SparqlRequest(queries, updates, values)


#: Small caches of per-request work that depends on a few header values only;
#: bounded, because clients choose those values.
_CACHE_LIMIT = 256
_endpoints: dict[tuple[Any, ...], str] = {}
_negotiated: dict[str | None, tuple[str | None, str | None]] = {}


def endpoint_of(request: Request) -> str:
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


def answer_formats(request: Request, values: dict[str, list[str]]) -> tuple[str, str]:
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


def iris(values: dict[str, list[str]], name: str) -> list[str] | None:
    """The IRIs given as parameter ``name`` (None when absent); 400 for one not absolute."""
    given = values.get(name)
    if given is None:
        return None
    for iri in given:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ApiError(400, f"{name} must be an absolute IRI, got {iri!r}") from None
    return given


def time_limit(values: dict[str, list[str]], settings: Settings, trusted: bool) -> float:
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


def check_shape(text: str) -> None:
    """400 for a text nested or chained past what the engine evaluates safely."""
    try:
        sparql_guard.check_shape(text)
    except sparql_guard.RefusedRequestError as exc:
        raise ApiError(400, str(exc), exc.detail) from None


async def check_network(
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


def does_not_parse(what: str, message: str, prepared: sparql_syntax.Prepared) -> ApiError:
    """400 naming where the text as written does not parse and why, in one line.

    Positions are in the text as written (before the predefined prefixes'
    declarations were put in). The detail has ``line`` (and ``column`` where the parser names one:
    Virtuoso's does not) and the ``problem``; the engine's grammar dump is left out.
    """
    problem = sparql_syntax.parse_problem(message, prepared)
    detail: dict[str, Any] = {"problem": problem.problem}
    if problem.line is not None:
        detail["line"] = problem.line
    if problem.column is not None:
        detail["column"] = problem.column
    return ApiError(400, f"the SPARQL {what} does not parse: {problem}", detail)
