"""Imported sources: other organisations' dumps, kept apart, traceable and reversible.

An import goes through four steps, and only the last touches the store:

1. **parse and gate** (streaming): the file is parsed strictly (relative IRIs
   against the import's base: see :mod:`~practicegraph.exchange.import_names`),
   each statement passes :class:`~practicegraph.exchange.gate.Gate`, and lands
   in a *staging* store of its own on disk (``data_dir/staging``), so memory
   stays bounded and a refused dump leaves nothing behind;
2. **validate**: SHACL against ontology/shapes.ttl, in slices (pyshacl); a
   failing dump is refused with its report, or with ``quarantine`` kept in a
   separate store (``data_dir/quarantine``) that queries and search never read;
3. **archive**: the staged data is kept as N-Quads (``data_dir/sources/NAME``)
   so that the import can be restored after a later one (rollback);
4. **switch**: the statements are copied into fresh graphs named after the
   import (blank nodes naming graphs skolemised: see exchange.import_names),
   then one SPARQL Update records the import and drops the graphs of the one it
   replaces. A crash before that update leaves graphs that no import record
   claims; they are dropped when the store is next opened, so the source is in
   its old state or its new one, never between.

Afterwards the same-as links between sources are rebuilt and the keyword
index gets the source's documents and practices.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from practicegraph.config import Settings, ontology_dir
from practicegraph.errors import DumpError, InvalidDumpError, StoreError, UnknownSourceError
from practicegraph.exchange.canonical import DumpSummary
from practicegraph.exchange.dumpfile import open_dump, sha256_of, syntax_of
from practicegraph.exchange.export import ExportedFile, export_file, write_dump
from practicegraph.exchange.gate import Gate, line_locator
from practicegraph.exchange.import_names import (
    GraphNames,
    base_problem,
    default_base,
    original_terms,
    unskolemised,
)
from practicegraph.exchange.reconcile import Reconciliation, reconcile
from practicegraph.exchange.validation import ShapesValidator, ValidationReport
from practicegraph.exchange.void import Dataset as VoidDataset
from practicegraph.exchange.void import file_distribution, void_triples, void_turtle
from practicegraph.graph.factory import open_local_store
from practicegraph.graph.iris import IriMinter
from practicegraph.graph.store import GraphStore, QueryAnswer, compact_or_flush, nt_terms
from practicegraph.search import IndexRecord, SearchIndex, SearchVocabulary, records_from_graph
from practicegraph.search.records import LOCAL_SOURCE
from practicegraph.vocab import (
    DCTERMS,
    OWL,
    PG,
    PROV,
    RDF,
    RDFS,
    VOID,
    XSD,
    sparql_prefixes,
)

SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
VOCABULARY_PREFIXES = (
    "https://w3id.org/practicegraph/ontology",
    "https://w3id.org/practicegraph/themes",
    "https://w3id.org/practicegraph/shapes",
)
KEEP_ARCHIVES = 2  # the import in force and the one before it (for rollback)
UPLOAD_PREFIX = "dump-"  # folders under data_dir/uploads holding a dump sent over HTTP
COPY_BATCH = 50_000


@dataclass
class ImportReport:
    """What an import did; the CLI prints it and the API returns it."""

    source: str
    file: str
    sha256: str
    syntax: str
    status: str  # "current" | "quarantined" | "failed" (refused after validation)
    statements: int = 0
    own_copies: int = 0
    graphs: int = 0
    documents: int = 0
    practices: int = 0
    licence: str | None = None
    publisher: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    validation: ValidationReport = field(default_factory=ValidationReport)
    links: dict[str, int] = field(default_factory=dict)
    import_iri: str = ""
    base: str | None = None  # the base IRI relative IRIs were resolved against

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "validation"}
        data["validation"] = self.validation.to_dict()
        return data


@dataclass
class SourceInfo:
    name: str
    iri: str
    import_iri: str | None
    file: str | None
    sha256: str | None
    imported: str | None
    statements: int
    licence: str | None
    publisher: str | None
    status: str
    imports: int
    restorable: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Staged:
    store: GraphStore
    path: Path
    gate: Gate


class SourceManager:
    """Imports, lists, removes and restores sources in one data directory."""

    def __init__(
        self,
        settings: Settings,
        store: GraphStore,
        index: SearchIndex,
        iris: IriMinter,
        vocabulary: SearchVocabulary,
        write_lock: threading.RLock,
    ) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.iris = iris
        self.vocabulary = vocabulary
        self.write_lock = write_lock
        self.root = settings.data_dir / "sources"
        self.staging_root = settings.data_dir / "staging"
        self.uploads_root = settings.data_dir / "uploads"
        # Staging stores and upload folders in use: drop_orphans (also run when the
        # store recovers from a full disk, imports going on) leaves these alone.
        self._scratch: set[Path] = set()
        self._scratch_lock = threading.Lock()
        self.reconciliation = Reconciliation()
        self._reconciled_version = -1

    # -- import ------------------------------------------------------------------------
    def import_dump(
        self,
        path: Path,
        source: str,
        *,
        syntax: str | None = None,
        quarantine: bool = False,
        filename: str | None = None,
        base: str | None = None,
    ) -> ImportReport:
        """Import one dump file as (the new state of) ``source``; see the module doc.

        Relative IRIs resolve against ``base``, by default the source's own namespace
        (see exchange.import_names).
        """
        self.check_name(source)
        base = self.check_base(source, base)
        filename = filename or path.name
        kind = syntax_of(filename, syntax)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        report = ImportReport(source, filename, sha256_of(path), kind.name, "current")
        report.import_iri = str(self.iris.source_import(source, stamp))
        report.base = base
        started = time.perf_counter()
        staged = self._stage(path, filename, kind, stamp, source, base)
        try:
            report.statements = staged.gate.counts.accepted
            report.own_copies = staged.gate.counts.own_copies
            report.licence = staged.gate.description.licence
            report.publisher = staged.gate.description.publisher
            report.seconds["parse"] = round(time.perf_counter() - started, 3)
            mark = time.perf_counter()
            report.validation = ShapesValidator(
                ontology_dir() / "shapes.ttl", self._ontology()
            ).validate(staged.store, workers=self.settings.n_process)
            report.seconds["validate"] = round(time.perf_counter() - mark, 3)
            self._save_report(source, stamp, report)
            if not report.validation.conforms:
                if not quarantine:
                    raise InvalidDumpError(
                        "the dump does not conform to the shapes (ontology/shapes.ttl); "
                        "nothing was imported (import with --quarantine to keep it apart)\n"
                        + report.validation.text(),
                        filename,
                        report.validation,
                    )
                report.status = "quarantined"
                self._quarantine(staged.store, source, stamp, report)
                return report
            mark = time.perf_counter()
            archive = self._archive(staged.store, source, stamp)
            with self.write_lock:
                try:
                    self._switch(staged.store, source, stamp, report)
                except BaseException:
                    archive.unlink(missing_ok=True)
                    report.status = "failed"
                    self._save_report(source, stamp, report)
                    raise
                # Only an import that took effect can be restored later.
                archive.replace(archive.with_name(f"{stamp}.nq.gz"))
                report.seconds["store"] = round(time.perf_counter() - mark, 3)
                mark = time.perf_counter()
                report.links = self.relink(indexed=source)
                report.seconds["reconcile"] = round(time.perf_counter() - mark, 3)
                mark = time.perf_counter()
                report.documents, report.practices = self._index_source(source)
                report.seconds["index"] = round(time.perf_counter() - mark, 3)
            # a bulk load: compacted (outside the write lock, updates may go on)
            mark = time.perf_counter()
            compact_or_flush(self.store)
            report.seconds["compact"] = round(time.perf_counter() - mark, 3)
            self._save_report(source, stamp, report)
            self._prune_archives(source)
            return report
        finally:
            staged.store.close()
            self._release(staged.path)

    @staticmethod
    def check_name(source: str) -> None:
        """Source names become IRI segments and file names: a small safe alphabet."""
        if not SOURCE_NAME.fullmatch(source) or source == LOCAL_SOURCE:
            raise DumpError(
                f"{source!r} is not usable: use lower-case letters, digits, '-' and '_' "
                f"(up to 63), and not {LOCAL_SOURCE!r}, which names this instance's own "
                "documents",
                "source name",
            )

    def check_base(self, source: str, base: str | None) -> str:
        """The base IRI an import of ``source`` resolves relative IRIs against: ``base``
        if it is usable, else :class:`DumpError`; the source's namespace if None."""
        if base is None:
            return default_base(self.iris, source)
        problem = base_problem(base, self.iris, source)
        if problem is not None:
            raise DumpError(
                f"unusable base IRI (--base, ?base=): {problem}; nothing was imported", "base"
            )
        return base

    def _stage(
        self, path: Path, filename: str, kind: Any, stamp: str, source: str, base: str
    ) -> _Staged:
        """Parse, gate and load the dump into a staging store of its own."""
        staging = self._claim(self.staging_root / stamp)
        limit = self.settings.max_import_bytes
        ontology = self.iris.ontology_graph

        def is_own(quad: ox.Quad) -> bool:
            return bool(
                self.store.contains(
                    ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(ontology))
                )
            )

        def text_lines() -> Iterator[bytes]:
            with open_dump(path, kind, limit, filename) as handle:
                yield from handle

        gate = Gate(
            filename,
            own_prefixes=[self.iris.base],
            vocabulary_prefixes=VOCABULARY_PREFIXES,
            source_prefixes=[default_base(self.iris, source)],
            is_own_statement=is_own,
            max_triples=self.settings.max_import_triples,
            max_bytes=limit,
            locate=line_locator(text_lines),
        )
        store = open_local_store(staging)
        try:
            with open_dump(path, kind, limit, filename) as handle:
                quads = ox.parse(handle, kind.rdf_format, base_iri=base)
                store.bulk_extend(gate.screen(quads))
        except SyntaxError as exc:
            store.close()
            self._release(staging)
            message = str(exc.args[0] if exc.args else exc)
            raise DumpError(
                f"syntax error: {message}; nothing was imported",
                filename,
                exc.lineno,
                exc.offset,
            ) from exc
        except BaseException:
            store.close()
            self._release(staging)
            raise
        return _Staged(store, staging, gate)

    def _ontology(self) -> Graph:
        return self.store.named_graph(self.iris.ontology_graph)

    def _quarantine(
        self, staged: GraphStore, source: str, stamp: str, report: ImportReport
    ) -> None:
        """Keep a failing import apart: its own store, never read by queries or search."""
        with self.write_lock:  # one opener of the quarantine store at a time (RocksDB lock)
            self._drop_quarantined(source)  # the newest quarantined import replaces any other
            quarantine = open_local_store(self.settings.data_dir / "quarantine")
            try:
                graphs = GraphNames(self.iris, source, stamp)
                quarantine.bulk_extend(graphs.renamed(staged))
                report.graphs = len(graphs.names)
                quarantine.flush()
            finally:
                quarantine.close()
            self.store.update(
                self._record_update(source, stamp, report, graphs={}, status="quarantined")
            )

    def _archive(self, staged: GraphStore, source: str, stamp: str) -> Path:
        """The staged data as gzipped N-Quads, named ``.pending`` until the switch."""
        folder = self.root / source
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{stamp}.nq.gz.pending"
        try:
            with gzip.open(target, "wb", compresslevel=1) as handle:
                staged.dump(handle, "nquads")  # type: ignore[arg-type]
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    def _switch(self, staged: GraphStore, source: str, stamp: str, report: ImportReport) -> None:
        """Copy into fresh graphs, then one update records the import and drops the old.

        Whatever fails before that update takes the fresh graphs away again (and a
        crash leaves them to :meth:`drop_orphans`): the source keeps its old state.
        """
        graphs = GraphNames(self.iris, source, stamp)
        try:
            self.store.bulk_extend(graphs.renamed(staged))
            report.graphs = len(graphs.names)
            self.store.update(
                self._record_update(source, stamp, report, graphs=graphs.names, status="current")
            )
        except BaseException:
            fresh = self.iris.import_graph_prefix(source, stamp)
            for graph in self.store.named_graphs():
                if graph.startswith(fresh):
                    self.store.drop_graph(URIRef(graph))
            raise
        finally:
            self.store.flush()

    def _record_update(
        self,
        source: str,
        stamp: str,
        report: ImportReport,
        graphs: dict[str, str],
        status: str,
    ) -> str:
        """One SPARQL Update: the import's provenance, and (for a current import) the
        switch from the import in force, whose graphs it drops."""
        g = Graph()
        source_iri = self.iris.source(source)
        run = self.iris.source_import(source, stamp)
        g.add((source_iri, RDF.type, PG.Source))
        g.add((source_iri, RDF.type, PROV.Agent))
        g.add((source_iri, RDFS.label, Literal(source)))
        g.add((run, RDF.type, PG.Import))
        g.add((run, RDF.type, PROV.Activity))
        g.add((run, PROV.wasAssociatedWith, source_iri))
        g.add((run, PG.fileName, Literal(report.file)))
        g.add((run, PG.sha256, Literal(report.sha256)))
        g.add((run, VOID.triples, Literal(report.statements)))
        g.add((run, PG.importStatus, Literal(status)))
        now = datetime.now(UTC).isoformat()
        started = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC).isoformat()
        g.add((run, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)))
        g.add((run, PROV.endedAtTime, Literal(now, datatype=XSD.dateTime)))
        if report.licence:
            g.add((run, DCTERMS.license, _iri_or_literal(report.licence)))
        if report.publisher:
            g.add((run, DCTERMS.publisher, _iri_or_literal(report.publisher)))
        for original, ours in graphs.items():
            graph_iri = URIRef(ours)
            g.add((graph_iri, PROV.wasGeneratedBy, run))
            g.add((graph_iri, PROV.wasAttributedTo, source_iri))
            name, label = original_terms(self.iris, source, original)
            if name is not None:
                g.add((graph_iri, PG.originalGraph, URIRef(name)))
            if label is not None:
                g.add((graph_iri, PG.originalBlankNode, Literal(label)))
        sources_graph = self.iris.sources_graph
        # A restored import already has a record: it is rewritten, not duplicated.
        parts = [
            sparql_prefixes(),
            f"DELETE WHERE {{ GRAPH <{sources_graph}> {{ <{run}> ?p ?o }} }} ;",
        ]
        previous = self._current_import(source) if status == "current" else None
        if status == "current":
            if previous is not None:
                for graph in self._graphs_of(previous):
                    parts.append(f"DROP SILENT GRAPH <{graph}> ;")
            parts.append(
                f"""DELETE {{ GRAPH <{sources_graph}> {{
                        <{source_iri}> pg:currentImport ?old . ?old pg:importStatus ?s .
                        ?g ?gp ?go }} }}
                    INSERT {{ GRAPH <{sources_graph}> {{ ?old pg:importStatus "superseded" }} }}
                    WHERE {{ GRAPH <{sources_graph}> {{
                        <{source_iri}> pg:currentImport ?old . ?old pg:importStatus ?s .
                        OPTIONAL {{ ?g prov:wasGeneratedBy ?old ; ?gp ?go }} }} }} ;"""
            )
            g.add((source_iri, PG.currentImport, run))
            if previous is not None and previous != str(run):
                g.add((run, PG.replaces, URIRef(previous)))
        parts.append(f"INSERT DATA {{ GRAPH <{sources_graph}> {{\n{nt_terms(g)}\n}} }}")
        return "\n".join(parts)

    # -- reading the registry -------------------------------------------------------------
    def _current_import(self, source: str) -> str | None:
        rows = list(
            self.store.select(
                sparql_prefixes()
                + f"""SELECT ?i WHERE {{ GRAPH <{self.iris.sources_graph}> {{
                    <{self.iris.source(source)}> pg:currentImport ?i }} }}"""
            )
        )
        return rows[0]["i"].value if rows else None

    def _graphs_of(self, import_iri: str) -> list[str]:
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?g WHERE {{ GRAPH <{self.iris.sources_graph}> {{
                ?g prov:wasGeneratedBy <{import_iri}> }} }}"""
        )
        return sorted(row["g"].value for row in rows)

    def current_graphs(self) -> dict[str, str]:
        """graph IRI -> source name, for every graph of every import in force."""
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?g ?name WHERE {{ GRAPH <{self.iris.sources_graph}> {{
                ?src pg:currentImport ?i ; rdfs:label ?name . ?g prov:wasGeneratedBy ?i }} }}"""
        )
        return {row["g"].value: row["name"].value for row in rows}

    def infos(self) -> list[SourceInfo]:
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?src ?name ?imp ?file ?sha ?ended ?n ?lic ?pub ?status WHERE {{
                GRAPH <{self.iris.sources_graph}> {{
                  ?src a pg:Source ; rdfs:label ?name .
                  ?imp prov:wasAssociatedWith ?src ; pg:fileName ?file ; pg:sha256 ?sha ;
                       prov:endedAtTime ?ended ; void:triples ?n ; pg:importStatus ?status .
                  OPTIONAL {{ ?imp dcterms:license ?lic }}
                  OPTIONAL {{ ?imp dcterms:publisher ?pub }} }} }}
                ORDER BY ?name DESC(?ended)"""
        )
        by_name: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_name.setdefault(row["name"].value, []).append({k: v.value for k, v in row.items()})
        out = []
        for name, imports in by_name.items():
            current = self._current_import(name)
            shown = next((i for i in imports if i["imp"] == current), imports[0])
            out.append(
                SourceInfo(
                    name=name,
                    iri=shown["src"],
                    import_iri=shown["imp"],
                    file=shown["file"],
                    sha256=shown["sha"],
                    imported=shown["ended"],
                    statements=int(shown["n"]),
                    licence=shown.get("lic"),
                    publisher=shown.get("pub"),
                    status=shown["status"],
                    imports=len(imports),
                    restorable=self._previous(name) is not None,
                )
            )
        return out

    def get(self, source: str) -> SourceInfo:
        for info in self.infos():
            if info.name == source:
                return info
        raise UnknownSourceError(source)

    def report(self, source: str) -> dict[str, Any]:
        """The newest import report of a source (validation included)."""
        self.check_name(source)
        folder = self.root / source
        reports = sorted(folder.glob("*.report.json")) if folder.is_dir() else []
        if not reports:
            raise UnknownSourceError(source)
        return json.loads(reports[-1].read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    def _save_report(self, source: str, stamp: str, report: ImportReport) -> None:
        folder = self.root / source
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{stamp}.report.json"
        partial = target.with_suffix(".partial")
        partial.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
        partial.replace(target)

    # -- remove, rollback ---------------------------------------------------------------
    def remove(self, source: str) -> SourceInfo:
        """Drop a source: its graphs, its records, its archives and its index entries."""
        info = self.get(source)
        with self.write_lock:
            prefix = self.iris.import_graph_prefix(source)
            graphs = [g for g in self.store.named_graphs() if g.startswith(prefix)]
            source_iri = self.iris.source(source)
            sources_graph = self.iris.sources_graph
            parts = [sparql_prefixes()] + [f"DROP SILENT GRAPH <{g}> ;" for g in graphs]
            parts.append(
                f"""DELETE {{ GRAPH <{sources_graph}> {{ ?x ?p ?o }} }}
                    WHERE {{ GRAPH <{sources_graph}> {{ ?x ?p ?o .
                      {{ BIND(<{source_iri}> AS ?x) }}
                      UNION {{ ?x prov:wasAssociatedWith <{source_iri}> }}
                      UNION {{ ?x prov:wasAttributedTo <{source_iri}> }} }} }}"""
            )
            self.store.update("\n".join(parts))
            if not self.infos():  # Oxigraph keeps an emptied graph: the last source takes it
                self.store.drop_graph(sources_graph)
            self.store.flush()
            self.relink()
            self.index.replace_dataset(source, {})
        self._drop_quarantined(source)
        shutil.rmtree(self.root / source, ignore_errors=True)
        return info

    def query_quarantine(self, sparql: str) -> QueryAnswer:
        """A SPARQL query over the quarantined imports only (read-only), to inspect them."""
        quarantine = self._open_quarantine()
        try:
            return quarantine.query(sparql)
        finally:
            quarantine.close()

    def write_quarantine_answer(self, sparql: str, output: IO[bytes], fmt: str) -> str:
        """:meth:`query_quarantine`, serialised (see GraphStore.write_answer)."""
        quarantine = self._open_quarantine()
        try:
            return quarantine.write_answer(sparql, output, fmt)
        finally:
            quarantine.close()

    def _open_quarantine(self) -> GraphStore:
        path = self.settings.data_dir / "quarantine"
        if not path.is_dir():
            raise StoreError("nothing is in quarantine (no import was kept apart)")
        return open_local_store(path, read_only=True)

    def _drop_quarantined(self, source: str) -> None:
        path = self.settings.data_dir / "quarantine"
        if not path.is_dir():
            return
        quarantine = open_local_store(path)
        try:
            prefix = self.iris.import_graph_prefix(source)
            for graph in quarantine.named_graphs():
                if graph.startswith(prefix):
                    quarantine.drop_graph(URIRef(graph))
            quarantine.flush()
        finally:
            quarantine.close()

    def _previous(self, source: str) -> tuple[str, Path] | None:
        """The import the current one replaced, if its archive is still kept."""
        current = self._current_import(source)
        if current is None:
            return None
        rows = list(
            self.store.select(
                sparql_prefixes()
                + f"""SELECT ?old WHERE {{ GRAPH <{self.iris.sources_graph}> {{
                    <{current}> pg:replaces ?old }} }}"""
            )
        )
        if not rows:
            return None
        stamp = rows[0]["old"].value.rsplit("/", 1)[-1]
        archive = self.root / source / f"{stamp}.nq.gz"
        return (stamp, archive) if archive.is_file() else None

    def rollback(self, source: str) -> ImportReport:
        """Put back the import before the current one (from its archive)."""
        self.check_name(source)
        previous = self._previous(source)
        if previous is None:
            raise DumpError(
                f"source {source!r} has no earlier import to restore "
                f"(the last {KEEP_ARCHIVES} imports of a source are kept)",
                source,
            )
        stamp, archive = previous
        old = self._report_of(source, stamp)
        report = ImportReport(
            source, old.get("file", archive.name), old.get("sha256", ""), "nquads", "current"
        )
        report.licence, report.publisher = old.get("licence"), old.get("publisher")
        report.base = old.get("base")
        report.import_iri = str(self.iris.source_import(source, stamp))
        staging = self._claim(self.staging_root / f"restore-{stamp}")
        store = open_local_store(staging)
        try:
            with gzip.open(archive, "rb") as handle:
                # parsed, not bulk-loaded: a bulk load relabels blank nodes, and the
                # labels of those naming graphs are recorded (exchange.import_names)
                store.bulk_extend(ox.parse(handle, ox.RdfFormat.N_QUADS))  # type: ignore[arg-type]
            report.statements = store.quad_count()
            with self.write_lock:
                self._switch(store, source, stamp, report)
                report.links = self.relink(indexed=source)
                report.documents, report.practices = self._index_source(source)
        finally:
            store.close()
            self._release(staging)
        return report

    def _report_of(self, source: str, stamp: str) -> dict[str, Any]:
        path = self.root / source / f"{stamp}.report.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        return {}

    def _prune_archives(self, source: str) -> None:
        """Keep the archives of the import in force and of the one it replaced."""
        current = self._current_import(source)
        keep = {f"{current.rsplit('/', 1)[-1]}.nq.gz"} if current else set()
        previous = self._previous(source)
        if previous is not None:
            keep.add(previous[1].name)
        for archive in (self.root / source).glob("*.nq.gz"):
            if archive.name not in keep:
                archive.unlink(missing_ok=True)

    @contextmanager
    def upload_folder(self) -> Iterator[Path]:
        """A fresh folder for a dump arriving over HTTP, removed however the import ends;
        one that a killed process left behind goes at the next :meth:`drop_orphans`."""
        with self._scratch_lock:
            self.uploads_root.mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=self.uploads_root))
            self._scratch.add(folder)
        try:
            yield folder
        finally:
            self._release(folder)

    def _claim(self, folder: Path) -> Path:
        with self._scratch_lock:
            folder.mkdir(parents=True, exist_ok=True)
            self._scratch.add(folder)
        return folder

    def _release(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)  # still claimed: drop_orphans keeps off
        with self._scratch_lock:
            self._scratch.discard(folder)

    # -- repair on open ----------------------------------------------------------------------
    def drop_orphans(self) -> list[str]:
        """Drop imported graphs no import in force claims (left by a crash mid-import),
        and the staging stores and uploaded dumps of imports that never finished: a
        process killed mid-import (out of memory, say) ran no clean-up of its own."""
        with self._scratch_lock:  # a folder claimed later has a new name: no race
            leftovers = [
                folder
                for folder in [
                    *self.staging_root.glob("*"),
                    *self.uploads_root.glob(UPLOAD_PREFIX + "*"),
                ]
                if folder not in self._scratch
            ]
        for folder in leftovers:
            shutil.rmtree(folder, ignore_errors=True)
        for pending in self.root.glob("*/*.pending"):  # archives of imports that never switched
            pending.unlink(missing_ok=True)
        prefix = self.iris.import_graph_prefix()
        present = [g for g in self.store.named_graphs() if g.startswith(prefix)]
        if not present:
            return []
        claimed = set(self.current_graphs())
        orphans = [g for g in present if g not in claimed]
        if orphans:
            self.store.update("\n".join(f"DROP SILENT GRAPH <{g}> ;" for g in orphans)[:-2])
            self.store.flush()
        return orphans

    # -- links and search ---------------------------------------------------------------------
    def relink(self, indexed: str | None = None) -> dict[str, int]:
        """Rebuild the owl:sameAs graph from the current data (see exchange.reconcile).

        When the links change, the canonical names in other sources' index records
        may be stale: those sources are indexed again (all but ``indexed``, which
        the caller indexes itself).
        """
        links = self.iris.links_graph
        before = (
            set(self.store.graph_triples(str(links))) if self.store.has_graph(str(links)) else set()
        )
        self.reconciliation = reconcile(self.store, self.iris.base, links=str(links))
        graph = Graph()
        for member, canonical in sorted(self.reconciliation.canonical.items()):
            graph.add((URIRef(member), OWL.sameAs, URIRef(canonical)))
        if len(graph):
            self.store.replace_graph(links, graph)  # one update: never a moment without links
        else:
            self.store.drop_graph(links)
        self._reconciled_version = self.store.version
        after = set(self.store.graph_triples(str(links)))
        if after != before:
            for name in sorted(set(self.current_graphs().values()) - {indexed}):
                self.index.replace_dataset(name, self.source_records(name))
        return dict(self.reconciliation.rules)

    def canonical_names(self) -> dict[str, str]:
        """Reconciled IRI -> the canonical resource's name (for the search facets)."""
        if self._reconciled_version != self.store.version:
            self.reconciliation = reconcile(self.store, self.iris.base, str(self.iris.links_graph))
            self._reconciled_version = self.store.version
        return self.reconciliation.names

    def _index_source(self, source: str) -> tuple[int, int]:
        records = self.source_records(source)
        self.index.replace_dataset(source, records)
        kinds = [r.kind for items in records.values() for r in items]
        return kinds.count("document"), kinds.count("practice")

    def source_records(self, source: str) -> dict[str, list[IndexRecord]]:
        """Index records of every document in the source's graphs in force, by key."""
        names = self.canonical_names()
        records: dict[str, list[IndexRecord]] = {}
        for graph, name in sorted(self.current_graphs().items()):
            if name != source:
                continue
            found = records_from_graph(
                self.store.named_graph(URIRef(graph)),
                self.vocabulary.theme_labels,
                dataset=source,
                canonical_names=names,
            )
            by_document: dict[str, list[IndexRecord]] = {}
            for record in found:
                by_document.setdefault(record.doc_iri, []).append(record)
            for items in by_document.values():
                key = items[0].source
                if key in records:  # two documents of one file name (a dump of dumps)
                    key = f"{key}~{len(records)}"
                    for record in items:
                        record.source = key
                records[key] = items
        return records

    # -- export ---------------------------------------------------------------------------------
    def export(
        self, output: IO[bytes] | gzip.GzipFile, fmt: str, source: str | None = None
    ) -> DumpSummary:
        """A canonical dump of everything, or of one source as it was imported
        (exchange.export). Under the write lock: a dump must be one state of the store."""
        with self.write_lock:
            return write_dump(self._export_quads(source), output, fmt)

    def export_file(self, path: Path, fmt: str, source: str | None = None) -> ExportedFile:
        """The dump as a file (gzipped if its name ends in .gz): what the CLI and the
        API's /dumps both write, so the same store gives them the same bytes."""
        with self.write_lock:
            return export_file(self._export_quads(source), path, fmt)

    def _export_quads(self, source: str | None) -> Iterable[ox.Quad]:
        if source is None:
            return self.store.quads()
        self.get(source)
        originals, skolems = self._original_names(source)
        return unskolemised(
            (
                ox.Quad(q.subject, q.predicate, q.object, originals[g] or ox.DefaultGraph())
                for g in sorted(originals)
                for q in self.store.quads(graph=g)
            ),
            skolems,
        )

    def void_record(self, exported: ExportedFile, source: str | None) -> bytes:
        """VoID + DCAT about an exported file, as Turtle (exchange.void). Only facts about
        the data and the file, no time stamp: the same data gives the same record."""
        derived = None
        if source is not None:
            info = self.get(source)
            derived = info.import_iri or info.iri
        return void_turtle(
            void_triples(
                VoidDataset(
                    base_iri=self.iris.base,
                    licence=self.settings.licence,
                    triples=exported.statements,
                    source=source,
                    derived_from=derived,
                    distributions=[file_distribution(exported)],
                )
            )
        )

    def _original_names(
        self, source: str
    ) -> tuple[dict[str, ox.NamedNode | ox.BlankNode | None], dict[str, ox.BlankNode]]:
        """Each graph of the source's import in force -> its name in the dump (None:
        the default graph; a fresh blank node for one a blank node named), and each
        skolem IRI standing for such a blank node -> that blank node."""
        current = self._current_import(source)
        if current is None:
            raise StoreError(f"source {source!r} has no import in force (quarantined?)")
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?g ?orig ?blank WHERE {{ GRAPH <{self.iris.sources_graph}> {{
                ?g prov:wasGeneratedBy <{current}>
                OPTIONAL {{ ?g pg:originalGraph ?orig }}
                OPTIONAL {{ ?g pg:originalBlankNode ?blank }} }} }}"""
        )
        names: dict[str, ox.NamedNode | ox.BlankNode | None] = {}
        skolems: dict[str, ox.BlankNode] = {}
        for row in rows:
            graph = row["g"].value
            if "blank" in row and "orig" in row:
                node = skolems.setdefault(row["orig"].value, ox.BlankNode())
                names[graph] = node
            else:
                names[graph] = ox.NamedNode(row["orig"].value) if "orig" in row else None
        return names, skolems


def _iri_or_literal(value: str) -> URIRef | Literal:
    """An IRI when the value is one Oxigraph accepts, else a literal: a hostile dump's
    "licence" must not break the import record that is written after its data."""
    if re.match(r"https?://", value):
        try:
            ox.NamedNode(value)
        except ValueError:
            return Literal(value)
        if not re.search(r'[\s<>"{}|\\^`]', value):
            return URIRef(value)
    return Literal(value)
