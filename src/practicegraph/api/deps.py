"""What routes take from the application: the service, the settings, the write check."""

from __future__ import annotations

import secrets

from fastapi import Request

from practicegraph.api.errors import ApiError
from practicegraph.config import Settings
from practicegraph.service import PracticeGraphService


def get_service(request: Request) -> PracticeGraphService:
    service: PracticeGraphService = request.app.state.service
    return service


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def has_valid_token(request: Request) -> bool:
    """Whether the request carries the operator's write token (reads use it for larger limits)."""
    token = get_settings(request).token
    header = request.headers.get("authorization")
    if not token or not header:
        return False
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(
        given.strip().encode(), token.encode()
    )


def require_token(request: Request) -> None:
    """Writes need the operator's bearer token; without one configured, none are allowed."""
    settings = get_settings(request)
    if not settings.token:
        raise ApiError(
            403,
            "this service is read-only: no write token is configured "
            "(the operator sets PRACTICEGRAPH_TOKEN to allow writes)",
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise ApiError(
            401,
            "this request writes: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": 'Bearer realm="practicegraph"'},
        )
    if not secrets.compare_digest(given.strip().encode(), settings.token.encode()):
        raise ApiError(
            401,
            "the bearer token is not valid",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
