"""The service: files -> reader -> spaCy extractor -> RDF graph -> store.

This is the one place that orchestrates; the CLI and (later) the HTTP API
call it and nothing below it. The spaCy pipeline is loaded lazily, so that
``stats``, ``sparql`` and ``export`` start in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import IO

from rdflib import Graph, Literal, URIRef

from practicegraph import __version__
from practicegraph.config import Settings, ontology_dir
from practicegraph.errors import (
    IngestError,
    QueryError,
    SearchQueryError,
    StorageFullError,
    StoreError,
    ValidationError,
)
from practicegraph.graph.builder import GraphBuilder
from practicegraph.graph.factory import open_store
from practicegraph.graph.iris import IriMinter
from practicegraph.graph.sparql_syntax import run_written
from practicegraph.graph.store import RDF_FORMATS, GraphStore, QueryAnswer, compact_or_flush
from practicegraph.ingest import SourceDocument, iter_input_files, read_document
from practicegraph.nlp.extractor import ExtractionFailure, ExtractionInput, Extractor
from practicegraph.nlp.pipeline import load_pipeline, model_identity
from practicegraph.reports import IndexSync, IngestFailure, IngestReport
from practicegraph.search import (
    IndexRecord,
    SearchIndex,
    SearchRequest,
    SearchResponse,
    SearchVocabulary,
    open_search_index,
    records_from_graph,
)
from practicegraph.sources import SourceManager
from practicegraph.sparql_terms import iri, literal
from practicegraph.vocab import OA, PG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD, sparql_prefixes

ProgressCallback = Callable[[int, int, str], None]

logger = logging.getLogger(__name__)

ENTITY_CLASSES = {
    "documents": SCHEMA.CreativeWork,
    "organisations": SCHEMA.Organization,
    "countries": SCHEMA.Country,
    "places": SCHEMA.Place,
    "events": SCHEMA.Event,
    "themes": SKOS.Concept,
    "practices": PG.Practice,
    "annotations": OA.Annotation,
}


MIN_DOCS_FOR_WORKERS = 50
INDEX_BATCH = 256  # documents per index commit: each commit writes and merges segments
#: Seconds between attempts of a search to mend an index a full disk left behind.
RESYNC_EVERY = 5.0


class PracticeGraphService:
    """One data directory's graph: open it, ingest into it, query and export it."""

    def __init__(
        self, settings: Settings, *, read_only: bool = False, extractor: Extractor | None = None
    ) -> None:
        self.settings = settings
        self.iris = IriMinter(settings.base_iri)
        self.builder = GraphBuilder(self.iris)
        # One writer at a time: RocksDB transactions do not order concurrent
        # drop-and-insert requests, and the keyword index has a single writer. The
        # store takes the same lock to reopen itself after a full disk.
        self.write_lock = threading.RLock()
        self.store: GraphStore = open_store(settings, read_only=read_only, lock=self.write_lock)
        self.vocabulary = SearchVocabulary.load()
        self.index: SearchIndex = open_search_index(
            settings.search_engine, settings.index_dir, self.vocabulary, settings.search_semantic
        )
        if extractor is not None:
            self.__dict__["extractor"] = extractor
        self.index_repair = IndexSync()
        #: Documents whose index entries a write could not update (a full disk).
        self._unindexed: set[str] = set()
        #: When a search last tried to bring a stale index back in step (monotonic s).
        self._resync_tried = -RESYNC_EVERY
        self.sources = SourceManager(
            settings, self.store, self.index, self.iris, self.vocabulary, self.write_lock
        )
        if not read_only:
            self.store.on_recovered.append(self._after_recovery)
            try:
                self._maintain()
            except StorageFullError as exc:
                # Reads still work; the first write after space is freed does this.
                logger.info("opened on a full disk, upkeep postponed: %s", exc)
                self.index.stale = True
        elif not any(self.index.counts().values()) and self.stored_hashes():
            # A read-only open cannot fill the index (another engine was chosen, or the
            # index was deleted): say how, instead of answering every search with nothing.
            logger.warning(
                "the %s keyword index in %s is empty while the store holds documents: "
                "run `practicegraph reindex` (or open the data directory for writing)",
                settings.search_engine,
                settings.index_dir,
            )

    def _maintain(self) -> None:
        """The upkeep of a writable open, done again when the store recovers."""
        self._install_ontology()
        # Graphs of an import that died before its switch: no record claims them.
        self.sources.drop_orphans()
        # A process that died between the store's commit and the index's leaves
        # them out of step; the content hashes show which documents to redo.
        self.index_repair = self.sync_index()

    def _after_recovery(self) -> None:
        """The store is writable again after a full disk: catch up on what it missed.

        Called by the store under the write lock. A keyword index still short of
        space stays ``stale`` and is resynchronised by a later write.
        """
        try:
            # Not drop_orphans: this may run inside an import's switch, whose fresh
            # graphs no record claims yet.
            self._install_ontology()
            # Writes of the full-disk spell may have reached the store and not the
            # index: the content hashes show which.
            self.index.stale = True
            self.resync()
        except StorageFullError as exc:
            logger.info("the keyword index is still short of space: %s", exc)

    def resync(self) -> None:
        """Bring the keyword index back in step after writes a full disk cut short.

        Two kinds of gap: documents stored or removed while the index could not
        follow (the content hashes show them: ``sync_index``), and documents whose
        triples changed under the same hash (a SPARQL update), remembered by name.
        """
        with self.write_lock:
            if not self.index.stale and not self._unindexed:
                return
            pending = sorted(self._unindexed)
            self.index_repair = self.sync_index()
            stored = self.stored_hashes()
            redo = [name for name in pending if name in stored]
            for start in range(0, len(redo), INDEX_BATCH):
                batch = redo[start : start + INDEX_BATCH]
                self.index.replace({name: self._records(name) for name in batch})
            self._unindexed.clear()
            self.index.stale = False

    def close(self) -> None:
        self.store.close()
        self.index.close()

    def __enter__(self) -> PracticeGraphService:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @cached_property
    def extractor(self) -> Extractor:
        return Extractor(load_pipeline(self.settings.model))

    # -- ontology ----------------------------------------------------------------
    def _install_ontology(self) -> None:
        """Keep the ontology and theme scheme in their own graph, refreshed when they change."""
        files = [ontology_dir() / name for name in ("practicegraph.ttl", "themes.ttl")]
        digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
        graph_iri = self.iris.ontology_graph
        rows = list(
            self.store.select(
                f"SELECT ?h WHERE {{ GRAPH {iri(graph_iri)} "
                f"{{ {iri(graph_iri)} {iri(PG.contentHash)} ?h }} }}"
            )
        )
        if rows and rows[0]["h"].value == digest:
            return
        graph = Graph()
        for path in files:
            graph.parse(path, format="turtle")
        graph.add((graph_iri, PG.contentHash, Literal(digest)))
        self.store.replace_graph(graph_iri, graph)

    # -- ingest --------------------------------------------------------------------
    def local_graphs_filter(self, var: str = "?g") -> str:
        """A FILTER keeping the graphs of documents ingested here (not imported ones)."""
        prefix = str(self.iris.document_graph("x"))[:-1]
        local, imported = literal(prefix), literal(f"{prefix}_")
        return f"FILTER(STRSTARTS(STR({var}), {local}) && !STRSTARTS(STR({var}), {imported}))"

    def stored_hashes(self) -> dict[str, str]:
        """File name (``dcterms:source``) -> content hash of every document ingested here."""
        rows = self.store.select(
            sparql_prefixes()
            + f"""
            SELECT ?src ?hash WHERE {{
              GRAPH ?g {{ ?doc dcterms:source ?src ; pg:contentHash ?hash }}
              {self.local_graphs_filter()} }}"""
        )
        return {row["src"].value: row["hash"].value for row in rows}

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        force: bool = False,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest files and folders; each document is written in its own transaction.

        Each file succeeds or fails on its own: one that cannot be read, parsed,
        extracted or stored is put in ``report.failed`` with its reason and the
        kind of error, and the others go on. What was stored is indexed even when the batch is cut
        short, so the store and the keyword index agree when this returns. A full
        disk is not one file's fault: it stops the batch (StorageFullError) after
        what was stored is indexed.

        The write lock is held only while a document is written (and for the
        upkeep at the end), not while spaCy reads it: a long document takes a
        minute to parse, and other writers (an upload, a SPARQL update) must not
        wait that long. Each document is still one transaction.
        """
        report = IngestReport()
        self.resync()  # an earlier write a full disk cut short: the index first
        stored = self.stored_hashes()
        pending: list[SourceDocument] = []
        seen: dict[str, Path] = {}
        for path in iter_input_files(paths):
            try:
                document = read_document(
                    path,
                    max_bytes=self.settings.max_file_bytes,
                    max_chars=self.settings.max_text_chars,
                )
            except IngestError as exc:
                report.failed.append(IngestFailure(str(exc.path), exc.reason, type(exc)))
                continue
            if document.source_name in seen:
                reason = (
                    f"same file name as {seen[document.source_name]}; "
                    "a document's identity is its file name"
                )
                report.failed.append(IngestFailure(str(path), reason, IngestError))
                continue
            seen[document.source_name] = path
            if not force and stored.get(document.source_name) == document.content_hash:
                report.unchanged.append(document.source_name)
                continue
            pending.append(document)

        if not pending:
            return report
        run_iri, run_graph = self._run_description()
        to_index: dict[str, list[IndexRecord]] = {}
        items = [ExtractionInput(d.text, d.title) for d in pending]
        results = self.extractor.pipe_each(
            items, batch_size=self.settings.batch_size, n_process=self._processes(len(pending))
        )
        try:
            for done, (document, result) in enumerate(zip(pending, results, strict=True), 1):
                if isinstance(result, ExtractionFailure):
                    report.failed.append(IngestFailure(str(document.path), result.reason, None))
                else:
                    try:
                        graph = self.builder.build(document, result, run_iri)
                        # One transaction: the document's old graph goes and its new graph
                        # (with the run it came from) arrives together, or neither does.
                        with self.write_lock:
                            self.store.replace_graph(
                                self.iris.document_graph(document.source_name),
                                graph,
                                extra=[(self.iris.provenance_graph, run_graph)],
                            )
                    except StorageFullError:
                        raise  # every later document would meet it too
                    except (StoreError, QueryError) as exc:  # a SPARQL server answered 4xx or 5xx
                        reason = f"not stored: {exc}"
                        report.failed.append(IngestFailure(str(document.path), reason, type(exc)))
                    except Exception as exc:  # a bug met by one document: report it, go on
                        logger.warning("no graph for %s: %r", document.path, exc)
                        reason = f"not stored: no graph could be built ({type(exc).__name__})"
                        report.failed.append(IngestFailure(str(document.path), reason, type(exc)))
                    else:
                        target = report.replaced if document.source_name in stored else report.added
                        target.append(document.source_name)
                        report.words += len(document.text.split())
                        to_index[document.source_name] = records_from_graph(
                            graph, self.vocabulary.theme_labels
                        )
                        if len(to_index) >= INDEX_BATCH:
                            with self.write_lock:
                                self.index.replace(to_index)
                            to_index = {}
                if progress:
                    progress(done, len(pending), document.source_name)
        except BaseException:
            # Cut short (Ctrl-C, a bug): index what reached the store before going.
            self._index_stored(to_index)
            raise
        finally:
            results.close()  # stops spaCy's worker processes if the loop ended early
        with self.write_lock:
            self.index.replace(to_index)
            self._prune_runs()
            self._relink_if_sources()
            if len(pending) >= MIN_DOCS_FOR_WORKERS:
                compact_or_flush(self.store)  # a batch: compact now rather than leave it
            else:
                self.store.flush()
        return report

    def _index_stored(self, records: dict[str, list[IndexRecord]]) -> None:
        """Index documents already stored while an ingest is failing; log, never raise.

        Why never raise: the error that stopped the ingest is the one to report.
        """
        try:
            with self.write_lock:
                self.index.replace(records)
        except Exception:
            logger.exception("could not index %d stored documents", len(records))

    def _relink_if_sources(self) -> None:
        """New or removed local entities may match an imported source's."""
        if self.store.has_graph(str(self.iris.sources_graph)):
            self.sources.relink()

    def _processes(self, documents: int) -> int:
        """spaCy worker processes for this batch: each costs a model load (about a second),
        so small batches stay in this process."""
        return self.settings.n_process if documents >= MIN_DOCS_FOR_WORKERS else 1

    def _prune_runs(self) -> None:
        """Forget ingest runs that no stored document graph was generated by any more."""
        prov = iri(self.iris.provenance_graph)
        self.store.update(
            sparql_prefixes()
            + f"""
            DELETE {{ GRAPH {prov} {{ ?run ?p ?o }} }}
            WHERE {{ GRAPH {prov} {{ ?run a pg:IngestRun ; ?p ?o }}
                     FILTER NOT EXISTS {{ GRAPH ?g {{ ?g prov:wasGeneratedBy ?run }} }} }}"""
        )

    def _run_description(self) -> tuple[URIRef, Graph]:
        now = datetime.now(UTC)
        run = self.iris.run(now.strftime("%Y%m%dT%H%M%S%fZ"))
        model_name, model_version = model_identity(self.extractor.nlp)
        g = Graph()
        g.add((run, RDF.type, PROV.Activity))
        g.add((run, RDF.type, PG.IngestRun))
        g.add((run, RDFS.label, Literal(f"PracticeGraph ingest run {now.isoformat()}")))
        g.add((run, PROV.startedAtTime, Literal(now.isoformat(), datatype=XSD.dateTime)))
        g.add((run, PG.softwareVersion, Literal(__version__)))
        g.add((run, PG.modelName, Literal(model_name)))
        g.add((run, PG.modelVersion, Literal(model_version)))
        return run, g

    def remove(self, file_names: Iterable[str]) -> tuple[list[str], list[str]]:
        """Remove documents by file name; returns (removed, not found)."""
        removed: list[str] = []
        missing: list[str] = []
        self.resync()
        for name in file_names:
            graph = self.iris.document_graph(Path(name).name)
            (removed if self.store.drop_graph(graph) else missing).append(name)
        if removed:
            self._prune_runs()
            self._relink_if_sources()
            self.store.flush()
            self.index.delete(Path(name).name for name in removed)
        return removed, missing

    # -- keyword index -------------------------------------------------------------
    def sync_index(self) -> IndexSync:
        """Bring the keyword index in step with the store, comparing content hashes."""
        stored = self.stored_hashes()
        indexed = self.index.indexed_hashes()
        local = {key: h for key, h in indexed.items() if "/" not in key}
        stale = sorted(s for s, h in stored.items() if local.get(s) != h)
        orphans = sorted(s for s in local if s not in stored)
        if orphans:
            self.index.delete(orphans)
        for start in range(0, len(stale), INDEX_BATCH):
            batch = stale[start : start + INDEX_BATCH]
            self.index.replace({name: self._records(name) for name in batch})
        if len(stale) > INDEX_BATCH:
            self.index.optimize()
        sync = IndexSync(reindexed=stale, removed=orphans)
        self._sync_imported(indexed, sync)
        return sync

    def _sync_imported(self, indexed: dict[str, str], sync: IndexSync) -> None:
        """Imported sources: reindex one whose documents in the store and in the index
        differ (a crash between the store's switch and the index's commit)."""
        expected: dict[str, list[str]] = {}
        graphs = self.sources.current_graphs()
        if graphs:
            rows = self.store.select(
                sparql_prefixes()
                + f"""SELECT ?g ?doc (SAMPLE(?h) AS ?hash) WHERE {{
                    GRAPH ?g {{ ?doc dcterms:source ?src OPTIONAL {{ ?doc pg:contentHash ?h }}
                                FILTER(isLiteral(?src)) }}
                    FILTER(STRSTARTS(STR(?g), {literal(self.iris.import_graph_prefix())})) }}
                  GROUP BY ?g ?doc"""
            )
            for row in rows:
                name = graphs.get(row["g"].value)
                if name is not None:
                    digest = row["hash"].value if "hash" in row else ""
                    expected.setdefault(name, []).append(digest)
        # Compared as lists of content hashes, not keys: two documents of one file
        # name in a dump get keys of their own in the index.
        present: dict[str, list[str]] = {}
        for key, digest in indexed.items():
            if "/" in key:
                present.setdefault(key.split("/", 1)[0], []).append(digest)
        for name in sorted(set(expected) | set(present)):
            if sorted(expected.get(name, [])) != sorted(present.get(name, [])):
                if name in expected:
                    self.index.replace_dataset(name, self.sources.source_records(name))
                    sync.reindexed.append(f"{name}/*")
                else:
                    self.index.replace_dataset(name, {})
                    sync.removed.append(f"{name}/*")

    def reindex(self) -> IndexSync:
        """Rebuild the keyword index from the store (imported sources included)."""
        self.index.clear()
        return self.sync_index()

    def reindex_graphs(self, graphs: Iterable[str] | None) -> IndexSync:
        """After a write through SPARQL Update or the Graph Store Protocol.

        Re-extracts the index records of the stored documents whose named graphs
        are in ``graphs`` (None: every document, for writes that may touch any
        graph) and removes the entries of documents no longer in the store.
        """
        stored = self.stored_hashes()
        by_graph = {str(self.iris.document_graph(name)): name for name in stored}
        if graphs is None:
            targets = sorted(stored)
        else:
            targets = sorted({by_graph[g] for g in graphs if g in by_graph})
        try:
            self.resync()
            orphans = sorted(s for s in self.index.indexed_hashes() if s not in stored)
            if orphans:
                self.index.delete(orphans)
            for start in range(0, len(targets), INDEX_BATCH):
                batch = targets[start : start + INDEX_BATCH]
                self.index.replace({name: self._records(name) for name in batch})
        except StorageFullError:
            # The store has the write; its index entries follow once there is room.
            self._unindexed.update(targets)
            self.index.stale = True
            raise
        return IndexSync(reindexed=targets, removed=orphans)

    def _records(self, file_name: str) -> list[IndexRecord]:
        graph = self.store.named_graph(self.iris.document_graph(file_name))
        return records_from_graph(graph, self.vocabulary.theme_labels)

    def search(self, request: SearchRequest) -> SearchResponse:
        """Ranked hits; a query past ``max_search_chars`` or ``max_search_words`` is refused.

        Why: every word becomes clauses over several fields, spelling corrections
        and highlights; 7,500 words took 13 s of a thread, so such queries are
        turned away before they cost anything.
        """
        chars, most_chars = len(request.query), self.settings.max_search_chars
        if chars > most_chars:
            raise SearchQueryError(
                f"the search query is {chars} characters long; at most {most_chars} are allowed"
            )
        filters = [
            *request.themes,
            *request.countries,
            *request.organisations,
            *request.years,
            *request.kinds,
            *request.sources,
        ]
        words, most_words = (
            len(request.query.split()) + len(filters),
            self.settings.max_search_words,
        )
        if words > most_words:
            raise SearchQueryError(
                f"the search has {words} words and filters; at most {most_words} are allowed"
            )
        if self.index.stale or self._unindexed:
            self._resync_from_a_read()
        return self.index.search(request)

    def _resync_from_a_read(self) -> None:
        """Bring a stale index back in step from a search, once space is back.

        Why from a read: after a full disk the index lacks documents the store
        took, and with no further write nothing else would mend it. Tried at most
        every RESYNC_EVERY seconds and only when no writer holds the lock; a
        failure (the disk still full) leaves the search to answer from the last
        committed index.
        """
        now = time.monotonic()
        if now - self._resync_tried < RESYNC_EVERY:
            return
        self._resync_tried = now
        if not self.write_lock.acquire(blocking=False):
            return
        try:
            self.resync()
        except (StoreError, QueryError) as exc:  # a SPARQL server may answer 4xx or 5xx
            logger.info("the keyword index is still behind the store: %s", exc)
        finally:
            self.write_lock.release()

    # -- reading ---------------------------------------------------------------------
    def query(self, sparql: str) -> QueryAnswer:
        """A query as a person wrote it: the predefined prefixes (README: "Predefined
        prefixes") need no declaration, and a parser error is one line naming the
        position in ``sparql`` and the problem."""
        return run_written(self.store.query, sparql)

    def stats(self) -> dict[str, int]:
        counts = {"triples": self.store.quad_count()}
        for name, cls in ENTITY_CLASSES.items():
            rows = list(
                self.store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {iri(cls)} }}")
            )
            counts[name] = int(rows[0]["n"].value) if rows else 0
        counts["named graphs"] = len(self.store.named_graphs())
        indexed = self.index.counts()
        counts["indexed documents"] = indexed["document"]
        counts["indexed practices"] = indexed["practice"]
        return counts

    def export(self, output: IO[bytes], fmt: str) -> None:
        """The whole dataset, deterministically (see exchange.canonical)."""
        if fmt not in RDF_FORMATS or fmt == "xml":
            raise StoreError(
                f"unknown export format {fmt!r}; choose one of nquads, trig, turtle, nt, jsonld"
            )
        self.sources.export(output, fmt)

    def validate(self) -> tuple[bool, str]:
        """SHACL-validate the union graph against ontology/shapes.ttl (pyshacl)."""
        from pyshacl import validate  # imported here: pyshacl is slow to import

        buffer = io.BytesIO()
        self.store.dump(buffer, "nt")
        data = Graph()
        data.parse(data=buffer.getvalue(), format="nt")
        shapes = Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
        try:
            conforms, _graph, text = validate(
                data, shacl_graph=shapes, inference="none", allow_warnings=True
            )
        except Exception as exc:  # pyshacl raises bare exceptions for broken shapes
            raise ValidationError(f"SHACL validation could not run: {exc}") from exc
        return bool(conforms), str(text)
