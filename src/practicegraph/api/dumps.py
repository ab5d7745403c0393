"""/dumps (the whole dataset as files) and /.well-known/void (VoID + DCAT).

A dump is the file ``practicegraph export`` writes for the same data, byte for
byte (both call exchange.export.export_file: canonical RDFC-1.0, streamed with
bounded memory, the same gzip). It is written once per state of the store into
the data directory and streamed from an open handle, so a download in progress
survives a newer dump. N-Quads and TriG keep the named graphs (one per
document, plus provenance and ontology); Turtle and JSON-LD hold their union.
The VoID description comes from exchange.void, the builder of the CLI's
``FILE.void.ttl`` too, about the same dataset IRI.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from practicegraph import __version__, formats
from practicegraph.api.bodies import stream_file
from practicegraph.api.conneg import choose, format_names
from practicegraph.api.deps import get_service, get_settings
from practicegraph.api.errors import ApiError
from practicegraph.api.resources import RDF_MEDIA_TYPES, last_modified, representation, serialize
from practicegraph.config import Settings
from practicegraph.exchange.void import (
    VOID_PREFIXES,
    Dataset,
    Distribution,
    dump_title,
    void_triples,
)
from practicegraph.service import ENTITY_CLASSES, PracticeGraphService
from practicegraph.sparql_terms import iris

router = APIRouter(tags=["dumps"])

ServiceDep = Annotated[PracticeGraphService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Dump:
    name: str
    export_format: str  # a format of exchange.export
    compressed: bool = False

    @property
    def media_type(self) -> str:
        """Of the RDF inside."""
        return formats.media_type(formats.RDF_SYNTAXES[self.export_format])

    @property
    def description(self) -> str:
        return dump_title(self.export_format, self.compressed)

    @property
    def content_type(self) -> str:
        return formats.GZIP if self.compressed else self.media_type


DUMPS: dict[str, Dump] = {
    dump.name: dump
    for dump in (
        Dump("practicegraph.nq.gz", "nquads", compressed=True),
        Dump("practicegraph.trig", "trig"),
        Dump("practicegraph.ttl", "turtle"),
        Dump("practicegraph.jsonld", "jsonld"),
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
                service.sources.export_file(path, dump.export_format)
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
    return StreamingResponse(stream_file(handle), media_type=dump.content_type, headers=headers)


# -- VoID + DCAT ------------------------------------------------------------------------

VOID_OFFERS = tuple(RDF_MEDIA_TYPES)


def _class_counts(service: PracticeGraphService) -> dict[str, int]:
    values = iris(ENTITY_CLASSES.values())
    rows = service.store.select(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }} "
        "GROUP BY ?c"
    )
    return {row["c"].value: int(row["n"].value) for row in rows}


def void_dataset(service: PracticeGraphService, settings: Settings, base: str) -> Dataset:
    """The facts /.well-known/void states about the dataset served at ``base`` (blocking)."""
    counts = _class_counts(service)
    return Dataset(
        base_iri=settings.base_iri,
        licence=settings.licence,
        triples=service.store.quad_count(),
        version=__version__,
        modified=last_modified(service.store, None),
        entities={
            name: (str(cls), counts.get(str(cls), 0)) for name, cls in ENTITY_CLASSES.items()
        },
        sparql_endpoint=f"{base}sparql",
        document=f"{base}.well-known/void",
        distributions=[
            Distribution(
                name=dump.name,
                fmt=dump.export_format,
                title=dump.description,
                compressed=dump.compressed,
                url=f"{base}dumps/{dump.name}",
            )
            for dump in DUMPS.values()
        ],
    )


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
    triples = void_triples(void_dataset(service, settings, _base_url(request)))
    body = serialize(sorted(triples, key=str), media_type, VOID_PREFIXES)
    return representation(request, body, media_type, last_modified(service.store, None))


__all__ = ["DUMPS", "Dump", "dump_file", "router", "void_dataset"]
