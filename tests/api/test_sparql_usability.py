"""/sparql as a researcher meets it: predefined prefixes, readable parser errors, the
editor for browsers, and an IRI for the store's own default graph (issue 16)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from conftest import quiet_rdflib
from practicegraph.graph.snapshot_worker import DEFAULT_GRAPH_IRI
from practicegraph.graph.sparql_store import DEFAULT_STANDIN
from practicegraph.graph.sparql_syntax import PREDEFINED
from sparql_servers import SparqlServer

JSON = {"Accept": "application/sparql-results+json"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _rows(response: object) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    bindings = response.json()["results"]["bindings"]  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


# -- predefined prefixes ------------------------------------------------------------------
def test_a_query_may_use_the_predefined_prefixes_undeclared(client: TestClient) -> None:
    events = _rows(
        client.get(
            "/sparql", params={"query": "SELECT ?e WHERE { ?e a schema:Event }"}, headers=JSON
        )
    )
    spelt_out = _rows(
        client.get(
            "/sparql",
            params={"query": "SELECT ?e WHERE { ?e a <https://schema.org/Event> }"},
            headers=JSON,
        )
    )
    assert events and sorted(map(str, events)) == sorted(map(str, spelt_out))
    # several prefixes, a property path and a blank node label together
    practices = _rows(
        client.post(
            "/sparql",
            data={
                "query": "SELECT ?label WHERE { ?p a pg:Practice ; schema:about/skos:prefLabel "
                '?label . _:x oa:hasBody ?p FILTER (LANG(?label) = "en") } LIMIT 3'
            },
            headers=JSON,
        )
    )
    assert len(practices) == 3


def test_a_query_s_own_prefix_declaration_wins(client: TestClient) -> None:
    query = "PREFIX schema: <http://example.org/not-schema/>\nASK { ?e a schema:Event }"
    response = client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200 and response.json()["boolean"] is False
    # and the predefined one, undeclared, finds the events
    response = client.get("/sparql", params={"query": "ASK { ?e a schema:Event }"}, headers=JSON)
    assert response.json()["boolean"] is True


def test_relative_iris_still_resolve_against_the_base_with_prefixes_added(
    client: TestClient, store_server: SparqlServer | None
) -> None:
    query = "SELECT ?here WHERE { BIND(<me> AS ?here) FILTER(?here != schema:Thing) }"
    rows = _rows(client.get("/sparql", params={"query": query}, headers=JSON))
    assert rows[0]["here"].endswith("/me")
    based = (
        "BASE <http://example.org/a/>\n"
        "SELECT ?here WHERE { BIND(<me> AS ?here) ?s a schema:Event } LIMIT 1"
    )
    answer = client.get("/sparql", params={"query": based}, headers=JSON)
    if store_server is not None and store_server.name == "virtuoso":
        # Virtuoso refuses a query's own BASE after the endpoint's (the service sends
        # one in front of every query), with the prefix spelt out just the same
        spelt_out = based.replace("schema:Event", "<https://schema.org/Event>")
        refused = client.get("/sparql", params={"query": spelt_out}, headers=JSON)
        assert answer.status_code == refused.status_code == 400
        assert answer.json()["error"]["message"] == refused.json()["error"]["message"]
        return
    assert _rows(answer)[0]["here"] == "http://example.org/a/me"


def test_an_update_may_use_the_predefined_prefixes(
    client: TestClient, auth: dict[str, str]
) -> None:
    graph = "http://example.org/usability/g"
    update = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/usability/x> "
        'a schema:Event ; schema:name "A usability day"@en ; pg:confidence "0.5"^^xsd:decimal } }'
    )
    response = client.post("/sparql", data={"update": update}, headers=auth)
    assert response.status_code == 204, response.text
    rows = _rows(
        client.get(
            "/sparql",
            params={"query": f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?x schema:name ?n }} }}"},
            headers=JSON,
        )
    )
    assert rows == [{"n": "A usability day"}]


# -- parser errors in one line ---------------------------------------------------------------
def test_an_unknown_prefix_is_named_with_its_place_in_the_user_s_text(
    client: TestClient, store_server: SparqlServer | None
) -> None:
    query = "SELECT * WHERE {\n  ?s a schema:Event ;\n     sdo:name ?n }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    error = response.json()["error"]
    message = error["message"]
    assert "\n" not in message and "expected one of" not in message and "[" not in message
    assert message.startswith("the SPARQL query does not parse: line 3, column 6: ")
    assert "unknown prefix 'sdo:'" in message
    assert all(f"{name}" in message for name in ("schema", "skos", "dcterms", "oa", "prov", "pg"))
    assert error["detail"]["line"] == 3 and error["detail"]["column"] == 6


def test_an_error_on_the_first_line_has_the_user_s_column_not_the_prefixed_one(
    client: TestClient, store_server: SparqlServer | None
) -> None:
    # schema: is added in front of line 1; the error's column is still the user's: the
    # one the same line has when the query declares the prefix itself, on a line above
    query = "SELECT ?s WHERE { ?s a schema:Event FILTER(?s = ) }"
    declared = "PREFIX schema: <https://schema.org/>\n" + query
    undeclared = client.get("/sparql", params={"query": query}).json()["error"]
    own = client.get("/sparql", params={"query": declared}).json()["error"]
    assert undeclared["detail"]["line"] == 1 and own["detail"]["line"] == 2
    if store_server is None or store_server.parser_columns:
        column = own["detail"]["column"]
        assert undeclared["detail"]["column"] == column <= len(query) + 1
        assert undeclared["message"].startswith(
            f"the SPARQL query does not parse: line 1, column {column}: "
        )


def test_an_update_that_does_not_parse_says_where_in_one_line(
    client: TestClient, auth: dict[str, str], store_server: SparqlServer | None
) -> None:
    update = (
        "INSERT DATA { GRAPH <http://example.org/g> {\n  <http://example.org/x> a nope:Person } }"
    )
    response = client.post("/sparql", data={"update": update}, headers=auth)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith(
        "the SPARQL update does not parse: line 2, column 28: unknown prefix 'nope:'"
    )
    assert (error["detail"]["line"], error["detail"]["column"]) == (2, 28)


# -- the editor for browsers, the description for RDF clients ----------------------------------
def test_a_browser_opening_sparql_gets_the_query_editor(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="yasgui"' in page.text and "yasgui.min.js" in page.text
    assert "Accept" in page.headers["vary"]
    assert 'id="prefixes-data"' in page.text and 'id="local-iris-data"' in page.text
    assert (
        client.get("/sparql", params={"format": "html"})
        .headers["content-type"]
        .startswith("text/html")
    )


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "application/ld+json"])
def test_rdf_clients_still_get_the_service_description(
    client: TestClient, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", headers=headers)
    assert response.status_code == 200
    assert not response.headers["content-type"].startswith("text/html")
    fmt = "json-ld" if accept == "application/ld+json" else "turtle"
    with quiet_rdflib():
        graph = Graph().parse(data=response.content, format=fmt)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(graph.subjects(URIRef(sd + "endpoint"), None))


def test_a_browser_with_a_query_still_gets_results(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK { ?s a schema:Event }"}, headers={"Accept": BROWSER}
    )
    assert response.status_code == 200 and not response.headers["content-type"].startswith(
        "text/html"
    )


# -- the store's own default graph ---------------------------------------------------------------
def test_one_iri_names_the_default_graph_on_every_backend() -> None:
    assert DEFAULT_GRAPH_IRI == DEFAULT_STANDIN == "urn:x-practicegraph:default-graph"


def test_default_graph_uri_can_select_the_store_s_own_default_graph(
    client: TestClient, auth: dict[str, str], store_server: SparqlServer | None
) -> None:
    turtle = '<http://example.org/dg/x> <https://schema.org/name> "in the default graph" .'
    put = client.put(
        "/graph-store?default", content=turtle, headers={"Content-Type": "text/turtle"} | auth
    )
    assert put.status_code in (201, 204), put.text
    query = "SELECT ?n WHERE { <http://example.org/dg/x> schema:name ?n }"
    selected = client.get(
        "/sparql", params={"query": query, "default-graph-uri": DEFAULT_GRAPH_IRI}, headers=JSON
    )
    rows = _rows(selected)
    if store_server is not None and store_server.has_default_graph:
        # an Oxigraph server: the protocol has no name for its own default graph, which
        # the service writes to; the IRI names an empty graph there (README)
        assert rows == []
        return
    assert rows == [{"n": "in the default graph"}]
    # only that graph: the documents' statements are not in it
    events = client.get(
        "/sparql",
        params={"query": "ASK { ?e a schema:Event }", "default-graph-uri": DEFAULT_GRAPH_IRI},
        headers=JSON,
    )
    assert events.json()["boolean"] is False


def test_the_editor_lists_the_predefined_prefixes(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert all(f"<code>{name}:</code>" in page for name in PREDEFINED)
