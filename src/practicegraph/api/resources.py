"""Linked data: every IRI the service mints dereferences, as HTML or RDF.

Which paths serve which IRIs
----------------------------
The project's fixed namespaces live under ``https://w3id.org/practicegraph/``
(the *site*), which w3id.org redirects to the service's origin path for path:
``…/practicegraph/themes/probation`` → ``/themes/probation``, the theme scheme
→ ``/themes``, the ontology (``…/practicegraph/ontology#term``) → ``/ontology``.
Minted IRIs start with the ``base_iri`` setting: under the site (the default
``https://w3id.org/practicegraph/id/``) the rest of the site path is the route
prefix (``/id/``); any other base is served at its own path
(``https://data.example.org/kg/`` → ``/kg/``). A base ending in ``#`` mints
fragment IRIs that cannot be told apart on the wire; no routes are added then.
The mapping lives in :mod:`practicegraph.web.paths`, shared with the pages.

The IRI a request asks for is rebuilt from the *raw* request path (RFC 3987
§3.2: percent-encoded UTF-8 of non-ASCII characters is decoded, nothing else),
so it is decoded once and exactly as a client encoded it.

What a description holds
------------------------
The resource's outgoing triples; its incoming links except ``rdf:type``,
``oa:hasBody`` and ``oa:hasSource`` (first :data:`LINK_LIMIT`); the Web
Annotations whose body it is, with their targets and selectors (first
:data:`LINK_LIMIT`); for a document, the annotations targeting it instead (its
hash IRIs ``…#annotation-n`` dereference to it). HTML, Turtle, JSON-LD,
N-Triples and RDF/XML by ``Accept`` or ``?format=``; a weak ``ETag`` over the
representation; ``Last-Modified`` from the newest ingest run of the graphs
holding triples about it (else the newest run of all). The HTML is the page
:mod:`practicegraph.web` renders for the resource's kind (a practice with its
evidence in context, a document with its mentions marked, …); an unknown IRI
gets a 404 page when HTML was negotiated and the error envelope otherwise.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from practicegraph import formats, vocab
from practicegraph.api.conneg import choose, format_names
from practicegraph.api.deps import get_service, get_settings
from practicegraph.api.errors import ApiError
from practicegraph.config import Settings
from practicegraph.graph.store import GraphStore
from practicegraph.service import PracticeGraphService
from practicegraph.sparql_terms import iri, literal
from practicegraph.vocab import PREFIXES, THEME_SCHEME, THEMES, sparql_prefixes
from practicegraph.web import LinkedDataPaths, not_found_html, resource_html, served_path
from practicegraph.web.paths import ONTOLOGY_IRI, ONTOLOGY_NS

#: The kinds of IRI the service mints under ``base_iri`` (see graph/iris.py).
KINDS = ("document", "organisation", "country", "place", "event", "practice", "graph", "run")
#: Most incoming links, and most annotations, one description carries.
LINK_LIMIT = 1000

HTML = formats.HTML
OA = str(vocab.OA)
RDF_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    formats.media_type(fmt): fmt
    for fmt in (
        ox.RdfFormat.TURTLE,
        ox.RdfFormat.JSON_LD,
        ox.RdfFormat.N_TRIPLES,
        ox.RdfFormat.RDF_XML,
    )
}
#: Best default first: a client that accepts anything gets Turtle.
OFFERS = (
    formats.media_type(ox.RdfFormat.TURTLE),
    HTML,
    *list(RDF_MEDIA_TYPES)[1:],
)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


# -- paths <-> IRIs ------------------------------------------------------------------


def uri_to_iri(raw: str) -> str:
    """RFC 3987 §3.2: decode percent-encoded UTF-8 of non-ASCII characters, nothing else."""

    def decode(match: re.Match[str]) -> str:
        data = bytes.fromhex(match.group().replace("%", ""))
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return match.group()

    return _NON_ASCII_ESCAPES.sub(decode, raw)


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1").split("?", 1)[0]
    return quote(request.url.path, safe="/%")


def _checked(iri: str) -> ox.NamedNode:
    if _IRI_FORBIDDEN.search(iri):
        raise ApiError(404, "no resource has this IRI", {"iri": iri})
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise ApiError(404, "no resource has this IRI", {"iri": iri}) from exc


# -- descriptions --------------------------------------------------------------------


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple] = field(default_factory=list)
    incoming_truncated: bool = False
    evidence_truncated: bool = False


def _construct(store: GraphStore, sparql: str) -> list[ox.Triple]:
    return store.construct(sparql_prefixes() + sparql)


def describe(store: GraphStore, iri: str, *, document: bool = False) -> Description:
    """Outgoing triples, incoming links and evidence of one resource (see the module doc)."""
    node = str(_checked(iri))
    desc = Description(iri)
    seen: set[ox.Triple] = set()

    def add(triples: Iterable[ox.Triple]) -> None:
        for triple in triples:
            if triple not in seen:
                seen.add(triple)
                desc.triples.append(triple)

    add(_construct(store, f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}"))
    incoming = _construct(
        store,
        f"""CONSTRUCT {{ ?s ?p {node} }} WHERE {{
              ?s ?p {node} FILTER (?p NOT IN (rdf:type, oa:hasBody, oa:hasSource))
            }} LIMIT {LINK_LIMIT}""",
    )
    desc.incoming_truncated = len(incoming) >= LINK_LIMIT
    add(incoming)
    # A document's hash IRIs (#annotation-n ...) are described with it; any other
    # resource carries the annotations whose body it is.
    which = (
        f"?t oa:hasSource {node} . ?a oa:hasTarget ?t"
        if document
        else (f"?a oa:hasBody {node} ; oa:hasTarget ?t")
    )
    annotations = _construct(
        store,
        f"""CONSTRUCT {{ ?a ?ap ?ao . ?t ?tp ?to . ?sel ?sp ?so }} WHERE {{
              {{ SELECT DISTINCT ?a ?t WHERE {{ {which} }} ORDER BY ?a LIMIT {LINK_LIMIT} }}
              {{ ?a ?ap ?ao }} UNION {{ ?t ?tp ?to }}
              UNION {{ ?t oa:hasSelector ?sel . ?sel ?sp ?so }}
            }}""",
    )
    annotation_count = sum(1 for t in annotations if t.predicate.value == OA + "hasTarget")
    desc.evidence_truncated = annotation_count >= LINK_LIMIT
    add(annotations)
    desc.triples.sort(key=str)
    return desc


def describe_ontology(store: GraphStore, graph: str) -> Description:
    """The ontology and its terms (``pg:…``), from the ontology graph."""
    desc = Description(ONTOLOGY_IRI)
    desc.triples = sorted(
        set(
            _construct(
                store,
                f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o
                      FILTER (?s = {iri(ONTOLOGY_IRI)}
                              || STRSTARTS(STR(?s), {literal(ONTOLOGY_NS)})) }} }}""",
            )
        ),
        key=str,
    )
    return desc


def last_modified(store: GraphStore, iri: str | None) -> datetime | None:
    """Newest ingest run of the graphs holding triples about ``iri`` (else of any graph)."""
    rows: list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]] = []
    if iri is not None:
        node = str(_checked(iri))
        rows = list(
            store.select(
                sparql_prefixes()
                + f"""SELECT (MAX(?time) AS ?m) WHERE {{
                  {{ GRAPH ?g {{ {node} ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p {node} }} }}
                  GRAPH ?g {{ ?g prov:wasGeneratedBy ?run }}
                  ?run prov:startedAtTime ?time }}"""
            )
        )
    if not rows or "m" not in rows[0]:
        rows = list(
            store.select(
                sparql_prefixes() + "SELECT (MAX(?time) AS ?m) "
                "WHERE { ?run a pg:IngestRun ; prov:startedAtTime ?time }"
            )
        )
    if not rows or "m" not in rows[0]:
        return None
    try:
        moment = datetime.fromisoformat(rows[0]["m"].value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def serialize(
    triples: Iterable[ox.Triple], media_type: str, extra_prefixes: dict[str, str] | None = None
) -> bytes:
    """Triples in one of :data:`RDF_MEDIA_TYPES`, with prefixes where the syntax has them."""
    rdf_format = RDF_MEDIA_TYPES[media_type]
    prefixes = None
    if rdf_format != ox.RdfFormat.N_TRIPLES:
        prefixes = dict(PREFIXES) | (extra_prefixes or {})
    data = ox.serialize(list(triples), format=rdf_format, prefixes=prefixes)
    assert isinstance(data, bytes)  # noqa: S101 - no output given, so bytes come back
    return data


# -- conditional responses -----------------------------------------------------------


def entity_tag(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(request: Request, etag: str, modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.headers.get("if-modified-since")
    if since and modified is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return modified <= when
    return False


def representation(
    request: Request, body: bytes, media_type: str, modified: datetime | None
) -> Response:
    """The response for one representation, or 304 when the client's copy is current."""
    etag = entity_tag(body)
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache"}
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if request.method in ("GET", "HEAD") and not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


# -- routes ------------------------------------------------------------------------------


def respond(
    request: Request,
    service: PracticeGraphService,
    settings: Settings,
    iri: str,
    fmt: str | None,
    *,
    ontology: bool = False,
) -> Response:
    """Negotiate, describe, and answer (404 when nothing is known: a page for browsers,
    the error envelope for everyone else)."""
    media_type = choose(request.headers.get("accept"), fmt, OFFERS)
    store = service.store
    paths = LinkedDataPaths(settings.base_iri)
    document = iri.startswith(settings.base_iri + "document/")
    try:
        if ontology:
            desc = describe_ontology(store, str(service.iris.ontology_graph))
        else:
            desc = describe(store, iri, document=document)
        if not desc.triples:
            raise ApiError(404, "no resource has this IRI in the graph", {"iri": iri})
    except ApiError as exc:
        if exc.status == 404 and media_type == HTML:
            # A person following a stale link gets a page that helps; clients the envelope.
            return HTMLResponse(not_found_html(iri), 404, headers={"Vary": "Accept"})
        raise
    modified = last_modified(store, None if ontology else iri)
    if media_type == HTML:
        body = resource_html(
            store,
            paths,
            desc.iri,
            desc.triples,
            incoming_truncated=desc.incoming_truncated,
            evidence_truncated=desc.evidence_truncated,
        ).encode("utf-8")
    else:
        body = serialize(desc.triples, media_type)
    return representation(request, body, media_type, modified)


FormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description="Overrides Accept: html, ttl, jsonld, nt or rdf (or a media type)",
        json_schema_extra={"enum": format_names(OFFERS)},
    ),
]
KeyParam = Annotated[str, Path(description="The rest of the IRI after its kind")]
ServiceDep = Annotated[PracticeGraphService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The resource's description",
        "content": {media: {} for media in OFFERS},
    },
    304: {"description": "Not modified since the client's copy (ETag / Last-Modified)"},
    404: {"description": "No resource has this IRI"},
    406: {"description": "No acceptable media type"},
}


def minted_resource(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    key: KeyParam,
    fmt: FormatParam = None,
) -> Response:
    """A document, organisation, country, place, event, practice, named graph or ingest run.

    HTML for browsers; Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept`` or
    ``?format=``. The description holds the outgoing triples, the incoming
    links (the documents that mention it) and the evidence quotes.
    """
    paths = LinkedDataPaths(settings.base_iri)
    prefix = paths.prefix or "/"
    raw = _raw_path(request)
    if not raw.startswith(prefix):  # pragma: no cover - the route matched this prefix
        raise ApiError(404, "no resource has this IRI")
    iri = settings.base_iri + uri_to_iri(raw[len(prefix) :])
    return respond(request, service, settings, iri, fmt)


def theme(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    key: KeyParam,
    fmt: FormatParam = None,
) -> Response:
    """A theme of the scheme (``https://w3id.org/practicegraph/themes/{id}``)."""
    raw = _raw_path(request)
    iri = str(THEMES) + uri_to_iri(raw[len("/themes/") :])
    return respond(request, service, settings, iri, fmt)


def theme_scheme(
    request: Request, service: ServiceDep, settings: SettingsDep, fmt: FormatParam = None
) -> Response:
    """The theme scheme (``https://w3id.org/practicegraph/themes``) and its top concepts."""
    return respond(request, service, settings, str(THEME_SCHEME), fmt)


def ontology(
    request: Request, service: ServiceDep, settings: SettingsDep, fmt: FormatParam = None
) -> Response:
    """The project's ontology and its terms (``https://w3id.org/practicegraph/ontology#``)."""
    return respond(request, service, settings, ONTOLOGY_IRI, fmt, ontology=True)


def router_for(settings: Settings) -> APIRouter:
    """The linked-data routes for this ``base_iri`` (the paths depend on it)."""
    router = APIRouter(tags=["linked data"])
    methods = ["GET", "HEAD"]
    prefix = LinkedDataPaths(settings.base_iri).prefix
    if prefix is not None:
        for kind in KINDS:
            router.add_api_route(
                f"{prefix}{kind}/{{key:path}}",
                minted_resource,
                methods=methods,
                name=f"linked_data_{kind}",
                summary=f"A {kind} ({settings.base_iri}{kind}/…) as HTML or RDF",
                response_class=Response,
                responses=_RESPONSES,
            )
    router.add_api_route(
        "/themes/{key:path}",
        theme,
        methods=methods,
        summary="A theme as HTML or RDF",
        response_class=Response,
        responses=_RESPONSES,
    )
    router.add_api_route(
        "/themes",
        theme_scheme,
        methods=methods,
        summary="The theme scheme as HTML or RDF",
        response_class=Response,
        responses=_RESPONSES,
    )
    router.add_api_route(
        "/ontology",
        ontology,
        methods=methods,
        summary="The ontology as HTML or RDF",
        response_class=Response,
        responses=_RESPONSES,
    )
    return router


__all__ = [
    "KINDS",
    "OFFERS",
    "RDF_MEDIA_TYPES",
    "LinkedDataPaths",
    "describe",
    "last_modified",
    "representation",
    "router_for",
    "serialize",
    "served_path",
    "uri_to_iri",
]
