"""Text of Word documents (.docx, Office Open XML), read with python-docx.

The text is the body's paragraphs and table cells in document order, one block
per paragraph or cell with a blank line between blocks (as the HTML reader
renders a page), so headings, list items and cells never run into each other's
sentences. A cell's own paragraphs and nested tables are read in order too;
a cell merged across columns or rows is read once. Headers, footers, comments
and text boxes are left out: they are furniture, like a web page's menus.

A .docx is a zip archive: before python-docx unpacks it, the sizes its entries
declare (which bound what unpacking yields) are checked against
:data:`MAX_UNPACKED_BYTES`, so a small hostile file cannot expand to gigabytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Most bytes a .docx may unpack to (all its parts together). Text is a small part
#: of a real document; pictures are stored compressed already, so they unpack to
#: about their packed size, and the packed file is at most ``max_bytes`` (50 MiB).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: Paragraph styles that mark a document's own title.
_TITLE_STYLES = ("title", "heading 1")


class UnreadableWordError(ValueError):
    """The bytes are not a readable .docx; the message says why."""


@dataclass(frozen=True)
class WordContent:
    text: str
    #: The first paragraph styled Title (else Heading 1), as the document shows it.
    heading: str | None
    #: The title and language the file's properties state (often a template's).
    stated_title: str | None
    language: str | None


def extract_docx(raw: bytes) -> WordContent:
    """The text, title and language of a .docx; raises UnreadableWordError."""
    import docx  # imported here: only Word inputs pay for it

    _check_archive(raw)
    try:
        document = docx.Document(io.BytesIO(raw))
        blocks = [" ".join(text.split()) for text in _texts(document)]
        heading = _heading(document)
        properties = document.core_properties
        stated_title, language = properties.title, properties.language
    except UnreadableWordError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types for one meaning
        reason = str(exc) or type(exc).__name__
        raise UnreadableWordError(reason) from exc
    return WordContent(
        "\n\n".join(block for block in blocks if block),
        heading,
        stated_title or None,
        language or None,
    )


def _check_archive(raw: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableWordError(f"not a Word .docx (zip) archive: {exc}") from exc
    if not any(entry.filename == "word/document.xml" for entry in entries):
        raise UnreadableWordError("a zip archive without word/document.xml, not a Word .docx")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableWordError(
            f"it unpacks to {unpacked:,} bytes, more than the limit of {MAX_UNPACKED_BYTES:,}"
        )


def _texts(document: Any) -> Iterator[str]:
    """Paragraph and cell texts in document order, without recursion (tables nest)."""
    from docx.table import Table

    pending: list[Any] = list(document.iter_inner_content())[::-1]
    while pending:
        item = pending.pop()
        if isinstance(item, Table):
            seen: set[Any] = set()  # the cells' XML elements (kept, so compared by identity)
            cells = []
            for row in item.rows:
                for cell in row.cells:
                    if cell._tc not in seen:  # a merged cell comes once per grid slot it spans
                        seen.add(cell._tc)
                        cells.extend(cell.iter_inner_content())
            pending.extend(reversed(cells))
        else:
            yield item.text


def _heading(document: Any) -> str | None:
    found: dict[str, str] = {}
    for paragraph in document.paragraphs:
        style = paragraph.style.name.lower() if paragraph.style is not None else ""
        text = " ".join(paragraph.text.split())
        if style in _TITLE_STYLES and text:
            found.setdefault(style, text)
    return next((found[style] for style in _TITLE_STYLES if style in found), None)
