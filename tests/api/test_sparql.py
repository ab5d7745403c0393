"""/sparql in-process: query forms, formats, conneg, the service description, errors, updates."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from api.conftest import client_for
from conftest import quiet_rdflib
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from sparql_servers import SparqlServer

SCHEMA = "https://schema.org/"
DOCS = f"SELECT ?doc ?name WHERE {{ ?doc a <{SCHEMA}CreativeWork> ; <{SCHEMA}name> ?name }}"
CONSTRUCT = (
    f"CONSTRUCT {{ ?doc <{SCHEMA}name> ?name }} "
    f"WHERE {{ ?doc a <{SCHEMA}CreativeWork> ; <{SCHEMA}name> ?name }}"
)
SPARQL_JSON = "application/sparql-results+json"


def _error(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message", "detail"}
    assert body["error"]["status"] == response.status_code  # type: ignore[attr-defined]
    return body["error"]  # type: ignore[no-any-return]


def test_select_by_get_form_and_direct_post_agree(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": DOCS})
    by_form = client.post("/sparql", data={"query": DOCS})
    by_body = client.post(
        "/sparql/", content=DOCS, headers={"Content-Type": "application/sparql-query"}
    )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == SPARQL_JSON
    rows = by_get.json()["results"]["bindings"]
    assert by_get.json()["head"]["vars"] == ["doc", "name"]
    assert len(rows) == 5 and all(row["doc"]["type"] == "uri" for row in rows)
    assert by_form.json() == by_get.json() == by_body.json()


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv", None, "text/csv; charset=utf-8"),
        ("text/tab-separated-values", None, "text/tab-separated-values; charset=utf-8"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "csv", "text/csv; charset=utf-8"),
        ("*/*", None, SPARQL_JSON),
    ],
)
def test_select_results_formats(
    client: TestClient, accept: str, fmt: str | None, media: str
) -> None:
    params = {"query": DOCS, **({"format": fmt} if fmt else {})}
    response = client.get("/sparql", params=params, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == media
    if media.startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["doc", "name"] and len(rows) == 6
    if media.startswith("text/tab"):
        lines = response.text.splitlines()
        assert lines[0] == "?doc\t?name" and lines[1].startswith("<")
    if "xml" in media:
        assert "<sparql" in response.text and response.text.count("<result>") == 5


def test_ask_and_union_default_graph(client: TestClient) -> None:
    ask = f"ASK {{ ?doc a <{SCHEMA}CreativeWork> }}"
    assert client.get("/sparql", params={"query": ask}).json() == {"head": {}, "boolean": True}
    # A protocol-given dataset replaces the union view.
    narrowed = client.get(
        "/sparql", params={"query": ask, "default-graph-uri": "http://example.org/none"}
    )
    assert narrowed.json()["boolean"] is False
    xml = client.get("/sparql", params={"query": ask}, headers={"Accept": "application/xml"})
    assert xml.headers["content-type"] == "application/sparql-results+xml"
    assert "<boolean>true</boolean>" in xml.text


def test_construct_in_every_rdf_format_means_the_same(client: TestClient) -> None:
    graphs = {}
    for accept, rdflib_format in [
        (None, "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ]:
        headers = {"Accept": accept} if accept else {}
        response = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
        assert response.status_code == 200
        expected = accept or "text/turtle"
        assert response.headers["content-type"].split(";")[0] == expected
        with quiet_rdflib():
            graphs[rdflib_format] = Graph().parse(data=response.content, format=rdflib_format)
    assert len(graphs["turtle"]) == 5
    for graph in graphs.values():
        assert isomorphic(graph, graphs["turtle"])
    by_param = client.get("/sparql", params={"query": CONSTRUCT, "format": "nt"})
    assert by_param.headers["content-type"].startswith("application/n-triples")


def test_describe(client: TestClient) -> None:
    doc = client.get("/sparql", params={"query": DOCS}).json()["results"]["bindings"][0]
    response = client.get("/sparql", params={"query": f"DESCRIBE <{doc['doc']['value']}>"})
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef(doc["doc"]["value"]), None, None) in graph


def test_service_description(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    services = list(graph.subjects(URIRef(sd + "endpoint"), None))
    assert len(services) == 1
    features = set(graph.objects(services[0], URIRef(sd + "feature")))
    assert URIRef(sd + "UnionDefaultGraph") in features
    assert URIRef(sd + "BasicFederatedQuery") not in features  # no allow-list here
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"] == "application/ld+json"
    with quiet_rdflib():
        assert isomorphic(Graph().parse(data=jsonld.content, format="json-ld"), graph)


def test_syntax_error_in_the_envelope_with_line_and_column(
    client: TestClient, store_server: SparqlServer | None
) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }"}
    )
    assert response.status_code == 400
    error = _error(response)
    message = error["message"]
    assert isinstance(message, str) and "\n" not in message
    assert message.startswith("the SPARQL query does not parse: line 3")
    detail = error["detail"]
    assert isinstance(detail, dict) and detail["problem"] in message
    if store_server is not None and not store_server.parser_columns:
        assert detail["line"] == 3 and "column" not in detail  # the server's own parser
        return
    assert (detail["line"], detail["column"]) == (3, 18) and "expected" in detail["problem"]
    assert message.startswith("the SPARQL query does not parse: line 3, column 18: expected")
    assert "[" not in message  # no character classes from the grammar


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ({"params": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400),
        ({"params": {"update": "CLEAR ALL"}}, 400),  # update by GET
        ({"params": {"query": "ASK {}", "timeout": "nope"}}, 400),
        ({"params": {"query": "ASK {}", "format": "yaml"}}, 400),
        ({"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400),
        ({"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
        # an empty query is refused up front, even with the shortest time limit
        ({"params": {"query": "  ", "timeout": "0.1"}}, 400),
    ],
)
def test_protocol_errors_by_get(client: TestClient, kwargs: dict[str, object], status: int) -> None:
    response = client.get("/sparql", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    _error(response)


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"ASK {}", "text/plain", 415),
        (b"ASK {}", None, 400),
        (b"ASK {}", "application/sparql-query; charset=UTF-16", 400),
        ('ASK { ?s ?p "caf\xe9" }'.encode("latin-1"), "application/sparql-query", 400),
        (b"query=ASK%20%7B%7D&update=CLEAR%20ALL", "application/x-www-form-urlencoded", 400),
        (b"query=%E9", "application/x-www-form-urlencoded", 400),
        (b"", "application/x-www-form-urlencoded", 400),
        (b"query=&timeout=0.1", "application/x-www-form-urlencoded", 400),
    ],
)
def test_protocol_errors_by_post(
    client: TestClient, content: bytes, content_type: str | None, status: int
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=content, headers=headers)
    assert response.status_code == status, response.text
    _error(response)


def test_wrong_method_in_the_envelope(client: TestClient) -> None:
    response = client.put("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 405
    _error(response)


def test_update_needs_the_token(client: TestClient, auth: dict[str, str]) -> None:
    update = {"update": "INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> 1 } }"}
    missing = client.post("/sparql", data=update)
    assert missing.status_code == 401 and "Bearer" in missing.headers["www-authenticate"]
    wrong = client.post("/sparql", data=update, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    _error(wrong)
    assert client.post("/sparql", data=update, headers=auth).status_code == 204
    ask = client.get("/sparql", params={"query": "ASK { <http://e/s> <http://e/p> 1 }"})
    assert ask.json()["boolean"] is True


@pytest.fixture
def read_only_client(corpus_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    with client_for(corpus_settings.with_(token=None), extractor) as test_client:
        yield test_client


def test_without_a_configured_token_writes_are_refused_with_403(
    read_only_client: TestClient,
) -> None:
    response = read_only_client.post(
        "/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )
    assert response.status_code == 403
    assert "read-only" in _error(response)["message"]  # type: ignore[operator]


def test_update_errors(
    client: TestClient, auth: dict[str, str], store_server: SparqlServer | None
) -> None:
    bad = client.post("/sparql", data={"update": "CLEAR XYZ"}, headers=auth)
    assert bad.status_code == 400
    detail = _error(bad)["detail"]
    columns = store_server is None or store_server.parser_columns
    assert isinstance(detail, dict) and detail["line"] == 1
    assert detail.get("column") == (10 if columns else None)
    missing = client.post("/sparql", data={"update": "DROP GRAPH <http://e/none>"}, headers=auth)
    assert missing.status_code == 400 and "could not be applied" in missing.text
    conflict = client.post(
        "/sparql",
        params={"using-graph-uri": "http://e/g"},
        data={"update": "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"},
        headers=auth,
    )
    assert conflict.status_code == 400
    _error(conflict)


def test_using_graph_uri_sets_the_update_dataset(client: TestClient, auth: dict[str, str]) -> None:
    setup = (
        "INSERT DATA { GRAPH <http://e/a> { <http://e/x> a <http://e/T> } "
        "GRAPH <http://e/b> { <http://e/y> a <http://e/T> } }"
    )
    assert client.post("/sparql", data={"update": setup}, headers=auth).status_code == 204
    copy = (
        "INSERT { GRAPH <http://e/out> { ?s a <http://e/Copied> } } WHERE { ?s a <http://e/T> } ;"
        " DELETE WHERE { GRAPH <http://e/b> { ?s a <http://e/T> } }"
    )
    response = client.post(
        "/sparql", params={"using-graph-uri": "http://e/a"}, data={"update": copy}, headers=auth
    )
    assert response.status_code == 204, response.text
    rows = client.get(
        "/sparql", params={"query": "SELECT ?s WHERE { GRAPH <http://e/out> { ?s ?p ?o } }"}
    ).json()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == ["http://e/x"]
    # DELETE WHERE gets the dataset too: http://e/a is its default graph, so b keeps y.
    still = client.get("/sparql", params={"query": "ASK { GRAPH <http://e/b> { ?s ?p ?o } }"})
    assert still.json()["boolean"] is True


def _first_document(client: TestClient) -> tuple[str, str, str]:
    query = (
        f"SELECT ?g ?doc ?name WHERE {{ GRAPH ?g {{ ?doc a <{SCHEMA}CreativeWork> ; "
        f"<{SCHEMA}name> ?name }} }} ORDER BY ?doc LIMIT 1"
    )
    row = client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]
    return row["g"]["value"], row["doc"]["value"], row["name"]["value"]


def _search_documents(client: TestClient, q: str) -> list[str]:
    body = client.get("/search", params={"q": q, "kind": "document"}).json()
    return [hit["document"] for hit in body["hits"]]


def test_an_update_that_renames_a_document_changes_search(
    client: TestClient, auth: dict[str, str]
) -> None:
    graph, doc, _name = _first_document(client)
    assert _search_documents(client, "quokka") == []
    rename = f"""PREFIX schema: <{SCHEMA}>
        DELETE {{ GRAPH <{graph}> {{ <{doc}> schema:name ?old }} }}
        INSERT {{ GRAPH <{graph}> {{ <{doc}> schema:name "The Quokka Programme" }} }}
        WHERE {{ GRAPH <{graph}> {{ <{doc}> schema:name ?old }} }}"""
    assert client.post("/sparql", data={"update": rename}, headers=auth).status_code == 204
    assert _search_documents(client, "quokka") == [doc]
    # A write that can touch any graph (GRAPH ?g) reindexes everything; dropping
    # the document's graph removes it from search.
    drop = (
        "DELETE { GRAPH ?g { ?s ?p ?o } } "
        f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{graph}>) }}"
    )
    assert client.post("/sparql", data={"update": drop}, headers=auth).status_code == 204
    assert _search_documents(client, "quokka") == []


def test_json_results_are_valid_sparql_json(
    client: TestClient, auth: dict[str, str], store_server: SparqlServer | None
) -> None:
    blank = "BIND(BNODE() AS ?x)"
    if store_server is not None and not store_server.bnode_function:
        data = "INSERT { GRAPH <http://e/g> { _:b <http://e/p> 1 } } WHERE {}"
        assert client.post("/sparql", data={"update": data}, headers=auth).status_code == 204
        blank = "GRAPH <http://e/g> { ?x <http://e/p> ?one }"
    query = (
        'SELECT ?x ?l WHERE { { BIND(<http://e/a> AS ?x) BIND("chat"@fr AS ?l) } '
        f"UNION {{ {blank} BIND(1 AS ?l) }} }}"
    )
    body = json.loads(client.get("/sparql", params={"query": query}).content)
    rows = body["results"]["bindings"]
    assert rows[0]["l"] == {"type": "literal", "value": "chat", "xml:lang": "fr"}
    assert rows[1]["x"]["type"] == "bnode"
    assert rows[1]["l"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
