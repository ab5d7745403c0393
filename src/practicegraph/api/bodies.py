"""Large bodies both ways: a request body saved to disk under a limit, a file streamed out.

Dumps and backups are too large for memory. An upload streams to a file as it
arrives, refused with a 413 as soon as it passes its limit (and before a byte
is read when Content-Length already says so); a download streams from an open
handle, which stays readable after its file is deleted, so the caller can
delete a temporary file as soon as it is open.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from practicegraph.api.errors import ApiError

CHUNK = 256 * 1024


def refuse_declared_size(request: Request, limit: int, what: str, setting: str) -> None:
    """A 413 before reading anything when Content-Length is already past ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        raise _too_large(limit, what, setting, int(declared))


async def save_body(request: Request, path: Path, limit: int, what: str, setting: str) -> int:
    """Write the request body to ``path``; a 413 once it passes ``limit`` bytes."""
    refuse_declared_size(request, limit, what, setting)
    size = 0
    with path.open("wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit, what, setting)
            await run_in_threadpool(out.write, chunk)  # disk writes off the event loop
    return size


def stream_file(handle: IO[bytes]) -> Iterator[bytes]:
    """The handle's bytes in chunks, closing it however the response ends."""
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def _too_large(limit: int, what: str, setting: str, declared: int | None = None) -> ApiError:
    detail: dict[str, int] = {setting: limit}
    if declared is not None:
        detail["content_length"] = declared
    return ApiError(413, f"{what} is larger than {limit} bytes (setting {setting})", detail)
