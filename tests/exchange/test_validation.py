"""Slice-wise SHACL validation: the same verdict in one process or several."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from practicegraph.config import ontology_dir
from practicegraph.exchange import validation
from practicegraph.exchange.validation import ShapesValidator
from practicegraph.graph.factory import open_local_store
from practicegraph.graph.store import GraphStore

S = "https://schema.org/"
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
def validator() -> ShapesValidator:
    ontology = Graph().parse(ontology_dir() / "themes.ttl", format="turtle")
    return ShapesValidator(ontology_dir() / "shapes.ttl", ontology, max_listed=5)


@pytest.mark.parametrize("workers", [1, 2])
def test_violations_are_found_in_every_slice_and_process(
    validator: ShapesValidator, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(validation, "SLICE", 50)
    monkeypatch.setattr(validation, "PARALLEL_MIN", 10)
    report = validator.validate(_store(300, bad=8), workers=workers)
    assert not report.conforms
    assert report.focus_nodes == 300
    assert len(report.violations) == 5 and report.more == 3
    shown = {v.focus_node for v in report.violations}
    assert "_:c0" in shown, "blank-node focus nodes are reported as blank nodes"
    assert all(v.path == S + "identifier" for v in report.violations)


def test_a_conforming_store_conforms(validator: ShapesValidator) -> None:
    report = validator.validate(_store(120, bad=0))
    assert report.conforms and report.focus_nodes == 120 and not report.violations
