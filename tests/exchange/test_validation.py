"""Slice-wise SHACL validation: the same verdict as pyshacl over the whole graph, in
one process or several, however deep the shapes look."""

from __future__ import annotations

import io
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from exchange.shacl_gen import (
    Result,
    Triple,
    datasets,
    quads,
    shapes_graphs,
    whole_graph_verdict,
)
from practicegraph.config import ontology_dir
from practicegraph.errors import InvalidDumpError
from practicegraph.exchange import validation
from practicegraph.exchange.shape_reach import to_rdflib
from practicegraph.exchange.validation import ShapesValidator, ValidationReport
from practicegraph.graph.factory import open_local_store
from practicegraph.graph.store import GraphStore
from practicegraph.service import PracticeGraphService

S = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _store(countries: int, bad: int) -> GraphStore:
    """``countries`` countries, of which the first ``bad`` lack their ISO code."""
    store = open_local_store(None)
    quads = []
    for i in range(countries):
        node = ox.NamedNode(f"https://x.example/country/{i}") if i % 2 else ox.BlankNode(f"c{i}")
        quads.append(ox.Quad(node, ox.NamedNode(TYPE), ox.NamedNode(S + "Country")))
        quads.append(ox.Quad(node, ox.NamedNode(S + "name"), ox.Literal(f"Country {i}")))
        if i >= bad:
            quads.append(ox.Quad(node, ox.NamedNode(S + "identifier"), ox.Literal("LV")))
    store.bulk_extend(quads)
    return store


@pytest.fixture(scope="module")
def themes() -> Graph:
    return Graph().parse(ontology_dir() / "themes.ttl", format="turtle")


@pytest.fixture(scope="module")
def validator(themes: Graph) -> ShapesValidator:
    return ShapesValidator(ontology_dir() / "shapes.ttl", themes, max_listed=5)


def _concepts(themes: Graph) -> int:
    """The theme scheme's concepts: ThemeShape checks them with every dump."""
    return len(
        set(themes.subjects(URIRef(TYPE), URIRef("http://www.w3.org/2004/02/skos/core#Concept")))
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_violations_are_found_in_every_slice_and_process(
    validator: ShapesValidator, themes: Graph, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(validation, "SLICE", 50)
    monkeypatch.setattr(validation, "PARALLEL_MIN", 10)
    report = validator.validate(_store(300, bad=8), workers=workers)
    assert not report.conforms
    assert report.focus_nodes == 300 + _concepts(themes)
    assert len(report.violations) == 5 and report.more == 3
    shown = {v.focus_node for v in report.violations}
    assert "_:c0" in shown, "blank-node focus nodes are reported as blank nodes"
    assert all(v.path == S + "identifier" for v in report.violations)
    # the blank property shape keeps its label in every process
    (shape,) = validator.shapes.subjects(SH.path, URIRef(S + "identifier"))
    assert {v.source_shape for v in report.violations} == {f"_:{shape}"}


def test_a_conforming_store_conforms(validator: ShapesValidator, themes: Graph) -> None:
    report = validator.validate(_store(120, bad=0))
    assert report.conforms and report.focus_nodes == 120 + _concepts(themes)
    assert not report.violations


# -- a violation two steps from its focus node ------------------------------------------------

#: Evidence for a practice whose target names neither the document it was read from nor
#: the passage: only pgsh:TargetShape, reached through pgsh:AnnotationShape's sh:node, says so.
UNANCHORED_EVIDENCE = """@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
<https://evidence.example/note/7> a oa:Annotation ;
    oa:hasBody <https://evidence.example/practice/mentoring> ;
    oa:hasTarget <https://evidence.example/target/7> .
<https://evidence.example/target/7> a oa:SpecificResource ;
    schema:name "somewhere in a report" .
<https://evidence.example/note/8> a oa:Annotation ;
    oa:hasBody <https://evidence.example/practice/mentoring> ;
    oa:hasTarget [ oa:hasSource <https://evidence.example/doc/1> ] .
"""


def _loaded(text: str) -> GraphStore:
    store = open_local_store(None)
    store.bulk_load(io.BytesIO(text.encode()), "turtle")
    return store


def _statements(store: GraphStore) -> list[Triple]:
    """The store's statements as rdflib terms, blank nodes with the store's labels."""
    return [
        (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in store.quads()
    ]


def test_a_violation_reached_through_a_nested_shape_is_reported(
    validator: ShapesValidator, themes: Graph
) -> None:
    store = _loaded(UNANCHORED_EVIDENCE)
    report = validator.validate(store)

    assert not report.conforms and report.whole_graph is None
    found = {(v.focus_node, v.path, v.component) for v in report.violations}
    assert found == {
        (f"https://evidence.example/note/{n}", OA + "hasTarget", str(SH.NodeConstraintComponent))
        for n in (7, 8)
    }
    for violation in report.violations:
        assert "oa:hasSource" in violation.message and "oa:hasSelector" in violation.message
    unanchored = next(v for v in report.violations if v.focus_node.endswith("/7"))
    assert unanchored.value == "https://evidence.example/target/7"
    assert report.text().startswith("2 violation(s):")

    expected = whole_graph_verdict(_statements(store), themes, validator.shapes)
    assert (report.conforms, _found(report)) == expected


def test_an_import_whose_evidence_is_unanchored_is_refused_or_quarantined(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    dump = tmp_path / "evidence.ttl"
    dump.write_text(UNANCHORED_EVIDENCE, encoding="utf-8")
    before = other_service.store.quad_count(), other_service.store.named_graphs()

    with pytest.raises(InvalidDumpError) as caught:
        other_service.sources.import_dump(dump, "evidence")
    assert (other_service.store.quad_count(), other_service.store.named_graphs()) == before
    violation = next(v for v in caught.value.report.violations if v.focus_node.endswith("/note/7"))
    assert violation.path == OA + "hasTarget"
    assert "oa:hasSelector" in violation.message
    assert "https://evidence.example/note/7" in str(caught.value)

    report = other_service.sources.import_dump(dump, "evidence", quarantine=True)
    assert report.status == "quarantined"
    assert {v.focus_node for v in report.validation.violations} == {
        "https://evidence.example/note/7",
        "https://evidence.example/note/8",
    }


# -- any shapes: the sliced verdict is pyshacl's over the whole graph ------------------------


def _found(report: ValidationReport) -> Counter[Result]:
    assert report.more == 0, "every violation listed"
    return Counter(
        (
            v.focus_node,
            v.path,
            v.source_shape,
            v.component,
            v.value if v.value is not None else "",
            v.severity,
        )
        for v in report.violations
    )


def _sliced(
    triples: list[Triple], background: Graph, shapes: Graph, workers: int = 1
) -> ValidationReport:
    store = open_local_store(None)
    store.bulk_extend(quads(triples))
    checker = ShapesValidator(shapes, background, max_listed=100_000)
    return checker.validate(store, workers=workers)


@pytest.mark.slow  # about ten seconds: 200 examples, each validated twice
@settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=datasets(), shapes=shapes_graphs())
def test_slices_give_the_verdict_of_the_whole_graph(
    data: tuple[list[Triple], Graph], shapes: Graph
) -> None:
    triples, background = data
    note(shapes.serialize(format="turtle"))
    note(f"dump: {triples}\nbackground: {list(background)}")
    conforms, expected = whole_graph_verdict(triples, background, shapes)
    # Two focus nodes, or a few dozen statements, to a slice: most examples cut across slices.
    with (
        mock.patch.object(validation, "SLICE", 2),
        mock.patch.object(validation, "SLICE_STATEMENTS", 12),
    ):
        report = _sliced(triples, background, shapes)
    event(f"sliced: {report.whole_graph is None}; conforms: {conforms}")
    for component in {r[3].rsplit("#")[-1] for r in expected}:
        event(f"fails {component}")
    assert report.conforms == conforms
    assert Counter(r[0] for r in _found(report).elements()) == Counter(
        r[0] for r in expected.elements()
    ), "the same focus nodes fail"
    assert _found(report) == expected


PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://gen.example/> .
"""

#: Each case breaks one way of computing the reach: (shapes, data), and the slices must
#: agree with the whole graph on it.
CORNERS = {
    # pyshacl walks ^(p/q) as ^p then ^q (not ^q then ^p, as SHACL would): a slice
    # must hold what pyshacl reads, so the whole graph finds one value and conforms.
    "inverse of a sequence": (
        "ex:S sh:targetNode ex:f ; sh:property [ sh:path [ sh:inversePath ( ex:p ex:q ) ] ;"
        " sh:minCount 1 ] .",
        "ex:a ex:p ex:f . ex:b ex:q ex:a .",
    ),
    # The focus node is one of its own zero-or-more values: its nested checks read it.
    "zero or more from the focus": (
        "ex:S sh:targetNode ex:f ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ;"
        " sh:node ex:N ] . ex:N sh:property [ sh:path ex:q ; sh:minCount 1 ] .",
        'ex:f ex:q "x" ; ex:p ex:g . ex:g ex:q "y" .',
    ),
    # A value counts for a disjoint qualified shape only if it fails its siblings:
    # the sibling's reads (ex:r of the value) decide whether the count is exceeded.
    "disjoint qualified siblings": (
        "ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property ex:P1 , ex:P2 ."
        " ex:P1 sh:path ex:p ; sh:qualifiedValueShape [ sh:nodeKind sh:IRI ] ;"
        " sh:qualifiedMaxCount 0 ; sh:qualifiedValueShapesDisjoint true ."
        " ex:P2 sh:path ex:q ; sh:qualifiedValueShape [ sh:property [ sh:path ex:r ;"
        " sh:minCount 1 ] ] ; sh:qualifiedMinCount 0 ; sh:qualifiedValueShapesDisjoint true .",
        'ex:f a ex:A ; ex:p ex:v . ex:v ex:r "there" .',
    ),
    # sh:class through a hierarchy the dump states only in part.
    "superclasses": (
        "ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:class ex:A ] .",
        "ex:f ex:p ex:v . ex:v a ex:C . ex:C rdfs:subClassOf ex:B . ex:B rdfs:subClassOf ex:A .",
    ),
    # A blank node focus found through a statement no constraint reads again (pyshacl
    # fails on a blank node it cannot find, writing the message of sh:hasValue).
    "blank focus node": (
        "ex:S sh:targetObjectsOf ex:p ; sh:property [ sh:path ex:q ; sh:hasValue ex:v ] .",
        "ex:f ex:p [ ex:r 1 ] , 7 .",
    ),
    # Two literals in the store (which keeps " 1" as written), one for rdflib, which
    # writes them canonically: one focus node.
    "literals rdflib reads as one": (
        "ex:S sh:targetObjectsOf ex:p ; sh:datatype <http://www.w3.org/2001/XMLSchema#string> .",
        'ex:a ex:p " 1"^^<http://www.w3.org/2001/XMLSchema#integer> , "x" .'
        ' ex:b ex:p "1"^^<http://www.w3.org/2001/XMLSchema#integer> .',
    ),
}


@pytest.mark.parametrize("case", CORNERS)
def test_slices_hold_what_each_corner_of_shacl_reads(case: str) -> None:
    shapes_text, data_text = CORNERS[case]
    shapes = Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    store = _loaded(PREFIXES + data_text)
    with mock.patch.object(validation, "SLICE", 1):
        report = ShapesValidator(shapes, Graph(), max_listed=100).validate(store)
    assert report.whole_graph is None
    expected = whole_graph_verdict(_statements(store), Graph(), shapes)
    assert (report.conforms, _found(report)) == expected


#: A SPARQL-based constraint: what it reads cannot be told from the shapes.
SPARQL_SHAPE = """ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:sparql [ sh:select '''
    SELECT $this WHERE { $this <https://gen.example/p> ?x .
    FILTER NOT EXISTS { ?x <https://gen.example/q> ?y } }''' ] ."""


def test_shapes_it_cannot_slice_are_checked_on_the_whole_graph() -> None:
    shapes = Graph().parse(data=PREFIXES + SPARQL_SHAPE, format="turtle")
    store = _loaded(PREFIXES + "ex:f a ex:A ; ex:p ex:g . ex:h a ex:A ; ex:p ex:i . ex:i ex:q 1 .")
    report = ShapesValidator(shapes, Graph()).validate(store)
    assert report.whole_graph is not None and "sh:sparql" in report.whole_graph
    assert report.focus_nodes == 2
    assert "whole_graph" in report.to_dict()
    assert [v.focus_node for v in report.violations] == ["https://gen.example/f"]
    expected = whole_graph_verdict(_statements(store), Graph(), shapes)
    assert (report.conforms, _found(report)) == expected


@settings(max_examples=4, deadline=None, database=None, derandomize=True)
@given(data=datasets(), shapes=shapes_graphs())
def test_worker_processes_give_the_same_verdict(
    data: tuple[list[Triple], Graph], shapes: Graph
) -> None:
    triples, background = data
    with (
        mock.patch.object(validation, "SLICE", 2),
        mock.patch.object(validation, "PARALLEL_MIN", 0),
        mock.patch.object(  # the slices went to a process pool (the premise of the test)
            ProcessPoolExecutor, "submit", autospec=True, side_effect=ProcessPoolExecutor.submit
        ) as submit,
    ):
        report = _sliced(triples, background, shapes, workers=2)
    assert submit.called == (report.focus_nodes > 0)
    conforms, expected = whole_graph_verdict(triples, background, shapes)
    assert (report.conforms, _found(report)) == (conforms, expected)
