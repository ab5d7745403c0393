"""The on-disk Oxigraph store: transactions, reopening, errors a user can cause."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from practicegraph.errors import QueryError, StoreError
from practicegraph.graph.oxigraph_store import OxigraphStore

EX = "https://example.org/"
G1, G2 = URIRef(EX + "g1"), URIRef(EX + "g2")


def graph(*values: str) -> Graph:
    g = Graph()
    for value in values:
        g.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal(value)))
    return g


def values(store: OxigraphStore, graph_iri: URIRef) -> set[str]:
    rows = store.select(f"SELECT ?o WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    return {row["o"].value for row in rows}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    s = OxigraphStore(tmp_path / "store")
    yield s
    s.close()


def test_replace_graph_swaps_content_and_survives_reopening(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    store.replace_graph(G1, graph("old", "both"))
    store.replace_graph(G1, graph("new", "both"), extra=[(G2, graph("side"))])
    store.close()
    reopened = OxigraphStore(tmp_path / "store", read_only=True)
    assert values(reopened, G1) == {"new", "both"}
    assert values(reopened, G2) == {"side"}
    assert reopened.quad_count() == 3
    reopened.close()


def test_a_failing_replacement_leaves_the_old_graph(store: OxigraphStore) -> None:
    store.replace_graph(G1, graph("old"))
    # The second part of the update does not parse (a relative IRI and no base):
    # the drop and the first insert must not happen either.
    relative = Graph()
    relative.add((URIRef(EX + "s"), URIRef(EX + "p"), URIRef("relative")))
    with pytest.raises(QueryError):
        store.replace_graph(G1, graph("new"), extra=[(G2, relative)])
    unwritable = Graph()
    unwritable.add((URIRef(EX + "s"), URIRef(EX + "p"), URIRef("not an iri")))
    with pytest.raises(StoreError, match="cannot be written"):
        store.replace_graph(G1, unwritable)
    assert values(store, G1) == {"old"}
    assert values(store, G2) == set()


def test_a_new_graph_keeps_every_kind_of_term(store: OxigraphStore) -> None:
    """A new graph takes the extend path: literals keep language and datatype, blank
    nodes stay one node per rdflib blank node, the extra graph arrives too."""
    new = Graph()
    subject, blank = URIRef(EX + "s"), BNode()
    new.add((subject, URIRef(EX + "label"), Literal("centre", lang="en")))
    new.add((subject, URIRef(EX + "date"), Literal("2024-05-03", datatype=XSD.date)))
    new.add((subject, URIRef(EX + "part"), blank))
    new.add((blank, URIRef(EX + "name"), Literal("plain")))
    store.replace_graph(G1, new, extra=[(G2, graph("side"))])
    rows = list(
        store.select(
            f"SELECT ?l ?d ?n WHERE {{ GRAPH <{G1}> {{ <{EX}s> <{EX}label> ?l ; <{EX}date> ?d ;"
            f" <{EX}part> [ <{EX}name> ?n ] }} }}"
        )
    )
    assert len(rows) == 1
    label, date = rows[0]["l"], rows[0]["d"]
    assert isinstance(label, ox.Literal) and label.language == "en"
    assert isinstance(date, ox.Literal) and date.datatype.value == str(XSD.date)
    assert rows[0]["n"].value == "plain"
    assert values(store, G2) == {"side"}
    assert store.quad_count() == 5


def test_a_new_graph_that_cannot_be_written_leaves_nothing(store: OxigraphStore) -> None:
    relative = Graph()
    relative.add((URIRef(EX + "s"), URIRef(EX + "p"), URIRef("relative")))
    with pytest.raises(StoreError, match="cannot be written"):
        store.replace_graph(G1, graph("new"), extra=[(G2, relative)])
    assert store.quad_count() == 0


def test_drop_graph_says_whether_there_was_one(store: OxigraphStore) -> None:
    store.replace_graph(G1, graph("x"))
    assert store.drop_graph(G1) is True
    assert store.drop_graph(G1) is False
    assert store.quad_count() == 0


def test_queries_see_the_union_of_graphs(store: OxigraphStore) -> None:
    store.replace_graph(G1, graph("a"))
    store.replace_graph(G2, graph("b"))
    rows = store.select(f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}")
    assert {row["o"].value for row in rows} == {"a", "b"}


def test_bad_queries_raise_query_error(store: OxigraphStore) -> None:
    with pytest.raises(QueryError, match="does not parse"):
        store.query("SELEC ?x")
    with pytest.raises(QueryError):
        list(store.select("ASK { ?s ?p ?o }"))


def test_unknown_export_format_is_a_store_error(store: OxigraphStore) -> None:
    with pytest.raises(StoreError, match="unknown export format"):
        store.dump(io.BytesIO(), "rdfa")


def test_reading_a_data_directory_never_ingested_into_says_so(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="nothing has been ingested"):
        OxigraphStore(tmp_path / "nothing", read_only=True)
    assert not (tmp_path / "nothing").exists()


def test_a_store_in_use_is_reported(store: OxigraphStore) -> None:
    assert store.path is not None
    with pytest.raises(StoreError, match="in use by another process"):
        OxigraphStore(store.path)


def test_a_bulk_load_leaves_the_snapshot_generation_to_the_switching_update(
    store: OxigraphStore,
) -> None:
    import pyoxigraph as ox

    before = store.version
    store.bulk_extend(
        [
            ox.Quad(
                ox.NamedNode("https://x.example/s"),
                ox.NamedNode("https://x.example/p"),
                ox.Literal("o"),
                ox.NamedNode("https://x.example/g"),
            )
        ]
    )
    assert store.version == before, "snapshot readers must not see an import half-way"
    assert store.has_graph("https://x.example/g")
    store.update("DROP GRAPH <https://x.example/g>")
    assert store.version != before


def test_compacting_after_many_small_transactions_keeps_every_quad(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    for i in range(200):  # one transaction each, as an ingest writes documents
        store.update(f"INSERT DATA {{ GRAPH <urn:g{i}> {{ <urn:s{i}> <urn:p> {i} }} }}")
    store.update("DELETE DATA { GRAPH <urn:g7> { <urn:s7> <urn:p> 7 } }")
    store.optimize()
    store.close()
    reopened = OxigraphStore(tmp_path / "store", read_only=True)
    assert reopened.quad_count() == 199
    assert not reopened.has_graph("urn:g7") or not list(reopened.quads(graph="urn:g7"))
    reopened.close()
