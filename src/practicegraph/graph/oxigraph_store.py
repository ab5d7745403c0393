"""The embedded default store: Oxigraph on disk in the data directory.

Why pyoxigraph rather than rdflib's own store: at a million triples its
SPARQL engine answers joins an order of magnitude faster, loads five to ten
times faster in a quarter of the memory, and its on-disk RocksDB store is
transactional, which is what makes "a killed ingest leaves each document in
its old or its new state" true. rdflib stays the API for building graphs.

Each write is one transaction, which Oxigraph applies atomically: dropping a
document's graph and inserting its new version (one SPARQL Update request)
happen together or not at all, and a new document's graph arrives whole (one
``extend``). It implements :class:`practicegraph.graph.store.GraphStore`, with
both optional capabilities (snapshots for the killable query workers, and
compaction); callers get it from :mod:`practicegraph.graph.factory`.

A full disk: RocksDB refuses the write that meets it (nothing of it is kept)
and then stays read-only -- its "background error" -- even after space is
freed, and pyoxigraph offers no way to resume. So a write refused for lack of
space marks the store ``needs_recovery``; reads go on from the same handle,
and the next write or snapshot, once there is room, reopens the store in this
process (:meth:`OxigraphStore.recover`) instead of waiting for a restart.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from practicegraph.errors import QueryError, StorageFullError, StoreError, is_disk_full
from practicegraph.graph import lock_holder
from practicegraph.graph.store import (
    DATASET_FORMATS,
    RDF_FORMATS,
    RESULT_FORMATS,
    AnswerFormatError,
    Capability,
    QueryAnswer,
    Row,
    Term,
    graph_write,
    replacement,
)

logger = logging.getLogger(__name__)

#: How long a reopen waits for readers still holding the old handle (RocksDB's
#: directory lock is only released when the last of them lets go).
REOPEN_WAIT = 10.0
#: Room wanted beyond the write-ahead logs before a reopen is tried: reopening
#: turns the logs into a table file, which cannot succeed on a disk still full.
REOPEN_MARGIN = 1 << 20


def oxigraph_quads(graph: URIRef, triples: Graph) -> list[ox.Quad]:
    """An rdflib graph's triples as Oxigraph quads in the named graph ``graph``.

    Blank nodes map one to one within the call, as they would in one INSERT DATA.
    """
    blanks: dict[BNode, ox.BlankNode] = {}

    def term(node: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            return blanks.setdefault(node, ox.BlankNode())
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))

    name = ox.NamedNode(str(graph))
    try:
        return [ox.Quad(term(s), term(p), term(o), name) for s, p, o in triples]  # type: ignore[arg-type]
    except ValueError as exc:  # an IRI or a language tag Oxigraph refuses
        raise StoreError(f"the graph cannot be written: {exc}") from exc


class OxigraphStore:
    """The embedded default: an on-disk Oxigraph store in the data directory (or, with
    no path, in memory)."""

    capabilities = frozenset({Capability.SNAPSHOTS, Capability.COMPACTION})

    def __init__(
        self,
        path: Path | None,
        *,
        read_only: bool = False,
        lock: threading.RLock | None = None,
        holder_file: Path | None = None,
    ) -> None:
        self.path = path
        self.read_only = read_only
        #: Where a writable open records this process, for a refused one to name it.
        self.holder_file = None if read_only else holder_file
        #: Held by whoever writes (the service shares its own); a reopen takes it too.
        self.write_lock = lock if lock is not None else threading.RLock()
        #: A write met a full disk: RocksDB now refuses every write until reopened.
        self.needs_recovery = False
        #: Run under the write lock after a reopen made the store writable again.
        self.on_recovered: list[Callable[[], None]] = []
        #: Reopens so far (each one after a full disk).
        self.recoveries = 0
        # Versions count on from the clock at open, so that no version (an ETag,
        # a cache key) of an earlier run of the process ever comes back.
        self._writes = itertools.count(time.time_ns())
        #: Changes with every write made through this object (and after readers were
        #: served an older snapshot); snapshot readers and result caches compare it.
        self._version = next(self._writes)
        #: Compactions so far: the data is the same, its files are not (see optimize).
        self.compactions = 0
        if path is not None and read_only and not (path.is_dir() and any(path.iterdir())):
            raise StoreError(
                f"no store at {path}: nothing has been ingested into this data "
                "directory yet (run `practicegraph ingest PATH`)"
            )
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = self._open_writable(path)
                if self.holder_file is not None and not self.needs_recovery:
                    lock_holder.record(self.holder_file)
        except OSError as exc:
            if is_disk_full(exc):
                raise StorageFullError("a new store cannot be created") from exc
            detail = " ".join(str(exc).split())
            if "lock" in detail.lower():
                assert path is not None  # noqa: S101 - a store in memory takes no lock
                holder = lock_holder.read(self.holder_file) if self.holder_file else None
                raise lock_holder.StoreInUseError(path, holder) from exc
            raise StoreError(f"cannot open the store at {path}: {detail}") from exc

    def _open_writable(self, path: Path) -> ox.Store:
        """The store opened for writing; on a full disk, opened for reading only.

        Why not fail: opening replays the write-ahead log into a table file, so on a
        full disk it cannot succeed, but the data can still be read, and the first
        write after space is freed reopens it (``needs_recovery``).
        """
        try:
            return ox.Store(str(path))
        except OSError as exc:
            if not is_disk_full(exc) or not any(path.iterdir()):
                raise
            logger.info("the disk is full: the store is open for reading only (%s)", exc)
            self.needs_recovery = True
            return ox.Store.read_only(str(path))

    # -- recovery after a full disk ------------------------------------------------
    def recover(self, *, wait: bool = True) -> None:
        """Make a store whose write met a full disk writable again, without a restart.

        Reopens it under the write lock, once there looks to be room; raises
        StorageFullError while there is not (or, with ``wait=False``, while a writer
        holds the lock: a snapshot then keeps to the one it has). Readers are
        served throughout, from a read-only handle while the writable one is swapped.
        """
        if not self.write_lock.acquire(blocking=wait):
            raise StorageFullError("the store is being reopened after a full disk")
        try:
            if not self.needs_recovery or self.path is None:
                return
            if not self._room_to_reopen(self.path):
                raise StorageFullError("the store cannot take writes until space is freed")
            self._reopen(self.path)
            self.needs_recovery = False
            self.recoveries += 1
            self._version = next(self._writes)  # new files: snapshots must be renewed
            logger.info("space was freed: the store is writable again")
            for callback in self.on_recovered:
                callback()
        finally:
            self.write_lock.release()

    @staticmethod
    def _room_to_reopen(path: Path) -> bool:
        """Whether a reopen can succeed: it writes about the write-ahead logs' size."""
        logs = sum(p.stat().st_size for p in path.glob("*.log") if p.is_file())
        return shutil.disk_usage(path).free >= logs + REOPEN_MARGIN

    def _reopen(self, path: Path) -> None:
        """Swap the handle for a fresh writable one (the write lock is held).

        The old handle must be released first (RocksDB locks its directory, per
        process); readers get a read-only handle meanwhile. Readers still inside
        the old one (a result being iterated) hold the lock a little longer, so the
        writable open is retried until they let go.
        """
        self._store = ox.Store.read_only(str(path))
        deadline = time.monotonic() + REOPEN_WAIT
        while True:
            try:
                self._store = ox.Store(str(path))
                return
            except OSError as exc:
                if is_disk_full(exc):
                    logger.info("the store cannot be reopened yet: %s", exc)
                    raise StorageFullError(
                        "the store cannot take writes until space is freed"
                    ) from exc
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    logger.error("the store could not be reopened: %s", exc)
                    raise StoreError(
                        "the store could not be reopened after the disk was full "
                        "(the server log has the details); it still answers reads"
                    ) from exc
                time.sleep(0.05)

    def _writable(self) -> None:
        """Recover first if an earlier write met a full disk."""
        if self.needs_recovery:
            self.recover()

    def _refused(self, exc: OSError, what: str) -> StoreError:
        """The error for an I/O failure of a write, without the file names RocksDB gives.

        A full disk also marks the store for recovery: RocksDB refuses all writes
        from then on, until the handle is reopened.
        """
        if is_disk_full(exc):
            self.needs_recovery = True
            logger.info("the disk is full: %s refused: %s", what, exc)
            return StorageFullError(f"{what} was refused and nothing was changed")
        logger.error("%s failed: %s", what, exc)
        return StoreError(f"the store refused {what} (an I/O error; the server log has details)")

    # -- writes ----------------------------------------------------------------
    def replace_graph(
        self, graph: URIRef, triples: Graph, extra: Iterable[tuple[URIRef, Graph]] = ()
    ) -> None:
        """Replace a named graph's content, plus add to other graphs, in one transaction.

        A graph the store does not hold yet (a new document: most of an ingest) is
        added with one atomic ``extend``, which skips writing N-Triples text and
        parsing it back as SPARQL (about 40% of the write); replacing one needs the
        DROP, so it goes through :meth:`update`.
        """
        if not self._store.contains_named_graph(ox.NamedNode(str(graph))):
            quads = [*oxigraph_quads(graph, triples)]
            for other, other_triples in extra:
                quads += oxigraph_quads(other, other_triples)
            self._extend(quads)
            return
        self.update(replacement(graph, triples, extra))

    def _extend(self, quads: list[ox.Quad]) -> None:
        """Add quads in one transaction (all or nothing), as :meth:`update` would."""
        self._writable()
        changed = True
        try:
            self._store.extend(quads)
        except OSError as exc:
            refused = self._refused(exc, "the update")
            changed = not isinstance(refused, StorageFullError)
            raise refused from exc
        finally:
            if changed:
                self._version = next(self._writes)

    def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads with bounded memory; *not* atomic, so callers make it safe:
        imports write into graphs nothing refers to until one update switches to them.

        It leaves ``version`` alone on purpose: snapshot readers (the SPARQL
        workers) keep the state before the load until that switching update, and so
        never see an import half-way.
        """
        self._writable()
        try:
            self._store.bulk_extend(quads)
        except OSError as exc:
            raise self._refused(exc, "the bulk load") from exc

    def write_graph(self, graph: str | None, triples: list[ox.Triple], *, replace: bool) -> None:
        self.update(graph_write(graph, triples, replace=replace))

    def drop_graph(self, graph: URIRef) -> bool:
        node = ox.NamedNode(str(graph))
        if not self._store.contains_named_graph(node):
            return False
        self.update(f"DROP GRAPH {node}")
        return True

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Apply a SPARQL Update atomically (one transaction, all or nothing)."""
        self._writable()
        changed = True  # for readers: assume so, unless we know better
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL update does not parse: {exc}") from exc
        except RuntimeError as exc:  # an evaluation error, e.g. DROP of a missing graph
            raise QueryError(f"SPARQL update failed: {exc}") from exc
        except OSError as exc:
            refused = self._refused(exc, "the update")
            # a write-ahead log append that failed: nothing reached the data, so
            # the snapshots readers have stay current (none can be made meanwhile)
            changed = not isinstance(refused, StorageFullError)
            raise refused from exc
        finally:
            if changed:
                self._version = next(self._writes)

    def stale_reads_served(self) -> None:
        """Readers were answered from an older snapshot: no new one could be made (a
        full disk). Moves ``version`` on, so that nothing cached from those
        answers (results, ETags) outlives the spell."""
        self._version = next(self._writes)

    def backup(self, target: Path) -> None:
        """A consistent checkpoint of the store in ``target`` (hard links where possible).

        Recovers first after a full disk, but never waits for a writer to do so.
        """
        if self.needs_recovery:
            self.recover(wait=False)
        try:
            self._store.backup(str(target))
        except OSError as exc:
            shutil.rmtree(target, ignore_errors=True)  # a checkpoint cut short
            raise self._refused(exc, "a snapshot of the store") from exc

    # -- reads -----------------------------------------------------------------
    def _run(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query over the union of all graphs (the view CONTRACT.md describes)."""
        try:
            return self._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL query does not parse: {exc}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"SPARQL query failed: {exc}") from exc

    def select(self, sparql: str) -> Iterator[Row]:
        """Rows of a SELECT as dicts of variable name -> term (unbound variables left out).

        Oxigraph evaluates lazily, so errors met while iterating are QueryErrors too.
        """
        result = self._run(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        try:
            for solution in result:
                row: Row = {}
                for name in names:
                    value = solution[name]
                    if value is not None:
                        row[name] = value
                yield row
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"SPARQL query failed: {exc}") from exc

    def ask(self, sparql: str) -> bool:
        result = self._run(sparql)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def construct(self, sparql: str) -> list[ox.Triple]:
        result = self._run(sparql)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        try:
            return list(result)
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"SPARQL query failed: {exc}") from exc

    def query(self, sparql: str) -> QueryAnswer:
        """Any query form's answer, materialised."""
        result = self._run(sparql)
        try:
            if isinstance(result, ox.QueryBoolean):
                return QueryAnswer("boolean", boolean=bool(result))
            if isinstance(result, ox.QueryTriples):
                return QueryAnswer("graph", triples=list(result))
            names = [v.value for v in result.variables]
            rows = [{n: v for n in names if (v := solution[n]) is not None} for solution in result]
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"SPARQL query failed: {exc}") from exc
        return QueryAnswer("solutions", variables=names, rows=rows)

    def write_answer(self, sparql: str, output: IO[bytes], fmt: str) -> str:
        """Serialise the answer in ``fmt``; see GraphStore.write_answer."""
        result = self._run(sparql)
        try:
            if isinstance(result, ox.QueryTriples):
                if fmt not in RDF_FORMATS or fmt in DATASET_FORMATS:
                    raise AnswerFormatError(fmt, "graph")
                prefixes = _EXPORT_PREFIXES if fmt == "turtle" else None
                ox.serialize(result, output, RDF_FORMATS[fmt], prefixes=prefixes)
                return "graph"
            if fmt not in RESULT_FORMATS:
                raise AnswerFormatError(fmt, "solutions")
            result.serialize(output, RESULT_FORMATS[fmt])
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"SPARQL query failed: {exc}") from exc
        return "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"

    def named_graph(self, graph: URIRef) -> Graph:
        """One named graph's triples as an rdflib graph (to feed the search index)."""
        out = Graph()
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
            out.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
        return out

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: str | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern, in one named graph or in every graph."""
        if subject is None and predicate is None and object is None and graph is None:
            return iter(self._store)
        name = None if graph is None else ox.NamedNode(graph)
        return iter(self._store.quads_for_pattern(subject, predicate, object, name))

    def contains(self, quad: ox.Quad) -> bool:
        return quad in self._store

    def has_graph(self, graph: str) -> bool:
        return bool(self._store.contains_named_graph(ox.NamedNode(graph)))

    def graph_triples(self, graph: str | None) -> list[ox.Triple]:
        """The triples of one named graph, or of the store's own default graph (None)."""
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self._store.quads_for_pattern(None, None, None, name)
        ]

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def quad_count(self) -> int:
        return len(self._store)

    def dump(self, output: IO[bytes], fmt: str) -> None:
        """Serialise everything: datasets keep graphs, triple formats get their union."""
        if fmt not in RDF_FORMATS:
            raise StoreError(
                f"unknown export format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}"
            )
        rdf_format = RDF_FORMATS[fmt]
        if fmt in DATASET_FORMATS:
            self._store.dump(output, rdf_format)
            return
        triples = self._run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert isinstance(triples, ox.QueryTriples)  # noqa: S101 - CONSTRUCT always yields triples
        ox.serialize(
            triples, output, rdf_format, prefixes=_EXPORT_PREFIXES if fmt == "turtle" else None
        )

    def bulk_load(self, source: IO[bytes], fmt: str) -> None:
        """Add a file's statements with bounded memory; not atomic (as bulk_extend)."""
        if fmt not in RDF_FORMATS:
            raise StoreError(f"unknown RDF format {fmt!r}")
        self._writable()
        try:
            self._store.bulk_load(source, RDF_FORMATS[fmt])
        except OSError as exc:
            raise self._refused(exc, "the bulk load") from exc

    def flush(self) -> None:
        self._writable()
        try:
            self._store.flush()
        except OSError as exc:
            raise self._refused(exc, "writing out recent changes") from exc

    @property
    def version(self) -> int:
        """Changes with every write made through this object; never repeats across runs."""
        return self._version

    @property
    def snapshot_version(self) -> tuple[int, int]:
        """(version, compactions): what a snapshot of the store's files depends on."""
        return self._version, self.compactions

    def optimize(self) -> bool:
        """Compact the store after a batch of writes (pyoxigraph's advice after bulk loads).

        Many small transactions (one per document) or a bulk load leave RocksDB
        with many overlapping files until its background compaction catches up;
        query workers read checkpoints of those files. Measured at 1M quads: the
        heavy benchmark queries ran 10-25 % slower on an uncompacted store
        (bench/README.md), and a compaction took 2.1 s.

        Advisory: the writes it follows have taken effect, so a compaction that
        fails (a full disk: it needs room for the rewritten files) is logged and
        reported as False, never raised. A successful one changes
        ``snapshot_version``, so the query workers move to a checkpoint of the
        compacted files; the data, and ``version``, are unchanged.
        """
        if self.needs_recovery:
            return False
        try:
            self._store.flush()
            self._store.optimize()
        except OSError as exc:
            logger.warning("the store could not be compacted (its data is intact): %s", exc)
            if is_disk_full(exc):
                self.needs_recovery = True
            return False
        self.compactions += 1
        return True

    def close(self) -> None:
        """Release the store (RocksDB holds a lock on the directory while open)."""
        if hasattr(self, "_store"):
            if not self.read_only and not self.needs_recovery:
                try:
                    self._store.flush()
                except OSError as exc:  # committed writes are in the log: nothing is lost
                    logger.warning("the store could not be flushed on close: %s", exc)
            del self._store
            if self.holder_file is not None:
                lock_holder.forget(self.holder_file)


def _to_rdflib(term: Any) -> Any:
    """pyoxigraph term -> rdflib term, without a round trip through a serialisation."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise StoreError(f"unexpected RDF term {term!r}")


def _prefixes() -> dict[str, str]:
    from practicegraph.vocab import PREFIXES

    return dict(PREFIXES)


_EXPORT_PREFIXES = _prefixes()
