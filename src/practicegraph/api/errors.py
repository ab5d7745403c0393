"""One error envelope for every endpoint, built here and nowhere else.

Every error response has the body::

    {"error": {"status": 400, "message": "one human sentence", "detail": {...} | null}}

Expected errors (a user's mistake, a missing resource, a refused write) carry
their HTTP status; anything else is a bug: it is logged with its traceback and
answered 500 without internals.

A full disk is answered 507 Insufficient Storage (RFC 4918: "unable to store
the representation needed to complete the request"), whichever layer meets
it, with a message that names no file; reads go on being answered meanwhile.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from practicegraph.errors import (
    BackupError,
    CanonicalizationError,
    ConfigError,
    DumpError,
    DumpTooLargeError,
    IngestError,
    InvalidDumpError,
    PracticeGraphError,
    QueryError,
    RestoreConflictError,
    StorageFullError,
    StoreError,
    UnknownSourceError,
    UnsupportedFormatError,
    ValidationError,
    is_disk_full,
)

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An expected error with its HTTP status, raised by route code."""

    def __init__(
        self,
        status: int,
        message: str,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.headers = headers


def error_response(
    status: int, message: str, detail: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"status": status, "message": message, "detail": detail}}
    return JSONResponse(body, status_code=status, headers=headers)


#: RFC 4918's status for a request the server has no room to carry out.
INSUFFICIENT_STORAGE = 507


# Most specific first: UnsupportedFormatError is an IngestError, StorageFullError a
# StoreError. QueryError (the sender's SPARQL) is no StoreError (the store's fault).
_STATUS_OF: tuple[tuple[type[PracticeGraphError], int], ...] = (
    (UnknownSourceError, 404),
    (RestoreConflictError, 409),
    (CanonicalizationError, 500),
    (BackupError, 400),
    (InvalidDumpError, 422),
    (DumpTooLargeError, 413),
    (DumpError, 400),
    (QueryError, 400),
    (ValidationError, 422),
    (UnsupportedFormatError, 415),
    (IngestError, 400),
    (StorageFullError, INSUFFICIENT_STORAGE),
    (StoreError, 503),
    (ConfigError, 500),
)


def _status_of(exc: PracticeGraphError) -> int:
    return next((status for cls, status in _STATUS_OF if isinstance(exc, cls)), 400)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.detail, exc.headers)

    @app.exception_handler(PracticeGraphError)
    async def domain_error(_request: Request, exc: PracticeGraphError) -> JSONResponse:
        status = _status_of(exc)
        if status >= 500:
            logger.error("service error: %s", exc)
        detail = getattr(exc, "report", None) or None
        if isinstance(exc, DumpError | BackupError):
            detail = exc.detail() | (
                {"validation": exc.report.to_dict()} if isinstance(exc, InvalidDumpError) else {}
            )
        return error_response(status, str(exc), detail)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg")}
            for err in exc.errors()
        ]
        return error_response(400, "the request's parameters are not valid", problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(exc.status_code, message, None, getattr(exc, "headers", None))

    @app.exception_handler(OSError)
    async def os_error(request: Request, exc: OSError) -> JSONResponse:
        if is_disk_full(exc):  # a file written by route code (an upload being saved)
            logger.error("disk full on %s %s: %s", request.method, request.url.path, exc)
            return error_response(INSUFFICIENT_STORAGE, str(StorageFullError()))
        return await unexpected(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error; the server log has the details")
