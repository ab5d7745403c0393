"""Word .docx documents: text in document order, title, language, refusals."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from practicegraph.errors import EmptyDocumentError, UnsupportedFormatError
from practicegraph.ingest import read_document
from practicegraph.ingest import word as word_module
from practicegraph.ingest.readers import APPLICATION_DOCX

DOCX = APPLICATION_DOCX


def _save(document: docx.document.Document, path: Path) -> Path:
    document.save(str(path))
    return path


def _mentoring_report(path: Path) -> Path:
    """A report with a heading, paragraphs, a table (one cell merged across a row and a
    nested table) and a second heading."""
    document = docx.Document()
    document.core_properties.language = "en-GB"
    document.add_heading("Peer Mentors in the Riga Remand Prison", level=1)
    document.add_paragraph(
        "In March 2022 the Latvian Prison Administration trained forty peer mentors."
    )
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "Partner"
    table.cell(0, 1).text = "Role"
    table.cell(1, 0).text = "State Probation Service"
    table.cell(1, 1).text = "It ran the weekly supervision sessions."
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "Both partners shared the costs & the premises."
    inner = merged.add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "Budget line seven covered the travel."
    document.add_heading("What changed", level=2)
    document.add_paragraph("Fewer disciplinary reports were filed in the mentors' wings.")
    return _save(document, path)


def test_paragraphs_and_table_cells_in_order(tmp_path: Path) -> None:
    doc = read_document(_mentoring_report(tmp_path / "mentors.docx"))
    assert doc.text.split("\n\n") == [
        "Peer Mentors in the Riga Remand Prison",
        "In March 2022 the Latvian Prison Administration trained forty peer mentors.",
        "Partner",
        "Role",
        "State Probation Service",
        "It ran the weekly supervision sessions.",
        "Both partners shared the costs & the premises.",
        "Budget line seven covered the travel.",
        "What changed",
        "Fewer disciplinary reports were filed in the mentors' wings.",
    ]
    assert doc.media_type == DOCX
    assert doc.title == "Peer Mentors in the Riga Remand Prison"
    assert doc.language == "en"
    assert doc.source_name == "mentors.docx"


def test_title_from_the_properties_unless_an_exporters_file_name(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Volunteer Visitors Scheme"
    document.add_paragraph("Volunteers visited people held far from their families.")
    assert read_document(_save(document, tmp_path / "a.docx")).title == (
        "Volunteer Visitors Scheme"
    )
    document.core_properties.title = "Microsoft Word - visitors_final.docx"
    titled = read_document(_save(document, tmp_path / "b.docx")).title
    assert titled is not None and "Microsoft Word" not in titled


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda good: good[: len(good) // 2], "unreadable Word document"),
        (lambda good: b"PK\x03\x04 this is no archive at all", "unreadable Word document"),
        (lambda good: b"plain words in a file that claims to be Word", "unreadable Word document"),
    ],
)
def test_a_corrupt_docx_is_refused_naming_the_file(
    tmp_path: Path, make: object, reason: str
) -> None:
    good = _mentoring_report(tmp_path / "good.docx").read_bytes()
    path = tmp_path / "broken.docx"
    path.write_bytes(make(good))  # type: ignore[operator]
    with pytest.raises(UnsupportedFormatError) as info:
        read_document(path)
    assert info.value.path == path
    assert str(path) in str(info.value) and reason in str(info.value)


def test_a_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "Minutes of the staff council.")
    path = tmp_path / "notes.docx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(UnsupportedFormatError, match=r"without word/document\.xml"):
        read_document(path)


def test_a_docx_unpacking_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _mentoring_report(tmp_path / "big.docx")
    monkeypatch.setattr(word_module, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(UnsupportedFormatError, match=r"unpacks to .* more than the limit"):
        read_document(path)


def test_an_empty_docx_says_it_has_no_text(tmp_path: Path) -> None:
    path = _save(docx.Document(), tmp_path / "blank.docx")
    with pytest.raises(EmptyDocumentError, match="no text"):
        read_document(path)


def test_an_old_binary_doc_is_refused_saying_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    with pytest.raises(UnsupportedFormatError, match=r"save the document as \.docx"):
        read_document(path)
