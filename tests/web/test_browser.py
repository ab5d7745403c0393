"""In headless Chromium against a real uvicorn: what a person does on the pages.

Search, narrow by a facet, open a practice and see its evidence highlighted
in the document; run a SPARQL example in YASGUI and see rows; read the
search page on a phone. Each test saves screenshots of the pages it visits
to docs/screenshots/ (the README shows them). Any request that would leave
the loopback is aborted and fails the test (see ``page_at``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

PageAt = Callable[..., Any]


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
