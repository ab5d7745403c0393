"""Predefined prefixes put in front of a researcher's text, and parser errors in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from practicegraph.graph.sparql_syntax import PREDEFINED, parse_problem, with_prefixes
from practicegraph.vocab import PREFIXES


def test_the_predefined_prefixes_are_the_documented_ones() -> None:
    assert PREDEFINED == PREFIXES
    assert {"schema", "skos", "dcterms", "oa", "prov", "pg", "xsd", "rdf", "rdfs"} <= set(
        PREDEFINED
    )


def test_only_used_undeclared_prefixes_are_added_on_the_first_line() -> None:
    text = "# schema:Thing in a comment\nSELECT * WHERE { ?s a pg:Practice ; rdfs:label 'skos:x' }"
    prepared = with_prefixes(text)
    assert prepared.added == ("pg", "rdfs")
    assert prepared.text.endswith(text) and prepared.text.count("\n") == text.count("\n")
    assert prepared.offset == len(prepared.text) - len(text)
    answer = ox.Store().query(prepared.text)
    assert isinstance(answer, ox.QuerySolutions) and list(answer) == []


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s a <https://schema.org/Event> }",
        "PREFIX schema: <http://example.org/s/> SELECT * WHERE { ?s a schema:Event }",
        "SELECT * WHERE { _:b a ?t }",
        "SELECT * WHERE { ?s ?p 'pg:not-a-name' }",
    ],
)
def test_nothing_is_added_when_nothing_predefined_is_used_undeclared(text: str) -> None:
    assert with_prefixes(text).text == text


def test_a_grammar_dump_becomes_one_line() -> None:
    text = "SELECT * WHERE { ?s ?p ?o } LIMT 5"
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(text)
    problem = parse_problem(str(raised.value), text)
    assert (problem.line, problem.column) == (1, 35)
    assert str(problem) == "line 1, column 35: expected one of HAVING, OFFSET, OPTIONAL, VALUES"


def test_an_undeclared_prefix_is_named_at_its_own_place() -> None:
    text = "SELECT * WHERE {\n  ?s a nope:Event }"
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(text)
    assert "Prefix not found" in str(raised.value)
    problem = parse_problem(str(raised.value), text)
    assert (problem.line, problem.column) == (2, 8)
    assert problem.problem.startswith("unknown prefix 'nope:' (declare it with PREFIX, or use one")


def test_a_server_message_naming_a_line_only() -> None:
    message = (
        "SPARQL does not parse: Virtuoso 37000 Error SP030: SPARQL compiler, line 3: "
        "syntax error at ')' before '}'"
    )
    problem = parse_problem(message, "SELECT *\nWHERE {\n FILTER(?x = ) }")
    assert str(problem) == "line 3: syntax error at ')' before '}'"


def test_the_readme_lists_the_predefined_prefixes() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Predefined prefixes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(\w+):` \| `([^`]+)` \|$", section, re.MULTILINE)
    assert dict(rows) == PREDEFINED


def test_the_declarations_go_after_the_text_s_own_base_and_positions_map_back() -> None:
    base = "BASE <http://example.org/a/> "
    text = base + "SELECT ?s WHERE { ?s a schema:Event FILTER(?s = ) }"
    prepared = with_prefixes(text)
    assert prepared.text.startswith(base + "PREFIX schema: ")  # Virtuoso: BASE first
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(prepared.text)
    # the same query with the declaration on a line of its own: the line's column
    declared = base + "\nPREFIX schema: <https://schema.org/>\n" + text[len(base) :]
    with pytest.raises(SyntaxError) as expected:
        ox.Store().query(declared)
    wanted = parse_problem(str(expected.value), declared)
    assert wanted.line == 3 and wanted.column is not None
    problem = parse_problem(str(raised.value), prepared)
    assert (problem.line, problem.column) == (1, wanted.column + len(base))
