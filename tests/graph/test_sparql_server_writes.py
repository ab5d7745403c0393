"""Writes and whole-store reads on real SPARQL servers, in the pieces servers take.

Each test runs on each server backend the suite knows, through the Graph Store
Protocol (the default where a server has one) and through SPARQL Update alone.
Sizes are chosen past what Virtuoso 7.2 takes in one piece (1,000 statements per
operation, about 5,000 per request, 10,000 rows per answer).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

import sparql_servers
from backends import ServerPool, server_settings, settings_for
from practicegraph.errors import StoreError
from practicegraph.graph.factory import open_store
from practicegraph.graph.sparql_store import STAGING_PREFIX, SparqlServerStore
from practicegraph.graph.sparql_writes import (
    GENID_PREFIX,
    blank_components,
    insert_operations,
    requests,
)

EX = "https://example.org/"
P = ox.NamedNode(EX + "p")


@pytest.fixture(params=["graph-store", "update-only"])
def server_store(
    request: pytest.FixtureRequest, tmp_path: Path, store_backend: str, server_pool: ServerPool
) -> Iterator[SparqlServerStore]:
    if store_backend == "embedded":
        pytest.skip("a test of the SPARQL server backend")
    settings = settings_for(store_backend, server_pool, tmp_path / "data")
    if request.param == "update-only":
        settings = settings.with_(sparql_graph_store_url=None)
    store = open_store(settings)
    assert isinstance(store, SparqlServerStore)
    yield store
    store.close()


def document(size: int, blank_every: int = 10) -> Graph:
    """A graph of ``size`` statements, some about blank nodes that link to each other."""
    graph = Graph()
    previous = None
    for i in range(size):
        subject = URIRef(f"{EX}thing/{i}")
        if i % blank_every == 0:
            node = BNode()
            graph.add((subject, URIRef(EX + "selector"), node))
            if previous is not None:
                graph.add((node, URIRef(EX + "after"), previous))
            previous = node
        else:
            graph.add((subject, URIRef(EX + "label"), Literal(f"thing {i} «ü»\n", lang="en")))
    return graph


def test_a_document_larger_than_one_request_is_switched_in_whole(
    server_store: SparqlServerStore,
) -> None:
    target = URIRef(EX + "doc/large")
    size = 6_000 if server_store.graph_store_url else 3_000
    before = server_store.version
    server_store.replace_graph(target, document(size), [(URIRef(EX + "links"), document(20))])
    assert server_store.version != before
    triples = server_store.graph_triples(str(target))
    assert len(triples) == len(document(size))
    blanks = {t.object for t in triples if isinstance(t.object, ox.BlankNode)}
    chained = {t.subject for t in triples if isinstance(t.subject, ox.BlankNode)}
    assert len(blanks) == size // 10 and chained <= blanks, "blank nodes stayed whole"
    assert len(server_store.graph_triples(EX + "links")) == len(document(20))
    server_store.replace_graph(target, document(30))
    assert len(server_store.graph_triples(str(target))) == len(document(30))
    assert server_store.named_graphs() == [EX + "doc/large", EX + "links"], "no staging left"


def test_a_bulk_load_past_the_servers_limits_arrives_whole(
    server_store: SparqlServerStore,
) -> None:
    """12,000 statements over 30 graphs, with a blank node spanning two of them."""
    shared = ox.BlankNode()
    quads = [
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(i), ox.NamedNode(f"{EX}g{i % 30}"))
        for i in range(12_000)
    ]
    quads += [
        ox.Quad(shared, P, ox.Literal("in one"), ox.NamedNode(EX + "g0")),
        ox.Quad(shared, P, ox.Literal("in another"), ox.NamedNode(EX + "g1")),
    ]
    server_store.bulk_extend(iter(quads))
    assert server_store.quad_count() == 12_002
    # past a server's row limit, the reads of everything go graph by graph
    assert len(list(server_store.quads())) == 12_002
    assert len(server_store.named_graphs()) == 30
    ends = {
        q.object.value: q.subject
        for q in server_store.quads(predicate=P)
        if isinstance(q.object, ox.Literal) and q.object.value.startswith("in ")
    }
    assert ends["in one"] == ends["in another"], "a node in two graphs stays one node"
    node = ends["in one"]
    assert isinstance(node, ox.NamedNode) and node.value.startswith(GENID_PREFIX), "skolemised"


def test_a_staging_graph_left_by_a_dead_writer_is_swept_and_never_listed(
    server_store: SparqlServerStore,
) -> None:
    old = f"{STAGING_PREFIX}{time.time_ns() - 2 * 3_600 * 10**9}-dead/0"
    fresh = f"{STAGING_PREFIX}{time.time_ns()}-busy/0"
    for name in (old, fresh):
        server_store.bulk_extend(
            [ox.Quad(ox.NamedNode(EX + "s"), P, ox.Literal(1), ox.NamedNode(name))]
        )
    assert server_store.named_graphs() == [], "staging graphs are not the service's graphs"
    assert server_store.drop_stale_staging() == [old]
    assert server_store.has_graph(fresh) and not server_store.has_graph(old)


def test_past_virtuosos_default_row_limit_reads_go_graph_by_graph_or_fail_clearly(
    tmp_path: Path, server_pool: ServerPool
) -> None:
    """Virtuoso's default ResultSetMaxRows (10,000) cuts answers; the service's reads of
    everything still arrive whole, and what cannot (one graph, one query past the
    limit) is an error naming the limit, never a silent part."""
    missing = sparql_servers.available("virtuoso")
    if missing is not None:
        if os.environ.get("PRACTICEGRAPH_REQUIRE_SERVERS") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    with sparql_servers.start_virtuoso(tmp_path / "virtuoso", max_rows=10_000) as running:
        store = open_store(server_settings(running.server, tmp_path / "data"))
        assert isinstance(store, SparqlServerStore)
        try:
            store.bulk_extend(
                ox.Quad(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(i), ox.NamedNode(f"{EX}g{i % 30}"))
                for i in range(12_000)
            )
            assert len(list(store.quads())) == 12_000
            assert len(store.named_graphs()) == 30
            huge = ox.NamedNode(EX + "huge")
            store.bulk_extend(
                ox.Quad(ox.NamedNode(f"{EX}h{i}"), P, ox.Literal(i), huge) for i in range(10_500)
            )
            with pytest.raises(StoreError, match="ResultSetMaxRows"):
                store.graph_triples(huge.value)
            with pytest.raises(StoreError, match="ResultSetMaxRows"):
                list(store.select("SELECT ?s WHERE { ?s ?p ?o }"))
        finally:
            store.close()


def test_pieces_keep_every_blank_node_whole_and_stay_under_the_limits() -> None:
    a, b, c = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    g = ox.NamedNode(EX + "g")
    linked = [ox.Quad(a, P, b, g), ox.Quad(b, P, c, g), ox.Quad(c, P, ox.Literal("end"), g)]
    alone = [ox.Quad(ox.BlankNode(), P, ox.Literal(i), g) for i in range(5)]
    plain = [ox.Quad(ox.NamedNode(f"{EX}s{i}"), P, ox.Literal(i), g) for i in range(7)]
    groups = blank_components(linked + alone)
    assert sorted(len(group) for group in groups) == [1, 1, 1, 1, 1, 3]
    operations = list(insert_operations(plain + linked + alone, limit=4))
    assert [count for _, count in operations] == [4, 3, 4, 4]
    assert all(text.startswith("INSERT DATA") for text, _ in operations[:2])
    assert all(text.endswith("WHERE {}") for text, _ in operations[2:])
    linked_text = next(text for text, _ in operations if str(a) in text)
    assert str(b) in linked_text and str(c) in linked_text
    assert len(list(requests(operations, limit=8))) == 2
