"""/documents: upload (the CLI's ingest pipeline), list, show and remove documents.

POST reads the multipart body itself rather than through an ``UploadFile``
parameter, for two reasons: the token is checked before a byte of the body is
read (FastAPI reads declared bodies before running dependencies), and the
``max_body_bytes`` limit holds while the body streams in, answered in the
error envelope (Starlette's own body limit answers in plain text). The
blocking part (saving, spaCy, the store, the index) runs in the thread pool,
one write at a time per service: the keyword index takes one writer.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message

from practicegraph.api.deps import get_service, get_settings, require_token
from practicegraph.api.errors import ApiError
from practicegraph.api.resources import LinkedDataPaths
from practicegraph.config import Settings
from practicegraph.errors import IngestError, UnsupportedFormatError
from practicegraph.ingest import SUPPORTED_SUFFIXES
from practicegraph.reports import IngestFailure
from practicegraph.service import ENTITY_CLASSES, PracticeGraphService
from practicegraph.sparql_terms import iri, iris
from practicegraph.vocab import sparql_prefixes

router = APIRouter(tags=["documents"])

ServiceDep = Annotated[PracticeGraphService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
#: Classes counted on a document's page (what it mentions or is about).
COUNTED = {k: v for k, v in ENTITY_CLASSES.items() if k not in ("documents", "annotations")}
_COPY_CHUNK = 1024 * 1024
#: The last page /documents serves: ``(page - 1) * size`` becomes the query's OFFSET,
#: which the SPARQL parser holds in 64 bits; far more pages than any store has.
MAX_PAGE = 1_000_000


def write_lock(service: PracticeGraphService) -> threading.RLock:
    """The service's single writer lock, shared with SPARQL Update and the Graph Store."""
    return service.write_lock


# -- reading the graph -------------------------------------------------------------------


def _literal(text: str) -> str:
    return str(ox.Literal(text))


def document_info(
    service: PracticeGraphService, settings: Settings, file_name: str
) -> dict[str, Any] | None:
    """Metadata, entity counts and links of the stored document of that file name, or None."""
    rows = list(
        service.store.select(
            sparql_prefixes()
            + f"""SELECT ?doc ?name ?media ?words ?hash ?published ?language ?url ?ingested
            WHERE {{
              GRAPH ?docgraph {{ ?doc dcterms:source {_literal(file_name)} ; schema:name ?name }}
              {service.local_graphs_filter("?docgraph")}
              OPTIONAL {{ ?doc pg:mediaType ?media }}
              OPTIONAL {{ ?doc pg:wordCount ?words }}
              OPTIONAL {{ ?doc pg:contentHash ?hash }}
              OPTIONAL {{ ?doc schema:datePublished ?published }}
              OPTIONAL {{ ?doc schema:inLanguage ?language }}
              OPTIONAL {{ ?doc schema:url ?url }}
              OPTIONAL {{ GRAPH ?g {{ ?g prov:wasDerivedFrom ?doc ; prov:wasGeneratedBy ?run }}
                         ?run prov:startedAtTime ?ingested }}
            }} LIMIT 1"""
        )
    )
    if not rows:
        return None
    row = {key: term.value for key, term in rows[0].items()}
    doc = row["doc"]
    values = iris(COUNTED.values())
    counted = {
        r["cls"].value: int(r["n"].value)
        for r in service.store.select(
            sparql_prefixes()
            + f"""SELECT ?cls (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              VALUES ?cls {{ {values} }}
              {{ {iri(doc)} schema:mentions ?x }} UNION {{ {iri(doc)} schema:about ?x }}
              ?x a ?cls }} GROUP BY ?cls"""
        )
    }
    evidence = list(
        service.store.select(
            sparql_prefixes()
            + f"""SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{
              ?t oa:hasSource {iri(doc)} . ?a oa:hasTarget ?t }}"""
        )
    )
    words = row.get("words")
    return {
        "source": file_name,
        "title": row["name"],
        "iri": doc,
        "media_type": row.get("media"),
        "words": int(words) if words is not None and words.isdigit() else None,
        "content_hash": row.get("hash"),
        "date_published": row.get("published"),
        "language": row.get("language"),
        "url": row.get("url"),
        "ingested_at": row.get("ingested"),
        "counts": {name: counted.get(str(cls), 0) for name, cls in COUNTED.items()}
        | {"evidence": int(evidence[0]["n"].value) if evidence else 0},
        "links": _links(settings, file_name, doc),
    }


def _links(settings: Settings, file_name: str, iri: str) -> dict[str, str | None]:
    return {
        "self": "/documents/" + quote(file_name, safe=""),
        "resource": LinkedDataPaths(settings.base_iri).local(iri),
    }


# -- upload ------------------------------------------------------------------------------


def safe_name(filename: str | None) -> str:
    """The upload's base name, or an ApiError: no folders, no hidden names, a known suffix."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise ApiError(400, "the uploaded file has no name; the name is the document's identity")
    if name.startswith("."):
        raise ApiError(400, f"hidden file names are not ingested: {name!r}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name) or len(name.encode()) > 255:
        raise ApiError(400, "the file name has control characters or is longer than 255 bytes")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ApiError(
            415,
            f"files ending in {suffix or '(no suffix)'!r} are not ingested; "
            "send text, Markdown, HTML or PDF",
            {"file": name, "supported": sorted(SUPPORTED_SUFFIXES)},
        )
    return name


def _limited(
    receive: Callable[[], Awaitable[Message]], limit: int
) -> Callable[[], Awaitable[Message]]:
    """``receive`` that answers 413 as soon as the body grows past ``limit`` bytes."""
    seen = 0

    async def limited_receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise ApiError(
                    413,
                    f"the request body is larger than {limit} bytes (setting max_body_bytes)",
                    {"max_body_bytes": limit},
                )
        return message

    return limited_receive


@dataclass
class UploadResult:
    status: int
    body: dict[str, Any]


def _failure(name: str, failure: IngestFailure) -> ApiError:
    """The ApiError for an upload the ingest skipped, by the kind of error that stopped it:
    415 for a format it does not read, 422 for a file it cannot read, 503 for one it
    could not store (or extract: a fault of this service, not of the file's sender)."""
    reason = failure.reason
    detail = {"file": name, "reason": reason}
    error = failure.error
    if error is not None and issubclass(error, UnsupportedFormatError):
        return ApiError(415, f"{name}: {reason}", detail)
    if error is not None and issubclass(error, IngestError):
        return ApiError(422, f"{name}: {reason}", detail)
    return ApiError(503, f"{name} could not be stored: {reason}", detail)


def ingest_upload(
    service: PracticeGraphService, settings: Settings, name: str, data: IO[bytes]
) -> UploadResult:
    """Save the upload under the data directory and ingest it (blocking)."""
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))
    try:
        path = folder / name
        with path.open("wb") as out:
            shutil.copyfileobj(data, out, _COPY_CHUNK)
        size = path.stat().st_size
        if size == 0:
            raise ApiError(422, f"{name}: the uploaded file is empty", {"file": name})
        if size > settings.max_file_bytes:
            raise ApiError(
                413,
                f"{name} is larger than {settings.max_file_bytes} bytes (setting max_file_bytes)",
                {"file": name, "max_file_bytes": settings.max_file_bytes},
            )
        # ingest takes the write lock itself, only while it writes: spaCy reads the
        # file meanwhile, and other writers need not wait for that
        report = service.ingest([path])
        if report.failed:
            raise _failure(name, report.failed[0])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if name in report.added:
        status, outcome = 201, "added"
    elif name in report.replaced:
        status, outcome = 200, "replaced"
    else:
        status, outcome = 200, "unchanged"
    info = document_info(service, settings, name)
    if info is None:  # pragma: no cover - it was just stored
        raise ApiError(503, f"{name} was ingested but cannot be read back")
    return UploadResult(status, {"result": outcome} | info)


@router.post(
    "/documents",
    summary="Ingest a document (text, Markdown, HTML or PDF); needs the write token",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
    responses={
        200: {"description": "Replaced an earlier version, or unchanged"},
        201: {"description": "Added"},
        413: {"description": "Larger than max_body_bytes or max_file_bytes"},
        415: {"description": "Not text, Markdown, HTML or PDF"},
        422: {"description": "No usable text in the file"},
    },
    dependencies=[Depends(require_token)],
)
async def upload_document(
    request: Request, service: ServiceDep, settings: SettingsDep
) -> JSONResponse:
    """The multipart field ``file`` goes through the CLI's pipeline under its base name.

    201 when the document is new (``Location`` names it), 200 when it replaced
    a stored document of the same name or was unchanged.
    """
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise ApiError(
            413,
            f"the request body is larger than {limit} bytes (setting max_body_bytes)",
            {"max_body_bytes": limit, "content_length": int(declared)},
        )
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ApiError(415, "send the document as multipart/form-data, in a field named 'file'")
    limited = Request(request.scope, _limited(request.receive, limit))
    async with limited.form(max_files=1, max_fields=16) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(400, "no file in the multipart field 'file'")
        name = safe_name(upload.filename)
        result = await run_in_threadpool(ingest_upload, service, settings, name, upload.file)
    headers = {"Location": result.body["links"]["self"]} if result.status == 201 else None
    return JSONResponse(result.body, status_code=result.status, headers=headers)


# -- list, show, remove -----------------------------------------------------------------


@router.get("/documents", summary="The stored documents, a page at a time")
def list_documents(
    service: ServiceDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Documents ingested here, in file-name order: source, title, IRI and links
    (imported sources' documents are under /sources)."""
    prefixes = sparql_prefixes()
    local = service.local_graphs_filter("?g")
    count = list(
        service.store.select(
            prefixes + "SELECT (COUNT(DISTINCT ?doc) AS ?n) WHERE { GRAPH ?g { ?doc "
            f"dcterms:source ?src ; schema:name ?name }} {local} }}"
        )
    )
    total = int(count[0]["n"].value) if count else 0
    # a page past the end is empty without asking: servers bound how far they sort
    # (Virtuoso refuses an ORDER BY whose OFFSET passes its MaxSortedTopRows)
    rows = (
        []
        if (page - 1) * size >= total
        else service.store.select(
            prefixes
            + f"""SELECT ?doc ?src (SAMPLE(?name) AS ?title) WHERE {{
              GRAPH ?g {{ ?doc dcterms:source ?src ; schema:name ?name }} {local} }}
            GROUP BY ?doc ?src ORDER BY ?src LIMIT {size} OFFSET {(page - 1) * size}"""
        )
    )
    documents = [
        {
            "source": row["src"].value,
            "title": row["title"].value if "title" in row else row["src"].value,
            "iri": row["doc"].value,
            "links": _links(settings, row["src"].value, row["doc"].value),
        }
        for row in rows
    ]

    def page_link(number: int) -> str:
        return f"/documents?page={number}&size={size}"

    return {
        "total": total,
        "page": page,
        "size": size,
        "documents": documents,
        "links": {
            "next": page_link(page + 1) if page * size < total else None,
            "prev": page_link(page - 1) if page > 1 else None,
        },
    }


@router.get("/documents/{source}", summary="One document: metadata, entity counts, links")
def show_document(source: str, service: ServiceDep, settings: SettingsDep) -> dict[str, Any]:
    """``source`` is the file's base name, as ``dcterms:source`` holds it."""
    info = document_info(service, settings, source)
    if info is None:
        raise ApiError(404, f"no document named {source!r}", {"source": source})
    return info


@router.delete(
    "/documents/{source}",
    summary="Remove a document from the graph and the index; needs the write token",
    status_code=204,
    response_class=Response,
    dependencies=[Depends(require_token)],
)
def delete_document(source: str, service: ServiceDep) -> Response:
    with write_lock(service):
        removed, _missing = service.remove([source])
    if not removed:
        raise ApiError(404, f"no document named {source!r}", {"source": source})
    return Response(status_code=204)


__all__ = ["document_info", "ingest_upload", "router", "safe_name", "write_lock"]
