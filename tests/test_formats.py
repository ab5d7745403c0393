"""practicegraph.formats: one table of RDF and SPARQL formats, and nobody else spelling them."""

from __future__ import annotations

import ast
from pathlib import Path

import pyoxigraph as ox

from practicegraph import formats
from practicegraph.cli_exchange import ExportFormat, ImportFormat
from practicegraph.cli_query import ResultFormat

SRC = Path(__file__).resolve().parent.parent / "src" / "practicegraph"

#: Where an RDF or SPARQL media type may be written out.
ALLOWED = {"formats.py"}
#: Modules that still spell some (issue 17), to be moved onto practicegraph.formats.
#: The list may only shrink: a module here that no longer spells one fails the test.
PENDING: set[str] = set()


def _rdf_and_sparql_media_types() -> set[str]:
    """Every media type pyoxigraph knows a syntax by, and those of the SPARQL protocol.

    Generic types (``text/plain``, ``application/json``, ``text/html``) are left
    out: documents, HTML pages and other services use them too.
    """
    found = {"application/x-turtle", formats.SPARQL_QUERY, formats.SPARQL_UPDATE}
    for table in (ox.RdfFormat, ox.QueryResultsFormat):
        for name in dir(table):
            value = getattr(table, name)
            if isinstance(value, table):
                found.add(formats.media_type(value))
    return found


def _spelled(path: Path, media_types: set[str]) -> list[str]:
    """The string literals in ``path`` that are one of ``media_types`` (parameters aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.relative_to(SRC)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.partition(";")[0].strip().lower() in media_types
    ]


def test_media_types_are_spelled_only_in_the_formats_modules() -> None:
    media_types = _rdf_and_sparql_media_types()
    assert "text/turtle" in media_types and "application/sparql-results+json" in media_types
    stray: list[str] = []
    still_pending: set[str] = set()
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        if where in ALLOWED:
            continue
        found = _spelled(path, media_types)
        if where in PENDING:
            if found:
                still_pending.add(where)
            continue
        stray += found
    assert not stray, "media types belong in practicegraph.formats:\n" + "\n".join(stray)
    assert still_pending == PENDING, f"no longer spells media types: {PENDING - still_pending}"


def test_the_scan_finds_a_literal() -> None:
    assert _spelled(SRC / "formats.py", {"application/sparql-query"})


def test_aliases_agree_with_pyoxigraph() -> None:
    for media, name in formats.GRAPH_MEDIA.items():
        assert ox.RdfFormat.from_media_type(media) == formats.GRAPH_SYNTAXES[name], media
    for media, name in formats.RESULTS_MEDIA.items():
        assert ox.QueryResultsFormat.from_media_type(media) == formats.RESULTS_FORMATS[name], media
    for name, media in formats.FORMAT_NAMES.items():
        if media not in (formats.HTML, formats.JSON):
            known = ox.RdfFormat.from_media_type(media) or ox.QueryResultsFormat.from_media_type(
                media
            )
            assert known is not None, name


def test_content_types() -> None:
    assert formats.content_type(ox.RdfFormat.TURTLE) == "text/turtle; charset=utf-8"
    assert formats.content_type(ox.RdfFormat.JSON_LD) == "application/ld+json"
    assert formats.content_type(ox.QueryResultsFormat.CSV) == "text/csv; charset=utf-8"
    assert formats.media_type(ox.QueryResultsFormat.TSV) == "text/tab-separated-values"


def test_the_cli_offers_the_table_s_names() -> None:
    assert {f.value for f in ImportFormat} == set(formats.RDF_SYNTAXES)
    assert {f.value for f in ExportFormat} == set(formats.RDF_SYNTAXES) - {"xml"}
    names = {f.value for f in ResultFormat} - {"table"}
    assert names <= set(formats.RESULTS_FORMATS) | set(formats.RDF_SYNTAXES)
