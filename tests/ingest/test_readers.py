"""Tests of the ingest readers: formats, decoding, errors, metadata heuristics."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

import pytest

from practicegraph.errors import (
    DecodeError,
    EmptyDocumentError,
    IngestError,
    MissingFileError,
    UnsupportedFormatError,
)
from practicegraph.ingest import (
    SUPPORTED_SUFFIXES,
    SourceDocument,
    iter_input_files,
    read_document,
)
from practicegraph.ingest.html import extract_html
from practicegraph.ingest.metadata import (
    detect_language,
    find_date,
    guess_title,
    is_boilerplate_line,
    normalise_date,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"

ENGLISH = (
    "The probation service has introduced a new programme for young adults. "
    "It is run by trained officers, and the results of the first year were "
    "encouraging for the staff and for the people who took part in it."
)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _assert_names_file(error: IngestError, path: Path) -> None:
    assert str(path) in str(error)
    assert error.path == path


# --- plain text and Markdown ----------------------------------------------------


def test_plain_text_with_bom_and_crlf_keeps_offsets(tmp_path: Path) -> None:
    original = (
        "Reset your password\r\n\r\nPeer Support Works\r\nOn 31 Oct 2023 the café opened.\r\n"
    )
    raw = b"\xef\xbb\xbf" + original.encode("utf-8")
    path = _write(tmp_path / "doc.txt", raw)

    doc = read_document(path)

    expected = original.replace("\r\n", "\n")
    assert doc.text == expected
    assert doc.media_type == "text/plain"
    assert doc.source_name == "doc.txt"
    assert doc.path == path
    assert doc.content_hash == hashlib.sha256(raw).hexdigest()
    assert doc.title == "Peer Support Works"
    assert doc.date == "2023-10-31"
    assert doc.url is None
    start = doc.text.index("café")
    assert doc.text[start : start + 4] == "café"
    assert "On 31 Oct 2023 the café opened." in doc.text


def test_plain_text_is_nfc_normalised_and_lone_cr_converted(tmp_path: Path) -> None:
    path = _write(tmp_path / "old.txt", "Cafe\u0301 one\rline two\r".encode())
    doc = read_document(path)
    assert doc.text == "Caf\u00e9 one\nline two\n"


def test_leading_blank_lines_are_kept(tmp_path: Path) -> None:
    path = _write(tmp_path / "pad.txt", b"\n\n\n## Declaration of Brussels\n\nText.\n")
    doc = read_document(path)
    assert doc.text.startswith("\n\n\n## Declaration")
    assert doc.title == "Declaration of Brussels"


def test_markdown_title_is_first_level_one_heading(tmp_path: Path) -> None:
    text = "Intro line\n\n## Not this\n\n# Community Sanctions ##\n\nBody text.\r\n"
    path = _write(tmp_path / "notes.md", text.encode())
    doc = read_document(path)
    assert doc.media_type == "text/markdown"
    assert doc.title == "Community Sanctions"
    assert doc.text == text.replace("\r\n", "\n")  # not rendered


def test_markdown_without_h1_falls_back_to_first_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "notes.markdown", b"---\n\n## Declaration of Riga\n\nBody.\n")
    assert read_document(path).title == "Declaration of Riga"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = _write(tmp_path / "wide.txt", "Hello prisons\r\nsecond line".encode("utf-16"))
    assert read_document(path).text == "Hello prisons\nsecond line"


def test_cp1252_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "win.txt", "Caf\u00e9 \u201cquoted\u201d \u2013 ok".encode("cp1252"))
    assert read_document(path).text == "Caf\u00e9 \u201cquoted\u201d \u2013 ok"


def test_language_is_detected(tmp_path: Path) -> None:
    path = _write(tmp_path / "en.txt", ENGLISH.encode())
    assert read_document(path).language == "en"


# --- HTML -------------------------------------------------------------------------


def test_html_keeps_only_the_article() -> None:
    path = DATA / "article.html"
    doc = read_document(path)

    assert doc.media_type == "text/html"
    assert doc.text == (
        "Peer Mentoring in Prisons\n\n"
        "Peer mentoring schemes pair prisoners with trained mentors who have "
        "served sentences themselves.\n\n"
        "Mentors receive accredited training.\n\n"
        "Sessions take place weekly.\n\n"
        "It gave me a reason to get up in the morning."
    )
    for furniture in ("cookie", "Reset your password", "Home", "Share", "Tweet", "Skip", "2019"):
        assert furniture not in doc.text
    assert doc.title == "Peer Mentoring in Prisons"
    assert doc.date == "2023-10-31"
    assert doc.language == "en"
    assert doc.url == "https://example.org/news/peer-mentoring"
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_html_without_main_uses_densest_block_and_meta_fallbacks() -> None:
    markup = """<html><head>
      <title>Annual Report - Prison Service</title>
      <meta property="og:url" content="https://example.org/report">
      <meta name="DC.date" content="2021-03">
    </head><body>
      <div id="topnav"><a href="/">Home</a> <a href="/about">About</a></div>
      <div class="content">
        <p>First paragraph of the report,<br>on two lines.</p>
        <p>Download the full report file</p>
        <p>Second paragraph.</p>
        <table><tr><td>Staff</td><td>120</td></tr><tr><td>Places</td><td>300</td></tr></table>
      </div>
      <div class="footer-links"><p>Contact</p></div>
    </body></html>"""
    content = extract_html(markup)
    assert content.text == (
        "First paragraph of the report,\non two lines.\n\nSecond paragraph.\n\n"
        "Staff 120\n\nPlaces 300"
    )
    assert content.title == "Annual Report"
    assert content.date == "2021-03"
    assert content.url == "https://example.org/report"
    assert content.language is None


def test_html_time_element_and_og_title(tmp_path: Path) -> None:
    markup = (
        '<!doctype html><html lang="fr"><head><meta property="og:title" content="Titre">'
        "</head><body><article><header><h1>Titre</h1>"
        '<time datetime="2022-06-01T10:00">1 juin</time></header>'
        "<p>Le texte de l'article.</p></article></body></html>"
    )
    path = _write(tmp_path / "page.htm", markup.encode())
    doc = read_document(path)
    assert doc.title == "Titre"
    assert doc.date == "2022-06-01"
    assert doc.language == "fr"
    assert doc.text == "Titre\n\n1 juin\n\nLe texte de l'article."


def test_html_with_only_furniture_is_empty(tmp_path: Path) -> None:
    markup = b"<html><body><nav><a href='/'>Home</a></nav><p>Reset your password</p></body></html>"
    path = _write(tmp_path / "empty.html", markup)
    with pytest.raises(EmptyDocumentError) as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_unknown_suffix_is_sniffed(tmp_path: Path) -> None:
    html = _write(tmp_path / "page.aspx", b"<!DOCTYPE html><html><body><p>Hello</p></body></html>")
    assert read_document(html).media_type == "text/html"
    text = _write(tmp_path / "README", b"Just some words.\n")
    assert read_document(text).media_type == "text/plain"


# --- PDF ----------------------------------------------------------------------------


def _make_pdf(path: Path, pages: list[str], *, title: str | None = None) -> Path:
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title is not None:
        pdf.setTitle(title)
    for text in pages:
        if text:
            pdf.drawString(72, 750, text)
        else:
            pdf.rect(100, 100, 200, 200, fill=1)
        pdf.showPage()
    pdf.save()
    return path


def test_pdf_text_of_all_pages_and_title(tmp_path: Path) -> None:
    path = _make_pdf(
        tmp_path / "report.pdf",
        ["Electronic monitoring in Europe", "Second page about probation"],
        title="Electronic Monitoring Report",
    )
    doc = read_document(path)
    assert doc.media_type == "application/pdf"
    assert "Electronic monitoring in Europe" in doc.text
    assert "Second page about probation" in doc.text
    assert doc.text.index("Electronic") < doc.text.index("Second page")
    assert "\n\n" in doc.text
    assert doc.title == "Electronic Monitoring Report"


def test_pdf_without_metadata_title_uses_first_line(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "untitled.pdf", ["Restorative Justice Guide"], title="")
    assert read_document(path).title == "Restorative Justice Guide"


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.pdf", b"%PDF-1.4\n" + bytes(range(32, 127)) * 20)
    with pytest.raises(UnsupportedFormatError, match="unreadable PDF") as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_truncated_pdf(tmp_path: Path) -> None:
    good = _make_pdf(tmp_path / "good.pdf", ["Some text"]).read_bytes()
    path = _write(tmp_path / "cut.pdf", good[:100])
    with pytest.raises(UnsupportedFormatError, match="unreadable PDF") as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "scan.pdf", [""])
    with pytest.raises(EmptyDocumentError, match=r"no text layer \(scanned\?\)") as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_pdf_read_emits_nothing_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    with pytest.raises(UnsupportedFormatError):
        read_document(path)
    assert capsys.readouterr().err == ""


def test_repaired_pdf_is_read_quietly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _make_pdf(tmp_path / "good.pdf", ["Text after repair"]).read_bytes()
    # A wrong startxref makes pypdf repair the file and log warnings about it.
    damaged = re.sub(rb"startxref\s+\d+", b"startxref\n99", good)
    path = _write(tmp_path / "repaired.pdf", damaged)
    assert read_document(path).text == "Text after repair"
    assert capsys.readouterr().err == ""
    assert logging.getLogger("pypdf").level == logging.NOTSET


# --- errors -------------------------------------------------------------------------


def test_binary_file_with_txt_suffix(tmp_path: Path) -> None:
    # Deterministic noise: 2 KiB of hash output, with NULs for good measure.
    data = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(64)) + b"\x00\x00"
    path = _write(tmp_path / "blob.txt", data)
    with pytest.raises(UnsupportedFormatError, match="binary file, not text") as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_bytes_undecodable_everywhere(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.txt", b"Hello \x81\x8d\x8f\x90\x9d world")
    with pytest.raises(DecodeError, match="offset 6") as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.txt", b"")
    with pytest.raises(EmptyDocumentError) as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "blank.md", b"\xef\xbb\xbf \r\n\t\n")
    with pytest.raises(EmptyDocumentError) as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.txt"
    with pytest.raises(MissingFileError) as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_directory_is_not_a_document(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="is a directory") as info:
        read_document(tmp_path)
    _assert_names_file(info.value, tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "secret.txt", b"text")
    path.chmod(0)
    try:
        with pytest.raises(MissingFileError, match="Permission denied") as info:
            read_document(path)
        _assert_names_file(info.value, path)
    finally:
        path.chmod(0o600)


def test_open_failure_reports_os_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "locked.txt", b"text")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(MissingFileError, match="Permission denied") as info:
        read_document(path)
    _assert_names_file(info.value, path)


def test_file_larger_than_limit(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.txt", b"x" * 100)
    with pytest.raises(UnsupportedFormatError, match=r"100 bytes.*limit of 10 bytes") as info:
        read_document(path, max_bytes=10)
    _assert_names_file(info.value, path)


def test_unknown_suffix_binary_is_unsupported(tmp_path: Path) -> None:
    path = _write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(UnsupportedFormatError) as info:
        read_document(path)
    _assert_names_file(info.value, path)


# --- file discovery -------------------------------------------------------------------


def test_iter_input_files_expands_folders_in_order(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "b_dir" / "deeper").mkdir(parents=True)
    (root / ".hidden_dir").mkdir()
    for name in ("c.txt", "a.md", ".secret.txt", "b_dir/z.html", "b_dir/deeper/y.pdf"):
        (root / name).write_text("x")
    (root / ".hidden_dir" / "inside.txt").write_text("x")
    single = _write(tmp_path / "single.txt", b"x")
    missing = tmp_path / "missing.txt"

    found = list(iter_input_files([single, root, missing]))

    assert found == [
        single,
        root / "a.md",
        root / "b_dir" / "deeper" / "y.pdf",
        root / "b_dir" / "z.html",
        root / "c.txt",
        missing,
    ]


def test_supported_suffixes() -> None:
    assert {
        ".txt",
        ".text",
        ".md",
        ".markdown",
        ".html",
        ".htm",
        ".xhtml",
        ".pdf",
        ".docx",
    } == set(SUPPORTED_SUFFIXES)


def test_source_document_is_frozen(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path / "a.txt", b"Title\n"))
    assert isinstance(doc, SourceDocument)
    with pytest.raises(AttributeError):
        doc.title = "other"  # type: ignore[misc]


# --- metadata heuristics --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("At the end of last week, on 25-26 May 2023, the Ministry met.", "2023-05-25"),
        ("Published 31 Oct 2023 by the service.", "2023-10-31"),
        ("In Brussels on 17th November 2017, the conference agreed:", "2017-11-17"),
        ("Washington, November 17, 2017 - The agency said", "2017-11-17"),
        ("Updated 2023-05-25T10:00:00Z", "2023-05-25"),
        ("Riga, 25.05.2023.", "2023-05-25"),
        ("First 3 Sept. 2019 then 2020-01-01", "2019-09-03"),
        ("Between 1998 and November 1999 nothing.", None),
        ("On 31 February 2023 nothing happened.", None),
        ("No date here at all.", None),
    ],
)
def test_find_date(text: str, expected: str | None) -> None:
    assert find_date(text) == expected


def test_find_date_only_looks_at_the_start() -> None:
    assert find_date("x" * 2000 + " 31 Oct 2023") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-10-31T09:30:00+01:00", "2023-10-31"),
        ("2023-10", "2023-10"),
        ("2023", "2023"),
        ("31 Oct 2023", "2023-10-31"),
        ("garbage", None),
    ],
)
def test_normalise_date(value: str, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_guess_title_skips_boilerplate_and_breadcrumbs() -> None:
    text = (
        "\nReset your password\n\nReset your password?\n"
        "CIPC » Strategies, Practices and Tools » Tools\n"
        "Home > News\n" + "y" * 250 + "\n## Strategic Seminars ##\nBody"
    )
    assert guess_title(text) == "Strategic Seminars"
    assert guess_title("\n \n") is None


@pytest.mark.parametrize(
    "line",
    [
        "Reset your password?",
        "SKIP TO MAIN CONTENT",
        "Read more »",
        "Share this",
        "Download the annual report.pdf",
        "Download attached file",
        "This site uses cookies. Accept",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    ["Staff share good practice.", "Download speeds in prisons are low", ""],
)
def test_not_boilerplate(line: str) -> None:
    assert not is_boilerplate_line(line)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ENGLISH, "en"),
        (
            "Le service pénitentiaire a mis en place un nouveau programme pour les jeunes "
            "adultes. Il est dirigé par des agents formés et les résultats de la première "
            "année sont encourageants pour le personnel.",
            "fr",
        ),
        (
            "Der Justizvollzug hat ein neues Programm für junge Erwachsene eingeführt. Es "
            "wird von geschulten Beamten geleitet und die Ergebnisse sind auch für die "
            "Mitarbeiter ermutigend.",
            "de",
        ),
        (
            "Tieslietu ministrija sadarbībā ar Ieslodzījuma vietu pārvaldi un Valsts "
            "probācijas dienestu organizēja konferenci, kas ir svarīga arī tiem, kuri "
            "strādā ar klientiem, lai uzlabotu darbu un par to runātu pēc tam.",
            "lv",
        ),
        ("Strategic Seminars", None),
        ("", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_guess_title_skips_account_and_navigation_widgets() -> None:
    """Web pages put login boxes and menus above the title (a page of our own)."""
    text = "Menu\nSearch\nLog in\nMy account\n\nMentoring for new probation officers\n\nBody."
    assert guess_title(text) == "Mentoring for new probation officers"


def test_html_keeps_the_boxes_an_article_sets_aside(tmp_path: Path) -> None:
    """A fact box inside the article is content; related links and a sidebar are not."""
    path = tmp_path / "box.html"
    path.write_text(
        "<html><body><aside class='sidebar'><p>Subscribe to our updates today.</p></aside>"
        "<article><h1>Volunteers in probation</h1>"
        "<p>Volunteers now support people on probation in four regions of the country.</p>"
        "<aside class='factbox'><h3>Background</h3><p>The volunteer network first met in "
        "Tartu on 3 March 2021 with members from six services.</p></aside>"
        "<aside><a href='/a'>Another story about prisons</a> <a href='/b'>A second story"
        "</a></aside>"
        "<aside class='related'><p>Related: probation staff training in the spring.</p></aside>"
        "</article></body></html>",
        encoding="utf-8",
    )
    text = read_document(path).text
    assert "first met in Tartu on 3 March 2021" in text
    for furniture in ("Subscribe", "Another story", "Related:"):
        assert furniture not in text
