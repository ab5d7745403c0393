"""The search page's model: lenient parameters, filter links, facets from any response."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from practicegraph.api import create_app
from practicegraph.search import Hit, SearchResponse
from practicegraph.service import PracticeGraphService
from practicegraph.web.search_page import SearchForm, search_page
from web.conftest import BROWSER_HEADERS, one, text_of


def test_parameters_are_read_leniently() -> None:
    form = SearchForm.from_params(
        [
            ("q", " probation "),
            ("page", "x"),
            ("sort", "nonsense"),
            ("theme", "health"),
            ("theme", "health"),
            ("org", "ICPA"),
            ("country", ""),
            ("unknown", "1"),
        ]
    )
    assert form.q == "probation" and form.page == 1 and form.sort == "relevance"
    assert form.filters == {"theme": ["health"], "organisation": ["ICPA"]}
    request = form.request()
    assert request.themes == ["health"] and request.organisations == ["ICPA"]
    assert request.page_size == 10


def test_links_toggle_one_filter_and_restart_at_page_one() -> None:
    form = SearchForm(q="training", filters={"theme": ["health"]}, page=3, sort="date")
    added = dict(parse_qsl(urlsplit(form.url(filters=form.toggled("country", "BE"))).query))
    assert added == {"q": "training", "theme": "health", "country": "BE", "sort": "date"}
    removed = parse_qsl(urlsplit(form.url(filters=form.toggled("theme", "health"))).query)
    assert removed == [("q", "training"), ("sort", "date")]
    assert form.url(page=4).endswith("page=4")


def test_every_facet_of_the_response_is_shown_even_a_new_one() -> None:
    hit = Hit(
        "https://x/id/practice/a",
        "practice",
        "A",
        "<mark>a</mark> &amp; b",
        "a.txt",
        "https://x/id/document/a.txt",
        1.0,
        [],
        ["BE"],
        [],
        "2020",
        None,
    )
    response = SearchResponse(
        "a",
        1,
        1,
        10,
        [hit],
        {"theme": [("health", 1)], "source": [("a.txt", 1), ("b.txt", 0)], "channel": [("rss", 1)]},
    )
    form = SearchForm(q="a", filters={"source": ["a.txt"]})
    page = search_page(form, response, lambda f, v: v.upper(), lambda iri: "/local", {})
    names = [f.name for f in page.facets]
    assert names == ["theme", "source", "channel"], "known facets in order, then the rest"
    source = page.facets[1]
    assert source.heading == "Source" and source.values[0].active
    assert "source=" not in source.values[0].href, "an active value's link removes it"
    assert page.active[0].heading == "Source" and page.active[0].label == "A.TXT"
    assert str(page.results[0].snippet) == "<mark>a</mark> &amp; b"
    assert page.results[0].document is not None and page.results[0].document.label == "a.txt"


#: Lithuania is the country this visit is about; three others sort before it by code.
VISIT_TEXT = (
    "Study Visit to Vilnius\n\n"
    "In April 2022 the Lithuanian Prison Service welcomed probation officers to Vilnius, "
    "Lithuania, for a study visit on electronic monitoring. Guests from Austria, Belgium and "
    "Croatia attended. The Lithuanian hosts showed how electronic monitoring supports early "
    "release across Lithuania.\n"
)


def test_a_result_card_names_the_countries_a_document_is_most_about_first(
    service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:
    assert service.ingest([write_doc("visit.txt", VISIT_TEXT)]).ok
    with TestClient(
        create_app(service.settings, service=service), headers=BROWSER_HEADERS
    ) as client:
        page = BeautifulSoup(client.get("/find?q=vilnius&kind=document").text, "html.parser")
    card = page.select_one("ol.hits > li.hit-document")
    assert card is not None and text_of(one(card, "h3"), "a") == "Study Visit to Vilnius"
    meta = [m.strip() for m in text_of(card, "p.meta").split("·")]
    assert meta[0] == "2022"
    assert meta[1] == "Lithuania", meta
    assert set(meta[2:]) <= {"Austria", "Belgium", "Croatia"} and len(meta) == 4
