"""Linked data: IRIs dereference to HTML or RDF, with ETag, Last-Modified and 404s."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from conftest import ICPA_TEXT, quiet_rdflib
from practicegraph.api import create_app
from practicegraph.api.conneg import choose, negotiate
from practicegraph.api.errors import ApiError
from practicegraph.api.resources import LinkedDataPaths, served_path, uri_to_iri
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService
from practicegraph.vocab import OA, RDF, SCHEMA, SKOS, THEMES

BASE = "https://w3id.org/practicegraph/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def local(iri: str) -> str:
    path = LinkedDataPaths(BASE).local(iri)
    assert path is not None, iri
    return path


def first_organisation(client: TestClient) -> str:
    """An organisation that a document mentions, found through the store itself."""
    service: PracticeGraphService = client.app.state.service  # type: ignore[attr-defined]
    rows = list(
        service.store.select(
            f"SELECT ?o WHERE {{ ?d <{SCHEMA.mentions}> ?o . ?o a <{SCHEMA.Organization}> . "
            f"?a <{OA.hasBody}> ?o }} ORDER BY ?o LIMIT 1"
        )
    )
    return rows[0]["o"].value


def turtle(response_text: str) -> Graph:
    return Graph().parse(data=response_text, format="turtle")


def assert_isomorphic(a: Graph, b: Graph) -> None:
    if not isomorphic(a, b):
        _both, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
        pytest.fail(
            f"graphs differ:\n{only_a.serialize(format='nt')}\n---\n{only_b.serialize(format='nt')}"
        )


def test_an_organisation_as_turtle_has_links_in_and_out_and_evidence(client: TestClient) -> None:
    iri = first_organisation(client)
    assert iri.startswith(BASE + "organisation/")
    response = client.get(local(iri), headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert "Accept" in response.headers["vary"]
    g = turtle(response.text)
    org = URIRef(iri)
    assert (org, RDF.type, SCHEMA.Organization) in g
    assert g.value(org, SCHEMA.name) is not None
    mentioning = list(g.subjects(SCHEMA.mentions, org))
    assert mentioning and all(str(d).startswith(BASE + "document/") for d in mentioning)
    annotations = list(g.subjects(OA.hasBody, org))
    assert annotations
    target = g.value(annotations[0], OA.hasTarget)
    assert g.value(target, OA.hasSource) in mentioning
    quotes = [g.value(sel, OA.exact) for sel in g.objects(target, OA.hasSelector)]
    assert any(isinstance(q, Literal) and str(q) for q in quotes)


def test_every_rdf_format_says_the_same(client: TestClient) -> None:
    path = local(first_organisation(client))
    reference = turtle(client.get(path, headers={"Accept": "text/turtle"}).text)
    for accept, fmt in [
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ]:
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
        with quiet_rdflib():
            assert_isomorphic(reference, Graph().parse(data=response.text, format=fmt))
    # ?format= overrides Accept, for links from a browser.
    overridden = client.get(path + "?format=nt", headers={"Accept": "text/html"})
    assert overridden.headers["content-type"].startswith("application/n-triples")


def test_browsers_get_a_page_with_local_links_and_format_links(client: TestClient) -> None:
    iri = first_organisation(client)
    response = client.get(local(iri), headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1" in page and iri in page
    assert 'href="/id/document/' in page  # the documents that mention it, as local links
    assert "?format=ttl" in page


def test_a_document_page_has_its_text_and_what_was_found(client: TestClient) -> None:
    docs = client.get("/documents").json()["documents"]
    path = docs[0]["links"]["resource"]
    page = client.get(path, headers={"Accept": "text/html"}).text
    assert "Found in this document" in page and 'class="doc-text"' in page
    g = turtle(client.get(path).text)  # */* gets Turtle
    doc = URIRef(docs[0]["iri"])
    assert (doc, RDF.type, SCHEMA.CreativeWork) in g
    assert any(g.subjects(OA.hasSource, doc)), "the document's annotations come with it"


def test_themes_scheme_and_ontology_dereference(client: TestClient) -> None:
    theme = client.get("/themes/rehabilitation", headers={"Accept": "text/turtle"})
    assert theme.status_code == 200
    g = turtle(theme.text)
    assert (THEMES.rehabilitation, RDF.type, SKOS.Concept) in g
    assert any(g.subjects(SCHEMA.about, THEMES.rehabilitation)), "documents about it"
    scheme = client.get("/themes?format=ttl")
    assert scheme.status_code == 200 and "skos:ConceptScheme" in scheme.text
    ontology = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert ontology.status_code == 200 and "pg:Practice" in ontology.text
    assert client.get("/themes/no-such-theme").status_code == 404


def test_etag_and_last_modified_answer_304(client: TestClient) -> None:
    path = local(first_organisation(client))
    first = client.get(path, headers={"Accept": "text/turtle"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(path, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    other_format = client.get(path, headers={"Accept": "text/html", "If-None-Match": etag})
    assert other_format.status_code == 200 and other_format.headers["etag"] != etag
    since = client.get(path, headers={"Accept": "text/turtle", "If-Modified-Since": modified})
    assert since.status_code == 304
    earlier = parsedate_to_datetime(modified).replace(year=2000)
    stale = client.get(
        path,
        headers={"Accept": "text/turtle", "If-Modified-Since": format_datetime(earlier, True)},
    )
    assert stale.status_code == 200
    head = client.head(path, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.headers["etag"] == etag


def test_unknown_iris_and_formats_answer_in_the_envelope(client: TestClient) -> None:
    for path in ["/id/organisation/no-such-organisation", "/id/document/nope.txt", "/id/x/y"]:
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 404, path
        assert response.json()["error"]["status"] == 404
    # A browser following a stale link gets a page (still 404), not JSON.
    page = client.get("/id/organisation/no-such-organisation", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    path = local(first_organisation(client))
    refused = client.get(path, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.json()["error"]["detail"]["offered"]
    bad = client.get(path, params={"format": "docx"})
    assert bad.status_code == 400 and bad.json()["error"]["status"] == 400


@pytest.fixture
def other_base_client(tmp_path: Path, extractor: Extractor) -> Iterator[TestClient]:
    settings = Settings.from_env(environ={}, data_dir=tmp_path / "other").with_(
        base_iri="https://data.example.org/kg/"
    )
    doc = tmp_path / "icpa.txt"
    doc.write_text(ICPA_TEXT, encoding="utf-8")
    with PracticeGraphService(settings, extractor=extractor) as service:
        assert service.ingest([doc]).ok
        with TestClient(create_app(settings, service=service)) as test_client:
            yield test_client


def test_the_base_iri_setting_decides_the_paths(other_base_client: TestClient) -> None:
    response = other_base_client.get("/kg/document/icpa.txt", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert (
        URIRef("https://data.example.org/kg/document/icpa.txt"),
        RDF.type,
        SCHEMA.CreativeWork,
    ) in turtle(response.text)
    assert other_base_client.get("/id/document/icpa.txt").status_code == 404


def test_paths_and_iris_map_both_ways() -> None:
    assert served_path(BASE) == "/id/"
    assert served_path("https://data.example.org/kg/") == "/kg/"
    paths = LinkedDataPaths(BASE)
    assert paths.local(BASE + "country/LV") == "/id/country/LV"
    assert paths.local(str(THEMES) + "probation") == "/themes/probation"
    assert paths.local("https://w3id.org/practicegraph/ontology#Practice") == "/ontology#Practice"
    assert paths.local("https://schema.org/name") is None
    assert paths.local(BASE + "place/Rīga") == "/id/place/R%C4%ABga"
    assert uri_to_iri("place/R%C4%ABga") == "place/Rīga"
    assert uri_to_iri("a%2Fb%20c") == "a%2Fb%20c", "ASCII escapes stay as they are"
    assert LinkedDataPaths("https://example.org/data#").prefix is None


def test_content_negotiation_rules() -> None:
    offers = ["text/turtle", "text/html", "application/ld+json"]
    assert negotiate(None, offers) == "text/turtle"
    assert negotiate("*/*", offers) == "text/turtle"
    assert negotiate(BROWSER, offers) == "text/html"
    assert negotiate("application/ld+json;q=0.5, text/*;q=0.4", offers) == "application/ld+json"
    assert negotiate("text/*, text/turtle;q=0", offers) == "text/html"
    assert negotiate("image/png", offers) is None
    assert choose("image/png", "jsonld", offers) == "application/ld+json"
    with pytest.raises(ApiError) as refused:
        choose("image/png", None, offers)
    assert refused.value.status == 406
