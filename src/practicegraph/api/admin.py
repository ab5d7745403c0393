"""/admin: back up the whole instance, and restore a backup into an empty one.

Both need the write token: a backup holds everything, quarantined imports
included, and a restore writes everything. ``GET /admin/backup`` streams the
file ``practicegraph backup`` writes (see exchange.backup), made under the
write lock into the data directory and deleted as soon as it is open, so an
interrupted download leaves nothing behind. ``PUT /admin/restore`` takes that
file as the raw body (any Content-Type; ``application/x-tar`` says it best), streamed to disk under
``max_import_bytes`` before anything is checked, into an instance that holds
nothing yet (409 otherwise); a damaged or foreign file is a 400 naming the
member, and leaves the instance as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from practicegraph.api.bodies import refuse_declared_size, save_body, stream_file
from practicegraph.api.deps import get_service, get_settings, require_token
from practicegraph.backups import backup_instance, restore_instance
from practicegraph.config import Settings
from practicegraph.service import PracticeGraphService

router = APIRouter(tags=["admin"], prefix="/admin")

ServiceDep = Annotated[PracticeGraphService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BACKUP_MEDIA = "application/x-tar"


@router.get(
    "/backup",
    summary="The whole instance as one file (practicegraph backup); needs the token",
    response_class=StreamingResponse,
    dependencies=[Depends(require_token)],
)
def get_backup(service: ServiceDep, settings: SettingsDep) -> StreamingResponse:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="backup-", dir=settings.data_dir)
    try:
        path = Path(folder) / "practicegraph.backup.tar"
        manifest = backup_instance(service, path)
        handle = path.open("rb")  # readable after its file is gone
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    size = handle.seek(0, 2)
    handle.seek(0)
    headers = {
        "Content-Disposition": 'attachment; filename="practicegraph.backup.tar"',
        "Content-Length": str(size),
        "X-Statements": str(manifest.statements),
    }
    return StreamingResponse(stream_file(handle), media_type=BACKUP_MEDIA, headers=headers)


@router.put(
    "/restore",
    summary="Restore a backup into this empty instance; needs the token",
    openapi_extra={
        "requestBody": {
            "required": True,
            # any Content-Type is read as the file: application/x-tar, or octet-stream
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
    dependencies=[Depends(require_token)],
)
async def restore(request: Request, service: ServiceDep, settings: SettingsDep) -> JSONResponse:
    limit = settings.max_import_bytes
    what = "the backup (restore larger ones with the command line: practicegraph restore FILE)"
    refuse_declared_size(request, limit, what, "max_import_bytes")
    with service.sources.upload_folder() as folder:  # removed however this ends
        path = folder / "backup.tar"
        await save_body(request, path, limit, what, "max_import_bytes")
        report = await run_in_threadpool(restore_instance, service, path, "request body")
    payload: dict[str, Any] = report.to_dict()
    return JSONResponse(payload, status_code=200)
