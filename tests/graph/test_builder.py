"""The graph builder on hand-made extractions (no spaCy): CONTRACT.md's shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from practicegraph.graph.builder import GraphBuilder, country_name, date_literal, web_address
from practicegraph.graph.iris import IriMinter, file_key
from practicegraph.ingest import SourceDocument
from practicegraph.models import (
    Event,
    Extraction,
    Organisation,
    Place,
    Practice,
    TextSpan,
)
from practicegraph.vocab import OA, PROV, RDF, SCHEMA

TEXT = "Acme runs a garden. It meets in Lyon on 3 May 2023."
IRIS = IriMinter("https://example.org/id/")


def record(name: str = "a.txt", **changes: object) -> SourceDocument:
    values: dict[str, object] = {
        "path": Path(name),
        "source_name": name,
        "text": TEXT,
        "media_type": "text/plain",
        "content_hash": "0" * 64,
        "title": "A title",
        "date": None,
        "language": "en",
        "url": None,
    }
    values.update(changes)
    return SourceDocument(**values)  # type: ignore[arg-type]


def build(extraction: Extraction, **changes: Any) -> Graph:
    return GraphBuilder(IRIS).build(record(**changes), extraction, IRIS.run("r1"))


@pytest.mark.parametrize(
    ("iso", "datatype"),
    [("2023-05-03", XSD.date), ("2023-05", XSD.gYearMonth), ("2023", XSD.gYear)],
)
def test_dates_are_typed_as_precisely_as_given(iso: str, datatype: URIRef) -> None:
    assert date_literal(iso) == Literal(iso, datatype=datatype)


@pytest.mark.parametrize("bad", ["2023-02-30", "2023-13", "May 2023", "23", "", "2023-5-1"])
def test_impossible_dates_are_left_out(bad: str) -> None:
    assert date_literal(bad) is None


def test_event_without_a_usable_start_date_is_not_written() -> None:
    g = build(Extraction(events=[Event("x-2023", "X", "2023-02-30"), Event("y", "Y", None)]))
    assert (None, RDF.type, SCHEMA.Event) not in g


def test_event_with_dates_place_and_organiser() -> None:
    g = build(
        Extraction(
            organisations=[Organisation("acme", "Acme", spans=[TextSpan(0, 4, "Acme")])],
            places=[Place("geonames-2996944", "Lyon", "Lyon", "fr", 2996944)],
            events=[
                Event(
                    "meet-2023",
                    "Meet",
                    "2023-05-03",
                    "2023-05",
                    "geonames-2996944",
                    organisers=["acme", "unknown"],
                )
            ],
        )
    )
    event = IRIS.event("meet-2023")
    assert (event, SCHEMA.startDate, Literal("2023-05-03", datatype=XSD.date)) in g
    assert (event, SCHEMA.endDate, Literal("2023-05", datatype=XSD.gYearMonth)) in g
    assert (event, SCHEMA.location, IRIS.place("geonames-2996944")) in g
    assert list(g.objects(event, SCHEMA.organizer)) == [IRIS.organisation("acme")]


def test_a_country_reached_only_through_a_link_has_code_and_name() -> None:
    g = build(Extraction(organisations=[Organisation("acme", "Acme", country="fr")]))
    france = IRIS.country("FR")
    assert str(france) == "https://example.org/id/country/FR"
    assert set(g.objects(france, SCHEMA.identifier)) == {Literal("FR")}
    assert set(g.objects(france, SCHEMA.name)) == {Literal("France")}
    assert country_name("XK") == "XK"  # no ISO name: the code rather than nothing


def test_practice_confidence_stays_between_zero_and_one() -> None:
    practice = Practice("Garden", "A garden.", TextSpan(0, 19, "Acme runs a garden."), 1.7)
    g = build(Extraction(practices=[practice]))
    (value,) = g.objects(None, URIRef("https://w3id.org/practicegraph/ontology#confidence"))
    assert Literal(value).toPython() == 1


def test_unsafe_characters_in_a_web_address_are_encoded() -> None:
    assert str(web_address('https://example.org/a page"x')) == "https://example.org/a%20page%22x"
    g = build(Extraction(), url='https://example.org/a page"x', date="2023-02-30")
    doc = IRIS.document("a.txt")
    assert set(g.objects(doc, SCHEMA.url)) == {URIRef("https://example.org/a%20page%22x")}
    assert (doc, SCHEMA.datePublished, None) not in g
    # The N-Triples the store receives parse back.
    assert len(Graph().parse(data=g.serialize(format="nt"), format="nt")) == len(g)


def test_document_graph_records_its_run_and_source() -> None:
    g = build(Extraction())
    graph_iri = IRIS.document_graph("a.txt")
    assert (graph_iri, PROV.wasGeneratedBy, IRIS.run("r1")) in g
    assert (graph_iri, PROV.wasDerivedFrom, IRIS.document("a.txt")) in g


def test_annotations_point_into_the_text() -> None:
    acme = Organisation("acme", "Acme", spans=[TextSpan(0, 4, "Acme")])
    g = build(Extraction(organisations=[acme]))
    (ann,) = g.subjects(RDF.type, OA.Annotation)
    assert (ann, OA.hasBody, IRIS.organisation("acme")) in g
    (position,) = g.subjects(RDF.type, OA.TextPositionSelector)
    start, end = g.value(position, OA.start), g.value(position, OA.end)
    assert isinstance(start, Literal) and isinstance(end, Literal)
    assert TEXT[start.toPython() : end.toPython()] == "Acme"


@pytest.mark.parametrize(
    ("names"),
    [
        ("report.txt", "report.md"),
        ("A.txt", "a.txt"),
        ("x" * 90 + "1.txt", "x" * 90 + "2.txt"),
        ("café.txt", "cafe.txt"),
        ("_provenance", "provenance"),
        ("a b.txt", "a-b.txt"),
    ],
)
def test_file_keys_are_one_to_one(names: tuple[str, str]) -> None:
    first, second = names
    assert file_key(first) != file_key(second)
    assert IRIS.document_graph(first) != IRIS.document_graph(second)


def test_file_keys_never_name_the_reserved_graphs() -> None:
    for name in ("_provenance", "_ontology", "_provenance.txt"):
        assert IRIS.document_graph(name) not in (IRIS.provenance_graph, IRIS.ontology_graph)


def test_plain_file_names_are_kept_as_they_are() -> None:
    assert str(IRIS.document("000_111072d56bab84e1.txt")).endswith(
        "/document/000_111072d56bab84e1.txt"
    )
    assert "~" in file_key("My Report (final).pdf")
