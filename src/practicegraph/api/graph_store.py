"""/graph-store: the SPARQL 1.1 Graph Store HTTP Protocol.

A graph is named indirectly (``/graph-store?graph=IRI``, ``?default`` for the
store's own default graph) or directly (``/graph-store/any/path``: the graph
whose IRI is that request URL). GET and HEAD read a graph (Turtle by default;
N-Triples, JSON-LD, RDF/XML by ``Accept``; N-Quads and TriG are refused, a
graph has no graph names); PUT replaces it, POST merges into it (or, on
``/graph-store`` itself, creates a new graph and answers its IRI in
``Location``), DELETE drops it. Bodies are Turtle, N-Triples, JSON-LD or
RDF/XML by Content-Type (parsed by pyoxigraph), or ``multipart/form-data``
with one such part per file. Each write is one SPARQL Update, so it is atomic;
201 when it created the graph, 204 otherwise; 404 for GET/HEAD/DELETE of a
graph that does not exist. Writes need the bearer token.

``?default`` is the store's real default graph, not the union the SPARQL
endpoint queries by default: what a client PUTs there is what it GETs back.

Keyword index: after a write to a document's named graph the document is
re-extracted into the index (or dropped from it when its graph went away).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from practicegraph import formats
from practicegraph.api.deps import get_service, get_settings, require_token
from practicegraph.api.errors import ApiError
from practicegraph.api.protocol import (
    GRAPH_MEDIA,
    GRAPH_MEDIA_TYPES,
    media_type_of,
    negotiate,
    read_body,
    require_utf8,
    sync_index_after_write,
)
from practicegraph.config import Settings
from practicegraph.errors import DumpError, DumpTooLargeError, QueryError
from practicegraph.exchange.gate import statement_bytes
from practicegraph.exchange.xml_guard import screen_rdfxml
from practicegraph.service import PracticeGraphService

router = APIRouter(tags=["graph store"])

#: Content-Type -> the syntax a graph body is parsed as.
BODY_FORMATS = {media: formats.GRAPH_SYNTAXES[name] for media, name in GRAPH_MEDIA.items()}
DATASET_TYPES = tuple(formats.media_type(formats.RDF_SYNTAXES[n]) for n in ("nquads", "trig"))
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]

_DESCRIPTION = """
SPARQL 1.1 Graph Store HTTP Protocol. Name a graph with `?graph=IRI` or
`?default`, or directly as `/graph-store/some/path` (the graph whose IRI is
that URL). GET/HEAD (Turtle, N-Triples, JSON-LD, RDF/XML by `Accept`), PUT
(replace), POST (merge; on `/graph-store` alone: create a new graph, IRI in
`Location`), DELETE. Writes need the bearer token.
"""


@router.api_route(
    "/graph-store",
    methods=METHODS,
    summary="Graph Store Protocol (indirect graph identification)",
    description=_DESCRIPTION,
    response_class=Response,
)
async def graph_store_indirect(request: Request) -> Response:
    _writes_need_the_token(request)
    params = request.query_params
    graphs = params.getlist("graph")
    default = "default" in params
    if len(graphs) > 1 or (graphs and default):
        raise ApiError(400, "name one graph: either ?graph=IRI or ?default")
    if not graphs and not default:
        if request.method == "POST":
            endpoint = str(request.url.replace(query="")).rstrip("/")
            return await _handle(request, f"{endpoint}/{uuid.uuid4().hex}", created_here=True)
        raise ApiError(400, "name a graph with ?graph=IRI or ?default")
    graph = graphs[0] if graphs else None
    if graph is not None:
        _check_iri(graph, "graph", "the query parameter 'graph' must be an absolute IRI")
    return await _handle(request, graph)


@router.api_route(
    "/graph-store/{path:path}",
    methods=METHODS,
    summary="Graph Store Protocol (direct graph identification)",
    response_class=Response,
)
async def graph_store_direct(request: Request, path: str) -> Response:
    del path  # the graph's IRI is the whole request URL
    _writes_need_the_token(request)
    graph = str(request.url.replace(query=""))
    _check_iri(graph, "path", "the request URL, decoded, is not an IRI")
    return await _handle(request, graph)


def _writes_need_the_token(request: Request) -> None:
    """A write without the token is a 401 before anything about the request is judged."""
    if request.method not in ("GET", "HEAD"):
        require_token(request)


def _check_iri(graph: str, parameter: str, message: str) -> None:
    """400 unless ``graph`` is an absolute IRI that pyoxigraph takes.

    Why here: the store refuses such a name with a ValueError deep in a read or
    an update, which would otherwise surface as a 500. Percent-escapes in the
    path are decoded by the time a route sees it, so ``%20`` or ``%3E`` become
    characters no IRI may hold.
    """
    try:
        ox.NamedNode(graph)
    except ValueError as exc:
        detail = {"parameter": parameter, "graph": graph, "reason": str(exc)}
        raise ApiError(400, f"{message}, got {graph!r}", detail) from None


async def _handle(request: Request, graph: str | None, *, created_here: bool = False) -> Response:
    """``graph`` None is the default graph."""
    service = get_service(request)
    method = request.method
    if method in ("GET", "HEAD"):
        fmt = negotiate(request.headers.get("accept"), GRAPH_MEDIA, "turtle")
        if fmt is None:
            raise ApiError(
                406,
                "a graph comes as Turtle, N-Triples, JSON-LD or RDF/XML "
                "(N-Quads and TriG are for datasets)",
                {"media_types": sorted(GRAPH_MEDIA)},
            )
        payload = await run_in_threadpool(_read_graph, service, graph, fmt)
        headers = {"Vary": "Accept"}
        if method == "HEAD":
            headers["Content-Length"] = str(len(payload))
            return Response(None, media_type=GRAPH_MEDIA_TYPES[fmt], headers=headers)
        return Response(payload, media_type=GRAPH_MEDIA_TYPES[fmt], headers=headers)
    if method == "DELETE":
        await run_in_threadpool(_delete_graph, service, graph)
        return Response(status_code=204)
    triples = await _body_triples(request, graph)
    created = await run_in_threadpool(_write_graph, service, graph, triples, method == "PUT")
    if created_here:
        return Response(status_code=201, headers={"Location": str(graph)})
    return Response(status_code=201 if created else 204)


def _missing(graph: str) -> ApiError:
    return ApiError(404, f"there is no graph <{graph}> in the store", {"graph": graph})


def _read_graph(service: PracticeGraphService, graph: str | None, fmt: str) -> bytes:
    if graph is not None and not service.store.has_graph(graph):
        raise _missing(graph)
    triples = service.store.graph_triples(graph)
    return ox.serialize(triples, format=formats.GRAPH_SYNTAXES[fmt]) or b""


def _delete_graph(service: PracticeGraphService, graph: str | None) -> None:
    with service.write_lock:
        _delete_graph_locked(service, graph)


def _delete_graph_locked(service: PracticeGraphService, graph: str | None) -> None:
    if graph is None:
        service.store.write_graph(None, [], replace=True)  # what every backend clears
        return
    if not service.store.drop_graph(URIRef(graph)):
        raise _missing(graph)
    sync_index_after_write(service, [graph])


def _write_graph(
    service: PracticeGraphService, graph: str | None, triples: list[ox.Triple], replace: bool
) -> bool:
    """Replace (PUT) or merge into (POST) a graph in one update; True if it is new."""
    with service.write_lock:
        return _write_graph_locked(service, graph, triples, replace)


def _write_graph_locked(
    service: PracticeGraphService, graph: str | None, triples: list[ox.Triple], replace: bool
) -> bool:
    existed = graph is not None and service.store.has_graph(graph)
    try:
        service.store.write_graph(graph, triples, replace=replace)
    except QueryError as exc:  # an IRI our own serialiser wrote cannot fail to parse
        raise ApiError(400, "the graph could not be written", {"reason": str(exc)}) from None
    if graph is None:
        return False
    sync_index_after_write(service, [graph])
    return not existed


async def _body_triples(request: Request, graph: str | None) -> list[ox.Triple]:
    settings = get_settings(request)
    media_type, params = media_type_of(request)
    base = graph or str(request.url.replace(query=""))
    body = await read_body(request, settings.max_body_bytes)
    if media_type == formats.MULTIPART_FORM:
        parts = await _multipart_parts(request, body)
        triples: list[ox.Triple] = []
        for part_type, part_params, data in parts:
            triples += await run_in_threadpool(_parse, data, part_type, part_params, base)
        return triples
    return await run_in_threadpool(_parse, body, media_type, params, base)


async def _multipart_parts(
    request: Request, body: bytes
) -> list[tuple[str, dict[str, str], bytes]]:
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, stream(), max_files=100, max_fields=100)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ApiError(400, f"the multipart body cannot be read: {exc.message}") from None
    parts = []
    for _name, value in form.multi_items():
        if not isinstance(value, UploadFile):
            continue
        headers = Headers(raw=list(value.headers.raw)) if value.headers else Headers()
        raw_type = headers.get("content-type", "")
        fields = [f.strip() for f in raw_type.split(";")]
        part_params = dict(
            (k.strip().lower(), v.strip()) for k, _, v in (p.partition("=") for p in fields[1:])
        )
        parts.append((fields[0].lower(), part_params, await value.read()))
        await value.close()
    return parts


def _parse(
    data: bytes,
    media_type: str,
    params: dict[str, str],
    base: str,
    max_bytes: int = Settings.model_fields["max_body_bytes"].default,
) -> list[ox.Triple]:
    """The triples of one body, bounded by ``max_bytes`` (the max_body_bytes setting) twice:
    RDF/XML entity declarations are screened and their expansion counted before the
    parser sees the body (see exchange.xml_guard), and the parsed triples, written as
    N-Triples, may not come to more either, so no prefix, context or entity trick holds
    more in memory than a body of that size could."""
    if media_type in DATASET_TYPES:
        raise ApiError(
            415,
            f"{media_type} describes a dataset; a graph takes Turtle, N-Triples, "
            "JSON-LD or RDF/XML",
        )
    rdf_format = BODY_FORMATS.get(media_type)
    if rdf_format is None:
        raise ApiError(
            415,
            f"cannot read a graph from {media_type or 'a body without Content-Type'}",
            {"media_types": sorted(BODY_FORMATS)},
        )
    require_utf8(params)
    if rdf_format == ox.RdfFormat.RDF_XML:
        try:
            screen_rdfxml(data, "the request body", max_bytes, "max_body_bytes")
        except DumpTooLargeError as exc:
            where = {"max_body_bytes": max_bytes, "line": exc.line, "column": exc.column}
            raise ApiError(413, exc.reason, where) from None
        except DumpError as exc:
            where = {"line": exc.line, "column": exc.column}
            raise ApiError(400, f"the RDF body is refused: {exc.reason}", where) from None
    triples: list[ox.Triple] = []
    produced = 0
    try:
        for quad in ox.parse(data, format=rdf_format, base_iri=base, without_named_graphs=True):
            produced += statement_bytes(quad)
            if produced > max_bytes:
                raise ApiError(
                    413,
                    f"the body's triples come to more than {max_bytes:,} bytes as N-Triples "
                    "(setting max_body_bytes, which counts what prefixes, contexts and entities "
                    "expand to); nothing was written",
                    {"max_body_bytes": max_bytes, "triples_read": len(triples)},
                )
            triples.append(quad.triple)
        return triples
    except SyntaxError as exc:
        detail = {"parser": str(exc), "line": exc.lineno, "column": exc.offset}
        raise ApiError(400, "the RDF body does not parse", detail) from None
    except ValueError as exc:
        raise ApiError(400, "the RDF body does not parse", {"parser": str(exc)}) from None
