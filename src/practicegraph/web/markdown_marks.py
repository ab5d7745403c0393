"""Markdown read as structure on a document page, not shown as raw ``#``, ``-`` and ``**``.

The stored text of a Markdown document is the file as written: every offset
of every annotation counts its characters, and evidence is quoted from it. So
the page does not re-render the document from Markdown (the marks would have
nothing to point into); it lays the structure over the same characters as
spans of their own, which :func:`~practicegraph.web.marks.mark` nests with the
mentions: heading lines (``#`` or underlined) become headings, list markers
bullets (numbers stay), ``**strong**`` strong, ``*emphasis*`` emphasis,
`` `code` `` code, quoted lines a quote, ``---`` a rule, a link's
``[text](address)`` its text, and the markup characters are hidden. Block
structure comes from markdown-it-py (so a ``#`` inside a fenced code block or
a paragraph is left alone); inline markup is found within the lines of those
blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from markdown_it import MarkdownIt

from practicegraph.web.marks import MarkedText, Span, Token

HIDDEN = "md-hidden"
BULLET = "md-bullet"
RULE = "md-rule"  # a thematic break: its characters give way to a line
_HEADING = re.compile(r"(#{1,6}[ \t]+)(.*?)([ \t]+#+)?[ \t]*$")
_ITEM = re.compile(r"[ \t]*([-*+][ \t]+)")
_QUOTE = re.compile(r"[ \t]{0,3}(>[ \t]?)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![*_\w])([*_])(?![*_\s])(.+?)(?<![*_\s])\1(?![*_\w])")
_CODE = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_LINK = re.compile(r"(\[)([^\[\]\n]+)(\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\))")
_MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown"})


def is_markdown(media_type: str) -> bool:
    return media_type.split(";", 1)[0].strip().lower() in _MARKDOWN_TYPES


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for match in re.finditer("\n", text):
        starts.append(match.end())
    return starts


def markdown_spans(text: str) -> list[Span]:
    """Spans laying the document's Markdown structure over its own characters."""
    starts = _line_starts(text)

    def line(number: int) -> tuple[int, int]:
        start = starts[number]
        end = starts[number + 1] - 1 if number + 1 < len(starts) else len(text)
        return start, end

    spans: list[Span] = []
    prose_lines: set[int] = set()
    for token in MarkdownIt("commonmark").parse(text):
        if token.map is None:
            continue
        first, last = token.map
        if token.type == "heading_open" and token.markup.startswith("#"):
            start, end = line(first)
            match = _HEADING.match(text, start, end)
            if match and match.group(2):
                level = len(match.group(1).strip())
                spans.append(Span(match.start(1), match.end(1), HIDDEN))
                spans.append(Span(match.start(2), match.end(2), f"md-h{min(level, 3)}"))
                if match.group(3):
                    spans.append(Span(match.start(3), match.end(3), HIDDEN))
                prose_lines.add(first)
        elif token.type == "heading_open" and last - first >= 2:
            # "Title" over "=====" (level 1) or "-----" (level 2): the underline goes
            heading_start, _end = line(first)
            _start, heading_end = line(last - 2)
            underline_end = line(last - 1)[1]
            content = text[heading_start:heading_end]
            lead = len(content) - len(content.lstrip())
            trail = len(content.rstrip())
            level = 1 if token.markup.startswith("=") else 2
            spans.append(Span(heading_start + lead, heading_start + trail, f"md-h{level}"))
            spans.append(Span(heading_end, underline_end, HIDDEN))
            prose_lines.update(range(first, last - 1))
        elif token.type == "list_item_open" and token.markup in ("-", "*", "+"):
            start, end = line(first)
            match = _ITEM.match(text, start, end)
            if match:
                spans.append(Span(match.start(1), match.end(1), BULLET))
        elif token.type == "blockquote_open":
            for number in range(first, last):
                start, end = line(number)
                match = _QUOTE.match(text, start, end)
                if match and match.end() < end:
                    spans.append(Span(match.start(1), match.end(1), HIDDEN))
                    spans.append(Span(match.end(), end, "md-quote"))
        elif token.type == "hr":
            start, end = line(first)
            spans.append(Span(start, end, RULE))
        elif token.type == "inline":
            prose_lines.update(range(first, last))
    for number in sorted(prose_lines):
        start, end = line(number)
        spans.extend(_inline_spans(text, start, end))
    return spans


def _inline_spans(text: str, start: int, end: int) -> Iterable[Span]:
    for match in _STRONG.finditer(text, start, end):
        yield Span(match.start(1), match.end(1), HIDDEN)
        yield Span(match.start(2), match.end(2), "md-strong")
        yield Span(match.end(2), match.end(), HIDDEN)
    for match in _EMPHASIS.finditer(text, start, end):
        yield Span(match.start(1), match.end(1), HIDDEN)
        yield Span(match.start(2), match.end(2), "md-em")
        yield Span(match.end(2), match.end(), HIDDEN)
    for match in _CODE.finditer(text, start, end):
        yield Span(match.start(1), match.end(1), HIDDEN)
        yield Span(match.start(2), match.end(2), "md-code")
        yield Span(match.end(2), match.end(), HIDDEN)
    for match in _LINK.finditer(text, start, end):
        yield Span(match.start(1), match.end(1), HIDDEN)
        yield Span(match.start(3), match.end(3), HIDDEN)


def without_crossings(structure: Sequence[Span], mentions: Sequence[Span]) -> list[Span]:
    """The structure spans that neither cross a mention nor hide a whole one: a mention
    always wins, so laying the structure over a text never costs a mark. Markup inside
    a mention (the ``**`` of a marked sentence) is still hidden."""
    kept = []
    for span in structure:
        crosses = any(
            (m.start < span.start < m.end < span.end) or (span.start < m.start < span.end < m.end)
            for m in mentions
        )
        hides = span.kind in (HIDDEN, BULLET, RULE) and any(
            span.start <= m.start and m.end <= span.end for m in mentions
        )
        if not (crosses or hides):
            kept.append(span)
    return kept


def rendered(marked: MarkedText) -> MarkedText:
    """The marked text with hidden markup removed, list markers shown as bullets and
    thematic breaks as an empty element the stylesheet draws as a line."""
    tokens: list[Token] = []
    hiding = 0
    for token in marked.tokens:
        kind = token.span.kind if token.span else ""
        if kind == RULE:
            hiding += 1 if token.type == "open" else -1
            tokens.append(token)
            continue
        if kind in (HIDDEN, BULLET):
            if token.type == "open":
                hiding += 1
                if kind == BULLET:
                    tokens.append(Token("text", "• "))
            else:
                hiding -= 1
            continue
        if token.type == "text" and hiding:
            continue
        tokens.append(token)
    return MarkedText(tokens, [s for s in marked.dropped if not s.kind.startswith("md-")])


__all__ = ["is_markdown", "markdown_spans", "rendered", "without_crossings"]
