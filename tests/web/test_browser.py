"""In headless Chromium against a real uvicorn: what a person does on the pages.

Search, narrow by a facet, open a practice and see its evidence highlighted
in the document; run a SPARQL example in YASGUI and see rows; read the
search page on a phone. Each test saves screenshots of the pages it visits,
to a temporary folder: the tracked ones in docs/screenshots/ (the README
shows them) are overwritten only when asked, with

    PRACTICEGRAPH_REFRESH_SCREENSHOTS=1 .venv/bin/pytest tests/web/test_browser.py

Any request that would leave the loopback is aborted and fails the test (see
``page_at``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web.conftest import REFRESH_SCREENSHOTS, SCREENSHOTS, screenshot_folder

PageAt = Callable[..., Any]


def test_screenshots_leave_the_tracked_ones_alone_unless_asked(tmp_path: Path) -> None:
    def temporary() -> Path:
        return tmp_path

    assert screenshot_folder({}, temporary) == tmp_path
    assert screenshot_folder({REFRESH_SCREENSHOTS: "0"}, temporary) == tmp_path
    assert screenshot_folder({REFRESH_SCREENSHOTS: "1"}, temporary) == SCREENSHOTS


def test_a_browser_run_writes_its_screenshots_outside_the_repository(screenshots: Path) -> None:
    if os.environ.get(REFRESH_SCREENSHOTS) == "1":
        assert screenshots == SCREENSHOTS
    else:
        assert not screenshots.resolve().is_relative_to(SCREENSHOTS.parents[1])


def test_search_filter_open_a_practice_and_see_its_evidence(
    page_at: PageAt, screenshots: Path
) -> None:
    page = page_at()
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.screenshot(path=str(screenshots / "home.png"))

    page.get_by_label("Search practices and documents").fill("training")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/find\?q=training"))
    results = page.locator("ol.hits > li")
    assert results.count() == 10
    total = int(page.locator("#results-h").inner_text().split()[0])
    page.screenshot(path=str(screenshots / "search.png"))

    theme = page.locator("section.facet", has=page.locator("#facet-theme")).locator("li").first
    expected = int(theme.locator(".count").inner_text())
    theme.locator("a").click()
    page.wait_for_url(re.compile(r"theme="))
    assert int(page.locator("#results-h").inner_text().split()[0]) == expected <= total
    assert page.locator(".active-filters a[aria-label^='Remove filter Theme']").count() == 1

    practice = page.locator("li.hit-practice h3 a").first
    title = practice.inner_text()
    practice.click()
    page.wait_for_url(re.compile(r"/id/practice/"))
    assert page.locator("h1").inner_text() == title
    evidence = page.locator(".doc-text mark#evidence")
    assert evidence.count() == 1
    quote = page.locator("blockquote.evidence-quote").inner_text()
    assert evidence.inner_text().strip() == quote.strip()
    page.get_by_role("link", name="Jump to the evidence in the document's text").click()
    in_view = (
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert evidence.is_visible() and evidence.evaluate(in_view), "scrolled into view"
    background = evidence.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "it is highlighted"
    page.screenshot(path=str(screenshots / "practice.png"))

    page.locator("dl.facts dd a[href^='/id/document/']").click()
    page.wait_for_url(re.compile(r"/id/document/"))
    assert page.locator(".doc-text a.m-organisation").count() > 0
    page.locator("#text-h").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('text-h').scrollIntoView()")
    page.screenshot(path=str(screenshots / "document.png"))


def test_a_sparql_example_runs_in_yasgui(page_at: PageAt, screenshots: Path) -> None:
    page = page_at()
    page.goto("/query")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    example = page.locator("article#events-by-year")
    example.get_by_role("button", name="Run in the editor").click()
    rows = page.locator("#yasgui .yasr table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 3
    assert "2016" in page.locator("#yasgui .yasr table").inner_text()
    editor = page.evaluate("window.practicegraphEditor.getTab().getQuery()")
    assert "schema:Event" in editor
    page.locator("#yasgui").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "sparql.png"))


def test_the_search_page_reads_on_a_phone(page_at: PageAt, screenshots: Path) -> None:
    page = page_at(width=390, height=844)
    page.goto("/find?q=probation")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "no sideways scrolling"
    )
    assert page.locator("ol.hits > li").first.is_visible()
    page.screenshot(path=str(screenshots / "search-phone.png"))


#: Undeclared prefixes (predefined), a typed number, a language-tagged label, long quotes.
RESULTS_TABLE_QUERY = """SELECT ?practice ?label ?theme ?quote (STRLEN(?quote) AS ?length) WHERE {
  ?practice a pg:Practice ; schema:name ?label ; schema:about/skos:prefLabel ?theme .
  FILTER (LANG(?theme) = "en")
  ?a oa:hasBody ?practice ; oa:hasTarget/oa:hasSelector ?q . ?q oa:exact ?quote .
} ORDER BY DESC(STRLEN(?quote)) LIMIT 5"""


def test_the_editor_at_sparql_shows_results_readably(page_at: PageAt, screenshots: Path) -> None:
    page = page_at()
    page.goto("/sparql")  # a browser asking for /sparql gets the editor
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    page.evaluate(
        "q => { const tab = window.practicegraphEditor.getTab(); tab.setQuery(q); tab.query(); }",
        RESULTS_TABLE_QUERY,
    )
    rows = page.locator("#yasgui .yasr table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 5
    table = page.locator("#yasgui .yasr table.dataTable")
    text = table.inner_text()
    # typed and tagged values read as values, with a small note
    assert "^^" not in text and "XMLSchema" not in text and '"@en' not in text
    first = rows.first
    length = first.locator("td").nth(5)
    assert re.fullmatch(r"\d+\s*integer", length.inner_text().strip())
    assert length.locator(".literal-note").get_attribute("title") == (
        "http://www.w3.org/2001/XMLSchema#integer"
    )
    assert first.locator("td").nth(3).locator(".literal-note").inner_text() == "en"
    # labels and quotes whole, wrapped inside the page: nothing cut, nothing past the edge
    assert page.locator("#yasgui .ellipseTable").count() == 0
    label = first.locator("td").nth(2)
    assert len(label.inner_text()) > 15 and "…" not in label.inner_text()
    assert label.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    quote = first.locator("td").nth(4)
    assert len(quote.inner_text()) > 150
    assert quote.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    host_right = page.evaluate("document.getElementById('yasgui').getBoundingClientRect().right")
    assert table.evaluate("el => el.getBoundingClientRect().right") <= host_right + 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # a practice's IRI links to its page on this service, not to w3id.org
    link = first.locator("td").nth(1).locator("a.iri")
    assert link.get_attribute("href").startswith("/id/practice/")
    assert link.get_attribute("title").startswith("https://w3id.org/practicegraph/id/practice/")
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "sparql-results.png"), full_page=True)
    link.click()
    page.wait_for_url(re.compile(r"/id/practice/"))
