"""SPARQL tokens built by practicegraph.sparql_terms, and a scan of src/ for hand-built ones."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from practicegraph.graph.factory import open_local_store
from practicegraph.sparql_terms import iri, iris, literal

SRC = Path(__file__).resolve().parents[1] / "src" / "practicegraph"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


# -- the builder -------------------------------------------------------------------


def test_iri_renders_a_valid_iri() -> None:
    assert iri("http://example.org/a#b") == "<http://example.org/a#b>"
    assert iris(["urn:x:a", "urn:x:b"]) == "<urn:x:a> <urn:x:b>"


@pytest.mark.parametrize(
    "value",
    [
        "http://example.org/a> } ; DROP ALL ; #",
        "http://example.org/a b",
        "http://example.org/}",
        'http://example.org/"',
        "no scheme",
        "",
    ],
)
def test_iri_refuses_what_is_not_an_iri(value: str) -> None:
    with pytest.raises(ValueError, match="not an IRI") as caught:
        iri(value)
    assert repr(value) in str(caught.value)
    with pytest.raises(ValueError, match="not an IRI"):
        iris(["urn:x:a", value])


def test_literal_renders_language_and_datatype() -> None:
    assert literal("chez", language="fr") == '"chez"@fr'
    assert literal(3, datatype=XSD_INTEGER) == f'"3"^^<{XSD_INTEGER}>'
    with pytest.raises(ValueError, match="not an IRI"):
        literal("3", datatype="integer")


@pytest.mark.parametrize(
    "value",
    ['say "hi"', "back\\slash\\", "two\nlines\r\n", "tab\there", "' } ; DROP ALL ; #", ""],
)
def test_literal_round_trips_through_a_query(tmp_path: Path, value: str) -> None:
    store = open_local_store(tmp_path / "store")
    try:
        store.update(f"INSERT DATA {{ {iri('urn:x:s')} {iri('urn:x:p')} {literal(value)} }}")
        rows = list(store.select(f"SELECT ?s WHERE {{ ?s {iri('urn:x:p')} {literal(value)} }}"))
        assert [row["s"].value for row in rows] == ["urn:x:s"]
        (row,) = store.select(f"SELECT ?o WHERE {{ {iri('urn:x:s')} ?p ?o }}")
        assert row["o"].value == value
    finally:
        store.close()


# -- the scan ----------------------------------------------------------------------
#
# Every f-string in src/ is read with ``ast``; each interpolation is replaced by a
# marker and the text checked for a marker written by hand inside ``<...>`` (an IRI
# token) or right inside quotes (a string literal). It counts only in an f-string that
# looks like SPARQL or Turtle (one of the keywords below, in capitals, or
# ``@prefix``), or that is a whole ``<{...}>`` or ``"{...}"`` token on its own (a
# piece for a VALUES list, say). Such values go through ``iri()`` / ``literal()`` instead.
# ``str.format``, ``%`` and ``+`` are not scanned: the code uses f-strings.

#: Modules that may not use the builder: the snapshot worker imports nothing from
#: the project (it runs in a process of its own).
ALLOWED = {"graph/snapshot_worker.py"}
MARK = "\x00"
_KEYWORDS = re.compile(
    r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|DROP|CREATE|CLEAR|MOVE|ADD|COPY|LOAD"
    r"|PREFIX|BASE|GRAPH|WHERE|FILTER|VALUES|BIND|USING)\b|@prefix"
)
_IRI_BY_HAND = re.compile(rf"<[^\s<>\"]*{MARK}[^\s<>\"]*>")
#: A quote, an interpolation, perhaps a few more name characters (``"{prefix}_"``),
#: the same quote: a literal (prose such as ``'{name}:'`` in a message is not one).
_LITERAL_BY_HAND = re.compile(rf"([\"']){MARK}[\w/#.-]*\1")


def _template(node: ast.JoinedStr) -> str:
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else MARK
        for part in node.values
        if isinstance(part, ast.Constant | ast.FormattedValue)
    )


def hand_built(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of each f-string in ``source`` that puts a value in a token by hand."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        text = _template(node)
        whole_token = bool(_IRI_BY_HAND.fullmatch(text) or _LITERAL_BY_HAND.fullmatch(text))
        if whole_token or (
            _KEYWORDS.search(text) and (_IRI_BY_HAND.search(text) or _LITERAL_BY_HAND.search(text))
        ):
            yield node.lineno, text.replace(MARK, "{...}")


def test_the_scan_finds_hand_built_tokens() -> None:
    found = list(
        hand_built(
            "a = f'SELECT * WHERE {{ <{s}> ?p ?o }}'\n"
            'b = f"<{x}>"\n'
            "c = f'''ASK {{ ?s ?p \"{v}\" }}'''\n"
            "d = f'SELECT * WHERE {{ {iri(s)} ?p {literal(v)} }}'\n"
            "e = f'there is no graph <{g}> here'\n"
            "f = f\"unknown prefix '{name}:' (declare it with PREFIX)\"\n"
            "g = f'\"{code}\"'\n"
            "h = f'FILTER(STRSTARTS(STR(?g), \"{prefix}_\"))'\n"
        )
    )
    assert [line for line, _ in found] == [1, 2, 3, 7, 8]


def test_no_sparql_in_src_interpolates_by_hand() -> None:
    offences = [
        f"{path.relative_to(SRC)}:{line}: {text!r}"
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).as_posix() not in ALLOWED
        for line, text in hand_built(path.read_text(encoding="utf-8"))
    ]
    assert not offences, "use practicegraph.sparql_terms:\n" + "\n".join(offences)
