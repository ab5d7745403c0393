"""Limits that hold: query time limit (the worker is killed), row cap, body cap, SERVICE."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.conftest import TOKEN, client_for
from api.live import LiveServer, free_port, live_server
from practicegraph.api.server_queries import ServerQueryRunner
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor

#: A cross join over 3,000 triples: 2.7e10 rows to count, far beyond any limit.
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://e/p> ?x . ?b <http://e/p> ?y . ?c <http://e/p> ?z }"
)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _generated_triples(n: int = 3000) -> bytes:
    """Turtle for a PUT to /graph-store (written in pieces every store server takes)."""
    return "".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(n)).encode()


GENERATED = {"graph": "http://e/generated"}
TURTLE = {"Content-Type": "text/turtle"}


@contextlib.contextmanager
def _live_with_triples(settings: Settings) -> Iterator[tuple[LiveServer, httpx.Client]]:
    """A live server whose store holds the generated triples SLOW crosses, and a client."""
    with live_server(settings) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        http.put(
            "/graph-store", params=GENERATED, content=_generated_triples(), headers=TURTLE | AUTH
        ).raise_for_status()
        yield server, http


@pytest.fixture
def limited(api_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """The app with small limits: 5 rows, 4 KB bodies, one allow-listed SERVICE endpoint."""
    settings = api_settings.with_(
        max_rows=5,
        max_body_bytes=4096,
        query_timeout=5.0,
        max_query_timeout=10.0,
        service_allowlist=f"http://127.0.0.1:{free_port()}/sparql",
    )
    with client_for(settings, extractor) as test_client:
        yield test_client


def test_a_slow_query_is_stopped_and_its_worker_replaced(client: TestClient) -> None:
    insert = client.put(
        "/graph-store", params=GENERATED, content=_generated_triples(), headers=TURTLE | AUTH
    )
    assert insert.status_code == 201
    runner = client.app.state.queries  # type: ignore[attr-defined]
    before = set(runner.worker_pids())
    started = time.monotonic()
    response = client.get("/sparql", params={"query": SLOW, "timeout": "1"})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    error = response.json()["error"]
    assert "time limit of 1 s" in error["message"] and error["detail"]["timeout"] == 1.0
    assert elapsed >= 0.9  # it ran to its limit (a busy machine only makes this longer)
    if isinstance(runner, ServerQueryRunner):
        assert runner.in_flight == 0  # the request to the server was abandoned
    else:
        after = set(runner.worker_pids())
        assert len(after) == 2 and len(before - after) == 1  # the busy one was killed
    ok = client.get(
        "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://e/p> ?o }"}
    )
    assert ok.status_code == 200
    assert ok.json()["results"]["bindings"][0]["n"]["value"] == "3000"


def test_timeout_parameter_is_bounded(client: TestClient) -> None:
    for value in ("0", "-1", "61", "1e9"):
        response = client.get("/sparql", params={"query": "ASK {}", "timeout": value}, headers=AUTH)
        assert response.status_code == 400, value
        assert response.json()["error"]["detail"]["max"] == 60.0


def test_row_cap_is_signalled(limited: TestClient) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    response = limited.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 5
    assert response.headers["PracticeGraph-Results-Truncated"] == "true"
    assert response.headers["PracticeGraph-Results-Limit"] == "5"
    small = limited.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"})
    assert "PracticeGraph-Results-Truncated" not in small.headers
    graph = limited.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert len(graph.text.strip().splitlines()) == 5
    assert graph.headers["PracticeGraph-Results-Truncated"] == "true"


def test_body_cap_before_and_while_reading(limited: TestClient) -> None:
    big = b"ASK { } # " + b"x" * 5000
    declared = limited.post(
        "/sparql", content=big, headers={"Content-Type": "application/sparql-query"}
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["detail"] == {"max_body_bytes": 4096}

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield from (big[i : i + 1000] for i in range(0, len(big), 1000))

    streamed = limited.post(
        "/graph-store",
        params={"graph": "http://e/g"},
        content=chunks(),
        headers={"Content-Type": "text/turtle"} | AUTH,
    )
    assert streamed.status_code == 413


def test_service_is_refused_unless_allow_listed(limited: TestClient) -> None:
    refused = limited.get(
        "/sparql",
        params={
            "query": "PREFIX e: <http://evil.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }"
        },
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "federation is off" in error["message"]
    assert error["detail"]["refused"] == ["http://evil.example/sparql"]
    variable = limited.get("/sparql", params={"query": "SELECT * { SERVICE ?x { ?s ?p ?o } }"})
    assert variable.status_code == 400
    allowed = next(iter(limited.app.state.settings.service_allowlist_iris))  # type: ignore[attr-defined]
    # Allow-listed: the query runs (and fails: nothing listens on that port).
    called = limited.get(
        "/sparql", params={"query": f"SELECT * {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}"}
    )
    assert called.status_code == 502  # the remote side failed; its answer is not passed on
    assert called.json()["error"]["message"].startswith("the query calls SERVICE")


#: How long the slow query's client waits before it gives up (and the server stops
#: the query): searches stalled behind the query would end only after its time limit.
GIVE_UP = 10.0


@pytest.mark.slow
def test_a_slow_query_does_not_stall_search(corpus_settings: Settings) -> None:
    """Searches and a quick query are answered while a slow query runs: before its
    client gives up, where a stalled search would wait for the query's time limit."""
    settings = corpus_settings.with_(token=TOKEN, max_query_timeout=60.0)
    with _live_with_triples(settings) as (server, http):
        gave_up = threading.Event()

        def slow() -> None:
            with httpx.Client(base_url=server.url, timeout=GIVE_UP) as other:
                try:
                    other.get("/sparql", params={"query": SLOW, "timeout": "50"}, headers=AUTH)
                except httpx.ReadTimeout:
                    gave_up.set()

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.5)  # the query is running in a worker now
        for _ in range(5):
            assert http.get("/search", params={"q": "probation"}).status_code == 200
            assert thread.is_alive(), "a search waited for the slow query"
        # A second, quick SPARQL query meanwhile goes to the other worker.
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        assert thread.is_alive(), "the quick query waited for the slow one"
        thread.join()
        assert gave_up.is_set(), "the slow query ended before its client gave up"


@pytest.mark.slow
def test_a_query_whose_client_goes_away_is_stopped(corpus_settings: Settings) -> None:
    """Closing the connection (a researcher stopping a query, a tab closed) frees the
    worker at once instead of after the query's time limit."""
    settings = corpus_settings.with_(token=TOKEN, max_query_timeout=60.0)
    with _live_with_triples(settings) as (server, http):
        runner = server.app_state.queries  # type: ignore[attr-defined]
        before = set(runner.worker_pids())
        with pytest.raises(httpx.ReadTimeout):  # the client gives up after half a second
            httpx.get(
                f"{server.url}/sparql",
                params={"query": SLOW, "timeout": "50"},
                headers=AUTH,  # a time limit this long needs the token
                timeout=0.5,
            )
        deadline = time.monotonic() + 30  # only a hang waits this long
        if isinstance(runner, ServerQueryRunner):  # no workers: the request is dropped
            while runner.in_flight and time.monotonic() < deadline:
                time.sleep(0.05)
            assert runner.in_flight == 0, "the abandoned query should have left the server"
        else:
            while before <= set(runner.worker_pids()) and time.monotonic() < deadline:
                time.sleep(0.05)
            replaced = before - set(runner.worker_pids())
            assert len(replaced) == 1, "the abandoned query's worker should have been replaced"
            assert len(runner.worker_pids()) == len(before)
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
