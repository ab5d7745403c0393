"""/graph-store in-process: read, replace, merge, create, delete; formats and errors."""

from __future__ import annotations

from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import quiet_rdflib

G = "http://example.org/graphs/people"
TURTLE = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/alice> a foaf:Person ; foaf:name "Alice" ; foaf:knows [ foaf:name "Bob" ] .
"""
TTL = {"Content-Type": "text/turtle; charset=utf-8"}


def _envelope(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body["error"]) == {"status", "message", "detail"}
    return body["error"]  # type: ignore[no-any-return]


def test_put_get_round_trip_in_every_format(client: TestClient, auth: dict[str, str]) -> None:
    created = client.put("/graph-store", params={"graph": G}, content=TURTLE, headers=TTL | auth)
    assert created.status_code == 201
    again = client.put("/graph-store", params={"graph": G}, content=TURTLE, headers=TTL | auth)
    assert again.status_code == 204
    want = Graph().parse(data=TURTLE, format="turtle")
    for accept, fmt in [
        (None, "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ]:
        headers = {"Accept": accept} if accept else {}
        response = client.get("/graph-store", params={"graph": G}, headers=headers)
        assert response.status_code == 200
        with quiet_rdflib():
            assert isomorphic(Graph().parse(data=response.content, format=fmt), want), fmt
    nquads = client.get(
        "/graph-store", params={"graph": G}, headers={"Accept": "application/n-quads"}
    )
    assert nquads.status_code == 406
    _envelope(nquads)
    head = client.head("/graph-store", params={"graph": G})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "text/turtle; charset=utf-8"


def test_post_merges_and_bodies_in_other_syntaxes(client: TestClient, auth: dict[str, str]) -> None:
    client.put("/graph-store", params={"graph": G}, content=TURTLE, headers=TTL | auth)
    nt = '<http://example.org/alice> <http://xmlns.com/foaf/0.1/age> "42" .\n'
    merged = client.post(
        "/graph-store",
        params={"graph": G},
        content=nt,
        headers={"Content-Type": "application/n-triples"} | auth,
    )
    assert merged.status_code == 204
    jsonld = '{"@id": "http://example.org/alice", "http://xmlns.com/foaf/0.1/nick": "al"}'
    client.post(
        "/graph-store",
        params={"graph": G},
        content=jsonld,
        headers={"Content-Type": "application/ld+json"} | auth,
    )
    graph = Graph().parse(data=client.get("/graph-store", params={"graph": G}).content)
    alice = URIRef("http://example.org/alice")
    assert (alice, URIRef("http://xmlns.com/foaf/0.1/age"), Literal("42")) in graph
    assert (alice, URIRef("http://xmlns.com/foaf/0.1/nick"), Literal("al")) in graph
    assert (alice, URIRef("http://xmlns.com/foaf/0.1/name"), Literal("Alice")) in graph


def test_post_to_the_store_creates_a_graph(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/graph-store", content=TURTLE, headers=TTL | auth)
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith("http://testserver/graph-store/")
    direct = client.get(location.removeprefix("http://testserver"))
    indirect = client.get("/graph-store", params={"graph": location})
    assert direct.status_code == indirect.status_code == 200
    assert direct.content == indirect.content


def test_delete_and_missing_graphs(client: TestClient, auth: dict[str, str]) -> None:
    client.put("/graph-store", params={"graph": G}, content=TURTLE, headers=TTL | auth)
    assert client.delete("/graph-store", params={"graph": G}, headers=auth).status_code == 204
    for response in (
        client.get("/graph-store", params={"graph": G}),
        client.head("/graph-store", params={"graph": G}),
        client.delete("/graph-store", params={"graph": G}, headers=auth),
    ):
        assert response.status_code == 404
    assert _envelope(client.get("/graph-store", params={"graph": G}))["detail"] == {"graph": G}


def test_default_graph_is_the_stores_own(client: TestClient, auth: dict[str, str]) -> None:
    assert client.get("/graph-store?default").status_code == 200
    put = client.put("/graph-store?default", content=TURTLE, headers=TTL | auth)
    assert put.status_code == 204  # on a server without one, a stand-in graph serves
    got = Graph().parse(data=client.get("/graph-store?default").content, format="turtle")
    assert isomorphic(got, Graph().parse(data=TURTLE, format="turtle"))


def test_write_errors(client: TestClient, auth: dict[str, str]) -> None:
    bad = client.put(
        "/graph-store",
        params={"graph": G},
        content="@prefix x: <http://x/> .\nx:a x:b .",
        headers=TTL | auth,
    )
    assert bad.status_code == 400
    detail = _envelope(bad)["detail"]
    assert isinstance(detail, dict) and (detail["line"], detail["column"]) == (2, 9)
    csv = client.put(
        "/graph-store",
        params={"graph": G},
        content="a,b",
        headers={"Content-Type": "text/csv"} | auth,
    )
    assert csv.status_code == 415
    quads = client.put(
        "/graph-store",
        params={"graph": G},
        content="",
        headers={"Content-Type": "application/n-quads"} | auth,
    )
    assert quads.status_code == 415
    assert (
        client.put("/graph-store", params={"graph": G}, content=TURTLE, headers=TTL).status_code
        == 401
    )
    assert client.get("/graph-store").status_code == 400
    assert client.get("/graph-store", params={"graph": "not an iri"}).status_code == 400
    assert client.get(f"/graph-store?default&graph={G}").status_code == 400


def test_multipart_post_merges_every_part(client: TestClient, auth: dict[str, str]) -> None:
    files = [
        ("a", ("a.ttl", b"<http://e/s> <http://e/p> 1 .", "text/turtle")),
        ("b", ("b.nt", b'<http://e/s> <http://e/p> "2" .\n', "application/n-triples")),
    ]
    response = client.post("/graph-store", params={"graph": G}, files=files, headers=auth)
    assert response.status_code == 201, response.text
    graph = Graph().parse(data=client.get("/graph-store", params={"graph": G}).content)
    assert len(graph) == 2


def test_gsp_writes_keep_search_in_step(client: TestClient, auth: dict[str, str]) -> None:
    query = (
        "SELECT ?g WHERE { GRAPH ?g { ?d a <https://schema.org/CreativeWork> } } "
        "ORDER BY ?g LIMIT 1"
    )
    graph = client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]
    graph_iri = graph["g"]["value"]
    original = client.get("/graph-store", params={"graph": graph_iri}).content
    doc_graph = Graph().parse(data=original, format="turtle")
    doc = next(doc_graph.subjects(RDF.type, URIRef("https://schema.org/CreativeWork")))
    doc_graph.set((doc, URIRef("https://schema.org/name"), Literal("Wombat Workshop")))
    body = doc_graph.serialize(format="turtle")
    put = client.put("/graph-store", params={"graph": graph_iri}, content=body, headers=TTL | auth)
    assert put.status_code == 204
    hits = client.get("/search", params={"q": "wombat", "kind": "document"}).json()["hits"]
    assert [h["document"] for h in hits] == [str(doc)]
    client.delete("/graph-store", params={"graph": graph_iri}, headers=auth)
    assert client.get("/search", params={"q": "wombat"}).json()["hits"] == []


def test_direct_names_that_make_no_iri_are_400_naming_the_path(
    client: TestClient, auth: dict[str, str]
) -> None:
    """Issue 11: ``%20``, ``%3E``, ``%7C`` or a control character in the path decode to
    characters no IRI may hold; the store refused them with a 500."""
    for escape in ("%20", "%3E", "%7C", "%01"):
        for method in ("GET", "HEAD", "PUT", "DELETE"):
            response = client.request(
                method, f"/graph-store/a{escape}b", content=TURTLE, headers=TTL | auth
            )
            assert response.status_code == 400, (method, escape, response.text)
            if method != "HEAD":
                error = _envelope(response)
                assert error["detail"]["parameter"] == "path"  # type: ignore[index]


def test_indirect_names_that_are_not_iris_are_400_naming_graph(
    client: TestClient, auth: dict[str, str]
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(
            method, "/graph-store", params={"graph": "http://x/a b"}, headers=TTL | auth
        )
        assert response.status_code == 400
        assert _envelope(response)["detail"]["parameter"] == "graph"  # type: ignore[index]


def test_writes_without_the_token_are_401_before_the_name_is_judged(client: TestClient) -> None:
    """A write without the token is a 401 however wrong the rest of the request is."""
    for params in ({"graph": "not an iri"}, {"graph": G, "default": ""}, {}):
        for method in ("PUT", "POST", "DELETE"):
            response = client.request(method, "/graph-store", params=params, headers=TTL)
            assert response.status_code == 401, (method, params)
    assert client.delete("/graph-store/a%20b").status_code == 401
