"""Requests built to exhaust the service get a 4xx that names the problem, and it keeps answering.

Deep or long requests that would overflow the engine's stack, time limits that
are not numbers or that an anonymous caller may not ask for, a queue that is
full, and keyword searches of thousands of words.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.conftest import TOKEN
from api.live import live_server
from practicegraph.api.sparql_guard import (
    MAX_EXPRESSION_OPERATORS,
    MAX_NESTING,
    MAX_PATTERN_OPERATORS,
)
from practicegraph.config import Settings
from sparql_servers import SparqlServer

AUTH = {"Authorization": f"Bearer {TOKEN}"}
ASK = "ASK { ?s ?p ?o }"


def _nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def _unions(count: int) -> str:
    # branches that match nothing: the shape is what is tested, not the answer's size
    return "SELECT * WHERE { " + " UNION ".join(["{ ?s <http://e/none> ?o }"] * count) + " }"


def _sum(terms: int) -> str:
    return "SELECT * WHERE { ?s ?p ?o FILTER(" + " + ".join(["1"] * terms) + " > 0) }"


@pytest.mark.parametrize(
    ("query", "what"),
    [
        (_nested(5_000), "brackets nested"),
        (_unions(10_000), "graph-pattern operators"),
        (_sum(20_000), "expression and path operators"),
        ("SELECT (1" + " - 1" * 10_000 + " AS ?x) WHERE {}", "expression and path operators"),
        # a comment ended by a lone carriage return, then the nesting
        ("SELECT * WHERE # note\r" + "{" * 5_000 + "}" * 5_000 + "\n", "brackets nested"),
        # "<'x>" read as an IRI would hide the nesting inside a string
        (
            "SELECT * WHERE { FILTER(?a<'x>' && true) "
            + "{" * 5_000
            + "}" * 5_000
            + " FILTER('' = '') }",
            "brackets nested",
        ),
    ],
    ids=["nested-5000", "union-10000", "plus-20000", "minus-10000", "cr-comment", "lt-quote"],
)
def test_requests_that_would_overflow_the_engine_are_refused_up_front(
    client: TestClient, query: str, what: str
) -> None:
    runner = client.app.state.queries  # type: ignore[attr-defined]
    workers = set(runner.worker_pids())
    response = client.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400, response.text
    assert what in response.json()["error"]["message"]
    assert set(runner.worker_pids()) == workers  # no worker crashed on it
    assert client.get("/sparql", params={"query": ASK}).json()["boolean"] is True


def test_an_update_that_would_overflow_the_engine_is_refused(client: TestClient) -> None:
    """Updates run in the server's own process: one that crashed the engine would kill it."""
    deep = "INSERT { <http://e/s> <http://e/p> 1 } WHERE " + "{" * 5_000 + "}" * 5_000
    response = client.post(
        "/sparql", content=deep, headers={"Content-Type": "application/sparql-update"} | AUTH
    )
    assert response.status_code == 400
    assert "brackets nested" in response.json()["error"]["message"]
    assert client.get("/sparql", params={"query": ASK}).status_code == 200


def test_requests_at_the_limits_still_run(
    client: TestClient, store_server: SparqlServer | None
) -> None:
    shallower = store_server is not None and store_server.shallower_parser
    within = [
        _nested(MAX_NESTING - 1),
        _unions(MAX_PATTERN_OPERATORS // 4),
        _sum(MAX_EXPRESSION_OPERATORS // 2),
        # a long VALUES block is data, not nesting: thousands of rows are fine
        "SELECT ?x WHERE { VALUES (?x ?y) { "
        + " ".join(f"(<http://e/{i}> {i})" for i in range(3_000))
        + " } }",
    ]
    for query in within:
        response = client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )
        if shallower and response.status_code == 400:
            # the server's own parser refused it: a clear 400 quoting it, not a crash
            assert "does not parse" in response.text or "could not be evaluated" in response.text
            continue
        assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e400", "0.01", "5e-324", "0"])
def test_time_limits_that_are_not_usable_numbers_are_a_400(client: TestClient, value: str) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "timeout": value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "timeout" in error["message"] and error["detail"]["timeout"] == value


def test_anonymous_callers_have_a_shorter_longest_time_limit(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    longer = settings.anonymous_max_query_timeout + 1
    assert longer <= settings.max_query_timeout
    anonymous = client.get("/sparql", params={"query": "ASK {}", "timeout": longer})
    assert anonymous.status_code == 400
    assert "without the write token" in anonymous.json()["error"]["message"]
    trusted = client.get("/sparql", params={"query": "ASK {}", "timeout": longer}, headers=AUTH)
    assert trusted.status_code == 200
    wrong_token = client.get(
        "/sparql",
        params={"query": "ASK {}", "timeout": longer},
        headers={"Authorization": "Bearer not-the-token"},
    )
    assert wrong_token.status_code == 400


def test_the_service_description_checks_the_parameters_it_is_given(client: TestClient) -> None:
    assert client.get("/sparql", params={"timeout": "61"}).status_code == 400
    assert client.get("/sparql", params={"default-graph-uri": "not an iri"}).status_code == 400
    assert client.get("/sparql").status_code == 200


@pytest.fixture
def one_worker(api_settings: Settings) -> Iterator[str]:
    """A live server with one query worker and a short wait for it."""
    settings = api_settings.with_(query_workers=1, query_queue_timeout=0.5, query_cache_bytes=0)
    with live_server(settings) as server:
        yield server.url


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . ?d ?t ?w }"


def test_a_query_finding_every_worker_busy_is_told_the_service_is_busy(
    one_worker: str, store_server: SparqlServer | None
) -> None:
    if store_server is not None and store_server.refuses_costly_queries:
        pytest.skip(f"{store_server.name} refuses the cross product before running it")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(
            httpx.get,
            f"{one_worker}/sparql",
            params={"query": SLOW, "timeout": "4"},
            headers=AUTH,
            timeout=30,
        )
        deadline = time.monotonic() + 10
        busy = None
        while time.monotonic() < deadline and not slow.done():
            answer = httpx.get(f"{one_worker}/sparql", params={"query": ASK}, timeout=30)
            if answer.status_code == 503:
                busy = answer
                break
            time.sleep(0.05)
        assert busy is not None, "the slow query never held the only worker"
        error = busy.json()["error"]
        assert "busy" in error["message"] and "did not start" in error["message"]
        assert "time limit" not in error["message"]
        assert busy.headers["Retry-After"]
        assert slow.result().status_code == 503  # the slow one overran its own limit
    assert httpx.get(f"{one_worker}/sparql", params={"query": ASK}, timeout=30).status_code == 200


def test_keyword_searches_past_the_length_limits_are_refused(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    words = " ".join(["probation"] * (settings.max_search_words + 1))
    many = client.get("/search", params={"q": words})
    assert many.status_code == 400
    assert str(settings.max_search_words) in many.json()["error"]["message"]
    long = client.get("/search", params={"q": "x" * (settings.max_search_chars + 1)})
    assert long.status_code == 400
    assert "characters" in long.json()["error"]["message"]
    filters = client.get("/search", params={"q": "prison", "country": ["BE"] * 70})
    assert filters.status_code == 400
    page = client.get("/find", params={"q": words})
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]
    assert "too long" in page.text
    assert client.get("/search", params={"q": "probation officers"}).status_code == 200


def test_an_update_that_misleads_the_lexer_is_stopped_by_its_trial_run(client: TestClient) -> None:
    """A real IRI holding an apostrophe and a comparison written ``?a<'x>'`` make both
    of the guard's token readings take the nesting for string content; the engine,
    which would overflow on it in this very process, never sees it outside a worker."""
    deep = "{" * 5_000 + "}" * 5_000
    update = (
        "INSERT { <http://e/a> <http://e/b> ?b } WHERE { BIND(<http://b/'> AS ?b) "
        f"FILTER(?a<'x>' || true) {deep} FILTER('' = '') }}"
    )
    response = client.post(
        "/sparql", content=update, headers={"Content-Type": "application/sparql-update"} | AUTH
    )
    assert response.status_code == 400, response.text
    assert "trial run" in response.json()["error"]["message"]
    ask = client.get("/sparql", params={"query": "ASK { <http://e/a> ?p ?o }"})
    assert ask.status_code == 200 and ask.json()["boolean"] is False


def test_a_large_update_that_is_safe_passes_its_trial_run(
    client: TestClient, store_server: SparqlServer | None
) -> None:
    rows = " ".join(f'<http://e/s{i}> <http://e/p> "note ({i}) [{i}]" .' for i in range(2_000))
    update = f"INSERT DATA {{ GRAPH <http://e/g> {{ {rows} }} }}"
    response = client.post(
        "/sparql", content=update, headers={"Content-Type": "application/sparql-update"} | AUTH
    )
    if store_server is not None and (store_server.max_insert_data or 2_000) < 2_000:
        # the update goes to the server as written, and the server refuses it whole
        assert response.status_code == 400 and "could not be applied" in response.text
        return
    assert response.status_code == 204, response.text
    count = client.get(
        "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH <http://e/g> { ?s ?p ?o } }"}
    )
    assert count.json()["results"]["bindings"][0]["n"]["value"] == "2000"
