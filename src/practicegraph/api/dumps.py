"""/dumps (the whole dataset as files) and /.well-known/void (VoID + DCAT).

A dump is written to a temporary file in the data directory, which is then
unlinked while open and streamed from its handle: one copy on disk, never the
whole dataset in memory, and nothing left behind if the client goes away.
N-Quads and TriG keep the named graphs (one per document, plus provenance and
ontology); Turtle and JSON-LD hold their union.
"""

from __future__ import annotations

import gzip
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Annotated, Any, cast

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from practicegraph import __version__
from practicegraph.api.conneg import choose, format_names
from practicegraph.api.deps import get_service, get_settings
from practicegraph.api.errors import ApiError
from practicegraph.api.resources import RDF_MEDIA_TYPES, last_modified, representation, serialize
from practicegraph.config import Settings
from practicegraph.service import ENTITY_CLASSES, PracticeGraphService
from practicegraph.vocab import PREFIXES

router = APIRouter(tags=["dumps"])

ServiceDep = Annotated[PracticeGraphService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
_CHUNK = 256 * 1024
IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Dump:
    name: str
    export_format: str  # a format of service.export
    media_type: str  # of the RDF inside
    description: str
    compressed: bool = False

    @property
    def content_type(self) -> str:
        return "application/gzip" if self.compressed else self.media_type


DUMPS: dict[str, Dump] = {
    dump.name: dump
    for dump in (
        Dump(
            "practicegraph.nq.gz",
            "nquads",
            "application/n-quads",
            "N-Quads, gzip-compressed: every named graph",
            compressed=True,
        ),
        Dump("practicegraph.trig", "trig", "application/trig", "TriG: every named graph"),
        Dump("practicegraph.ttl", "turtle", "text/turtle", "Turtle: the union of all graphs"),
        Dump(
            "practicegraph.jsonld",
            "jsonld",
            "application/ld+json",
            "JSON-LD: the union of all graphs",
        ),
    )
}


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/"


@router.get("/dumps", summary="The dataset's downloadable dumps")
def list_dumps(request: Request) -> dict[str, Any]:
    base = _base_url(request)
    return {
        "dumps": [
            {
                "name": dump.name,
                "url": f"{base}dumps/{dump.name}",
                "media_type": dump.media_type,
                "content_type": dump.content_type,
                "compressed": dump.compressed,
                "description": dump.description,
            }
            for dump in DUMPS.values()
        ],
        "void": f"{base}.well-known/void",
    }


def _stream(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := handle.read(_CHUNK):
            yield chunk
    finally:
        handle.close()


# Dumps are cached per store state: a key that changes with every write this
# process makes (and with every restart, since the counter starts again).
_PROCESS_KEY = uuid.uuid4().hex[:12]


def dump_file(service: PracticeGraphService, settings: Settings, dump: Dump) -> IO[bytes]:
    """An open handle on the dump of the store as it is now, written once per state.

    The file is written under the service's write lock (so no write lands half
    way through an export), then renamed into place; older states' files are
    deleted. An open handle stays readable after its file is deleted, so a
    download in progress is never cut by a newer dump.
    """
    root = settings.data_dir / "dumps-cache"
    folder = root / f"{_PROCESS_KEY}-{service.store.version}"
    path = folder / dump.name
    if not path.exists():
        with service.write_lock:
            folder = root / f"{_PROCESS_KEY}-{service.store.version}"
            path = folder / dump.name
            if not path.exists():
                folder.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(path.name + ".partial")
                try:
                    with partial.open("wb") as handle:
                        if dump.compressed:
                            with gzip.GzipFile(
                                fileobj=handle, mode="wb", compresslevel=6, mtime=0, filename=""
                            ) as zipped:
                                service.export(cast(IO[bytes], zipped), dump.export_format)
                        else:
                            service.export(handle, dump.export_format)
                    partial.replace(path)
                finally:
                    partial.unlink(missing_ok=True)
                for stale in root.iterdir():
                    if stale != folder:
                        shutil.rmtree(stale, ignore_errors=True)
    return path.open("rb")


@router.api_route(
    "/dumps/{name}",
    methods=["GET", "HEAD"],
    summary="Download one dump",
    response_class=StreamingResponse,
    responses={200: {"content": {d.content_type: {} for d in DUMPS.values()}}},
)
def get_dump(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    name: Annotated[
        str,
        Path(
            description="One of the names GET /dumps lists",
            json_schema_extra={"enum": list(DUMPS)},
        ),
    ],
) -> Response:
    dump = DUMPS.get(name)
    if dump is None:
        raise ApiError(404, f"no dump named {name!r}", {"dumps": list(DUMPS)})
    headers = {"Content-Disposition": f'attachment; filename="{dump.name}"'}
    if request.method == "HEAD":
        return Response(media_type=dump.content_type, headers=headers)
    handle = dump_file(service, settings, dump)
    headers["Content-Length"] = str(os.fstat(handle.fileno()).st_size)
    return StreamingResponse(_stream(handle), media_type=dump.content_type, headers=headers)


# -- VoID + DCAT ------------------------------------------------------------------------

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = PREFIXES["dcterms"]
XSD = PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
FOAF = "http://xmlns.com/foaf/0.1/"
FOAF_TOPIC = ox.NamedNode(FOAF + "primaryTopic")
VOID_OFFERS = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")


def _class_counts(service: PracticeGraphService) -> dict[str, int]:
    values = " ".join(f"<{cls}>" for cls in ENTITY_CLASSES.values())
    rows = service.store.select(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }} "
        "GROUP BY ?c"
    )
    return {row["c"].value: int(row["n"].value) for row in rows}


def void_triples(service: PracticeGraphService, settings: Settings, base: str) -> list[ox.Triple]:
    """The VoID + DCAT description of the dataset served at ``base`` (blocking)."""
    doc = ox.NamedNode(f"{base}.well-known/void")
    dataset = ox.NamedNode(f"{base}.well-known/void#dataset")
    sparql = ox.NamedNode(f"{base}sparql")
    service_node = ox.NamedNode(f"{base}.well-known/void#sparql-service")
    licence = ox.NamedNode(settings.licence)
    triples: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def typed(value: str | int, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))

    add(doc, str(RDF_TYPE.value), ox.NamedNode(VOID + "DatasetDescription"))
    add(doc, DCTERMS + "title", ox.Literal("VoID description of PracticeGraph", language="en"))
    add(doc, FOAF_TOPIC.value, dataset)

    add(dataset, RDF_TYPE.value, ox.NamedNode(VOID + "Dataset"))
    add(dataset, RDF_TYPE.value, ox.NamedNode(DCAT + "Dataset"))
    add(dataset, DCTERMS + "title", ox.Literal("PracticeGraph", language="en"))
    add(
        dataset,
        DCTERMS + "description",
        ox.Literal(
            "Good practices in corrections (prisons, probation, crime prevention) and the "
            "organisations, countries, places, events and themes they involve, extracted "
            "from documents, with the quoted evidence for each.",
            language="en",
        ),
    )
    add(dataset, DCTERMS + "license", licence)
    add(dataset, PREFIXES["owl"] + "versionInfo", ox.Literal(__version__))
    modified = last_modified(service.store, None)
    if modified is not None:
        add(dataset, DCTERMS + "modified", typed(modified.isoformat(), "dateTime"))
    add(dataset, VOID + "triples", typed(service.store.quad_count(), "integer"))
    add(dataset, VOID + "uriSpace", ox.Literal(settings.base_iri))
    add(dataset, VOID + "sparqlEndpoint", sparql)
    for prefix in ("schema", "skos", "dcterms", "oa", "prov", "pg"):
        add(dataset, VOID + "vocabulary", ox.NamedNode(PREFIXES[prefix]))

    counts = _class_counts(service)
    for name, cls in ENTITY_CLASSES.items():
        partition = ox.NamedNode(f"{base}.well-known/void#class-{name}")
        add(dataset, VOID + "classPartition", partition)
        add(partition, VOID + "class", ox.NamedNode(str(cls)))
        add(partition, VOID + "entities", typed(counts.get(str(cls), 0), "integer"))

    for dump in DUMPS.values():
        url = ox.NamedNode(f"{base}dumps/{dump.name}")
        distribution = ox.NamedNode(f"{base}.well-known/void#dump-{dump.export_format}")
        add(dataset, VOID + "dataDump", url)
        add(dataset, DCAT + "distribution", distribution)
        add(distribution, RDF_TYPE.value, ox.NamedNode(DCAT + "Distribution"))
        add(distribution, DCTERMS + "title", ox.Literal(dump.description, language="en"))
        add(distribution, DCAT + "downloadURL", url)
        add(distribution, DCAT + "accessURL", url)
        add(distribution, DCAT + "mediaType", ox.NamedNode(IANA + dump.media_type))
        if dump.compressed:
            add(distribution, DCAT + "compressFormat", ox.NamedNode(IANA + "application/gzip"))
        add(distribution, DCTERMS + "license", licence)

    add(service_node, RDF_TYPE.value, ox.NamedNode(DCAT + "DataService"))
    add(service_node, DCTERMS + "title", ox.Literal("PracticeGraph SPARQL endpoint", language="en"))
    add(service_node, DCAT + "endpointURL", sparql)
    add(service_node, DCAT + "endpointDescription", sparql)
    add(
        service_node,
        DCTERMS + "conformsTo",
        ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"),
    )
    add(service_node, DCAT + "servesDataset", dataset)
    add(dataset, DCAT + "accessService", service_node)
    return triples


@router.api_route(
    "/.well-known/void",
    methods=["GET", "HEAD"],
    summary="VoID + DCAT description of the dataset",
    response_class=Response,
    responses={200: {"content": {media: {} for media in VOID_OFFERS}}},
)
def void(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    fmt: Annotated[
        str | None,
        Query(
            alias="format",
            description="ttl, jsonld, nt or rdf; overrides Accept",
            json_schema_extra={"enum": format_names(VOID_OFFERS)},
        ),
    ] = None,
) -> Response:
    """Triple count, entities per class, last change, licence, endpoint and dump URLs.

    Turtle unless ``Accept`` (or ``?format=``) asks for JSON-LD, N-Triples or RDF/XML.
    """
    media_type = choose(request.headers.get("accept"), fmt, VOID_OFFERS)
    assert media_type in RDF_MEDIA_TYPES  # noqa: S101 - VOID_OFFERS are RDF media types
    triples = void_triples(service, settings, _base_url(request))
    body = serialize(
        sorted(triples, key=str), media_type, {"void": VOID, "dcat": DCAT, "foaf": FOAF}
    )
    return representation(request, body, media_type, last_modified(service.store, None))


__all__ = ["DUMPS", "Dump", "dump_file", "router", "void_triples"]
