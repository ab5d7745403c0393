"""Hard line breaks inside sentences, read as the spaces they stand for.

Text extracted from a PDF, and plain text wrapped at a fixed width, break lines
in the middle of sentences and names: "the Ministry of\\nJustice". spaCy and the
gazetteer lookups then see two fragments. Before parsing, each break that
wraps a line is read as a space; paragraph breaks, list items and lines that
end a sentence or a heading keep their break. The replacement is one character
for one, so every offset into the parsed text is an offset into the document's
own text, and evidence is still quoted from the document as it is.
"""

from __future__ import annotations

import re

#: A line this long that does not end a sentence was most likely wrapped.
MIN_WRAPPED_LINE = 40

_ENDS_BLOCK = re.compile(r"[.!?:;…)\]\"”’]\s*$")
#: Three spaces or a tab inside a line: columns of a layout (a running header "Ministry
#: of Justice      Fact sheet", a table), not prose that wraps.
_COLUMN_GAP = re.compile(r"\S(?: {3,}|\t)\S")
_STARTS_ITEM = re.compile(r"\s*(?:[•\-*–·●▪>#|]|\d{1,3}[.)]\s|[A-Za-z][.)]\s)")


def rejoin_lines(text: str) -> str:
    """``text`` with line-wrapping newlines turned into spaces (same length)."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines[:-1]):
        out.append(line)
        following = lines[index + 1]
        wrapped = (
            len(line.strip()) >= MIN_WRAPPED_LINE
            and not _ENDS_BLOCK.search(line)
            and not _COLUMN_GAP.search(line.strip())
            and following.strip() != ""
            and not _STARTS_ITEM.match(following)
        )
        out.append(" " if wrapped else "\n")
    out.append(lines[-1])
    return "".join(out)
