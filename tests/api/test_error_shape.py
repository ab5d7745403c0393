"""Every route answers its errors in the one envelope, with the matching HTTP status.

The routes come from ``app.routes``, so routes added later are covered without
touching this file. Each gets requests that must fail: a wrong method, an
unknown path parameter, unauthenticated and malformed writes, nonsense query
parameters, an oversized body. Whatever the status, an error (>= 400) must be

    {"error": {"status": <the HTTP status>, "message": "<text>", "detail": ...}}

and none may be a 5xx: these are all client mistakes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from api.conftest import client_for
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor

SKIPPED = {"/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
FILL = "no-such-thing-9z"
JUNK_PARAMS = {
    "query": "SELECT * WHERE {",
    "update": "DROP EVERYTHING",
    "format": "bogus",
    "page": "-1",
    "size": "0",
    "timeout": "-5",
    "graph": "not an iri",
}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    why: str
    headers: dict[str, str] | None = None
    params: dict[str, str] | None = None
    content: bytes | None = None


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", FILL, path)


def flattened(route_list: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(full path, route) of every route, looking inside included routers.

    Why: FastAPI 0.16x keeps an included router as one entry of ``app.routes``
    (its ``original_router`` holds the routes, its include context the prefix).
    """
    for route in route_list:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from flattened(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute | Route):
            yield prefix + route.path, route


def routes(client: TestClient) -> list[tuple[str, set[str], list[str]]]:
    """(path, methods, declared query parameter names) of every route worth checking."""
    found = []
    for path, route in flattened(client.app.routes):  # type: ignore[attr-defined]
        if path in SKIPPED:
            continue
        query: list[str] = []
        if isinstance(route, APIRoute):
            query = [p.alias for p in route.dependant.query_params]
        found.append((path, set(route.methods or {"GET"}), query))
    assert found, "no routes found: has FastAPI changed how it keeps them?"
    return found


def cases(client: TestClient, auth: dict[str, str]) -> Iterator[Case]:
    for template, methods, query in routes(client):
        path = concrete(template)
        unused = sorted({"PATCH", "PUT", "DELETE", "POST"} - methods)
        if unused:
            yield Case(unused[0], path, "wrong method")
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            yield Case(method, path, "as is")
            if method in WRITES:
                yield Case(
                    method,
                    path,
                    "malformed write",
                    headers=auth | {"Content-Type": "application/x-nonsense"},
                    content=b"\x00\xffnot a valid body",
                )
            if method in WRITES and "{" in template:
                yield Case(method, path, "write to an unknown resource", headers=auth)
            if query:
                yield Case(
                    method, path, "declared params", params=dict.fromkeys(query, "not-a-number")
                )
            if method == "GET":
                yield Case(method, path, "junk params", params=JUNK_PARAMS)
    yield Case("GET", "/no/such/route", "unknown route")


def assert_envelope(response: Any, case: Case) -> None:
    where = f"{case.method} {case.path} ({case.why}) -> {response.status_code}"
    assert response.status_code < 500, f"{where}: a client mistake answered as a server error"
    if response.status_code < 400 or case.method == "HEAD":
        return
    assert response.headers["content-type"].startswith("application/json"), where
    body = response.json()
    assert set(body) == {"error"}, where
    error = body["error"]
    assert set(error) == {"status", "message", "detail"}, where
    assert error["status"] == response.status_code, where
    assert isinstance(error["message"], str) and error["message"], where


def send(client: TestClient, case: Case) -> Any:
    return client.request(
        case.method, case.path, headers=case.headers, params=case.params, content=case.content
    )


def test_every_route_answers_errors_in_the_envelope(
    client: TestClient, auth: dict[str, str]
) -> None:
    paths = {path for path, _m, _q in routes(client)}
    assert {"/search", "/documents", "/documents/{source}", "/dumps", "/.well-known/void"} <= paths
    assert any(path.startswith("/id/") for path in paths)
    statuses: dict[str, set[int]] = {}
    for case in cases(client, auth):
        response = send(client, case)
        assert_envelope(response, case)
        statuses.setdefault(case.path, set()).add(response.status_code)
    failing = {path for path, codes in statuses.items() if not any(c >= 400 for c in codes)}
    assert not failing, f"routes that no request made fail: {failing}"


def test_writes_without_a_token_are_refused_in_the_envelope(client: TestClient) -> None:
    for path, methods, _q in routes(client):
        for method in sorted(methods & WRITES):
            case = Case(method, concrete(path), "no token", content=b"x")
            response = send(client, case)
            assert_envelope(response, case)


@pytest.fixture
def tiny_body_client(api_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    with client_for(api_settings.with_(max_body_bytes=64), extractor) as test_client:
        yield test_client


def test_oversized_bodies_are_refused_in_the_envelope(
    tiny_body_client: TestClient, auth: dict[str, str]
) -> None:
    for path, methods, _q in routes(tiny_body_client):
        for method in sorted(methods & {"POST", "PUT"}):
            case = Case(
                method,
                concrete(path),
                "oversized body",
                headers=auth | {"Content-Type": "multipart/form-data; boundary=b"},
                content=b"x" * 10_000,
            )
            response = send(tiny_body_client, case)
            assert_envelope(response, case)
            assert response.status_code >= 400, f"{method} {path} took a 10 kB body"
