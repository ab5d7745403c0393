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


def test_a_document_found_by_meaning_says_so_over_http(
    client: TestClient, auth: dict[str, str]
) -> None:
    text = (
        "Riding lessons behind the walls\n\n"
        "The prison at the edge of the town opened in 1968 and holds two hundred men. "
        "Visiting hours are on weekends. The governor changed last spring.\n\n"
        "Since March, inmates care for horses in the stables every morning. Grooming and "
        "riding the animals teaches patience and responsibility, staff say."
    )
    created = client.post(
        "/documents", files={"file": ("stables.txt", text.encode(), "text/plain")}, headers=auth
    )
    assert created.status_code == 201, created.text
    body = client.get("/search", params={"q": "equestrian therapy"}).json()
    hits = {hit["source"]: hit for hit in body["hits"]}
    assert hits["stables.txt"]["matched_via"] == ["similar meaning"]
    assert "horses" in hits["stables.txt"]["snippet"]
    off = client.get("/search", params={"q": '"equestrian therapy"'}).json()
    assert "stables.txt" not in {hit["source"] for hit in off["hits"]}
