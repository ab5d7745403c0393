"""Hostile documents at the reader: each is read correctly or refused with a reason.

Deep HTML nesting, texts past the length limit, control characters and
readers that break: every outcome is a ``SourceDocument`` or an
:class:`~practicegraph.errors.IngestError` naming the file, never another
exception (which would stop a batch or answer HTTP 500).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from practicegraph.errors import EmptyDocumentError, IngestError, UnsupportedFormatError
from practicegraph.ingest import DEFAULT_MAX_CHARS, DocumentLimitError, read_document, readers
from practicegraph.ingest.html import MAX_DEPTH, extract_html

PARAGRAPH = "The probation service in Riga runs a mentoring scheme for young adults.\n\n"


def _write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _names_file(error: IngestError, path: Path) -> None:
    assert error.path == path
    assert str(path) in str(error)


# --- HTML nesting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<html><body>" + "<div>x " * 20_000 + "</div>" * 20_000 + "</body></html>",
        "<html><body><p>" + "<span>a " * 20_000 + "</p></body></html>",
        "<b>" * 200_000,
    ],
    ids=["nested-div", "unclosed-span", "unclosed-b"],
)
def test_html_nested_too_deep_is_refused_naming_the_limit(tmp_path: Path, markup: str) -> None:
    path = _write(tmp_path / "deep.html", markup)
    with pytest.raises(DocumentLimitError, match=rf"nested more than {MAX_DEPTH} deep") as info:
        read_document(path)
    _names_file(info.value, path)


def test_html_parse_stops_at_the_limit_not_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal comes from inside the parser, before the rest of the markup is built."""
    from bs4 import BeautifulSoup

    pushed = 0
    original = BeautifulSoup.pushTag

    def counting(self: BeautifulSoup, tag: object) -> None:
        nonlocal pushed
        pushed += 1
        original(self, tag)  # type: ignore[arg-type]

    monkeypatch.setattr(BeautifulSoup, "pushTag", counting)
    with pytest.raises(ValueError, match="nested more than"):
        extract_html("<i>" * 5_000)
    assert pushed <= MAX_DEPTH + 1  # the document itself, then MAX_DEPTH elements


def test_html_nested_just_within_the_limit_is_read(tmp_path: Path) -> None:
    """500 unclosed <p> (html.parser nests them) used to exhaust the recursion limit."""
    depth = MAX_DEPTH - 12
    markup = "<html><body>" + "".join(f"<p>Paragraph {i} of the report. " for i in range(depth))
    document = read_document(_write(tmp_path / "old-page.html", markup + "</body></html>"))
    assert document.text.startswith("Paragraph 0 of the report.")
    assert f"Paragraph {depth - 1} of the report." in document.text


# --- text length ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["one line", "many lines"])
def test_text_past_the_length_limit_is_refused_naming_it(tmp_path: Path, shape: str) -> None:
    word = "rehabilitation "
    body = word * (DEFAULT_MAX_CHARS // len(word) + 10)
    if shape == "many lines":
        body = body.replace("rehabilitation rehabilitation ", "rehabilitation\nrehabilitation ")
    path = _write(tmp_path / "huge.txt", body)
    with pytest.raises(DocumentLimitError) as info:
        read_document(path)
    _names_file(info.value, path)
    assert f"limit of {DEFAULT_MAX_CHARS:,} characters (setting max_text_chars)" in str(info.value)


def test_length_limit_counts_the_text_not_the_markup(tmp_path: Path) -> None:
    text = PARAGRAPH.strip()
    markup = f'<html><body><p class="{"x" * 5_000}">{text}</p></body></html>'
    path = _write(tmp_path / "page.html", markup)
    assert read_document(path, max_chars=len(text)).text == text
    with pytest.raises(DocumentLimitError, match=f"limit of {len(text) - 1:,} characters"):
        read_document(path, max_chars=len(text) - 1)


def test_text_at_the_length_limit_is_read(tmp_path: Path) -> None:
    text = PARAGRAPH * 20
    path = _write(tmp_path / "exact.md", text)
    assert read_document(path, max_chars=len(text)).text == text


# --- control characters --------------------------------------------------------------------


def test_text_with_control_characters_is_read_without_them(tmp_path: Path) -> None:
    raw = (
        "\x1b[1;31mPrison Reform in Latvia\x1b[0m\n\n"
        "The \x07Latvian Prison\x08 Administration\x1b]0;title\x07 runs education.\x0c"
        "Page two\x0bcontinues\x7f here.\x01\x02\x03\x04\x05\x06\x0e\x0f\x10\x11\x12\n"
        "\x1f\x85Next line.\x9b\n"
    )
    document = read_document(_write(tmp_path / "terminal-log.txt", raw))
    assert document.text == (
        "Prison Reform in Latvia\n\n"
        "The Latvian Prison Administration runs education.\n"
        "Page two\ncontinues here.\n"
        "\nNext line.\n"
    )
    assert document.title == "Prison Reform in Latvia"


def test_an_unfinished_escape_sequence_costs_only_itself(tmp_path: Path) -> None:
    raw = f"\x1b]0;{PARAGRAPH}{PARAGRAPH}"  # a window title never ended
    document = read_document(_write(tmp_path / "cut-log.txt", raw))
    assert document.text == f"0;{PARAGRAPH}{PARAGRAPH}"


def test_control_characters_do_not_make_markdown_or_html_binary(tmp_path: Path) -> None:
    controls = "".join(chr(c) for c in range(1, 9)) * 40  # far more than 5 % of the file
    md = read_document(_write(tmp_path / "notes.md", f"# Peer support\n{controls}\n{PARAGRAPH}"))
    assert md.title == "Peer support"
    assert md.text == f"# Peer support\n\n{PARAGRAPH}"
    page = f"<html><body><main><p>{controls}{PARAGRAPH}</p></main></body></html>"
    html = read_document(_write(tmp_path / "page.html", page))
    assert html.text == PARAGRAPH.strip()


def test_a_stray_nul_is_dropped_but_nul_heavy_files_are_binary(tmp_path: Path) -> None:
    stray = read_document(_write(tmp_path / "export.txt", PARAGRAPH * 5 + "\x00end."))
    assert stray.text == PARAGRAPH * 5 + "end."
    utf16_without_bom = (PARAGRAPH * 5).encode("utf-16-le")
    path = _write(tmp_path / "wide.txt", utf16_without_bom)
    with pytest.raises(UnsupportedFormatError, match="binary file, not text") as info:
        read_document(path)
    _names_file(info.value, path)


def test_a_file_of_controls_only_is_empty(tmp_path: Path) -> None:
    path = _write(tmp_path / "noise.txt", bytes(range(1, 9)) * 100)
    with pytest.raises(EmptyDocumentError) as info:
        read_document(path)
    _names_file(info.value, path)


# --- a reader that breaks ----------------------------------------------------------------------


def test_an_unexpected_reader_error_becomes_an_ingest_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(markup: str) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(readers, "extract_html", broken)
    path = _write(tmp_path / "page.html", f"<html><body><p>{PARAGRAPH}</p></body></html>")
    with pytest.raises(UnsupportedFormatError, match=r"could not be read.*RecursionError") as info:
        read_document(path)
    _names_file(info.value, path)
