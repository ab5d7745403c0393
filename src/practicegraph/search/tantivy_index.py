"""The tantivy engine: the default keyword index, compiled and multi-threaded.

It executes a :class:`QueryPlan` as one boolean query scored in one pass
(BM25 per field, the plan's boosts): the match clauses decide what matches,
bonus clauses (proximity, multi-word synonyms) only add to the score, the
filters count for nothing in it. The exact total comes from the same pass,
facets from tantivy's terms aggregations (kept per query and index version),
snippets from its snippet generator.

Text is analysed by tantivy itself (its simple tokenizer, which splits at
anything but letters and digits, then lower case, ASCII folding, English stop
words and the Snowball stemmer), so titles and text are stored once and
snippets mark the words as written. (A regular-expression tokenizer that kept
hyphenated words whole made indexing 2.6 times slower.) tantivy cannot run the project's
British-to-American spelling filter, so a clause looks for each spelling of
its text (:func:`spelling_variants`) instead.

Readers share the on-disk index without a lock: each search takes the
current searcher, and a commit, in this process or another, is picked up by
the reader's reload. One writer at a time: tantivy locks the index, and a
second writer waits for the first (up to ``WRITER_WAIT`` seconds).
"""

from __future__ import annotations

import html
import logging
import shutil
import time
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Occur, Query

from practicegraph.errors import StorageFullError, StoreError, mentions_disk_full
from practicegraph.search.analysis import spelling_variants
from practicegraph.search.facet_cache import FacetCache
from practicegraph.search.index import (
    Hit,
    SearchResponse,
    first_sentences,
    group_under_documents,
    lists_both_kinds,
    matched_via,
    ordered_facets,
)
from practicegraph.search.query import (
    FACETS,
    THEME_WEIGHT,
    WEIGHTS,
    Clause,
    QueryPlan,
    SearchRequest,
    edit_distance,
    plan_query,
)
from practicegraph.search.records import KINDS, LOCAL_SOURCE, IndexRecord
from practicegraph.search.vocabulary import SearchVocabulary

logger = logging.getLogger(__name__)

#: Bumped when the schema or the analysis changes: an index of another version is
#: rebuilt from the store.
SCHEMA_VERSION = "4"
_VERSION_FILE = "practicegraph-schema"
TEXT_ANALYZER = "pg_text"
WORD_ANALYZER = "pg_words"
WRITER_HEAP = 64 * 1024 * 1024
WRITER_WAIT = 30.0  # seconds a write waits for another process's writer
SNIPPET_CHARS = 240
#: Most values counted per facet (organisations can run to thousands).
FACET_SIZE = 200
#: How many indexed words a misspelt word is compared with at most.
SPELLING_CANDIDATES = 20_000


def _text_analyzer() -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _word_analyzer() -> Any:
    """Lower-cased, folded words: the spelling dictionary."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


_ANALYZER = _text_analyzer()


@lru_cache(maxsize=50_000)
def _token_forms(text: str) -> tuple[tuple[str, ...], ...]:
    """Cached: a query's words and synonyms are analysed once, not once per field."""
    forms = (tuple(_ANALYZER.analyze(variant)) for variant in spelling_variants(text))
    return tuple(dict.fromkeys(form for form in forms if form))


#: Practice records keep their text in fields of their own: BM25 normalises a
#: field's lengths by its average, and one-sentence practices beside whole
#: documents made every document "long" and every practice "short".
PRACTICE_PREFIX = "practice_"


def _physical(logical: str) -> tuple[str, str]:
    """The document field and the practice field a plan's field stands for."""
    return logical, PRACTICE_PREFIX + logical


#: The full-text fields of each kind of record.
_KIND_FIELDS = {
    "document": tuple(WEIGHTS),
    "practice": tuple(PRACTICE_PREFIX + name for name in WEIGHTS),
}
_ALL_FIELDS = _KIND_FIELDS["document"] + _KIND_FIELDS["practice"]
#: How many matching practices of each listed document are read to fill a page.
PRACTICES_PER_DOCUMENT_READ = 25


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    for name in ("id", "source", "content_hash", "url", "evidence"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    for name in ("kind", "dataset", "year", "themes", "countries", "organisations", "doc_iri"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    for logical in WEIGHTS:
        for name in _physical(logical):
            builder.add_text_field(
                name, stored=True, tokenizer_name=TEXT_ANALYZER, index_option="position"
            )
    builder.add_text_field("spell", tokenizer_name=WORD_ANALYZER, index_option="basic")
    builder.add_unsigned_field("date", fast=True)
    return builder.build()


class TantivyIndex:
    """A tantivy index in the data directory (``PRACTICEGRAPH_SEARCH_ENGINE=tantivy``)."""

    def __init__(self, path: Path, vocabulary: SearchVocabulary | None = None) -> None:
        self.path = path
        self.vocabulary = vocabulary or SearchVocabulary.load()
        self._schema = _schema()
        self._facet_cache = FacetCache()
        #: A write failed for lack of space: the index may lack what the store has.
        self.stale = False
        try:
            self._index = self._open()
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot open the search index at {self.path}: {exc}") from exc

    def _open(self) -> Any:
        """Open the index, or create it; one of another schema version is started
        afresh (the service refills it from the store when it opens)."""
        self.path.mkdir(parents=True, exist_ok=True)
        marker = self.path / _VERSION_FILE
        current = marker.read_text(encoding="utf-8").strip() if marker.exists() else None
        if current != SCHEMA_VERSION or not tantivy.Index.exists(str(self.path)):
            for child in self.path.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
            index = tantivy.Index(self._schema, path=str(self.path), reuse=False)
            marker.write_text(SCHEMA_VERSION + "\n", encoding="utf-8")
        else:
            index = tantivy.Index.open(str(self.path))
        index.register_tokenizer(TEXT_ANALYZER, _text_analyzer())
        index.register_tokenizer(WORD_ANALYZER, _word_analyzer())
        index.config_reader(reload_policy="commit", num_warmers=0)
        return index

    # -- writes ------------------------------------------------------------------
    def replace(self, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace the records of each given source (document file name), in one commit."""
        if records:
            self._write([("source", source) for source in records], records)

    def delete(self, sources: Iterable[str]) -> None:
        self._write([("source", source) for source in sources], {})

    def replace_dataset(self, dataset: str, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace everything of one imported source in one commit."""
        self._write([("dataset", dataset)], records)

    def clear(self) -> None:
        """Drop everything (used by reindex)."""
        self._write([], {}, everything=True)

    def optimize(self) -> None:
        """Let the writer finish its segment merges and drop files no reader needs.

        Advisory: the data is committed already, so a disk too full to merge is
        logged, not raised.
        """
        try:
            writer = self._writer()
            try:
                writer.garbage_collect_files()
            finally:
                writer.wait_merging_threads()
        except (OSError, ValueError) as exc:
            if not mentions_disk_full(exc):
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
        """Delete by (field, value), then add ``records``: one writer, one commit.

        A failure rolls the writer back, so readers keep the last commit; a full disk
        becomes StorageFullError.
        """
        writer = self._writer()
        try:
            if everything:
                writer.delete_all_documents()
            for fieldname, value in deletions:
                writer.delete_documents_by_term(fieldname, value)
            for items in records.values():
                for record in items:
                    writer.add_document(self._document(record))
            writer.commit()
        except BaseException as exc:
            try:
                writer.rollback()
            except (OSError, ValueError):
                logger.debug("rollback of the keyword index failed", exc_info=True)
            writer.wait_merging_threads()
            if mentions_disk_full(exc):
                self.stale = True
                logger.info("the disk is full: the keyword index refused a write: %s", exc)
                raise StorageFullError(
                    "the keyword index was not updated and keeps its previous state"
                ) from exc
            raise
        writer.wait_merging_threads()
        self._index.reload()

    def _writer(self) -> Any:
        """The index's one writer, waiting while another process holds it."""
        deadline = time.monotonic() + WRITER_WAIT
        while True:
            try:
                return self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    if mentions_disk_full(exc):
                        self.stale = True
                        raise StorageFullError("the keyword index cannot be written") from exc
                    raise StoreError(f"cannot write the search index: {exc}") from exc
                time.sleep(0.05)

    def _document(self, record: IndexRecord) -> Any:
        doc = tantivy.Document()
        for name in ("id", "kind", "source", "dataset", "doc_iri", "content_hash"):
            doc.add_text(name, getattr(record, name))
        prefix = PRACTICE_PREFIX if record.kind == "practice" else ""
        for name in WEIGHTS:
            doc.add_text(prefix + name, getattr(record, name) or "")
        doc.add_text("evidence", record.evidence or "")
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
        """index key -> content hash of every indexed document (imported ones included)."""
        searcher = self._index.searcher()
        query = self._term("kind", "document")
        result = searcher.search(query, limit=max(1, searcher.num_docs), count=False)
        hashes: dict[str, str] = {}
        for _score, address in result.hits:
            doc = searcher.doc(address)
            hashes[doc.get_first("source") or ""] = doc.get_first("content_hash") or ""
        return hashes

    def counts(self) -> dict[str, int]:
        searcher = self._index.searcher()
        return {
            kind: searcher.search(self._term("kind", kind), limit=1, count=True).count
            for kind in KINDS
        }

    def search(self, request: SearchRequest) -> SearchResponse:
        searcher = self._index.searcher()
        plan = plan_query(request, self.vocabulary, _Lexicon(self, searcher))
        filters = self._filter_query(plan)
        # Facets and the total count every match: from the match clauses alone (no
        # bonus clauses, nothing scored), once per query and index version.
        facets = self._facets(searcher, self._query(plan, KINDS, filters, bonus=False), plan)
        per_kind = dict(facets.get("kind", []))
        total = sum(per_kind.values())
        offset = (plan.page - 1) * plan.page_size
        wanted = offset + plan.page_size
        if lists_both_kinds(plan):
            ranked = self._grouped(searcher, plan, filters, wanted, per_kind)
        else:
            kinds = tuple(k for k in KINDS if k in dict(plan.filters).get("kind", KINDS))
            query = self._query(plan, kinds, filters)
            ranked = list(self._ranked(searcher, query, plan, wanted).hits)
        ranked = [(0.0 if plan.sort == "date" else s, a) for s, a in ranked[offset:wanted]]
        snippets = self._snippet_generators(searcher, plan) if ranked else []
        hits = [self._hit(searcher, address, score, plan, snippets) for score, address in ranked]
        return SearchResponse(
            request.query, total, plan.page, plan.page_size, hits, facets, plan.suggestion
        )

    def _ranked(self, searcher: Any, query: Any, plan: QueryPlan, limit: int) -> Any:
        """The best ``limit`` records by score, or the newest by date. Nothing is
        counted here (the facet pass counts), so tantivy may skip what cannot rank."""
        if plan.sort == "date":
            return searcher.search(query, limit=max(1, limit), count=False, order_by_field="date")
        return searcher.search(query, limit=max(1, limit), count=False)

    def _grouped(
        self,
        searcher: Any,
        plan: QueryPlan,
        filters: Any | None,
        wanted: int,
        per_kind: dict[str, int],
    ) -> list[Any]:
        """Documents ranked, each followed by its best matching practices
        (:func:`group_under_documents`), far enough for ``wanted`` records."""
        documents = self._ranked(searcher, self._query(plan, ("document",), filters), plan, wanted)
        document_hits = list(documents.hits)  # each read of .hits makes new tuples
        iris = [str(searcher.doc(a).get_first("doc_iri") or "") for _s, a in document_hits]
        practice_query = self._query(plan, ("practice",), filters)
        limit = per_kind.get("practice", 0)
        if per_kind.get("document", 0) > len(document_hits):
            # Deeper documents remain: the practices of these ones fill the page.
            practice_query = _and(
                practice_query, Query.term_set_query(self._schema, "doc_iri", iris or [""])
            )
            limit = min(limit, len(iris) * PRACTICES_PER_DOCUMENT_READ)
        practice_hits = list(self._ranked(searcher, practice_query, plan, limit).hits)
        document_of = {id(h): iri for h, iri in zip(document_hits, iris, strict=True)}
        for hit in practice_hits:
            document_of[id(hit)] = str(searcher.doc(hit[1]).get_first("doc_iri") or "")
        return group_under_documents(document_hits, practice_hits, lambda h: document_of[id(h)])

    def _facets(
        self, searcher: Any, query: Any, plan: QueryPlan
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts of each facet's values among all matches, from one aggregation pass,
        kept per (query, filters, index version)."""
        key = (plan.match_key(), self._version())
        cached = self._facet_cache.get(key)
        if cached is not None:
            return cached
        request = {
            name: {"terms": {"field": fieldname, "size": FACET_SIZE}}
            for name, fieldname in FACETS.items()
        }
        answer = searcher.aggregate(query, request)
        counts = {
            name: [
                (str(b["key"]), int(b["doc_count"]))
                for b in answer.get(name, {}).get("buckets", [])
            ]
            for name in FACETS
        }
        ordered = ordered_facets(counts)
        self._facet_cache.put(key, ordered)
        return ordered

    def _version(self) -> tuple[int, int]:
        """The last commit, as every process sees it: tantivy rewrites meta.json."""
        try:
            meta = (self.path / "meta.json").stat()
        except OSError:
            return (0, 0)
        return (meta.st_mtime_ns, meta.st_size)

    # -- query building --------------------------------------------------------------
    def _query(
        self, plan: QueryPlan, kinds: Iterable[str], filters: Any | None, bonus: bool = True
    ) -> Any:
        """The plan as one query over the fields of the records of ``kinds``, among
        the records the filters (and ``kinds``) allow; bonus clauses only when asked."""
        kinds = tuple(kinds)
        fields = tuple(f for k in kinds for f in _KIND_FIELDS[k])
        query = self._scoring_query(plan, fields, bonus)
        restrictions = [] if filters is None else [filters]
        if set(kinds) != set(KINDS):
            restrictions.append(Query.term_set_query(self._schema, "kind", list(kinds)))
        for restriction in restrictions:
            query = _and(query, restriction)
        return query

    def _scoring_query(self, plan: QueryPlan, fields: tuple[str, ...], bonus: bool) -> Any:
        if plan.matches_everything:
            return Query.all_query()
        match = self._clauses(plan.match, fields)
        match += [Query.boost_query(self._term("themes", t), THEME_WEIGHT) for t in plan.themes]
        required = [
            _any_of(group) for group in (self._clauses(g, fields) for g in plan.required) if group
        ]
        subqueries: list[tuple[Any, Any]] = [(Occur.Must, q) for q in required]
        if match:
            subqueries.append((Occur.Should if required else Occur.Must, _any_of(match)))
        if not subqueries:
            return Query.empty_query()
        if bonus:
            subqueries += [(Occur.Should, q) for q in self._clauses(plan.bonus, fields)]
        return Query.boolean_query(subqueries)

    def _clauses(self, clauses: Iterable[Clause], fields: tuple[str, ...]) -> list[Any]:
        return [q for clause in clauses if (q := self._clause(clause, fields)) is not None]

    def _clause(self, clause: Clause, fields: tuple[str, ...]) -> Any | None:
        """One analysed token is a term, several a phrase; each spelling of the text
        is looked for in each of ``fields`` that stands for the clause's field, the
        best match counting."""
        queries = []
        for fieldname in _physical(clause.field):
            if fieldname not in fields:
                continue
            for tokens in self.token_forms(clause.text):
                if len(tokens) == 1:
                    queries.append(self._term(fieldname, tokens[0]))
                else:
                    queries.append(
                        Query.phrase_query(self._schema, fieldname, list(tokens), slop=clause.slop)
                    )
        if not queries:
            return None
        query = queries[0] if len(queries) == 1 else Query.disjunction_max_query(queries)
        return Query.boost_query(query, clause.boost)

    def token_forms(self, text: str) -> tuple[tuple[str, ...], ...]:
        """The analysed tokens of each spelling of ``text``."""
        return _token_forms(text)

    def _term(self, fieldname: str, value: str) -> Any:
        return Query.term_query(self._schema, fieldname, value, index_option="freq")

    def _filter_query(self, plan: QueryPlan) -> Any | None:
        if not plan.filters:
            return None
        clauses = [
            (Occur.Must, Query.term_set_query(self._schema, name, list(values)))
            for name, values in plan.filters
        ]
        return Query.boolean_query(clauses)

    # -- hits ------------------------------------------------------------------------
    def _hit(
        self, searcher: Any, address: Any, score: float, plan: QueryPlan, snippets: list[Any]
    ) -> Hit:
        doc = searcher.doc(address)
        snippet = _snippet(doc, snippets)

        def first(name: str) -> str:
            return str(doc.get_first(name) or "")

        return Hit(
            id=first("id"),
            kind=first("kind"),
            title=first("title") or first(PRACTICE_PREFIX + "title"),
            snippet=snippet,
            source=first("source").rsplit("/", 1)[-1],
            document=first("doc_iri"),
            score=round(float(score), 4) if plan.sort != "date" else 0.0,
            themes=[str(v) for v in doc.get_all("themes")],
            countries=[str(v) for v in doc.get_all("countries")],
            organisations=[str(v) for v in doc.get_all("organisations")],
            year=doc.get_first("year"),
            url=doc.get_first("url"),
            dataset=first("dataset") or LOCAL_SOURCE,
            matched_via=matched_via(snippet, plan),
        )

    def _snippet_generators(self, searcher: Any, plan: QueryPlan) -> list[Any]:
        """Snippet generators of the body, then the title, marking the words the query
        looked for: made once per search, used for every hit."""
        clauses = self._clauses(
            (Clause(text, name, 1.0) for text in plan.highlight for name in ("body", "title")),
            _ALL_FIELDS,
        )
        if not clauses:
            return []
        marks = _any_of(clauses)
        generators = []
        for fieldname in (*_physical("body"), *_physical("title")):
            generator = tantivy.SnippetGenerator.create(searcher, marks, self._schema, fieldname)
            generator.set_max_num_chars(SNIPPET_CHARS)
            generators.append(generator)
        return generators


def _snippet(doc: Any, generators: list[Any]) -> str:
    """The best passage of the body (else the title) with the query's words marked;
    the body's opening words when it marks nothing."""
    for generator in generators:
        snippet = generator.snippet_from_doc(doc)
        if snippet.highlighted():
            return _marked_html(snippet)
    body = doc.get_first("body") or doc.get_first(PRACTICE_PREFIX + "body") or ""
    return html.escape(first_sentences(str(body)))


def _and(query: Any, restriction: Any) -> Any:
    """``query`` among the records ``restriction`` matches, scored by ``query`` alone."""
    return Query.boolean_query(
        [(Occur.Must, query), (Occur.Must, Query.const_score_query(restriction, 0.0))]
    )


def _any_of(queries: list[Any]) -> Any:
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def _marked_html(snippet: Any) -> str:
    """The fragment escaped, its highlighted ranges (byte offsets) in <mark>."""
    raw = snippet.fragment().encode("utf-8")
    parts: list[str] = []
    at = 0
    for span in sorted(snippet.highlighted(), key=lambda r: r.start):
        if span.start < at:
            continue
        parts.append(html.escape(raw[at : span.start].decode("utf-8", "replace")))
        parts.append(
            f"<mark>{html.escape(raw[span.start : span.end].decode('utf-8', 'replace'))}</mark>"
        )
        at = span.end
    parts.append(html.escape(raw[at:].decode("utf-8", "replace")))
    return "".join(parts).strip()


class _Lexicon:
    """What the planner asks of the index's words, answered by one searcher."""

    def __init__(self, index: TantivyIndex, searcher: Any) -> None:
        self._index = index
        self._searcher = searcher

    def known(self, text: str) -> bool:
        return any(
            self._searcher.doc_freq(name, token) > 0
            for tokens in self._index.token_forms(text)
            for token in tokens
            for logical in WEIGHTS
            for name in _physical(logical)
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
