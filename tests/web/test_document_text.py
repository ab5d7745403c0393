"""A document's text on its page: Markdown rendered, PDF lines reflowed, marks told apart."""

from __future__ import annotations

import colorsys
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from practicegraph.api import create_app
from practicegraph.service import PracticeGraphService
from practicegraph.web import STATIC_DIR, LinkedDataPaths
from practicegraph.web.document_text import line_joins
from web.conftest import BROWSER_HEADERS, attr, one, text_of

#: A bulletin of our own, using the Markdown the first renderer left raw.
BULLETIN = """Staff Exchange Bulletin
=======================

The *exchange programme* of the `Estonian Prison Service` continued in Tartu, Estonia.

> Officers said the visits changed how they plan their own shifts.

1. Two weeks in a partner prison
2. A report to the home service

- Placements
  - one in Tartu
- Follow-up calls

---

Further dates will follow.
"""

#: Lines of a printed report, as a PDF's text layer gives them back: no blank lines.
REPORT_LINES = [
    "Electronic Monitoring in Practice",
    "The probation service of Slovenia tested electronic monitoring with a group",
    "of people on early release. Officers met each person weekly and kept in",
    "touch with employers, families and the local police in Ljubljana, so that",
    "breaches were rare.",
    "A second trial in Maribor followed the same model for young adults on",
    "probation orders and reported similar results after one year of follow-",
    "up by the regional office.",
]


@pytest.fixture
def client(service: PracticeGraphService) -> Iterator[TestClient]:
    with TestClient(
        create_app(service.settings, service=service), headers=BROWSER_HEADERS
    ) as client:
        yield client


def document_page(client: TestClient, service: PracticeGraphService, name: str) -> BeautifulSoup:
    paths = LinkedDataPaths(service.settings.base_iri)
    response = client.get(paths.href(service.settings.base_iri + "document/" + name))
    assert response.status_code == 200, response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def doc_text(page: BeautifulSoup) -> Tag:
    text = page.select_one(".doc-text")
    assert text is not None
    return text


def test_markdown_headings_emphasis_code_quotes_lists_and_rules_are_rendered(
    client: TestClient, service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:
    assert service.ingest([write_doc("bulletin.md", BULLETIN)]).ok
    text = doc_text(document_page(client, service, "bulletin.md"))
    shown = text.get_text()
    for raw in ("===", "*exchange", "`Estonian", "> Officers", "---", "- Placements"):
        assert raw not in shown, raw
    assert text_of(text, ".md-h1") == "Staff Exchange Bulletin"
    assert text_of(text, ".md-em") == "exchange programme"
    assert text_of(text, ".md-quote").startswith("Officers said")
    assert text.select(".md-rule")
    assert "1. Two weeks" in shown and "2. A report" in shown, "numbers stay"
    assert "• Placements" in shown and "  • one in Tartu" in shown, "nesting stays"
    marks = {cls for m in text.select(".m") for cls in m["class"]}
    assert {"m-country", "m-place"} <= marks, "mentions are still marked"


def test_pdf_lines_within_a_paragraph_are_joined_and_paragraph_ends_kept(
    client: TestClient, service: PracticeGraphService, tmp_path: Path
) -> None:
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

    path = tmp_path / "monitoring.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number, line in enumerate(REPORT_LINES):
        pdf.drawString(72, 780 - 16 * number, line)
    pdf.showPage()
    pdf.save()
    assert service.ingest([path]).ok
    text = doc_text(document_page(client, service, "monitoring.pdf"))
    assert text.select("a.m-country"), "marks survive the reflow"
    for tag in text.select("a.tag"):  # the small "practice" links after practices' sentences
        tag.decompose()
    lines = text.get_text().split("\n")
    assert lines[0] == "Electronic Monitoring in Practice", "a heading keeps its line"
    assert lines[1].startswith("The probation service of Slovenia tested electronic")
    assert lines[1].endswith("so that breaches were rare."), "one paragraph, one line"
    assert lines[2].endswith("similar results after one year of follow-up by the regional office.")


def test_line_joins_keep_breaks_before_list_items_and_after_short_lines() -> None:
    text = (
        "A long enough first line of a paragraph that goes on for a while here\n"
        "and its second line that is just about as long as the first one was\n"
        "- a bullet of its own\n"
        "Short heading\n"
        "A last line that is long enough to be a full line of this paragraph\n"
        "ending here."
    )
    joins = line_joins(text)
    newlines = [m.start() for m in re.finditer("\n", text)]
    assert joins == {newlines[0]: " ", newlines[4]: " "}
    assert line_joins("one line\nanother") == {}, "too little to tell a full line"


def _rule(css: str, selector: str) -> str:
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, selector
    return match.group(1)


def _hue(css: str, variable: str) -> float:
    match = re.search(re.escape(variable) + r":\s*#([0-9a-fA-F]{6})", css)
    assert match, variable
    red, green, blue = (int(match[1][i : i + 2], 16) / 255 for i in (0, 2, 4))
    return colorsys.rgb_to_hls(red, green, blue)[0] * 360


def test_country_and_place_marks_differ_in_colour_and_in_line() -> None:
    css = (STATIC_DIR / "site.css").read_text(encoding="utf-8")
    country, place = _hue(css, "--country"), _hue(css, "--place")
    assert min(abs(country - place), 360 - abs(country - place)) > 60, (country, place)
    country_line = _rule(css, "a.m-country")
    place_line = _rule(css, "a.m-place")
    assert "solid" in country_line and "dotted" in place_line


def test_the_legend_names_countries_and_places_with_their_styles(
    client: TestClient, service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:
    assert service.ingest([write_doc("bulletin.md", BULLETIN)]).ok
    page = document_page(client, service, "bulletin.md")
    legend = one(page, "p.legend")
    assert legend.select_one(".m-country") and legend.select_one(".m-place")
    text = doc_text(page)
    assert all(attr(a, "title").startswith("Country: ") for a in text.select("a.m-country"))
    assert all(attr(a, "title").startswith("Place: ") for a in text.select("a.m-place"))
