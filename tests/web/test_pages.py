"""The home, search results and SPARQL editor pages, in-process over the seed corpus."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from web.conftest import as_tag, attr, one, section_of, service_of, text_of


def soup(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_home_offers_search_themes_countries_and_recent_documents(pages: TestClient) -> None:
    page = soup(pages, "/")
    assert page.find("h1")
    form = as_tag(page.find("form", attrs={"role": "search"}), "the search form")
    assert attr(form, "action") == "/find" and attr(form, "method") == "get"
    field = as_tag(form.find("input", attrs={"name": "q"}), "the search box")
    assert page.find("label", attrs={"for": attr(field, "id")}), "the search box has a label"
    themes = section_of(page, "by-theme").find_all("li")
    assert themes and all(attr(one(li, "a"), "href").startswith("/themes/") for li in themes)
    assert all(re.search(r"\d+ practices? · \d+ documents?", li.text) for li in themes)
    countries = section_of(page, "by-country").find_all("li")
    assert any(
        text_of(li, "a") == "Latvia" and attr(one(li, "a"), "href") == "/id/country/LV"
        for li in countries
    )
    recent = section_of(page, "recent").find_all("li")
    assert len(recent) == 5 and all(
        attr(one(li, "a"), "href").startswith("/id/document/") for li in recent
    )


def test_search_ranks_practices_and_documents_with_marked_snippets(pages: TestClient) -> None:
    page = soup(pages, "/find?q=leadership+training")
    hits = page.select("ol.hits > li")
    assert hits and len(hits) <= 10
    assert {text_of(h, ".kind") for h in hits} >= {"Practice", "Document"}
    first = hits[0]
    assert attr(one(one(first, "h3"), "a"), "href").startswith(("/id/practice/", "/id/document/"))
    assert first.select_one(".snippet mark"), "matched words are marked"
    assert text_of(page, "#results-h").startswith(f"{_total(page)} results")


def _total(page: BeautifulSoup) -> int:
    return int(text_of(page, "#results-h").split()[0])


def test_facets_have_counts_and_their_links_filter(pages: TestClient) -> None:
    page = soup(pages, "/find?q=training")
    headings = [h.text for h in page.select("aside.facets h3")]
    assert {"Kind", "Theme", "Country", "Organisation", "Year"} <= set(headings)
    theme = section_of(page, "facet-theme")
    link = as_tag(theme.find("a"), "a facet link")
    count = int(as_tag(link.find_next_sibling("span", class_="count"), "its count").text)
    assert parse_qs(urlsplit(attr(link, "href")).query)["theme"]
    filtered = soup(pages, attr(link, "href"))
    assert _total(filtered) == count, "the facet count is the number of results it leads to"
    active = filtered.select(".active-filters a[aria-label^='Remove filter Theme']")
    assert len(active) == 1
    # Removing the filter brings the unfiltered results back.
    assert _total(soup(pages, attr(active[0], "href"))) == _total(page)


def test_kind_filter_and_pagination(pages: TestClient) -> None:
    page = soup(pages, "/find?kind=practice")
    total = _total(page)
    assert total > 10 and {h.text for h in page.select("ol.hits .kind")} == {"Practice"}
    nav = as_tag(page.find("nav", attrs={"aria-label": "Result pages"}), "the result pages")
    assert as_tag(nav.find("a", attrs={"aria-current": "page"}), "the current page").text == "1"
    second = soup(pages, attr(as_tag(nav.find("a", attrs={"rel": "next"}), "next page"), "href"))
    assert attr(as_tag(second.find("ol", class_="hits"), "the hits"), "start") == "11"
    first_titles = {a.text for a in page.select("ol.hits h3 a")}
    assert first_titles.isdisjoint({a.text for a in second.select("ol.hits h3 a")})
    # A page past the end (an old bookmark) shows the last page instead of an error.
    assert soup(pages, "/find?kind=practice&page=999").select("ol.hits li")
    past = soup(pages, "/find?kind=practice&page=abc")
    assert attr(as_tag(past.find("ol", class_="hits"), "the hits"), "start") == "1"


def test_did_you_mean_links_to_the_corrected_search(pages: TestClient) -> None:
    page = soup(pages, "/find?q=trainng&kind=practice")
    suggestion = page.select_one(".suggestion a")
    assert suggestion is not None and suggestion.text == "training"
    params = parse_qs(urlsplit(attr(suggestion, "href")).query)
    assert params == {"q": ["training"], "kind": ["practice"]}, "the filters are kept"


def test_the_search_form_keeps_the_filters(pages: TestClient) -> None:
    page = soup(pages, "/find?q=training&country=BE&sort=date")
    hidden = {
        (attr(i, "name"), attr(i, "value")) for i in page.select("form.search input[type=hidden]")
    }
    assert hidden == {("country", "BE"), ("sort", "date")}
    assert attr(one(page, "#sort option[selected]"), "value") == "date"


def test_search_input_is_escaped(pages: TestClient) -> None:
    evil = '"><script>alert(1)</script>'
    response = pages.get("/find", params={"q": evil, "org": "<b>x</b>"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text and "<b>x</b>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_pages_are_not_in_the_way_of_the_json_api(pages: TestClient) -> None:
    assert pages.get("/search?q=training").headers["content-type"].startswith("application/json")
    assert pages.post("/find").json()["error"]["status"] == 405


def test_sparql_page_loads_yasgui_from_the_service_with_examples(pages: TestClient) -> None:
    page = soup(pages, "/query")
    sources = [attr(s, "src") for s in page.find_all("script", src=True)]
    sheets = [attr(link, "href") for link in page.find_all("link", rel="stylesheet")]
    assert all(src.startswith("/static/") for src in sources + sheets), "no CDN"
    assert any("yasgui.min.js" in src for src in sources)
    assert attr(one(page, "#yasgui"), "data-endpoint") == "/sparql"
    examples = page.select("article.example")
    assert len(examples) >= 4
    titles = {text_of(e, "h3") for e in examples}
    assert "Events by year" in titles and "Organisations working on radicalisation" in titles
    # Without JavaScript each example still runs: its link answers CSV from /sparql.
    csv_link = attr(as_tag(examples[0].find("a", string="Results as CSV"), "CSV link"), "href")
    result = pages.get(csv_link)
    assert result.status_code == 200 and result.headers["content-type"].startswith("text/csv")
    assert len(result.text.splitlines()) > 1


def test_the_source_facet_separates_imported_practices_from_local_ones(
    two_sources: TestClient,
) -> None:
    page = soup(two_sources, "/find?q=prison")
    source = section_of(page, "facet-source")
    values = {a.text.strip(): attr(a, "href") for a in source.select("a")}
    assert set(values) == {"alpha", "local"}
    imported = soup(two_sources, values["alpha"])
    local = soup(two_sources, values["local"])
    assert _total(imported) + _total(local) == _total(page)
    assert _total(imported) > _total(local) > 0


def test_pages_carry_a_content_security_policy_and_data_does_not(pages: TestClient) -> None:
    """HTML gets the policy (scripts from this server only, no framing); SPARQL
    answers and RDF do not need it and do not pay for it."""
    for path in ("/", "/find?q=probation", "/query", "/id/country/LV", "/id/country/ZZ"):
        response = pages.get(path)
        assert response.headers["content-type"].startswith("text/html"), path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, path
        assert response.headers["x-content-type-options"] == "nosniff"
    docs = pages.get("/docs")  # Swagger UI: from its CDN, started inline, no graph data
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers
    rdf = pages.get("/id/country/LV", headers={"Accept": "text/turtle"})
    results = pages.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/json"})
    for response in (rdf, results):
        assert response.status_code == 200
        assert "content-security-policy" not in response.headers


@pytest.mark.parametrize(
    "url",
    [
        "<javascript:alert(1)>",
        '"JavaScript:alert(document.cookie)"',
        '"data:text/html,<script>alert(1)</script>"',
    ],
)
def test_a_document_url_that_is_not_a_web_address_is_shown_but_not_linked(
    pages: TestClient, url: str
) -> None:
    """schema:url can be set to anything through SPARQL Update or the Graph Store."""
    home = BeautifulSoup(pages.get("/").text, "html.parser")
    path = next(
        attr(a, "href") for a in home.select("a") if attr(a, "href").startswith("/id/document/")
    )
    iri = "https://w3id.org/practicegraph" + path
    store = service_of(pages).store
    store.update(
        f"DELETE {{ GRAPH ?g {{ <{iri}> <https://schema.org/url> ?u }} }} "
        f"INSERT {{ GRAPH ?g {{ <{iri}> <https://schema.org/url> {url} }} }} "
        f"WHERE {{ GRAPH ?g {{ <{iri}> a ?type }} OPTIONAL {{ GRAPH ?g {{ <{iri}> "
        "<https://schema.org/url> ?u } } }"
    )
    page = BeautifulSoup(pages.get(path).text, "html.parser")
    shown = url.strip('<>"')
    assert shown in page.get_text()
    hrefs = [attr(a, "href", "") for a in page.select("a")]
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))]


def test_a_hit_found_through_a_synonym_says_how(pages: TestClient) -> None:
    """No seed document writes "reentry"; hits found through one of its synonyms say
    which one, in words."""
    page = soup(pages, "/find?q=reentry")
    notes = [p.get_text() for p in page.select("ol.hits p.matched-via")]
    assert notes and all(note.startswith("Matched via reentry → ") for note in notes)
