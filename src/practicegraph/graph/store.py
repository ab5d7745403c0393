"""What PracticeGraph needs from a triple store, independent of the backend.

Every caller -- the service, the exchange, the API and the web pages -- is
typed against :class:`GraphStore` and gets one from
:mod:`practicegraph.graph.factory`; only the factory and the backends know
which store is behind it. The embedded default is
:class:`practicegraph.graph.oxigraph_store.OxigraphStore` (Oxigraph on disk in
the data directory).

Answers come in forms that do not depend on the backend: RDF terms are
pyoxigraph's value classes (``NamedNode``, ``BlankNode``, ``Literal``,
``Triple``, ``Quad``), which a backend can build from anything -- the embedded
store returns them directly, a SPARQL server's JSON results parse into them --
and SELECT rows are plain dicts. Nothing a caller holds keeps a backend's
cursor or handle open.

Optional capabilities are declared in :attr:`GraphStore.capabilities`, and a
caller asks before it uses one (:func:`snapshots`, :func:`compaction`):

- ``SNAPSHOTS``: a consistent copy of the store on local disk that another
  process can open read-only -- what the killable SPARQL query workers read.
- ``COMPACTION``: rewriting the store's files after a batch of writes.

:attr:`GraphStore.version` is reported by the store itself and changes with
every write made through it, so result caches, dump caches and ETags keyed on
it stay correct; it never repeats across restarts.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, Protocol, TypeAlias, cast

import pyoxigraph as ox
from rdflib import Graph, URIRef

from practicegraph import formats
from practicegraph.errors import QueryError, StoreError
from practicegraph.sparql_terms import iri

#: An RDF term in an answer (pyoxigraph's value classes, whatever the backend).
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal
#: One SELECT solution: variable name -> term, unbound variables left out.
Row: TypeAlias = dict[str, Term]

#: The answer formats by name (see practicegraph.formats, the one table of them).
RESULT_FORMATS = formats.RESULTS_FORMATS
RDF_FORMATS = formats.RDF_SYNTAXES
DATASET_FORMATS = formats.DATASET_SYNTAXES


class AnswerFormatError(QueryError):
    """The format asked for does not fit the query's form (a table for a graph...)."""

    def __init__(self, fmt: str, kind: str) -> None:
        wanted = "an RDF syntax" if kind == "graph" else "a results format"
        super().__init__(f"{fmt} is not {wanted}, which this query's answer needs")
        self.fmt = fmt
        self.kind = kind


class Capability(enum.Enum):
    """What a backend may offer beyond :class:`GraphStore` (callers ask first)."""

    SNAPSHOTS = "snapshots"
    COMPACTION = "compaction"


@dataclass
class QueryAnswer:
    """The answer to any SPARQL query form, materialised (no backend cursor kept).

    ``kind`` says which of the other fields holds it: ``solutions`` (SELECT:
    ``variables`` and ``rows``), ``boolean`` (ASK) or ``graph`` (CONSTRUCT and
    DESCRIBE: ``triples``).
    """

    kind: Literal["solutions", "boolean", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool = False
    triples: list[ox.Triple] = field(default_factory=list)


class GraphStore(Protocol):
    """The reads and writes the service, the exchange, the API and the pages need.

    Queries see the union of all graphs as their default graph (the view
    CONTRACT.md describes). Each write method is one transaction on the backend,
    applied whole or not at all -- except :meth:`bulk_extend`, which is not
    atomic and is only used to fill graphs nothing refers to yet.
    """

    #: The optional capabilities this backend offers.
    capabilities: frozenset[Capability]
    #: A write met a full disk and the store refuses writes until it recovers.
    needs_recovery: bool
    #: Called under the write lock when a store that refused writes takes them again.
    on_recovered: list[Callable[[], None]]

    @property
    def version(self) -> int:
        """Changes with every write made through the store; never repeats across restarts."""
        ...

    # -- reads ---------------------------------------------------------------------
    def select(self, sparql: str) -> Iterator[Row]: ...
    def ask(self, sparql: str) -> bool: ...
    def construct(self, sparql: str) -> list[ox.Triple]: ...
    def query(self, sparql: str) -> QueryAnswer: ...
    def write_answer(self, sparql: str, output: IO[bytes], fmt: str) -> str:
        """Serialise the answer: a results format (``RESULT_FORMATS``) for SELECT and
        ASK, an RDF syntax (``RDF_FORMATS``) for graphs. Returns the answer's kind;
        a format that does not fit the query form is a QueryError."""
        ...

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: str | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None matches anything) in named graph ``graph``,
        or in every graph."""
        ...

    def named_graph(self, graph: URIRef) -> Graph: ...
    def graph_triples(self, graph: str | None) -> list[ox.Triple]:
        """The triples of one named graph, or of the store's own default graph (None)."""
        ...

    def contains(self, quad: ox.Quad) -> bool: ...
    def has_graph(self, graph: str) -> bool: ...
    def named_graphs(self) -> list[str]: ...
    def quad_count(self) -> int: ...
    def dump(self, output: IO[bytes], fmt: str) -> None: ...

    # -- writes --------------------------------------------------------------------
    def replace_graph(
        self, graph: URIRef, triples: Graph, extra: Iterable[tuple[URIRef, Graph]] = ()
    ) -> None: ...
    def write_graph(self, graph: str | None, triples: list[ox.Triple], *, replace: bool) -> None:
        """Replace (PUT) or add to (POST) one graph, the default graph when None, as one
        write: what the Graph Store Protocol asks of a store."""
        ...

    def drop_graph(self, graph: URIRef) -> bool: ...
    def update(self, sparql: str, *, base_iri: str | None = None) -> None: ...
    def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads with bounded memory; not atomic (see the class docstring)."""
        ...

    def bulk_load(self, source: IO[bytes], fmt: str) -> None:
        """Add a file's quads or triples (``RDF_FORMATS``); not atomic."""
        ...

    def flush(self) -> None: ...
    def close(self) -> None: ...


class SnapshotStore(GraphStore, Protocol):
    """A store offering ``Capability.SNAPSHOTS``."""

    @property
    def snapshot_version(self) -> tuple[int, int]:
        """What a snapshot's files depend on: the data version, and compactions."""
        ...

    def backup(self, target: Path) -> None: ...
    def stale_reads_served(self) -> None:
        """Readers were answered from an older snapshot: move ``version`` on."""
        ...


class CompactingStore(GraphStore, Protocol):
    """A store offering ``Capability.COMPACTION``."""

    def optimize(self) -> bool: ...


def snapshots(store: GraphStore) -> SnapshotStore | None:
    """The store as a snapshot source, or None when its backend makes none."""
    if Capability.SNAPSHOTS in store.capabilities:
        return cast(SnapshotStore, store)
    return None


def compaction(store: GraphStore) -> CompactingStore | None:
    """The store as one that compacts its files, or None when its backend does not."""
    if Capability.COMPACTION in store.capabilities:
        return cast(CompactingStore, store)
    return None


def compact_or_flush(store: GraphStore) -> None:
    """After a batch of writes: compact where the backend can (advisory: a compaction
    that fails is logged by the backend, never raised), else make the writes durable."""
    compacting = compaction(store)
    if compacting is not None:
        compacting.optimize()
    else:
        store.flush()


def nt_terms(graph: Graph) -> str:
    """N-Triples of a graph, usable verbatim inside INSERT DATA."""
    try:
        return graph.serialize(format="nt")
    except Exception as exc:  # rdflib raises a bare Exception for an IRI it cannot write
        raise StoreError(f"the graph cannot be written: {exc}") from exc


def graph_write(graph: str | None, triples: list[ox.Triple], *, replace: bool) -> str:
    """The SPARQL Update behind ``GraphStore.write_graph`` (one request)."""
    data = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    if graph is None:
        parts = ["CLEAR SILENT DEFAULT ;"] if replace else []
        return "\n".join([*parts, f"INSERT DATA {{\n{data}\n}}"])
    parts = [f"DROP SILENT GRAPH {iri(graph)} ;"] if replace else []
    parts.append(f"CREATE SILENT GRAPH {iri(graph)} ;")
    parts.append(f"INSERT DATA {{ GRAPH {iri(graph)} {{\n{data}\n}} }}")
    return "\n".join(parts)


def replacement(graph: URIRef, triples: Graph, extra: Iterable[tuple[URIRef, Graph]] = ()) -> str:
    """The SPARQL Update that replaces ``graph``'s content and adds to other graphs, as
    one request (what ``GraphStore.replace_graph`` sends when it goes through SPARQL)."""
    parts = [
        f"DROP SILENT GRAPH {iri(graph)} ;",
        f"INSERT DATA {{ GRAPH {iri(graph)} {{\n{nt_terms(triples)}\n}} }}",
    ]
    for other, other_triples in extra:
        parts.append(f"; INSERT DATA {{ GRAPH {iri(other)} {{\n{nt_terms(other_triples)}\n}} }}")
    return "\n".join(parts)
