"""The OpenAPI schema in-process: served, well-formed, and naming what routes answer.

The thorough check is tests/api/test_schemathesis.py (slow, a live server); these
are the quick ones every run makes.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.test_error_shape import JUNK_PARAMS, concrete, routes


def schema_of(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_the_schema_is_served_with_one_id_per_operation(client: TestClient) -> None:
    """Routes with several methods made FastAPI warn (an error here) and share one id."""
    ids = [operation["operationId"] for _p, _m, operation in operations(schema_of(client))]
    assert len(ids) == len(set(ids)) > 40


def test_errors_are_the_envelope_and_invalid_parameters_400(client: TestClient) -> None:
    schema = schema_of(client)
    assert "HTTPValidationError" not in str(schema)
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                content = response.get("content", {})
                assert content["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (path, method, status)
        if any(p["in"] == "query" for p in operation.get("parameters", ())):
            assert "400" in operation["responses"], (path, method)


def test_media_types_and_the_token_are_documented(client: TestClient) -> None:
    paths = schema_of(client)["paths"]
    dump = paths["/sources/{name}/dump"]["get"]["responses"]["200"]["content"]
    assert "application/json" not in dump and "application/n-quads" in dump
    sparql = paths["/sparql"]["get"]["responses"]["200"]["content"]
    assert {"application/sparql-results+json", "text/csv", "text/turtle"} <= set(sparql)
    assert paths["/graph-store/{path}"]["put"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/graph-store/{path}"]["get"]
    assert {p["name"] for p in paths["/graph-store"]["get"]["parameters"]} == {"graph", "default"}


def test_a_405_allows_every_method_of_the_path(client: TestClient) -> None:
    """GET and DELETE /documents/{source} are two routes; Allow named the first only."""
    response = client.options("/documents/some-name")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "DELETE"}
    response = client.patch("/sources/some-name")
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "PUT", "DELETE"}


def test_every_status_a_route_answers_is_documented(
    client: TestClient, auth: dict[str, str]
) -> None:
    paths = schema_of(client)["paths"]
    for template, methods, _query in routes(client):
        if template not in paths:
            continue  # pages and static files are not part of the API
        for method in sorted(methods - {"OPTIONS"}):
            documented = paths[template][method.lower()]["responses"]
            for params in (None, JUNK_PARAMS):
                response = client.request(method, concrete(template), params=params, headers=auth)
                where = f"{method} {template} {params} -> {response.status_code}"
                assert str(response.status_code) in documented, where
