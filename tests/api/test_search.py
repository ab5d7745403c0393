from fastapi.testclient import TestClient


def test_search_returns_hits_snippets_facets(client: TestClient) -> None:
    response = client.get("/search", params={"q": "radicalization", "size": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] > 0 and len(body["hits"]) <= 5
    assert {"score", "kind", "title", "snippet", "source", "document"} <= set(body["hits"][0])
    assert {"theme", "country", "organisation", "year", "kind"} <= set(body["facets"])


def test_search_filters_and_suggestion(client: TestClient) -> None:
    body = client.get("/search", params={"q": "probaton", "kind": "practice"}).json()
    assert body["suggestion"] == "probation"
    assert all(hit["kind"] == "practice" for hit in body["hits"])


def test_search_rejects_bad_parameters_in_the_envelope(client: TestClient) -> None:
    response = client.get("/search", params={"q": "x", "size": 1000})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and "size" in str(error["detail"])
