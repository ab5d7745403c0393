"""Real SPARQL clients against a real uvicorn: SPARQLWrapper, rdflib's SPARQLStore, httpx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from api.conftest import TOKEN
from api.live import LiveServer, live_server
from conftest import quiet_rdflib
from practicegraph.config import Settings

pytestmark = pytest.mark.slow

SCHEMA = "https://schema.org/"
DOCS = f"SELECT ?doc ?name WHERE {{ ?doc a <{SCHEMA}CreativeWork> ; <{SCHEMA}name> ?name }}"


@pytest.fixture
def server(corpus_settings: Settings) -> Iterator[LiveServer]:
    with live_server(corpus_settings.with_(token=TOKEN)) as live:
        yield live


def test_sparqlwrapper_select_ask_construct(server: LiveServer) -> None:
    endpoint = SPARQLWrapper(f"{server.url}/sparql")
    endpoint.setQuery(DOCS)
    endpoint.setReturnFormat(JSON)
    rows = endpoint.query().convert()["results"]["bindings"]  # type: ignore[index,call-overload]
    assert len(rows) == 5

    endpoint.setQuery(f"ASK {{ ?d a <{SCHEMA}CreativeWork> }}")
    assert endpoint.query().convert()["boolean"] is True  # type: ignore[index,call-overload]

    endpoint.setQuery(
        f"CONSTRUCT {{ ?d a <{SCHEMA}CreativeWork> }} WHERE {{ ?d a <{SCHEMA}CreativeWork> }}"
    )
    endpoint.setReturnFormat(TURTLE)
    turtle = endpoint.query().convert()
    graph = Graph().parse(data=turtle, format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 5

    endpoint.setMethod(POST)
    endpoint.setReturnFormat(JSON)
    endpoint.setQuery(DOCS)
    assert len(endpoint.query().convert()["results"]["bindings"]) == 5  # type: ignore[index,call-overload]


def test_sparqlwrapper_update_with_the_token(server: LiveServer) -> None:
    endpoint = SPARQLWrapper(f"{server.url}/sparql", updateEndpoint=f"{server.url}/sparql")
    endpoint.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    endpoint.setMethod(POST)
    endpoint.setQuery("INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> 'o' } }")
    endpoint.query()
    endpoint.setMethod("GET")
    endpoint.setReturnFormat(JSON)
    endpoint.setQuery("ASK { <http://e/s> <http://e/p> 'o' }")
    assert endpoint.query().convert()["boolean"] is True  # type: ignore[index,call-overload]


def test_rdflib_sparqlstore_as_a_remote_graph(server: LiveServer) -> None:
    with quiet_rdflib():
        graph = Graph(store=SPARQLStore(f"{server.url}/sparql"))
        names = {str(row[1]) for row in graph.query(DOCS)}  # type: ignore[index]
        assert len(names) == 5
        docs = list(
            graph.subjects(
                URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                URIRef(f"{SCHEMA}CreativeWork"),
            )
        )
        assert len(docs) == 5


def test_httpx_client_and_search_side_by_side(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        sparql = http.get("/sparql", params={"query": DOCS}, headers={"Accept": "text/csv"})
        assert sparql.status_code == 200 and sparql.text.startswith("doc,name\r\n")
        search = http.get("/search", params={"q": "probation"})
        assert search.status_code == 200 and search.json()["total"] > 0
        many = "SELECT * WHERE { ?s ?p ?o } LIMIT 200"
        gzip = http.get("/sparql", params={"query": many}, headers={"Accept-Encoding": "gzip"})
        assert gzip.headers.get("content-encoding") == "gzip"
