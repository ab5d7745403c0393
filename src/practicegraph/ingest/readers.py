"""Read input files (plain text, Markdown, HTML, PDF, Word .docx) into :class:`SourceDocument`.

The text of a document is what every later stage points into: entity offsets
and quoted evidence are positions in ``SourceDocument.text``. Plain text and
Markdown are therefore kept verbatim apart from normalisations that cannot
move a word relative to its neighbours: line endings become ``\\n``, a leading
byte-order mark is dropped, control characters are dropped (form feeds and
vertical tabs become line breaks, terminal escape sequences go whole) and the
text is NFC-normalised. HTML, PDF and Word documents have no such "original"
text; their text is what the extractors produce (:mod:`practicegraph.ingest.word`
for .docx: paragraphs and table cells in order, a blank line between them).

Every failure is an :class:`~practicegraph.errors.IngestError` naming the file,
so a batch can report it and go on with the next file; so is a document past a
limit (:class:`DocumentLimitError`: its text length, its HTML nesting), found
before any slow work is done on it.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import stat
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from practicegraph.errors import (
    DecodeError,
    DocumentLimitError,
    EmptyDocumentError,
    IngestError,
    MissingFileError,
    UnsupportedFormatError,
)
from practicegraph.ingest.decoding import SNIFF_BYTES, declared_charset, decode, normalise
from practicegraph.ingest.html import HtmlTooDeepError, extract_html
from practicegraph.ingest.metadata import (
    detect_language,
    find_date,
    guess_title,
    normalise_language,
)
from practicegraph.ingest.word import UnreadableWordError, extract_docx

__all__ = [
    "DEFAULT_MAX_CHARS",
    "SUPPORTED_SUFFIXES",
    "DocumentLimitError",
    "SourceDocument",
    "iter_input_files",
    "read_document",
]

_log = logging.getLogger(__name__)

TEXT_PLAIN = "text/plain"
TEXT_MARKDOWN = "text/markdown"
TEXT_HTML = "text/html"
APPLICATION_PDF = "application/pdf"
APPLICATION_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_MEDIA_TYPES: dict[str, str] = {
    ".txt": TEXT_PLAIN,
    ".text": TEXT_PLAIN,
    ".md": TEXT_MARKDOWN,
    ".markdown": TEXT_MARKDOWN,
    ".html": TEXT_HTML,
    ".htm": TEXT_HTML,
    ".xhtml": TEXT_HTML,
    ".pdf": APPLICATION_PDF,
    ".docx": APPLICATION_DOCX,
}
#: The signature of OLE compound files: Word 97-2003 .doc (and .xls, .ppt).
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Suffixes read without sniffing the content (compared in lower case).
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_MEDIA_TYPES)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: Longest document text accepted (setting ``max_text_chars``). Why this figure:
#: it is spaCy's own default ``max_length`` (some 170,000 words, a 500-page
#: book), and parsing that much already holds the single writer for a minute.
DEFAULT_MAX_CHARS = 1_000_000


@dataclass(frozen=True)
class SourceDocument:
    """One input file, read and cleaned; ``text`` is what offsets point into."""

    path: Path
    source_name: str
    text: str
    media_type: str
    content_hash: str
    title: str | None
    date: str | None
    language: str | None
    url: str | None


# --- finding files -------------------------------------------------------------


def _is_hidden(path: Path) -> bool:
    return path.name.startswith(".")


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path]:
    """Yield the files under ``folder`` depth-first in name order.

    Why ``seen``: a symbolic link back to an ancestor would otherwise loop
    forever.
    """
    try:
        info = folder.stat()
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        # Unlistable folder: hand it on so that read_document reports it.
        yield folder
        return
    key = (info.st_dev, info.st_ino)
    if key in seen:
        return
    seen.add(key)
    for entry in entries:
        if _is_hidden(entry):
            continue
        if entry.is_dir():
            yield from _walk(entry, seen)
        elif entry.is_file():
            yield entry


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders recursively (sorted, hidden entries skipped); yield files as given.

    A path that does not exist is yielded unchanged, so that
    :func:`read_document` reports it in the same way as any other bad input
    instead of it vanishing silently. Every file in a folder is yielded, not
    only those with a supported suffix, for the same reason.
    """
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk(path, set())
        else:
            yield path


# --- format detection ------------------------------------------------------------


def _sniff(raw: bytes) -> str | None:
    """Media type from the content's first bytes, or ``None`` when it is not PDF/HTML."""
    head = raw[:SNIFF_BYTES]
    if head.lstrip().startswith(b"%PDF"):
        return APPLICATION_PDF
    lowered = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if lowered.startswith(b"<?xml") and b"<html" in lowered:
        return TEXT_HTML
    if lowered.startswith((b"<!doctype html", b"<html")):
        return TEXT_HTML
    return None


# --- readers per format ------------------------------------------------------------


def _require_text(text: str, path: Path, reason: str = "no text in the file") -> None:
    if not text.strip():
        raise EmptyDocumentError(path, reason)


def _require_length(text: str, path: Path, max_chars: int) -> None:
    """Refuse a text longer than ``max_chars`` before any slow work is done on it."""
    if len(text) > max_chars:
        raise DocumentLimitError(
            path,
            f"text is {len(text):,} characters long, more than the limit of "
            f"{max_chars:,} characters (setting max_text_chars)",
        )


_MD_ATX_H1 = re.compile(r"^ {0,3}#(?!#)\s+(.+?)(?:\s+#+)?\s*$")
_MD_SETEXT_H1 = re.compile(r"^ {0,3}=+\s*$")


def _markdown_title(text: str) -> str | None:
    """First level-1 heading (``# Title`` or ``Title`` over ``===``)."""
    lines = text.split("\n")
    in_fence = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _MD_ATX_H1.match(line)
        if match:
            return match.group(1).strip()
        if (
            index > 0
            and _MD_SETEXT_H1.match(line)
            and lines[index - 1].strip()
            and not lines[index - 1].lstrip().startswith("#")
        ):
            return lines[index - 1].strip()
    return None


def _text_document(
    path: Path, raw: bytes, digest: str, media_type: str, max_chars: int
) -> SourceDocument:
    text = normalise(decode(raw, path))
    _require_text(text, path)
    _require_length(text, path, max_chars)
    title = _markdown_title(text) if media_type == TEXT_MARKDOWN else None
    return SourceDocument(
        path=path,
        source_name=path.name,
        text=text,
        media_type=media_type,
        content_hash=digest,
        title=title or guess_title(text),
        date=find_date(text),
        language=detect_language(text),
        url=None,
    )


def _html_document(path: Path, raw: bytes, digest: str, max_chars: int) -> SourceDocument:
    markup = normalise(decode(raw, path, declared=declared_charset(raw)))
    try:
        content = extract_html(markup)
    except HtmlTooDeepError as exc:
        raise DocumentLimitError(
            path, f"HTML elements are nested more than {exc.limit} deep, past the limit"
        ) from None
    text = normalise(content.text)
    _require_text(text, path, "no main content left after removing markup and boilerplate")
    _require_length(text, path, max_chars)
    return SourceDocument(
        path=path,
        source_name=path.name,
        text=text,
        media_type=TEXT_HTML,
        content_hash=digest,
        title=content.title or guess_title(text),
        date=content.date or find_date(text),
        language=content.language or detect_language(text),
        url=content.url,
    )


_WORD_EXPORT_PREFIX = re.compile(r"^microsoft (word|powerpoint|excel) - ", re.IGNORECASE)
_FILENAME_LIKE = re.compile(r"\.(docx?|pptx?|xlsx?|pdf|indd|odt|rtf|txt)$", re.IGNORECASE)


def _stated_title(raw_title: object) -> str | None:
    """A title a file states (PDF /Title, .docx properties) when it is a real title,
    not an exporter's file name."""
    if not isinstance(raw_title, str):
        return None
    title = _WORD_EXPORT_PREFIX.sub("", " ".join(raw_title.split()))
    if (
        not title
        or title.lower() in ("untitled", "untitled document")
        or _FILENAME_LIKE.search(title)
    ):
        return None
    return title


class _QuietPypdf:
    """Context manager that keeps pypdf's log messages and warnings off stderr.

    Why: pypdf logs a warning for every small defect it repairs; in a batch
    of hundreds of PDFs that noise hides the real reports, and the test
    configuration turns warnings into errors.
    """

    def __init__(self) -> None:
        self._logger = logging.getLogger("pypdf")
        self._level = self._logger.level
        self._warnings = warnings.catch_warnings()

    def __enter__(self) -> None:
        self._level = self._logger.level
        self._logger.setLevel(logging.CRITICAL + 1)
        self._warnings.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc_info: object) -> None:
        self._warnings.__exit__(None, None, None)
        self._logger.setLevel(self._level)


def _pdf_document(path: Path, raw: bytes, digest: str, max_chars: int) -> SourceDocument:
    from pypdf import PdfReader  # imported here: only PDF inputs pay for it

    with _QuietPypdf():
        # pypdf raises many exception types on damaged files (its own errors,
        # but also KeyError, ValueError, RecursionError...), all meaning the
        # same thing to the user, so they are caught together.
        try:
            reader = PdfReader(io.BytesIO(raw))
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnsupportedFormatError(path, "unreadable PDF: encrypted with a password")
            pages = [page.extract_text() or "" for page in reader.pages]
        except UnsupportedFormatError:
            raise
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
            raise UnsupportedFormatError(path, f"unreadable PDF: {reason}") from exc
        try:
            metadata = reader.metadata
            raw_title: object = metadata.title if metadata is not None else None
        except Exception:  # a damaged info dictionary only costs the title
            raw_title = None
        try:
            root = reader.trailer["/Root"]
            declared_lang: object = root.get("/Lang") if hasattr(root, "get") else None
        except Exception:  # the catalogue's /Lang is optional
            declared_lang = None

    cleaned = [normalise(page).strip() for page in pages]
    text = "\n\n".join(page for page in cleaned if page)
    _require_text(text, path, "PDF has no text layer (scanned?)")
    _require_length(text, path, max_chars)
    language = normalise_language(declared_lang) if isinstance(declared_lang, str) else None
    return SourceDocument(
        path=path,
        source_name=path.name,
        text=text,
        media_type=APPLICATION_PDF,
        content_hash=digest,
        title=_stated_title(raw_title) or guess_title(text),
        date=find_date(text),
        language=language or detect_language(text),
        url=None,
    )


def _docx_document(path: Path, raw: bytes, digest: str, max_chars: int) -> SourceDocument:
    try:
        content = extract_docx(raw)
    except UnreadableWordError as exc:
        raise UnsupportedFormatError(path, f"unreadable Word document: {exc}") from exc
    text = normalise(content.text)
    _require_text(text, path, "the Word document has no text")
    _require_length(text, path, max_chars)
    language = normalise_language(content.language) if content.language else None
    return SourceDocument(
        path=path,
        source_name=path.name,
        text=text,
        media_type=APPLICATION_DOCX,
        content_hash=digest,
        title=content.heading or _stated_title(content.stated_title) or guess_title(text),
        date=find_date(text),
        language=language or detect_language(text),
        url=None,
    )


# --- entry point ---------------------------------------------------------------------


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise MissingFileError(path, "no such file") from None
    except OSError as exc:
        raise MissingFileError(path, exc.strerror or str(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise MissingFileError(path, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise UnsupportedFormatError(path, "not a regular file")
    if info.st_size > max_bytes:
        raise UnsupportedFormatError(
            path, f"file is {info.st_size} bytes, larger than the limit of {max_bytes} bytes"
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise MissingFileError(path, exc.strerror or str(exc)) from None
    if len(raw) > max_bytes:  # the file grew after stat()
        raise UnsupportedFormatError(
            path, f"file is more than {max_bytes} bytes, larger than the limit"
        )
    return raw


def read_document(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_chars: int = DEFAULT_MAX_CHARS
) -> SourceDocument:
    """Read one file into a :class:`SourceDocument`.

    The format comes from the suffix; an unknown suffix is sniffed (PDF and
    HTML signatures, else text if it decodes, else unsupported). Raises
    :class:`MissingFileError`, :class:`UnsupportedFormatError`,
    :class:`DecodeError`, :class:`EmptyDocumentError` or
    :class:`DocumentLimitError` (more than ``max_chars`` characters of text,
    HTML nested too deep), each naming the file; never anything else, so that
    one hostile file cannot stop a batch.
    """
    path = Path(os.fspath(path))
    if not _encodable(path.name):
        raise UnsupportedFormatError(
            path, "the file name is not valid UTF-8; rename the file (its name is its identity)"
        )
    raw = _read_bytes(path, max_bytes)
    if not raw:
        raise EmptyDocumentError(path, "file is empty")
    try:
        return _read(path, raw, max_chars)
    except IngestError:
        raise
    except Exception as exc:  # a reader's bug must not take the batch down with it
        _log.debug("reading %s failed", path, exc_info=True)
        raise UnsupportedFormatError(
            path, f"could not be read ({type(exc).__name__}: {exc})"
        ) from exc


def _encodable(name: str) -> bool:
    """Why: bytes of a name that are not UTF-8 come back as lone surrogates, which no
    IRI, RDF literal or index key can hold."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read(path: Path, raw: bytes, max_chars: int) -> SourceDocument:
    digest = hashlib.sha256(raw).hexdigest()
    if path.suffix.lower() == ".doc" and raw.startswith(_OLE_SIGNATURE):
        raise UnsupportedFormatError(
            path, "Word 97-2003 .doc files are not read; save the document as .docx"
        )
    media_type = _MEDIA_TYPES.get(path.suffix.lower()) or _sniff(raw)
    if media_type == APPLICATION_PDF:
        return _pdf_document(path, raw, digest, max_chars)
    if media_type == APPLICATION_DOCX:
        return _docx_document(path, raw, digest, max_chars)
    if media_type == TEXT_HTML:
        return _html_document(path, raw, digest, max_chars)
    if media_type is not None:
        return _text_document(path, raw, digest, media_type, max_chars)
    try:
        return _text_document(path, raw, digest, TEXT_PLAIN, max_chars)
    except DecodeError as exc:
        raise UnsupportedFormatError(
            path, f"unknown suffix {path.suffix or '(none)'!r} and not text: {exc.reason}"
        ) from exc
