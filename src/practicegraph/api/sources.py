"""/sources: import other organisations' dumps over HTTP, list, report, roll back, remove.

An import's body is the dump itself (not a multipart form): dumps are large,
and a raw body streams to disk under the ``max_import_bytes`` limit without a
form parser in between, into ``DATA/uploads/dump-*``: removed however the import
ends, and at the next start if the process was killed mid-import. The syntax
comes from ``?format=`` or the Content-Type; gzip is recognised by its first
bytes. As with the CLI, the token is checked before a byte of the body is read,
and so are the source name and ``?base=``, the base IRI relative IRIs resolve
against (by default the source's own namespace: see exchange.import_names). An
empty body is an empty dump: a source with no statements.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from practicegraph import formats
from practicegraph.api.bodies import refuse_declared_size, save_body
from practicegraph.api.deps import get_service, get_settings, require_token
from practicegraph.api.errors import ApiError
from practicegraph.config import Settings
from practicegraph.exchange.dumpfile import SYNTAXES
from practicegraph.service import PracticeGraphService
from practicegraph.sources import SourceManager

router = APIRouter(tags=["sources"])

ServiceDep = Annotated[PracticeGraphService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Syntax = Literal["nquads", "trig", "turtle", "nt", "jsonld", "xml"]

#: Content-Type -> syntax, for bodies sent without ?format=
MEDIA_TYPES: dict[str, str] = {
    formats.media_type(fmt): name for name, fmt in formats.RDF_SYNTAXES.items()
}
#: Export syntax -> Content-Type of the file
DUMP_MEDIA = {
    name: formats.media_type(formats.RDF_SYNTAXES[name])
    for name in ("nquads", "trig", "turtle", "nt", "jsonld")
}


def _checked_name(name: str) -> str:
    SourceManager.check_name(name)
    return name


def _syntax(request: Request, declared: str | None) -> str:
    if declared is not None:
        return declared
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in MEDIA_TYPES:
        return MEDIA_TYPES[media]
    raise ApiError(
        415,
        "say what syntax the dump is in: ?format= or a Content-Type of " + ", ".join(MEDIA_TYPES),
        {"content_type": media or None, "formats": list(SYNTAXES)},
    )


@router.get("/sources", summary="The imported sources, with counts and import dates")
def list_sources(service: ServiceDep) -> list[dict[str, Any]]:
    return [info.to_dict() for info in service.sources.infos()]


@router.get("/sources/{name}", summary="One imported source")
def show_source(name: str, service: ServiceDep) -> dict[str, Any]:
    return service.sources.get(_checked_name(name)).to_dict()


@router.get("/sources/{name}/report", summary="The newest import report, validation included")
def source_report(name: str, service: ServiceDep) -> dict[str, Any]:
    return service.sources.report(_checked_name(name))


@router.put(
    "/sources/{name}",
    summary="Import a dump as this source (replacing its earlier import); needs the token",
    status_code=200,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {media: {"schema": {"type": "string"}} for media in MEDIA_TYPES},
        }
    },
    responses={
        200: {"description": "Imported (or quarantined: see status)"},
        400: {
            "description": "Syntax error (detail: line, column), a refused statement, "
            "or an unusable ?base="
        },
        413: {"description": "Larger than max_import_bytes"},
        415: {"description": "Syntax not given"},
        422: {"description": "Fails SHACL validation (detail: the violations)"},
    },
    dependencies=[Depends(require_token)],
)
async def import_source(
    name: str,
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    format: Annotated[Syntax | None, Query(description="RDF syntax of the body")] = None,
    quarantine: Annotated[
        bool, Query(description="Keep a dump that fails validation apart instead of refusing it")
    ] = False,
    filename: Annotated[
        str | None, Query(description="The dump's file name, recorded in its provenance")
    ] = None,
    base: Annotated[
        str | None,
        Query(
            description="Base IRI that relative IRIs resolve against (an absolute IRI; "
            "default: the source's namespace, {base_iri}source/NAME/data/)"
        ),
    ] = None,
) -> JSONResponse:
    _checked_name(name)
    base = service.sources.check_base(name, base)
    syntax = _syntax(request, format)
    limit = settings.max_import_bytes
    refuse_declared_size(request, limit, "the dump", "max_import_bytes")
    with service.sources.upload_folder() as folder:  # removed however this ends
        path = folder / "dump"
        await save_body(request, path, limit, "the dump", "max_import_bytes")
        shown = Path(filename).name if filename else f"{name}-upload.{syntax}"
        report = await run_in_threadpool(
            service.sources.import_dump,
            path,
            name,
            syntax=syntax,
            quarantine=quarantine,
            filename=shown,
            base=base,
        )
    return JSONResponse(report.to_dict(), status_code=200)


@router.post(
    "/sources/{name}/rollback",
    summary="Restore the import before the current one; needs the token",
    dependencies=[Depends(require_token)],
)
def rollback_source(name: str, service: ServiceDep) -> dict[str, Any]:
    return service.sources.rollback(_checked_name(name)).to_dict()


@router.delete(
    "/sources/{name}",
    summary="Remove a source and everything it brought; needs the token",
    status_code=204,
    dependencies=[Depends(require_token)],
)
def remove_source(name: str, service: ServiceDep) -> Response:
    service.sources.remove(_checked_name(name))
    return Response(status_code=204)


@router.get("/sources/{name}/dump", summary="A source's data as imported, deterministic")
def source_dump(
    name: str,
    service: ServiceDep,
    format: Annotated[Literal["nquads", "trig", "turtle", "nt", "jsonld"], Query()] = "nquads",
) -> Response:
    buffer = io.BytesIO()
    summary = service.sources.export(buffer, format, _checked_name(name))
    return Response(
        buffer.getvalue(),
        media_type=DUMP_MEDIA[format],
        headers={"X-Content-SHA256": summary.sha256, "X-Statements": str(summary.statements)},
    )
