"""No query or update makes the server send a request outside the SERVICE allow-list.

Every refused form is sent, with and without the write token, while two real
HTTP listeners on loopback count what reaches them: one stands for an internal
service (never allow-listed), the other is the allow-listed endpoint, which
answers with an error page holding a secret that must never come back to the
client.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from api.conftest import TOKEN, client_for
from practicegraph.api.query_runner import QueryFailedError, QueryJob
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from sparql_servers import SparqlServer

SECRET = "internal-admin-secret-7c1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Listener:
    """A loopback HTTP server that records each request and answers 500 with a secret."""

    url: str
    requests: list[str] = field(default_factory=list)


def _listening() -> Iterator[Listener]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append(f"{self.command} {self.path}")
            body = f"<html>{SECRET}</html>".encode()
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _answer  # noqa: N815

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def internal() -> Iterator[Listener]:
    """An internal service nobody allow-listed."""
    yield from _listening()


@pytest.fixture
def allowed() -> Iterator[Listener]:
    """The one allow-listed SERVICE endpoint (it fails, with a secret in its answer)."""
    yield from _listening()


@pytest.fixture
def guarded(
    api_settings: Settings, extractor: Extractor, allowed: Listener
) -> Iterator[TestClient]:
    settings = api_settings.with_(service_allowlist=f"{allowed.url}/sparql")
    with client_for(settings, extractor) as test_client:
        yield test_client


def _queries(target: str) -> list[str]:
    host = target.removeprefix("http://")
    return [
        # the probe's: the scanner took <'x> for an IRI and SERVICE for a string
        f"SELECT * WHERE {{ BIND(\"a\" AS ?a) FILTER(?a<'x>' || true) "
        f"SERVICE <{target}/internal-admin> {{ ?x ?y ?z }} BIND('' AS ?q) }}",
        f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ sErViCe silent <{target}/a> {{ ?s ?p ?o }} }}",
        f"PREFIX in: <{target}/> SELECT * WHERE {{ SERVICE in:admin {{ ?s ?p ?o }} }}",
        f"BASE <{target}/> SELECT * WHERE {{ SERVICE <admin> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVIC\\u0045 <{target}/escaped> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}/v> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{target}/f> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}/sub> {{ ?s ?p ?o }} }} }} }}",
        # a comment and strings holding quote characters and brackets around it
        f"SELECT * WHERE {{ # a comment with <' and \"\n"
        f"  BIND('''it's \"}}\"''' AS ?t) SERVICE <{target}/c> {{ ?s ?p ?o }} }}",
        f'SELECT * WHERE {{ BIND("say \\"<" AS ?t) SERVICE <{target}/q> {{ ?s ?p ?o }} }}',
        f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o < 3) SERVICE <http://{host}/lt> {{ ?s ?p ?o }} }}",
        # the engine ends a comment at a lone carriage return; rdflib's grammar does not
        f"SELECT * WHERE {{ # note\rSERVICE <{target}/cr> {{ ?s ?p ?o }} \n }}",
        # rdflib expands \u escapes everywhere, the engine only in strings: "\u0022" is
        # one character to the engine and opens a long string for rdflib
        'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <' + target + '/u> { } } #""" }',
    ]


def _updates(target: str) -> list[str]:
    return [
        f"LOAD <{target}/dump.ttl>",
        f"LOAD SILENT <{target}/dump.ttl> INTO GRAPH <http://example.org/g>",
        f"PREFIX in: <{target}/> LOAD in:dump",
        f"INSERT DATA {{ <http://e/s> <http://e/p> 1 }} ; load <{target}/second>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ BIND(1 AS ?a) FILTER(?a<'x>' || true) "
        f"SERVICE <{target}/admin> {{ ?s ?p ?o }} BIND('' AS ?q) }}",
        f"INSERT DATA {{ <http://e/a> <http://e/b> <http://e/c> }} # note\r; LOAD <{target}/cr>\n",
        'INSERT DATA { <http://e/a> <http://e/b> "\\u0022" } ; LOAD <' + target + '/u> #""" }',
    ]


@pytest.mark.parametrize("index", range(len(_queries("http://x"))))
@pytest.mark.parametrize("token", [False, True], ids=["anonymous", "token"])
def test_queries_calling_outside_the_allow_list_are_refused_unsent(
    guarded: TestClient, internal: Listener, index: int, token: bool
) -> None:
    query = _queries(internal.url)[index]
    headers = AUTH if token else {}
    by_get = guarded.get("/sparql", params={"query": query}, headers=headers)
    by_post = guarded.post(
        "/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query"} | headers,
    )
    for response in (by_get, by_post):
        assert response.status_code == 400, response.text
        assert "SERVICE" in response.json()["error"]["message"]
    assert internal.requests == []


@pytest.mark.embedded_only  # the query workers' sandbox; on a server the server calls out
def test_query_workers_cannot_reach_the_network_when_nothing_is_allow_listed(
    client: TestClient, internal: Listener
) -> None:
    """The second line of defence: were a query to slip past the parser, the engine
    in the worker still could not open a socket (the runner is asked directly here)."""
    runner = client.app.state.queries  # type: ignore[attr-defined]
    assert runner.network is False
    job = QueryJob(f"SELECT * WHERE {{ SERVICE <{internal.url}/direct> {{ ?s ?p ?o }} }}")
    with pytest.raises(QueryFailedError):
        runner.run(job, 10)
    assert internal.requests == []


@pytest.mark.embedded_only  # the query workers' sandbox
def test_with_an_allow_list_the_workers_keep_their_network(guarded: TestClient) -> None:
    assert guarded.app.state.queries.network is True  # type: ignore[attr-defined]


@pytest.mark.parametrize("index", range(len(_updates("http://x"))))
def test_updates_that_load_or_call_out_are_refused_unsent(
    guarded: TestClient, internal: Listener, index: int
) -> None:
    update = _updates(internal.url)[index]
    before = guarded.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    response = guarded.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert "LOAD" in message or "SERVICE" in message
    assert internal.requests == []
    after = guarded.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    assert after == before  # nothing of a refused update was applied


def test_loading_a_local_file_is_a_client_error(guarded: TestClient) -> None:
    response = guarded.post("/sparql", data={"update": "LOAD <file:///etc/passwd>"}, headers=AUTH)
    assert response.status_code == 400
    assert "LOAD is off" in response.json()["error"]["message"]


def test_the_allow_listed_endpoint_is_called_and_its_answer_never_echoed(
    guarded: TestClient, allowed: Listener, internal: Listener, store_server: SparqlServer | None
) -> None:
    if store_server is not None and not store_server.service_calls:
        pytest.skip(f"{store_server.name}'s query user may not call SERVICE (the server's grants)")
    query = f"SELECT * WHERE {{ SERVICE <{allowed.url}/sparql> {{ ?s ?p ?o }} }}"
    response = guarded.get("/sparql", params={"query": query})
    assert response.status_code == 502
    assert SECRET not in response.text
    assert allowed.requests and all(
        r.endswith(("/sparql", "/sparql?")) or "/sparql" in r for r in allowed.requests
    )
    update = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{allowed.url}/sparql> {{ ?s ?p ?o }} }}"
    updated = guarded.post("/sparql", data={"update": update}, headers=AUTH)
    assert updated.status_code == 502
    assert SECRET not in updated.text
    assert internal.requests == []


def test_a_request_the_checker_cannot_read_does_not_run(
    guarded: TestClient, internal: Listener
) -> None:
    """Mentions SERVICE, and is not SPARQL 1.1 the checking parser reads: refused, unsent."""
    query = f"SELECT * WHERE {{ SERVICE <{internal.url}/x> {{ ?s ?p ?o }} }} trailing junk"
    response = guarded.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "could not be checked" in response.json()["error"]["message"]
    assert internal.requests == []


def test_words_service_and_load_in_data_are_no_obstacle(guarded: TestClient) -> None:
    query = 'SELECT ?s WHERE { ?s ?p "Probation service; download and load" } LIMIT 1'
    assert guarded.get("/sparql", params={"query": query}).status_code == 200
    update = (
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/service> "
        '<http://example.org/p> "load the service" } }'
    )
    assert guarded.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
