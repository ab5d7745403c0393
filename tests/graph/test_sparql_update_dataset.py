"""An update's dataset from the protocol (using-graph-uri, using-named-graph-uri) on real servers.

The service hands a SPARQL server the dataset as USING / USING NAMED clauses,
or, on a server that refuses those (Oxigraph server serving the union default
graph), as the protocol parameters themselves
(:meth:`SparqlServerStore.takes_using_clauses`, :func:`dataset_form`). These
tests send the parameters through :meth:`SparqlServerStore.update` on each
server and check that the update keeps the meaning SPARQL 1.1 Update gives it:
the WHERE reads the given graphs only, later operations see earlier ones, blank
nodes behave, one request stays all or nothing, and the version moves on
exactly once. The W3C Protocol suite (tests/api/test_w3c_protocol.py) covers
the same through the HTTP service.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from backends import ServerPool, settings_for
from practicegraph.errors import QueryError
from practicegraph.graph.factory import open_store
from practicegraph.graph.sparql_store import (
    PROBE_GRAPH,
    VERSION_GRAPH,
    SparqlServerStore,
    dataset_form,
)
from sparql_servers import SparqlServer

EX = "https://example.org/tide/"
SHORE, REEF, DEEP, LOG = (f"{EX}{name}" for name in ("shore", "reef", "deep", "log"))
#: One sighting in each of three graphs; the update's dataset picks among them.
SIGHTINGS = (
    f"INSERT DATA {{ GRAPH <{SHORE}> {{ <{EX}heron> a <{EX}Sighting> }}"
    f" GRAPH <{REEF}> {{ <{EX}turtle> a <{EX}Sighting> }}"
    f" GRAPH <{DEEP}> {{ <{EX}squid> a <{EX}Sighting> }} }}"
)


@pytest.fixture
def server_store(
    tmp_path: Path, store_backend: str, server_pool: ServerPool
) -> Iterator[SparqlServerStore]:
    if store_backend == "embedded":
        pytest.skip("a test of the SPARQL server backend")
    store = open_store(settings_for(store_backend, server_pool, tmp_path / "data"))
    assert isinstance(store, SparqlServerStore)
    yield store
    store.close()


def logged(store: SparqlServerStore, graph: str = LOG) -> set[tuple[str, str]]:
    """(subject, object) of each statement in ``graph``, blank nodes as "_"."""
    return {(_text(t.subject), _text(t.object)) for t in store.graph_triples(graph)}


def _text(term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return "_" if isinstance(term, ox.BlankNode) else str(term)


def version_tokens(store: SparqlServerStore) -> int:
    return len(store.graph_triples(VERSION_GRAPH))


def test_the_form_carries_every_graph_as_its_own_parameter() -> None:
    body = dataset_form("INSERT { } WHERE { }", [SHORE, REEF], [DEEP]).decode()
    assert body.startswith("update=INSERT+%7B+%7D+WHERE+%7B+%7D&")
    assert body.count("&using-graph-uri=") == 2
    assert body.endswith("&using-named-graph-uri=https%3A%2F%2Fexample.org%2Ftide%2Fdeep")


def test_the_server_is_asked_once_and_the_question_changes_nothing(
    server_store: SparqlServerStore, store_server: SparqlServer
) -> None:
    before = server_store.version
    assert server_store.takes_using_clauses() is store_server.update_using_clauses
    assert server_store.using_clauses is store_server.update_using_clauses  # kept
    assert server_store.version == before
    assert server_store.quad_count() == 0
    assert not server_store.has_graph(PROBE_GRAPH)


def test_the_where_reads_the_given_default_graphs_after_earlier_operations(
    server_store: SparqlServerStore,
) -> None:
    # The sightings are written by the same request: the WHERE sees them, and only
    # those of the two graphs given, not the union the server serves by default.
    update = (
        f"{SIGHTINGS} ;\n"
        f"INSERT {{ GRAPH <{LOG}> {{ ?s <{EX}seen> 'yes' }} }} WHERE {{ ?s a <{EX}Sighting> }}"
    )
    server_store.update(update, using=[SHORE, REEF])
    assert logged(server_store) == {(f"{EX}heron", "yes"), (f"{EX}turtle", "yes")}


def test_named_graphs_and_the_default_graph_are_given_apart(
    server_store: SparqlServerStore,
) -> None:
    server_store.update(SIGHTINGS)
    update = (
        f"INSERT {{ GRAPH <{LOG}> {{ ?s <{EX}in> ?in }} }} WHERE {{"
        f" {{ GRAPH ?g {{ ?s a <{EX}Sighting> }} BIND(STR(?g) AS ?in) }}"
        f" UNION {{ ?s a <{EX}Sighting> BIND('default' AS ?in) }} }}"
    )
    server_store.update(update, using=[SHORE], using_named=[REEF])
    assert logged(server_store) == {(f"{EX}heron", "default"), (f"{EX}turtle", REEF)}
    # Named graphs alone: the default graph of the update is then empty.
    server_store.update(f"DROP SILENT GRAPH <{LOG}>")
    server_store.update(update, using_named=[DEEP])
    assert logged(server_store) == {(f"{EX}squid", DEEP)}


def test_delete_where_reads_the_dataset_too(server_store: SparqlServerStore) -> None:
    # DELETE WHERE { GRAPH <reef> ... } over a dataset without <reef> matches nothing,
    # as it would with USING <shore> written out.
    server_store.update(SIGHTINGS)
    server_store.update(f"DELETE WHERE {{ GRAPH <{REEF}> {{ ?s ?p ?o }} }}", using=[SHORE])
    assert server_store.has_graph(REEF)


def test_the_version_moves_on_once_and_keeps_one_token(
    server_store: SparqlServerStore,
) -> None:
    server_store.update(SIGHTINGS)
    before = server_store.version
    server_store.update(
        f"INSERT {{ GRAPH <{LOG}> {{ ?s <{EX}seen> 1 }} }} WHERE {{ ?s ?p ?o }}", using=[DEEP]
    )
    assert server_store.version != before
    assert version_tokens(server_store) == 1
    server_store.update(f"DELETE WHERE {{ GRAPH <{LOG}> {{ ?s ?p ?o }} }}")
    assert version_tokens(server_store) == 1


def test_blank_nodes_are_fresh_per_solution_and_stored_ones_can_be_deleted(
    server_store: SparqlServerStore,
) -> None:
    server_store.update(SIGHTINGS)
    server_store.update(
        f"INSERT {{ GRAPH <{LOG}> {{ ?s <{EX}note> [ <{EX}text> 'seen' ] }} }}"
        f" WHERE {{ ?s a <{EX}Sighting> }}",
        using=[SHORE, REEF],
    )
    notes = {
        t.object for t in server_store.graph_triples(LOG) if t.predicate.value.endswith("note")
    }
    assert len(notes) == 2 and all(isinstance(n, ox.BlankNode) for n in notes)
    # The stored blank nodes, found by the WHERE, are deleted with their statements.
    server_store.update(
        f"DELETE {{ GRAPH <{LOG}> {{ ?s <{EX}note> ?n . ?n <{EX}text> ?t }} }}"
        f" WHERE {{ ?s <{EX}note> ?n . ?n <{EX}text> ?t }}",
        using=[LOG],
    )
    assert server_store.graph_triples(LOG) == []


def test_a_failing_request_changes_nothing_on_an_atomic_server(
    server_store: SparqlServerStore, store_server: SparqlServer
) -> None:
    if not store_server.atomic_updates:
        pytest.skip("the server applies the operations of a request one by one")
    before = server_store.version
    update = (
        f"{SIGHTINGS} ;\nINSERT {{ GRAPH <{LOG}> {{ ?s <{EX}seen> 1 }} }} WHERE {{ ?s ?p ?o }} ;"
        f"\nDROP GRAPH <{EX}never-made>"
    )
    with pytest.raises(QueryError):
        server_store.update(update, using=[SHORE])
    assert server_store.quad_count() == 0
    assert server_store.version == before


def test_a_text_that_does_not_parse_is_reported_as_the_sender_wrote_it(
    server_store: SparqlServerStore,
) -> None:
    before = server_store.version
    with pytest.raises(QueryError, match="does not parse") as caught:
        server_store.update(
            f"PREFIX ex: <{EX}>\nINSERT {{ GRAPH ex:log {{ ?s ?p }} }} WHERE {{ ?s ?p ?o }}",
            base_iri=EX,
            using=[SHORE],
        )
    # the error names the line of the text as sent by the caller, not as it went out
    # with a BASE line in front (Oxigraph "error at 2:…", Virtuoso "line 2:")
    assert re.search(r"\b(?:at |line )2\b", str(caught.value)), str(caught.value)
    assert server_store.version == before


def test_relative_iris_resolve_against_the_base(server_store: SparqlServerStore) -> None:
    server_store.update(SIGHTINGS)
    server_store.update(
        "INSERT { GRAPH <log> { ?s <seen> 'yes' } } WHERE { ?s a <Sighting> }",
        base_iri=EX,
        using=[SHORE],
    )
    assert logged(server_store) == {(f"{EX}heron", "yes")}


def test_using_in_the_text_is_refused_where_the_server_refuses_it(
    server_store: SparqlServerStore, store_server: SparqlServer
) -> None:
    """Recorded so that a change on either side shows: the service passes a
    researcher's own USING or WITH on as written (README, "Running on a SPARQL
    server"), and Oxigraph serving the union default graph refuses both."""
    server_store.update(SIGHTINGS)
    using = (
        f"INSERT {{ GRAPH <{LOG}> {{ ?s <{EX}seen> 'yes' }} }} USING <{SHORE}>"
        f" WHERE {{ ?s a <{EX}Sighting> }}"
    )
    with_ = f"WITH <{SHORE}> DELETE {{ ?s a <{EX}Sighting> }} WHERE {{ ?s a <{EX}Sighting> }}"
    if store_server.update_using_clauses:
        server_store.update(using)
        assert logged(server_store) == {(f"{EX}heron", "yes")}
        return
    for text in (using, with_):
        with pytest.raises(QueryError, match="USING"):
            server_store.update(text)
