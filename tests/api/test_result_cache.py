"""Answers of recent SPARQL queries: given again until the next write, never after."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.conftest import client_for
from practicegraph.api.query_runner import QueryJob, QueryOutcome
from practicegraph.api.result_cache import CacheKey, ResultCache, _size, cache_key
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:cache:g> { ?s ?p ?o } }"
JSON = {"Accept": "application/sparql-results+json"}


def outcome(payload: bytes) -> QueryOutcome:
    return QueryOutcome("solutions", "application/sparql-results+json", payload, False, 1)


def key_of(query: str) -> CacheKey:
    key = cache_key(QueryJob(query))
    assert key is not None
    return key


def count(client: TestClient, headers: dict[str, str] | None = None) -> int:
    response = client.get(f"/sparql?query={quote(COUNT)}", headers=JSON | (headers or {}))
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (NOW() AS ?t) {}",
        "SELECT (NOW # a comment between the name and its arguments\n() AS ?t) {}",
        "SELECT (rand () AS ?r) {}",
        "SELECT (UUID() AS ?u) {}",
        "SELECT (STRUUID() AS ?u) {}",
        "CONSTRUCT { ?s <urn:p> ?b } WHERE { ?s ?p ?o BIND(BNODE() AS ?b) }",
        "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_answers_that_change_between_evaluations_are_not_cached(query: str) -> None:
    assert cache_key(QueryJob(query)) is None


def test_the_key_holds_everything_the_answer_depends_on_besides_the_store() -> None:
    job = QueryJob("SELECT * { ?s ?p ?o }", base_iri="http://a/sparql", default_graph=["urn:g"])
    assert cache_key(job) == cache_key(replace(job))
    for other in (
        replace(job, base_iri="http://b/sparql"),  # relative IRIs resolve against it
        replace(job, default_graph=None),
        replace(job, named_graphs=["urn:g"]),
        replace(job, results="csv"),
        replace(job, graph="nt"),
        replace(job, max_rows=5),
    ):
        assert cache_key(other) != cache_key(job)


def test_a_write_empties_the_cache_and_stale_readers_do_not_refill_it() -> None:
    cache = ResultCache(100_000)
    key = key_of(COUNT)
    assert cache.get(1, key) is None
    cache.put(1, key, outcome(b"one"))
    assert cache.get(1, key) == outcome(b"one")
    assert cache.get(2, key) is None  # the store was written
    cache.put(1, key, outcome(b"one"))  # computed before the write: not filed
    assert cache.get(2, key) is None
    assert cache.get(1, key) is None  # and an older reader does not bring it back


def test_the_cache_is_bounded_in_bytes_least_recently_used_first() -> None:
    keys = [key_of(f"ASK {{ <urn:s{i}> ?p ?o }}") for i in range(10)]
    entry = _size(keys[0], outcome(b"x" * 100))  # the same for all ten
    cache = ResultCache(8 * entry)  # eight such entries, and none larger, are kept
    for key in keys[:8]:
        cache.get(1, key)
        cache.put(1, key, outcome(b"x" * 100))
    assert cache.get(1, keys[0]) is not None  # now the most recently used
    cache.put(1, keys[8], outcome(b"x" * 100))
    assert cache.get(1, keys[1]) is None  # the least recently used went
    assert cache.get(1, keys[0]) is not None
    cache.put(1, keys[9], outcome(b"x" * 101))  # more than an eighth of the budget
    assert cache.get(1, keys[9]) is None


def test_long_queries_with_tiny_answers_count_against_the_budget_too() -> None:
    cache = ResultCache(100_000)
    padding = "#" + "x" * 2_000 + "\n"
    for i in range(500):
        cache.get(1, key := key_of(f"{padding}ASK {{ <urn:s{i}> ?p ?o }}"))
        cache.put(1, key, outcome(b"{}"))
    assert cache.size_bytes <= 100_000
    assert 0 < len(cache) < 50


def test_an_update_is_seen_by_the_next_query(client: TestClient, auth: dict[str, str]) -> None:
    cache: ResultCache = client.app.state.results  # type: ignore[attr-defined]
    assert count(client) == 0
    hits = cache.hits
    assert count(client) == 0
    assert cache.hits == hits + 1  # the second answer came from the cache
    response = client.post(
        "/sparql",
        content="INSERT DATA { GRAPH <urn:cache:g> { <urn:s> <urn:p> 1 } }",
        headers=auth | {"Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204
    assert count(client) == 1
    response = client.put(
        "/graph-store?graph=urn:cache:g",
        content="<urn:s> <urn:p> 1, 2, 3 .",
        headers=auth | {"Content-Type": "text/turtle"},
    )
    assert response.status_code in (201, 204), response.text
    assert count(client) == 3


def test_get_answers_revalidate_with_their_etag(client: TestClient, auth: dict[str, str]) -> None:
    first = client.get(f"/sparql?query={quote(COUNT)}", headers=JSON)
    etag = first.headers["ETag"]
    again = client.get(f"/sparql?query={quote(COUNT)}", headers=JSON | {"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.content
    other_format = client.get(
        f"/sparql?query={quote(COUNT)}", headers={"Accept": "text/csv", "If-None-Match": etag}
    )
    assert other_format.status_code == 200 and other_format.headers["ETag"] != etag
    client.post(
        "/sparql",
        content="INSERT DATA { GRAPH <urn:cache:g> { <urn:s> <urn:p> 2 } }",
        headers=auth | {"Content-Type": "application/sparql-update"},
    )
    changed = client.get(f"/sparql?query={quote(COUNT)}", headers=JSON | {"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.json()["results"]["bindings"][0]["n"]["value"] == "1"


def test_if_none_match_reads_every_header_line_and_ignores_a_star(client: TestClient) -> None:
    etag = client.get(f"/sparql?query={quote(COUNT)}", headers=JSON).headers["ETag"]
    lines = [("Accept", JSON["Accept"]), ("If-None-Match", 'W/"other"'), ("If-None-Match", etag)]
    assert client.get(f"/sparql?query={quote(COUNT)}", headers=lines).status_code == 304
    star = client.get(f"/sparql?query={quote(COUNT)}", headers=JSON | {"If-None-Match": "*"})
    assert star.status_code == 200  # * would promise an answer before knowing there is one


def test_volatile_queries_are_run_every_time(client: TestClient) -> None:
    query = quote("SELECT (STRUUID() AS ?u) {}")
    first = client.get(f"/sparql?query={query}", headers=JSON)
    second = client.get(f"/sparql?query={query}", headers=JSON)
    assert "ETag" not in first.headers
    assert first.json() != second.json()


def test_the_cache_can_be_turned_off(api_settings: Settings, extractor: Extractor) -> None:
    with client_for(api_settings.with_(query_cache_bytes=0), extractor) as client:
        assert count(client) == 0
        assert count(client) == 0
        cache: ResultCache = client.app.state.results  # type: ignore[attr-defined]
        assert (cache.hits, cache.misses) == (0, 0)
        assert "ETag" in client.get(f"/sparql?query={quote(COUNT)}", headers=JSON).headers
