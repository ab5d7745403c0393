"""/graph-store bodies that stand for far more than they weigh: RDF/XML entities are
screened before parsing, and what the parser produces counts against max_body_bytes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDFS

from api.conftest import TOKEN, client_for
from conftest import quiet_rdflib
from exchange.rdfxml_samples import PROTEGE_OWL, billion_laughs, document
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor

G = "http://example.org/graphs/entities"
XML = {"Content-Type": "application/rdf+xml"}
#: The body limit these tests meet: the default, which the app's settings keep.
LIMIT = Settings.model_fields["max_body_bytes"].default


@pytest.fixture
def client(other_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """An empty instance with a write token (no corpus needed here)."""
    with client_for(other_settings.with_(token=TOKEN), extractor) as test_client:
        yield test_client


def _absent(client: TestClient) -> bool:
    return client.get("/graph-store", params={"graph": G}).status_code == 404


def test_an_owl_file_with_namespace_entities_is_stored_expanded(
    client: TestClient, auth: dict[str, str]
) -> None:
    created = client.put(
        "/graph-store", params={"graph": G}, content=PROTEGE_OWL.encode(), headers=XML | auth
    )
    assert created.status_code == 201, created.text
    got = client.get("/graph-store", params={"graph": G}, headers={"Accept": "text/turtle"})
    with quiet_rdflib():
        graph = Graph().parse(data=got.content, format="turtle")
    mentoring = URIRef("https://x.example/prison#Mentoring")
    assert (mentoring, RDFS.subClassOf, OWL.Thing) in graph
    assert len(graph) == 7


def test_nested_entities_answer_400_with_the_line_and_write_nothing(
    client: TestClient, auth: dict[str, str]
) -> None:
    for method in ("put", "post"):
        response = getattr(client, method)(
            "/graph-store", params={"graph": G}, content=billion_laughs(4), headers=XML | auth
        )
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["message"].startswith("the RDF body is refused: RDF/XML with this DTD")
        assert "refers to other entities" in error["message"]
        assert error["detail"] == {"line": 4, "column": 1}
        assert _absent(client)


def test_an_external_entity_answers_400_and_nothing_is_read(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = document('<!ENTITY s SYSTEM "file:///etc/hostname">\n', "&s;")
    response = client.put("/graph-store", params={"graph": G}, content=body, headers=XML | auth)
    assert response.status_code == 400
    assert "external entities (SYSTEM or PUBLIC) are never fetched" in response.text
    assert _absent(client)


def test_entity_expansion_past_the_body_limit_answers_413(
    client: TestClient, auth: dict[str, str]
) -> None:
    references = LIMIT // 4000 + 100
    body = document(f'<!ENTITY e "{"e" * 4000}">\n', "&e;" * references)
    assert len(body) < LIMIT // 100
    response = client.put("/graph-store", params={"graph": G}, content=body, headers=XML | auth)
    assert response.status_code == 413
    error = response.json()["error"]
    assert "with its entity references expanded" in error["message"]
    assert error["detail"]["max_body_bytes"] == LIMIT and error["detail"]["line"] == 6
    assert _absent(client)


def test_prefixes_cannot_take_the_triples_past_the_body_limit(
    client: TestClient, auth: dict[str, str]
) -> None:
    lines = [f"@prefix p: <https://x.example/{'a' * 4000}/> ."]
    lines += [f'p:s{i} p:name "x" .' for i in range(LIMIT // 8000 + 100)]
    body = "\n".join(lines).encode()
    assert len(body) < LIMIT // 100
    response = client.put(
        "/graph-store",
        params={"graph": G},
        content=body,
        headers={"Content-Type": "text/turtle"} | auth,
    )
    assert response.status_code == 413
    assert "as N-Triples" in response.json()["error"]["message"]
    assert _absent(client)
