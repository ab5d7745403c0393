"""The tantivy engine: the default keyword index, compiled and multi-threaded.

It executes a :class:`QueryPlan` as one boolean query scored in one pass
(BM25 per field, the plan's boosts): the match clauses decide what matches,
bonus clauses (proximity, multi-word synonyms) only add to the score, the
filters count for nothing in it. Facets, and the total with them, come from
one unscored terms aggregation per query and index version (cached); the
ranking passes count nothing, so tantivy may skip what cannot rank.
Snippets come from tantivy's snippet generator.

Documents and practices live in two indexes (``documents/``, ``practices/``):
BM25 takes document frequencies and average field lengths over a whole index,
and one-sentence practices beside whole documents made every document "long"
(its matches discounted) and every practice "short". Each index's statistics
are its own kind's. Writes go to the practices first and to the documents
last: the documents' content hashes are what the service compares with the
store, so a crash between the two commits is found and mended.

Readers share the on-disk indexes without a lock: each search takes the
current searchers, and a commit, in this process or another, is picked up by
the readers' reload. One writer at a time: tantivy locks each index, and a
second writer waits for the first (up to ``WRITER_WAIT`` seconds).
"""

from __future__ import annotations

import html
import logging
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Query

from practicegraph.errors import StorageFullError, StoreError, mentions_disk_full
from practicegraph.search.facet_cache import FacetCache
from practicegraph.search.index import (
    FUSION_DEPTH,
    Hit,
    SearchResponse,
    first_sentences,
    fused,
    group_under_documents,
    lists_both_kinds,
    matched_via,
    ordered_facets,
    passage_snippet,
    refused_for_space,
)
from practicegraph.search.query import (
    FACETS,
    WEIGHTS,
    QueryPlan,
    SearchRequest,
    edit_distance,
    plan_query,
)
from practicegraph.search.records import KINDS, LOCAL_SOURCE, IndexRecord
from practicegraph.search.semantic_index import SemanticIndex
from practicegraph.search.tantivy_queries import (
    TEXT_ANALYZER,
    WORD_ANALYZER,
    QueryBuilder,
    marked_html,
    restricted,
    schema,
    text_analyzer,
    token_forms,
    word_analyzer,
)
from practicegraph.search.vocabulary import SearchVocabulary

logger = logging.getLogger(__name__)

#: Bumped when the schema, the analysis or the layout changes: an index of another
#: version is rebuilt from the store.
SCHEMA_VERSION = "5"
_VERSION_FILE = "practicegraph-schema"
#: Sub-directory of each kind's index, in the order writes go to them.
_FOLDERS = {"practice": "practices", "document": "documents"}
WRITER_HEAP = 64 * 1024 * 1024
WRITER_WAIT = 30.0  # seconds a write waits for another process's writer
SNIPPET_CHARS = 240
#: Most values counted per facet (organisations can run to thousands).
FACET_SIZE = 200
#: How many indexed words a misspelt word is compared with at most.
SPELLING_CANDIDATES = 20_000
#: How many matching practices of each listed document are read to fill a page.
PRACTICES_PER_DOCUMENT_READ = 25

Ranked = tuple[float, Any, str]  # score, address in its kind's index, kind


class TantivyIndex:
    """Two tantivy indexes in the data directory (``PRACTICEGRAPH_SEARCH_ENGINE=tantivy``)."""

    def __init__(
        self, path: Path, vocabulary: SearchVocabulary | None = None, semantic: bool = False
    ) -> None:
        self.path = path
        self.vocabulary = vocabulary or SearchVocabulary.load()
        self._schema = schema()
        self._queries = QueryBuilder(self._schema)
        self._facet_cache = FacetCache()
        #: A write failed for lack of space: the index may lack what the store has.
        self.stale = False
        try:
            self._indexes = self._open()
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot open the search index at {self.path}: {exc}") from exc
        #: Passage vectors beside the keyword index (opened after it: a fresh keyword
        #: index empties the folder), written before it.
        self.semantic = SemanticIndex(path, on_full=self._mark_stale) if semantic else None

    def _open(self) -> dict[str, Any]:
        """Open the indexes, or create them; those of another version are started
        afresh (the service refills them from the store when it opens)."""
        self.path.mkdir(parents=True, exist_ok=True)
        marker = self.path / _VERSION_FILE
        current = marker.read_text(encoding="utf-8").strip() if marker.exists() else None
        folders = {kind: self.path / name for kind, name in _FOLDERS.items()}
        fresh = current != SCHEMA_VERSION or not all(
            tantivy.Index.exists(str(f)) for f in folders.values()
        )
        if fresh:
            for child in self.path.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        indexes = {}
        for kind, folder in folders.items():
            folder.mkdir(exist_ok=True)
            if fresh:
                index = tantivy.Index(self._schema, path=str(folder), reuse=False)
            else:
                index = tantivy.Index.open(str(folder))
            index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
            index.register_tokenizer(WORD_ANALYZER, word_analyzer())
            index.config_reader(reload_policy="commit", num_warmers=0)
            indexes[kind] = index
        if fresh:
            marker.write_text(SCHEMA_VERSION + "\n", encoding="utf-8")
        return indexes

    def _mark_stale(self) -> None:
        self.stale = True

    # -- writes ------------------------------------------------------------------
    def replace(self, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace the records of each given source (document file name)."""
        if records:
            if self.semantic is not None:
                self.semantic.replace(records)
            self._write([("source", source) for source in records], records)

    def delete(self, sources: Iterable[str]) -> None:
        sources = list(sources)
        if self.semantic is not None:
            self.semantic.delete(sources)
        self._write([("source", source) for source in sources], {})

    def replace_dataset(self, dataset: str, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace everything of one imported source."""
        if self.semantic is not None:
            self.semantic.replace_dataset(dataset, records)
        self._write([("dataset", dataset)], records)

    def clear(self) -> None:
        """Drop everything (used by reindex)."""
        if self.semantic is not None:
            self.semantic.clear()
        self._write([], {}, everything=True)

    def optimize(self) -> None:
        """Let the writers finish their segment merges and drop files no reader needs.

        Advisory: the data is committed already, so a disk too full to merge is
        logged, not raised.
        """
        for kind in _FOLDERS:
            try:
                writer = self._writer(kind)
                try:
                    writer.garbage_collect_files()
                finally:
                    writer.wait_merging_threads()
            except (OSError, ValueError, StorageFullError) as exc:
                if not mentions_disk_full(exc) and not isinstance(exc, StorageFullError):
                    raise
                logger.warning("the keyword index could not be merged (its data is intact)")

    def close(self) -> None:
        self._facet_cache.clear()

    def _write(
        self,
        deletions: list[tuple[str, str]],
        records: Mapping[str, list[IndexRecord]],
        everything: bool = False,
    ) -> None:
        """Delete by (field, value), then add ``records``: one commit per kind's
        index, the practices first. A failure rolls that writer back, so readers keep
        its last commit; a full disk becomes StorageFullError."""
        for kind in _FOLDERS:
            writer = self._writer(kind)
            try:
                if everything:
                    writer.delete_all_documents()
                for fieldname, value in deletions:
                    writer.delete_documents_by_term(fieldname, value)
                for items in records.values():
                    for record in items:
                        if record.kind == kind:
                            writer.add_document(self._document(record))
                writer.commit()
            except BaseException as exc:
                try:
                    writer.rollback()
                except (OSError, ValueError):
                    logger.debug("rollback of the keyword index failed", exc_info=True)
                writer.wait_merging_threads()
                if mentions_disk_full(exc):
                    raise refused_for_space(self, exc) from exc
                raise
            writer.wait_merging_threads()
            self._indexes[kind].reload()

    def _writer(self, kind: str) -> Any:
        """The writer of one kind's index, waiting while another process holds it."""
        deadline = time.monotonic() + WRITER_WAIT
        while True:
            try:
                return self._indexes[kind].writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    if mentions_disk_full(exc):
                        self.stale = True
                        raise StorageFullError("the keyword index cannot be written") from exc
                    raise StoreError(f"cannot write the search index: {exc}") from exc
                time.sleep(0.05)

    @staticmethod
    def _document(record: IndexRecord) -> Any:
        doc = tantivy.Document()
        for name in ("id", "kind", "source", "dataset", "doc_iri", "content_hash"):
            doc.add_text(name, getattr(record, name))
        for name in WEIGHTS:
            doc.add_text(name, getattr(record, name) or "")
        doc.add_text("evidence", record.evidence or "")
        if record.kind == "document":  # practices repeat their document's words
            doc.add_text("spell", " ".join((record.title, record.body, record.entities)))
        for name in ("themes", "countries", "organisations"):
            for value in dict.fromkeys(getattr(record, name)):
                doc.add_text(name, value)
        if record.year:
            doc.add_text("year", record.year)
        if record.url:
            doc.add_text("url", record.url)
        digits = "".join(c for c in record.date or "" if c.isdigit())[:8]
        doc.add_unsigned("date", int(digits.ljust(8, "0")) if digits else 0)
        return doc

    # -- reads -------------------------------------------------------------------
    def indexed_hashes(self) -> dict[str, str]:
        """index key -> content hash of every indexed document (imported ones included);
        with semantic search, a document whose vectors are missing or of another
        content reports no hash, so the service's repair writes it again."""
        searcher = self._indexes["document"].searcher()
        result = searcher.search(Query.all_query(), limit=max(1, searcher.num_docs), count=False)
        hashes: dict[str, str] = {}
        for _score, address in result.hits:
            doc = searcher.doc(address)
            hashes[doc.get_first("source") or ""] = doc.get_first("content_hash") or ""
        if self.semantic is not None:
            vectors = self.semantic.hashes()
            hashes = {s: h for s, h in hashes.items() if vectors.get(s) == h}
        return hashes

    def counts(self) -> dict[str, int]:
        return {kind: self._indexes[kind].searcher().num_docs for kind in KINDS}

    def search(self, request: SearchRequest) -> SearchResponse:
        searchers = {kind: index.searcher() for kind, index in self._indexes.items()}
        plan = plan_query(request, self.vocabulary, _Lexicon(searchers["document"]), self.semantic)
        kinds = [k for k in KINDS if k in dict(plan.filters).get("kind", KINDS)]
        facets = self._facets(searchers, plan, kinds)
        per_kind = dict(facets.get("kind", []))
        offset = (plan.page - 1) * plan.page_size
        wanted = offset + plan.page_size
        if lists_both_kinds(plan):
            ranked = self._grouped(searchers, plan, wanted, per_kind)
        else:
            ranked = [
                (score, address, kind)
                for kind in kinds
                for score, address in self._ranked_kind(searchers[kind], kind, plan, wanted)
            ]
            ranked.sort(key=lambda item: -item[0])
        page = ranked[offset:wanted]
        marks = self._queries.highlights(plan)
        generators: dict[str, list[Any]] = {}
        hits = []
        for score, address, kind in page:
            if kind not in generators:
                generators[kind] = _snippet_generators(searchers[kind], marks, self._schema)
            hits.append(self._hit(searchers[kind], address, score, kind, plan, generators[kind]))
        total = sum(per_kind.values())
        return SearchResponse(
            request.query, total, plan.page, plan.page_size, hits, facets, plan.suggestion
        )

    def _ranked(self, searcher: Any, plan: QueryPlan, limit: int, among: Any = None) -> Any:
        """The best ``limit`` records of one kind by score, or the newest by date.
        Nothing is counted here (the facet pass counts), so tantivy may skip what
        cannot rank."""
        query = self._queries.plan(plan)
        if among is not None:
            query = restricted(query, among)
        if plan.sort == "date":
            found = searcher.search(query, limit=max(1, limit), count=False, order_by_field="date")
            return [(0.0, address) for _date, address in found.hits]
        return list(searcher.search(query, limit=max(1, limit), count=False).hits)

    def _ranked_kind(self, searcher: Any, kind: str, plan: QueryPlan, limit: int) -> Any:
        """The best ``limit`` records of one kind; documents near the query in meaning
        are fused with the keyword ranking (:func:`fused`)."""
        if kind != "document" or not plan.semantic:
            return self._ranked(searcher, plan, limit)
        keyword = self._ranked(searcher, plan, max(limit, FUSION_DEPTH))
        near = self._queries.semantic(plan)
        if plan.filters:
            near = restricted(near, self._queries.filters(plan))
        found = {
            _field(searcher, address, "doc_iri"): address
            for _score, address in searcher.search(near, limit=len(plan.semantic)).hits
        }
        semantic = [found[n.iri] for n in plan.semantic if n.iri in found]
        ranking = fused(keyword, semantic, lambda a: (a.segment_ord, a.doc))
        return ranking[:limit]

    def _grouped(
        self, searchers: dict[str, Any], plan: QueryPlan, wanted: int, per_kind: dict[str, int]
    ) -> list[Ranked]:
        """Documents ranked, each followed by its best matching practices
        (:func:`group_under_documents`), far enough for ``wanted`` records."""
        documents = [
            (s, a, "document")
            for s, a in self._ranked_kind(searchers["document"], "document", plan, wanted)
        ]
        iris = [_field(searchers["document"], a, "doc_iri") for _s, a, _k in documents]
        among = None
        limit = per_kind.get("practice", 0)
        if per_kind.get("document", 0) > len(documents):
            # Deeper documents remain: the practices of these ones fill the page.
            among = Query.term_set_query(self._schema, "doc_iri", iris or [""])
            limit = min(limit, len(iris) * PRACTICES_PER_DOCUMENT_READ)
        practices = [
            (s, a, "practice")
            for s, a in self._ranked(searchers["practice"], plan, limit, among)
            if limit
        ]
        document_of = {id(d): iri for d, iri in zip(documents, iris, strict=True)}
        for practice in practices:
            document_of[id(practice)] = _field(searchers["practice"], practice[1], "doc_iri")
        return group_under_documents(documents, practices, lambda item: document_of[id(item)])

    def _facets(
        self, searchers: dict[str, Any], plan: QueryPlan, kinds: list[str]
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts of each facet's values among all matches of the listed kinds, from
        the match clauses alone (nothing scored), kept per (query, index version)."""
        key = (plan.match_key(), self._version())
        cached = self._facet_cache.get(key)
        if cached is not None:
            return cached
        request = {
            name: {"terms": {"field": fieldname, "size": FACET_SIZE}}
            for name, fieldname in FACETS.items()
        }
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for kind in kinds:
            query = self._queries.plan(plan, bonus=False, semantic=kind == "document")
            answer = searchers[kind].aggregate(query, request)
            for name in FACETS:
                for bucket in answer.get(name, {}).get("buckets", []):
                    value = str(bucket["key"])
                    counts[name][value] = counts[name].get(value, 0) + int(bucket["doc_count"])
        ordered = ordered_facets({name: list(values.items()) for name, values in counts.items()})
        self._facet_cache.put(key, ordered)
        return ordered

    def _version(self) -> tuple[int, ...]:
        """The last commits, as every process sees them: tantivy rewrites meta.json."""
        stamp: list[int] = []
        for folder in _FOLDERS.values():
            try:
                meta = (self.path / folder / "meta.json").stat()
                stamp += [meta.st_mtime_ns, meta.st_size]
            except OSError:
                stamp += [0, 0]
        return tuple(stamp)

    # -- hits ------------------------------------------------------------------------
    def _hit(
        self,
        searcher: Any,
        address: Any,
        score: float,
        kind: str,
        plan: QueryPlan,
        generators: list[Any],
    ) -> Hit:
        doc = searcher.doc(address)
        snippet = _snippet(doc, generators)
        if "<mark" not in snippet and kind == "document":
            snippet = passage_snippet(plan, str(doc.get_first("doc_iri") or "")) or snippet

        def first(name: str) -> str:
            return str(doc.get_first(name) or "")

        return Hit(
            id=first("id"),
            kind=kind,
            title=first("title"),
            snippet=snippet,
            source=first("source").rsplit("/", 1)[-1],
            document=first("doc_iri"),
            score=round(float(score), 4),
            themes=[str(v) for v in doc.get_all("themes")],
            countries=[str(v) for v in doc.get_all("countries")],
            organisations=[str(v) for v in doc.get_all("organisations")],
            year=doc.get_first("year"),
            url=doc.get_first("url"),
            dataset=first("dataset") or LOCAL_SOURCE,
            matched_via=matched_via(
                snippet,
                plan,
                [str(v) for v in doc.get_all("themes")],
                self.vocabulary,
                first("doc_iri") if kind == "document" else "",
            ),
        )


def _field(searcher: Any, address: Any, name: str) -> str:
    return str(searcher.doc(address).get_first(name) or "")


def _snippet_generators(searcher: Any, marks: Any | None, schema: Any) -> list[Any]:
    """Snippet generators of the body, then the title, marking the words the query
    looked for: made once per search and kind, used for every hit."""
    if marks is None:
        return []
    generators = []
    for fieldname in ("body", "title"):
        generator = tantivy.SnippetGenerator.create(searcher, marks, schema, fieldname)
        generator.set_max_num_chars(SNIPPET_CHARS)
        generators.append(generator)
    return generators


def _snippet(doc: Any, generators: list[Any]) -> str:
    """The best passage of the body (else the title) with the query's words marked;
    the body's opening words when it marks nothing."""
    for generator in generators:
        snippet = generator.snippet_from_doc(doc)
        if snippet.highlighted():
            return marked_html(snippet)
    return html.escape(first_sentences(str(doc.get_first("body") or "")))


class _Lexicon:
    """What the planner asks of the index's words, answered by the documents' searcher
    (practices repeat their documents' words)."""

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher

    def known(self, text: str) -> bool:
        return any(
            self._searcher.doc_freq(name, token) > 0
            for tokens in token_forms(text)
            for token in tokens
            for name in WEIGHTS
        )

    def similar_words(self, word: str, max_distance: int) -> list[str]:
        """Indexed words within ``max_distance`` edits, nearest and then most frequent
        first: those sharing the first two letters, else the first letter."""
        found = self._near(word, word[:2], max_distance)
        return found or self._near(word, word[:1], max_distance)

    def _near(self, word: str, prefix: str, max_distance: int) -> list[str]:
        candidates = self._searcher.terms_with_prefix("spell", prefix, limit=SPELLING_CANDIDATES)
        scored = [
            (distance, -frequency, term)
            for term, frequency in candidates
            if abs(len(term) - len(word)) <= max_distance
            and (distance := edit_distance(word, term, max_distance)) <= max_distance
        ]
        return [term for _d, _f, term in sorted(scored)]
