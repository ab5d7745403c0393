"""Markdown documents read as structure on their page, with every mention still marked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from practicegraph.api import create_app
from practicegraph.service import PracticeGraphService
from practicegraph.web import LinkedDataPaths
from practicegraph.web.markdown_marks import (
    is_markdown,
    markdown_spans,
    rendered,
    without_crossings,
)
from practicegraph.web.marks import Span, mark
from web.conftest import BROWSER_HEADERS, text_of

# A newsletter of our own, in Markdown.
NEWSLETTER = """# Staff Academy news

## Mentoring for new officers

The **Estonian Prison Service** pairs every new officer with a mentor.

- Weekly meetings during the first six months
- A [handbook](https://example.org/handbook) for mentors
* Feedback from both sides

```
# not a heading inside a code block
```
"""


def shown(text: str, mentions: list[Span] | None = None) -> str:
    mentions = mentions or []
    structure = without_crossings(markdown_spans(text), mentions)
    marked = rendered(mark(text, mentions + structure))
    return "".join(t.value for t in marked.tokens if t.type == "text")


def test_markup_characters_are_hidden_and_list_markers_become_bullets() -> None:
    out = shown(NEWSLETTER)
    assert out.startswith("Staff Academy news\n\nMentoring for new officers\n")
    assert "The Estonian Prison Service pairs" in out
    assert "• Weekly meetings" in out and "• Feedback from both sides" in out
    assert "• A handbook for mentors" in out and "example.org" not in out
    assert "# not a heading inside a code block" in out, "code is left as written"


def test_headings_and_strong_text_get_their_own_spans() -> None:
    kinds = {(s.kind, NEWSLETTER[s.start : s.end]) for s in markdown_spans(NEWSLETTER)}
    assert ("md-h1", "Staff Academy news") in kinds
    assert ("md-h2", "Mentoring for new officers") in kinds
    assert ("md-strong", "Estonian Prison Service") in kinds
    assert not any(k == "md-h1" and "code block" in t for k, t in kinds)


def test_a_mention_always_wins_over_structure() -> None:
    start = NEWSLETTER.index("Estonian Prison Service")
    crossing = Span(start - 6, start + len("Estonian"), "country", "Estonia", "/ee")
    url = NEWSLETTER.index("example.org")
    inside_markup = Span(url, url + len("example.org"), "organisation", "x", "/x")
    mentions = [crossing, inside_markup]
    structure = without_crossings(markdown_spans(NEWSLETTER), mentions)
    assert not [s for s in structure if s.kind == "md-strong" and s.start == start]
    assert "The Estonian Prison Service pairs" in shown(NEWSLETTER, mentions)
    marked = rendered(mark(NEWSLETTER, mentions + structure))
    assert marked.dropped == []
    out = "".join(t.value for t in marked.tokens if t.type == "text")
    assert "example.org" in out, "markup holding a whole mention stays visible"


def test_only_markdown_media_types_are_read_as_markdown() -> None:
    assert is_markdown("text/markdown") and is_markdown("text/markdown; charset=utf-8")
    assert not is_markdown("text/plain") and not is_markdown("text/html")


def test_a_markdown_document_page_shows_structure_not_markup(
    service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:
    assert service.ingest([write_doc("academy.md", NEWSLETTER)]).ok
    paths = LinkedDataPaths(service.settings.base_iri)
    with TestClient(create_app(service.settings, service=service)) as client:
        page = client.get(
            paths.href(service.settings.base_iri + "document/academy.md"), headers=BROWSER_HEADERS
        )
    assert page.status_code == 200
    text = BeautifulSoup(page.text, "html.parser").select_one(".doc-text")
    assert text is not None
    assert text_of(text, ".md-h2") == "Mentoring for new officers"
    assert "## " not in text.get_text() and "**" not in text.get_text()
    assert "• Weekly meetings" in text.get_text()
    assert text.select("mark.m, a.m"), "mentions are still marked"
