"""Reading servers' answers: the spellings real servers use, the Accept a form needs."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from practicegraph.graph.sparql_answers import (
    NTRIPLES,
    RESULTS_JSON,
    AnswerError,
    Solutions,
    accept_for,
    is_parse_error,
    parse_answer,
    query_form,
)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "select"),
        ("# a note\nPREFIX ex: <http://e/>\nBASE <http://b/>\n  ask { ?s ?p ?o }", "ask"),
        ("PREFIX a-b: <http://e/> construct where { ?s ?p ?o }", "construct"),
        ("DESCRIBE <http://e/x>", "describe"),
        ("INSERT DATA { <http://e/s> <http://e/p> 1 }", None),
    ],
)
def test_the_query_form_is_read_past_the_prologue(text: str, form: str | None) -> None:
    assert query_form(text) == form


def test_each_form_asks_for_the_one_media_type_it_answers_with() -> None:
    """A server that ignores q-values (Virtuoso) must not answer a CONSTRUCT in JSON."""
    assert accept_for("select") == accept_for("ask") == RESULTS_JSON
    assert accept_for("construct") == accept_for("describe") == NTRIPLES
    assert RESULTS_JSON in accept_for(None) and NTRIPLES in accept_for(None)


def test_servers_spellings_of_terms_are_read() -> None:
    body = json.dumps(
        {
            "head": {"vars": ["a", "b", "c", "d", "e"]},
            "results": {
                "bindings": [
                    {
                        "a": {"type": "bnode", "value": "nodeID://b10001"},
                        "b": {
                            "type": "typed-literal",
                            "value": "3",
                            "datatype": ox.NamedNode(
                                "http://www.w3.org/2001/XMLSchema#integer"
                            ).value,
                        },
                        "c": {"type": "literal", "value": "Riga", "xml:lang": "lv"},
                        "e": {"type": "uri", "value": "http://e/x"},
                    }
                ]
            },
        }
    ).encode()
    answer = parse_answer(body, RESULTS_JSON)
    assert isinstance(answer, Solutions)
    a, b, c, d, e = answer.rows[0]
    assert isinstance(a, ox.BlankNode) and a.value == "b10001"
    assert b == ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert c == ox.Literal("Riga", language="lv")
    assert d is None
    assert e == ox.NamedNode("http://e/x")


def test_booleans_and_triples_are_read() -> None:
    yes = parse_answer(b'{"head": {}, "boolean": true}', RESULTS_JSON)
    assert isinstance(yes, ox.QueryBoolean) and bool(yes)
    triples = parse_answer(b'<http://e/s> <http://e/p> "o" .\n', NTRIPLES)
    assert triples == [
        ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"))
    ]


@pytest.mark.parametrize(
    ("body", "media"),
    [
        (
            b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri", "valu',
            RESULTS_JSON,
        ),
        (
            b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "odd"}}]}}',
            RESULTS_JSON,
        ),
        (b"<http://e/s> <http://e/p> .", NTRIPLES),
        (b"<html>", "text/html"),
    ],
)
def test_an_answer_cut_off_or_unknown_is_an_answer_error(body: bytes, media: str) -> None:
    with pytest.raises(AnswerError):
        parse_answer(body, media)


def test_parse_errors_are_told_from_evaluation_errors() -> None:
    assert is_parse_error("error at 1:8: expected one of VERSION")
    assert is_parse_error("Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error")
    assert not is_parse_error("The graph <http://e/none> does not exist")
