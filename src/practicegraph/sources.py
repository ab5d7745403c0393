"""Imported sources: other organisations' dumps, kept apart, traceable and reversible.

The service's one handle on everything about sources. The work is done by the
exchange modules, each with one job:

- exchange.importer: parse, gate, validate, archive and switch one import, and
  put an earlier one back (rollback); its module doc walks through an import;
- exchange.registry: the sources graph (who sent what, which graphs hold it)
  and the one update that makes an import take effect;
- exchange.source_files: archives, reports and scratch folders on disk;
- exchange.quarantine: imports that failed validation, kept apart on request;
- exchange.source_export: the statements of an export, and its VoID record.

What stays here joins sources to the rest of the service: after an import
takes effect, the same-as links between sources are rebuilt (exchange.reconcile)
and the keyword index gets the source's documents and practices.
"""

from __future__ import annotations

import gzip
import re
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from rdflib import Graph, URIRef

from practicegraph.config import Settings
from practicegraph.errors import DumpError
from practicegraph.exchange.canonical import DumpSummary
from practicegraph.exchange.export import ExportedFile, export_file, write_dump
from practicegraph.exchange.import_names import base_problem, default_base
from practicegraph.exchange.importer import Importer
from practicegraph.exchange.quarantine import Quarantine
from practicegraph.exchange.reconcile import Reconciliation, reconcile
from practicegraph.exchange.registry import ImportReport, SourceInfo, SourceRegistry
from practicegraph.exchange.source_export import export_quads
from practicegraph.exchange.source_export import void_record as void_record_of
from practicegraph.exchange.source_files import SourceFiles
from practicegraph.graph.iris import IriMinter
from practicegraph.graph.store import GraphStore, QueryAnswer
from practicegraph.search import IndexRecord, SearchIndex, SearchVocabulary, records_from_graph
from practicegraph.search.records import LOCAL_SOURCE
from practicegraph.sparql_terms import iri
from practicegraph.vocab import OWL

__all__ = ["SOURCE_NAME", "ImportReport", "SourceInfo", "SourceManager"]

SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


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
        self.registry = SourceRegistry(store, iris)
        self.files = SourceFiles(settings.data_dir)
        self.quarantine = Quarantine(settings.data_dir, iris)
        self.importer = Importer(
            settings,
            store,
            iris,
            self.registry,
            self.files,
            self.quarantine,
            write_lock,
            after_switch=self._after_switch,
        )
        self.reconciliation = Reconciliation()
        self._reconciled_version = -1

    # -- import, rollback ----------------------------------------------------------------
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
        """Import one dump file as (the new state of) ``source`` (exchange.importer).

        Relative IRIs resolve against ``base``, by default the source's own namespace
        (see exchange.import_names).
        """
        self.check_name(source)
        return self.importer.import_dump(
            path,
            source,
            self.check_base(source, base),
            syntax=syntax,
            quarantine=quarantine,
            filename=filename,
        )

    def rollback(self, source: str) -> ImportReport:
        """Put back the import before the current one (from its archive)."""
        self.check_name(source)
        return self.importer.rollback(source)

    def _after_switch(self, source: str, report: ImportReport) -> None:
        """Under the write lock, right after an import took effect: links, then index."""
        mark = time.perf_counter()
        report.links = self.relink(indexed=source)
        report.seconds["reconcile"] = round(time.perf_counter() - mark, 3)
        mark = time.perf_counter()
        report.documents, report.practices = self._index_source(source)
        report.seconds["index"] = round(time.perf_counter() - mark, 3)

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

    def upload_folder(self) -> AbstractContextManager[Path]:
        """A fresh folder for a dump arriving over HTTP (exchange.source_files)."""
        return self.files.upload_folder()

    # -- reading the registry ---------------------------------------------------------------
    def infos(self) -> list[SourceInfo]:
        return self.registry.infos(self._restorable)

    def get(self, source: str) -> SourceInfo:
        return self.registry.get(source, self._restorable)

    def current_graphs(self) -> dict[str, str]:
        """graph IRI -> source name, for every graph of every import in force."""
        return self.registry.current_graphs()

    def _restorable(self, source: str) -> bool:
        return self.importer.previous(source) is not None

    def report(self, source: str) -> dict[str, Any]:
        """The newest import report of a source (validation included)."""
        self.check_name(source)
        return self.files.newest_report(source)

    # -- remove, quarantine ---------------------------------------------------------------
    def remove(self, source: str) -> SourceInfo:
        """Drop a source: its graphs, its records, its archives and its index entries."""
        info = self.get(source)
        with self.write_lock:
            prefix = self.iris.import_graph_prefix(source)
            graphs = [g for g in self.store.named_graphs() if g.startswith(prefix)]
            self.store.update(self.registry.removal_update(source, graphs))
            if not self.infos():  # Oxigraph keeps an emptied graph: the last source takes it
                self.store.drop_graph(self.iris.sources_graph)
            self.store.flush()
            self.relink()
            self.index.replace_dataset(source, {})
            self.quarantine.drop(source)
        self.files.remove_source(source)
        return info

    def query_quarantine(self, sparql: str) -> QueryAnswer:
        """A SPARQL query over the quarantined imports only (read-only), to inspect them."""
        return self.quarantine.query(sparql)

    def write_quarantine_answer(self, sparql: str, output: IO[bytes], fmt: str) -> str:
        """:meth:`query_quarantine`, serialised (see GraphStore.write_answer)."""
        return self.quarantine.write_answer(sparql, output, fmt)

    # -- repair on open ----------------------------------------------------------------------
    def drop_orphans(self) -> list[str]:
        """Drop imported graphs no import in force claims (left by a crash mid-import),
        and the staging stores and uploaded dumps of imports that never finished."""
        self.files.drop_leftovers()
        prefix = self.iris.import_graph_prefix()
        present = [g for g in self.store.named_graphs() if g.startswith(prefix)]
        if not present:
            return []
        claimed = set(self.current_graphs())
        orphans = [g for g in present if g not in claimed]
        if orphans:
            self.store.update("\n".join(f"DROP SILENT GRAPH {iri(g)} ;" for g in orphans)[:-2])
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
            return write_dump(
                export_quads(self.store, self.registry, source),
                output,
                fmt,
                time_limit=self.settings.max_canonical_seconds,
            )

    def export_file(self, path: Path, fmt: str, source: str | None = None) -> ExportedFile:
        """The dump as a file (gzipped if its name ends in .gz): what the CLI and the
        API's /dumps both write, so the same store gives them the same bytes."""
        with self.write_lock:
            return export_file(
                export_quads(self.store, self.registry, source),
                path,
                fmt,
                time_limit=self.settings.max_canonical_seconds,
            )

    def void_record(self, exported: ExportedFile, source: str | None) -> bytes:
        """VoID + DCAT about an exported file, as Turtle (exchange.source_export)."""
        return void_record_of(self.registry, exported, source, self.settings.licence)
