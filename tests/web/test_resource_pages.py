"""Practice, document and entity pages: the HTML face of each IRI, in-process."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from conftest import OTHER_BASE
from practicegraph.api import create_app
from practicegraph.service import PracticeGraphService
from practicegraph.web import LinkedDataPaths
from practicegraph.web.practice_page import confidence_words, practice_view
from web.conftest import (
    BROWSER_HEADERS,
    as_tag,
    attr,
    leading_text,
    one,
    section_of,
    service_of,
    text_of,
)

BASE = "https://w3id.org/practicegraph/id/"
PATHS = LinkedDataPaths(BASE)


def html(client: TestClient, path: str, status: int = 200) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == status, (path, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def a_practice(client: TestClient) -> dict[str, str]:
    """A practice with its evidence quote, offsets and document, from the store itself."""
    rows = service_of(client).store.select(
        """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX schema: <https://schema.org/>
        SELECT ?p ?name ?exact ?start ?doc WHERE {
          ?p a <https://w3id.org/practicegraph/ontology#Practice> ; schema:name ?name ;
             schema:about ?theme .
          ?a oa:hasBody ?p ; oa:hasTarget ?t . ?t oa:hasSource ?doc ;
             oa:hasSelector ?q, ?pos . ?q oa:exact ?exact . ?pos oa:start ?start
        } ORDER BY ?p LIMIT 1"""
    )
    return {key: term.value for key, term in next(iter(rows)).items()}


def test_practice_page_shows_its_evidence_marked_inside_its_document(pages: TestClient) -> None:
    practice = a_practice(pages)
    page = html(pages, PATHS.href(practice["p"]))
    assert text_of(page, "h1") == practice["name"]
    mark = page.select_one(".doc-text mark#evidence")
    assert mark is not None and mark.get_text() == practice["exact"]
    text = text_of(page, ".doc-text")
    assert text.index(practice["exact"]) <= int(practice["start"]) + 5, "in its place in the text"
    terms, values = page.select("dl.facts dt"), page.select("dl.facts dd")
    facts = {dt.text: dd for dt, dd in zip(terms, values, strict=True)}
    assert attr(one(facts["Themes"], "a"), "href").startswith("/themes/")
    assert attr(one(facts["Source"], "a"), "href") == PATHS.href(practice["doc"])
    assert page.find("a", href="#evidence"), "a link jumps to the evidence"
    related = section_of(page, "related-h").select("li a")
    assert related and all(attr(a, "href").startswith("/id/practice/") for a in related)
    assert PATHS.href(practice["p"]) not in {attr(a, "href") for a in related}


def test_document_page_marks_every_mention_by_kind_with_links(pages: TestClient) -> None:
    doc = BASE + "document/002_933d5227a5890bed.txt"
    page = html(pages, PATHS.href(doc))
    text = one(page, ".doc-text")
    links = text.select("a.m")
    kinds = {cls for a in links for cls in a["class"] if cls.startswith("m-")}
    assert {"m-organisation", "m-country", "m-place"} <= kinds
    assert all(attr(a, "href").startswith(("/id/", "/themes/")) for a in links)
    assert all(a.get("title") for a in links), "each mark says what it is"
    practices = text.select("mark.m-practice")
    assert practices and all(
        attr(as_tag(m.find("a", class_="tag"), "a practice tag"), "href").startswith(
            "/id/practice/"
        )
        for m in practices
    )
    # The stored text is shown whole: marks add markup, never characters (but the tags).
    stored = next(
        iter(
            service_of(pages).store.select(
                f"SELECT ?t WHERE {{ <{doc}> <https://w3id.org/practicegraph/ontology#text> ?t }}"
            )
        )
    )["t"].value
    for tag in text.select("a.tag"):
        tag.decompose()
    assert text.get_text() == stored
    groups = [h.get_text(" ", strip=True) for h in page.select(".group h3")]
    assert any(g.startswith("Organisations") for g in groups)


def test_entity_pages_list_linked_practices_documents_and_events(pages: TestClient) -> None:
    country = html(pages, "/id/country/LV")
    assert text_of(country, "h1") == "Latvia" and text_of(country, ".kicker") == "Country"
    sections = {leading_text(one(s, "h2")): s for s in country.select("article section")}
    assert sections["Documents that mention it"].select("li a")
    assert sections["Events here"].select("li a[href^='/id/event/']")
    assert country.find("a", href="/find?country=LV")
    org = html(pages, "/id/organisation/icpa")
    org_sections = {leading_text(one(s, "h2")) for s in org.select("article section")}
    assert {
        "Practices it provides",
        "Events it organised",
        "Documents that mention it",
    } <= org_sections
    theme = html(pages, "/themes/leadership")
    assert text_of(theme, ".kicker") == "Theme"
    practices = section_of(theme, "section-1")
    assert text_of(practices, "h2").startswith("Practices about this theme")
    assert practices.select("li a[href^='/id/practice/']")
    event = html(pages, "/id/event/future-competences-for-future-prisons-2023")
    facts = {dt.text for dt in event.select("dl.facts dt")}
    assert {"Starts", "Where", "Organised by"} <= facts
    place = html(pages, "/id/place/geonames-456172")
    assert text_of(place, "h1") == "Riga" and place.find("a", href="/id/country/LV")


def test_other_resources_get_the_generic_page(pages: TestClient) -> None:
    for path in ("/ontology", "/id/graph/002_933d5227a5890bed.txt"):
        page = html(pages, path)
        assert page.h1 and page.select("table.props"), path


def test_pages_link_their_rdf_and_keep_conneg_and_etags(pages: TestClient) -> None:
    path = "/id/country/LV"
    response = pages.get(path)
    page = BeautifulSoup(response.text, "html.parser")
    alternates = {
        attr(link, "type"): attr(link, "href") for link in page.select("link[rel=alternate]")
    }
    assert alternates["text/turtle"] == path + "?format=ttl"
    assert pages.get(path, headers={"Accept": "text/turtle"}).text.startswith("@prefix")
    etag = response.headers["etag"]
    assert pages.get(path, headers={"If-None-Match": etag}).status_code == 304


def test_unknown_iris_get_a_404_page_in_browsers_and_the_envelope_otherwise(
    pages: TestClient,
) -> None:
    page = html(pages, "/id/organisation/no-such-organisation", status=404)
    assert text_of(page, "h1") == "Nothing here" and page.find("a", href="/find")
    as_data = pages.get("/id/organisation/no-such-organisation", headers={"Accept": "text/turtle"})
    assert as_data.status_code == 404 and as_data.json()["error"]["status"] == 404


def test_text_from_documents_is_escaped(
    service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:

    evil = "<script>alert('x')</script> & <b>Probation</b> in Latvia"
    path = write_doc(
        "evil.txt",
        f"{evil}\n\nThe Latvian Prison Administration held a conference in Riga, Latvia, "
        "in May 2023. <img src=x onerror=alert(1)> The State Probation Service trains its staff.\n",
    )
    assert service.ingest([path]).ok
    with TestClient(create_app(service.settings, service=service)) as client:
        for target in (PATHS.href(BASE + "document/evil.txt"), "/find?q=probation", "/"):
            body = client.get(target, headers=BROWSER_HEADERS).text
            assert "<script>alert" not in body and "<img src=x" not in body, target
            assert "&lt;script&gt;" in body or "&lt;img" in body or target == "/", target


def test_an_entity_page_is_the_canonical_view_across_sources(two_sources: TestClient) -> None:
    latvia = html(two_sources, "/id/country/LV")
    facts = {
        dt.text: dd
        for dt, dd in zip(latvia.select("dl.facts dt"), latvia.select("dl.facts dd"), strict=True)
    }
    assert facts["Described by"].text == "this instance's own documents; imported from alpha"
    assert "Also described as" in facts
    sections = {leading_text(one(s, "h2")): s for s in latvia.select("article section")}
    documents = [
        li.get_text(" ", strip=True) for li in sections["Documents that mention it"].select("li")
    ]
    titles = {text.rsplit(" ", 1)[0] for text in documents}  # without the date note
    assert "Prison Reform in Latvia" in titles, "the document ingested here"
    assert "Projektu aktualitātes" in titles, "and alpha's document about Latvia"


def test_only_web_addresses_become_links() -> None:
    """An imported dump may hold any IRI scheme; a page must never link javascript:."""
    assert PATHS.href("javascript:alert(1)") == ""
    assert PATHS.href("data:text/html,<script>x</script>") == ""
    assert PATHS.href("https://elsewhere.example/x") == "https://elsewhere.example/x"
    assert PATHS.href(BASE + "organisation/icpa") == "/id/organisation/icpa"


def facts_of(page: BeautifulSoup) -> dict[str, Tag]:
    terms, values = page.select("dl.facts dt"), page.select("dl.facts dd")
    return {dt.text: dd for dt, dd in zip(terms, values, strict=True)}


def test_a_practice_page_says_how_sure_and_where_from_in_words(pages: TestClient) -> None:
    page = html(pages, PATHS.href(a_practice(pages)["p"]))
    facts = facts_of(page)
    assert re.match(r"Found with (high|medium|low) confidence", facts["Confidence"].text)
    assert facts["From"].text == "this instance's own documents"
    shown = one(page, "dl.facts").get_text(" ")
    assert not re.search(r"\d\.\d", shown), "no raw score"
    assert "Extractor" not in shown and "local" not in shown


def test_confidence_bands() -> None:
    assert [confidence_words(s) for s in ("0.5", "0.625", "0.7", "0.9", "1.000")] == [
        "low",
        "low",
        "medium",
        "high",
        "high",
    ]
    assert confidence_words("") == "" and confidence_words("n/a") == ""


def test_a_practice_imported_from_another_instance_names_its_source(
    two_sources: TestClient,
) -> None:
    rows = service_of(two_sources).store.select(
        """SELECT ?p WHERE { GRAPH ?g { ?p a <https://w3id.org/practicegraph/ontology#Practice> }
             ?g <http://www.w3.org/ns/prov#wasAttributedTo> ?agent } LIMIT 1"""
    )
    practice = next(iter(rows))["p"].value
    store = service_of(two_sources).store
    assert practice_view(store, LinkedDataPaths(OTHER_BASE), practice).sources == [
        "imported from alpha"
    ]


#: An organisation whose conference carries its acronym in the conference's name, and
#: no sentence saying who organised it.
FORUM_TEXT = (
    "Probation Cooperation in the North\n\n"
    "The European Forum for Restorative Justice (EFRJ) brings practitioners together every "
    "year. The 9th Annual EFRJ Conference took place in Tallinn, Estonia, in June 2021. "
    "Practitioners from Estonia and Finland compared victim-offender mediation in prisons.\n"
)


def test_an_organisation_page_counts_the_events_named_after_it(
    service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:
    assert service.ingest([write_doc("forum.txt", FORUM_TEXT)]).ok
    with TestClient(
        create_app(service.settings, service=service), headers=BROWSER_HEADERS
    ) as client:
        page = html(client, PATHS.href(BASE + "organisation/efrj"))
    sections = {leading_text(one(s, "h2")): s for s in page.select("article section")}
    organised = sections["Events it organised"]
    assert text_of(one(organised, "h2"), ".count") == "1"
    assert [a.text for a in organised.select("li a")] == ["9th Annual EFRJ Conference"]
