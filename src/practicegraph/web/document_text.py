"""A document's stored text as a page shows it: marked, and laid out for its format.

The marks point into the stored characters (annotation offsets), so the text
is never rewritten before marking; the layout is applied to the marked
tokens afterwards. Markdown shows its structure (:mod:`.markdown_marks`).
Text read from a PDF keeps the line breaks of the printed page: lines within
a paragraph are joined again here, while blank lines, list items, headings
and the short last line of a paragraph keep their breaks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from practicegraph.web.markdown_marks import (
    is_markdown,
    markdown_spans,
    rendered,
    without_crossings,
)
from practicegraph.web.marks import MarkedText, Span, Token, mark

PDF_TYPES = frozenset({"application/pdf"})
#: A line this much shorter than the page's full lines ends its paragraph when it
#: ends a sentence, and is a heading or a caption when it is shorter still.
PARAGRAPH_END = 0.8
SHORT_LINE = 0.5
_LIST_START = re.compile(r"[ \t]*(?:[-•*–▪◦]|\(?\d{1,3}[.)]|\(?[a-z][.)])[ \t]")
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "”", "’", ")")


def is_pdf(media_type: str) -> bool:
    return media_type.split(";", 1)[0].strip().lower() in PDF_TYPES


def document_text(text: str, media_type: str, spans: Sequence[Span]) -> MarkedText:
    """``text`` with ``spans`` marked, laid out for ``media_type``."""
    if is_markdown(media_type):
        structure = without_crossings(markdown_spans(text), spans)
        return rendered(mark(text, [*spans, *structure]))
    marked = mark(text, spans)
    if is_pdf(media_type):
        return reflowed(marked, line_joins(text))
    return marked


def line_joins(text: str) -> dict[int, str]:
    """Offsets of the line breaks that fall inside a paragraph, with what replaces each:
    a space, or nothing after a word hyphenated at the end of a line."""
    lines = text.split("\n")
    widths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if len(widths) < 3:
        return {}
    full = widths[int(len(widths) * 0.8)]  # most lines of a paragraph are about this long
    joins: dict[int, str] = {}
    offset = 0
    for line, following in pairwise(lines):
        newline = offset + len(line)
        offset = newline + 1
        current = line.rstrip()
        if not current.strip() or not following.strip() or _LIST_START.match(following):
            continue
        if len(current) < full * SHORT_LINE:
            continue  # a heading, a caption, an address line
        if current.endswith(_SENTENCE_END) and len(current) < full * PARAGRAPH_END:
            continue  # the last line of a paragraph
        hyphenated = (
            current.endswith("-") and current[-2:-1].isalpha() and following.lstrip()[:1].islower()
        )
        joins[newline] = "" if hyphenated else " "
    return joins


def reflowed(marked: MarkedText, joins: dict[int, str]) -> MarkedText:
    """``marked`` with the line breaks at ``joins`` replaced; marks and offsets unchanged
    (the text tokens of :func:`mark` are the stored text in order)."""
    if not joins:
        return marked
    tokens: list[Token] = []
    cursor = 0
    for token in marked.tokens:
        if token.type != "text":
            tokens.append(token)
            continue
        value = token.value
        end = cursor + len(value)
        if "\n" in value:
            value = "".join(
                joins.get(cursor + i, char) if char == "\n" else char
                for i, char in enumerate(value)
            )
        tokens.append(Token("text", value))
        cursor = end
    return MarkedText(tokens, marked.dropped)


__all__ = ["document_text", "is_pdf", "line_joins", "reflowed"]
