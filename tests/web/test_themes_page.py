"""The themes page: the theme scheme for people, reached from the header, its RDF kept."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from web.conftest import as_tag, attr, leading_text, one, service_of, text_of

SCHEME = "https://w3id.org/practicegraph/themes"


def html(client: TestClient, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def scheme_themes(client: TestClient) -> dict[str, tuple[str, str]]:
    """Each theme of the scheme in the store: IRI -> (label, scope note)."""
    store = service_of(client).store
    rows = store.select(
        f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?x ?label ?note WHERE {{ ?x skos:inScheme <{SCHEME}> ; skos:prefLabel ?label .
          OPTIONAL {{ ?x skos:scopeNote ?note }} }}"""
    )
    return {
        row["x"].value: (row["label"].value, row["note"].value if row["note"] else "")
        for row in rows
    }


def test_the_header_themes_link_opens_a_page_for_people(pages: TestClient) -> None:
    home = html(pages, "/")
    link = home.select_one("header.site nav a[href='/themes']")
    assert link is not None and link.text == "Themes"
    page = html(pages, attr(link, "href"))
    assert attr(one(page, "header.site a[href='/themes']"), "aria-current") == "page"
    text = one(page, "main").get_text(" ")
    assert "hasTopConcept" not in text and "skos:" not in text and "Linked from" not in text
    assert not page.select("table.props"), "no table of RDF properties"


def test_each_theme_shows_once_with_its_scope_counts_and_links(pages: TestClient) -> None:
    page = html(pages, "/themes")
    entries = page.select("ul.theme-list > li")
    hrefs = [attr(one(one(li, "h2"), "a"), "href") for li in entries]
    assert len(hrefs) == len(set(hrefs)), "each theme once"
    themes = scheme_themes(pages)
    assert sorted(hrefs) == sorted("/themes/" + iri.rsplit("/", 1)[-1] for iri in themes)
    by_href = dict(zip(hrefs, entries, strict=True))
    label, note = themes[SCHEME + "/leadership"]
    leadership = by_href["/themes/leadership"]
    assert text_of(one(leadership, "h2"), "a") == label and note in leadership.get_text()

    counts = re.search(r"(\d+) practices? · (\d+) documents?", leadership.get_text())
    assert counts, leadership.get_text()
    practices, documents = int(counts[1]), int(counts[2])
    theme_page = html(pages, "/themes/leadership")
    sections = {leading_text(one(s, "h2")): s for s in theme_page.select("article section")}
    assert len(sections["Practices about this theme"].select("li")) == practices
    assert len(sections["Documents about this theme"].select("li")) == documents

    search = as_tag(leadership.find("a", string=re.compile("^Search within")), "Search within")
    assert parse_qs(urlsplit(attr(search, "href")).query) == {"theme": ["leadership"]}
    found = html(pages, attr(search, "href"))
    assert int(text_of(found, "#results-h").split()[0]) == practices + documents


def test_the_scheme_stays_rdf_for_rdf_clients(pages: TestClient) -> None:
    page = html(pages, "/themes")
    turtle_link = page.select_one("main a[type='text/turtle']")
    assert turtle_link is not None
    for response in (
        pages.get(attr(turtle_link, "href")),
        pages.get("/themes", headers={"Accept": "text/turtle"}),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/turtle")
        assert "hasTopConcept" in response.text
