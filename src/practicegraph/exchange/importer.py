"""Importing one dump as (the new state of) a source, and putting an earlier one back.

An import goes through four steps, and only the last touches the store:

1. **parse and gate** (streaming): the file is parsed strictly (relative IRIs
   against the import's base: see :mod:`~practicegraph.exchange.import_names`),
   each statement passes :class:`~practicegraph.exchange.gate.Gate`, and lands
   in a *staging* store of its own on disk (``data_dir/staging``), so memory
   stays bounded and a refused dump leaves nothing behind;
2. **validate**: SHACL against ontology/shapes.ttl (exchange.validation); a
   failing dump is refused with its report, or with ``quarantine`` kept apart
   (exchange.quarantine);
3. **archive**: the staged data is kept as N-Quads (exchange.source_files) so
   that the import can be put back after a later one (:meth:`Importer.rollback`);
4. **switch**: the statements are copied into fresh graphs named after the
   import (blank nodes naming graphs skolemised: see exchange.import_names),
   then one SPARQL Update (exchange.registry) records the import and drops the
   graphs of the one it replaces. A crash before that update leaves graphs that
   no import record claims; they are dropped when the store is next opened, so
   the source is in its old state or its new one, never between.

What follows a switch (links between sources, the keyword index) is the
caller's: it passes ``after_switch``, run under the write lock right after the
switching update, so no reader of the index sees a source the store lacks.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from practicegraph.config import Settings, ontology_dir
from practicegraph.errors import CanonicalizationError, DumpError, InvalidDumpError
from practicegraph.exchange.canonical import check_canonicalizable
from practicegraph.exchange.dumpfile import open_dump, sha256_of, syntax_of
from practicegraph.exchange.gate import Gate, line_locator
from practicegraph.exchange.import_names import GraphNames, default_base
from practicegraph.exchange.quarantine import Quarantine
from practicegraph.exchange.registry import STAMP_FORMAT, ImportReport, SourceRegistry
from practicegraph.exchange.source_files import KEEP_ARCHIVES, SourceFiles
from practicegraph.exchange.validation import ShapesValidator
from practicegraph.graph.factory import open_local_store
from practicegraph.graph.iris import IriMinter
from practicegraph.graph.store import GraphStore, compact_or_flush

#: IRIs of the project's own vocabularies: a dump may use them, never redefine them.
VOCABULARY_PREFIXES = (
    "https://w3id.org/practicegraph/ontology",
    "https://w3id.org/practicegraph/themes",
    "https://w3id.org/practicegraph/shapes",
)

AfterSwitch = Callable[[str, ImportReport], None]


@dataclass
class _Staged:
    store: GraphStore
    path: Path
    gate: Gate


class Importer:
    """Runs imports and rollbacks against one store; see the module doc."""

    def __init__(
        self,
        settings: Settings,
        store: GraphStore,
        iris: IriMinter,
        registry: SourceRegistry,
        files: SourceFiles,
        quarantine: Quarantine,
        write_lock: threading.RLock,
        after_switch: AfterSwitch,
    ) -> None:
        self.settings = settings
        self.store = store
        self.iris = iris
        self.registry = registry
        self.files = files
        self.quarantine = quarantine
        self.write_lock = write_lock
        self.after_switch = after_switch

    def import_dump(
        self,
        path: Path,
        source: str,
        base: str,
        *,
        syntax: str | None = None,
        quarantine: bool = False,
        filename: str | None = None,
    ) -> ImportReport:
        """Import one dump file as (the new state of) ``source``, relative IRIs resolved
        against ``base``; the caller has checked the name and the base."""
        filename = filename or path.name
        kind = syntax_of(filename, syntax)
        stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
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
            try:  # a dump whose blank nodes could never be exported is refused at the door
                check_canonicalizable(staged.store.quads(), self.settings.max_canonical_seconds)
            except CanonicalizationError as exc:
                raise DumpError(f"{exc}; nothing was imported", filename) from exc
            report.seconds["parse"] = round(time.perf_counter() - started, 3)
            mark = time.perf_counter()
            report.validation = ShapesValidator(
                ontology_dir() / "shapes.ttl", self._ontology()
            ).validate(staged.store, workers=self.settings.n_process)
            report.seconds["validate"] = round(time.perf_counter() - mark, 3)
            self.files.save_report(source, stamp, report)
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
                self._keep_apart(staged.store, source, stamp, report)
                return report
            mark = time.perf_counter()
            archive = self.files.write_pending_archive(staged.store, source, stamp)
            with self.write_lock:
                try:
                    self.switch(staged.store, source, stamp, report)
                except BaseException:
                    archive.unlink(missing_ok=True)
                    report.status = "failed"
                    self.files.save_report(source, stamp, report)
                    raise
                self.files.keep_archive(archive)  # only an import in effect is restorable
                report.seconds["store"] = round(time.perf_counter() - mark, 3)
                self.after_switch(source, report)
            # a bulk load: compacted (outside the write lock, updates may go on)
            mark = time.perf_counter()
            compact_or_flush(self.store)
            report.seconds["compact"] = round(time.perf_counter() - mark, 3)
            self.files.save_report(source, stamp, report)
            self.prune_archives(source)
            return report
        finally:
            staged.store.close()
            self.files.release(staged.path)

    def _stage(
        self, path: Path, filename: str, kind: Any, stamp: str, source: str, base: str
    ) -> _Staged:
        """Parse, gate and load the dump into a staging store of its own."""
        staging = self.files.staging(stamp)
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
            self.files.release(staging)
            message = str(exc.args[0] if exc.args else exc)
            raise DumpError(
                f"syntax error: {message}; nothing was imported",
                filename,
                exc.lineno,
                exc.offset,
            ) from exc
        except BaseException:
            store.close()
            self.files.release(staging)
            raise
        return _Staged(store, staging, gate)

    def _ontology(self) -> Graph:
        return self.store.named_graph(self.iris.ontology_graph)

    def _keep_apart(
        self, staged: GraphStore, source: str, stamp: str, report: ImportReport
    ) -> None:
        """Quarantine a failing import: its own store, never read by queries or search."""
        with self.write_lock:  # one opener of the quarantine store at a time (RocksDB lock)
            graphs = GraphNames(self.iris, source, stamp)
            self.quarantine.keep(source, graphs.renamed(staged))
            report.graphs = len(graphs.names)
            self.store.update(
                self.registry.record_update(source, stamp, report, graphs={}, status="quarantined")
            )

    def switch(self, staged: GraphStore, source: str, stamp: str, report: ImportReport) -> None:
        """Copy into fresh graphs, then one update records the import and drops the old.

        Whatever fails before that update takes the fresh graphs away again (and a
        crash leaves them to ``drop_orphans``): the source keeps its old state.
        """
        graphs = GraphNames(self.iris, source, stamp)
        try:
            self.store.bulk_extend(graphs.renamed(staged))
            report.graphs = len(graphs.names)
            self.store.update(
                self.registry.record_update(
                    source, stamp, report, graphs=graphs.names, status="current"
                )
            )
        except BaseException:
            fresh = self.iris.import_graph_prefix(source, stamp)
            for graph in self.store.named_graphs():
                if graph.startswith(fresh):
                    self.store.drop_graph(URIRef(graph))
            raise
        finally:
            self.store.flush()

    # -- rollback --------------------------------------------------------------------------
    def previous(self, source: str) -> tuple[str, Path] | None:
        """The import the current one replaced, if its archive is still kept."""
        stamp = self.registry.previous_stamp(source)
        archive = self.files.archive(source, stamp) if stamp is not None else None
        return (stamp, archive) if stamp is not None and archive is not None else None

    def rollback(self, source: str) -> ImportReport:
        """Put back the import before the current one (from its archive)."""
        previous = self.previous(source)
        if previous is None:
            raise DumpError(
                f"source {source!r} has no earlier import to restore "
                f"(the last {KEEP_ARCHIVES} imports of a source are kept)",
                source,
            )
        stamp, archive = previous
        old = self.files.report_of(source, stamp)
        report = ImportReport(
            source, old.get("file", archive.name), old.get("sha256", ""), "nquads", "current"
        )
        report.licence, report.publisher = old.get("licence"), old.get("publisher")
        report.base = old.get("base")
        report.import_iri = str(self.iris.source_import(source, stamp))
        staging = self.files.staging(f"restore-{stamp}")
        store = open_local_store(staging)
        try:
            with gzip.open(archive, "rb") as handle:
                # parsed, not bulk-loaded: a bulk load relabels blank nodes, and the
                # labels of those naming graphs are recorded (exchange.import_names)
                store.bulk_extend(ox.parse(handle, ox.RdfFormat.N_QUADS))  # type: ignore[arg-type]
            report.statements = store.quad_count()
            with self.write_lock:
                self.switch(store, source, stamp, report)
                self.after_switch(source, report)
        finally:
            store.close()
            self.files.release(staging)
        return report

    def prune_archives(self, source: str) -> None:
        """Keep the archives of the import in force and of the one it replaced."""
        current = self.registry.current_import(source)
        keep = {current.rsplit("/", 1)[-1]} if current else set()
        previous = self.registry.previous_stamp(source)
        if previous is not None:
            keep.add(previous)
        self.files.prune_archives(source, keep)
