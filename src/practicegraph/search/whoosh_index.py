"""The whoosh engine: the pure-Python index the project started with.

Why whoosh-reloaded rather than whoosh 2.7.4: it is the maintained fork of
the same code (same API, same on-disk format), with the fixes for current
Python versions that 2.7.4, unmaintained since 2016, never received (its
regular expressions raise warnings on import, which our test suite treats as
errors).

It executes a :class:`QueryPlan` as BM25F over title, entity names and body.
Positional matchers are the costly part of whoosh, so the plan's bonus
clauses (proximity, multi-word synonyms) only re-rank the best
``RERANK_DEPTH`` candidates instead of running over the whole collection.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import HtmlFormatter, SentenceFragmenter, highlight
from whoosh.query import And, AndMaybe, Every, Or, Phrase, Query, Term
from whoosh.scoring import BM25F

from practicegraph.errors import StorageFullError, StoreError, is_disk_full
from practicegraph.search.abandon import abandon_writer
from practicegraph.search.analysis import plain_analyzer, text_analyzer
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
    THEME_WEIGHT,
    WEIGHTS,
    Clause,
    QueryPlan,
    SearchRequest,
    edit_distance,
    plan_query,
)
from practicegraph.search.records import KINDS, LOCAL_SOURCE, IndexRecord
from practicegraph.search.searchers import SearcherPool
from practicegraph.search.semantic_index import SemanticIndex
from practicegraph.search.vocabulary import SearchVocabulary, analyse

RERANK_DEPTH = 100  # candidates whose order phrase and proximity clauses may change

logger = logging.getLogger(__name__)


def schema() -> Schema:
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        source=ID(stored=True),
        dataset=ID(stored=True),
        doc_iri=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=True),
        body=TEXT(analyzer=analyzer, stored=True, phrase=True),
        entities=TEXT(analyzer=analyzer, stored=True, phrase=True),
        spell=TEXT(analyzer=plain_analyzer(), spelling=True, phrase=False),
        # Term vectors make multi-valued facet counts a per-hit lookup instead of a
        # scan of the whole field.
        themes=KEYWORD(stored=True, commas=True, vector=True),
        countries=KEYWORD(stored=True, commas=True, vector=True),
        organisations=KEYWORD(stored=True, commas=True, vector=True),
        year=ID(stored=True),
        date=ID(stored=True, sortable=True),
        content_hash=STORED,
        url=STORED,
        evidence=STORED,
    )


class WhooshIndex:
    """A whoosh index in the data directory (``PRACTICEGRAPH_SEARCH_ENGINE=whoosh``)."""

    def __init__(
        self, path: Path, vocabulary: SearchVocabulary | None = None, semantic: bool = False
    ) -> None:
        self.path = path
        self.vocabulary = vocabulary or SearchVocabulary.load()
        self._analyzer = text_analyzer()
        self._fragmenter = SentenceFragmenter(maxchars=400, charlimit=200_000)
        self._formatter = HtmlFormatter(tagname="mark", between=" … ")
        self._postings: dict[str, dict[str, frozenset[int]]] | None = None
        self._searchers = SearcherPool(lambda: self._ix.searcher(weighting=BM25F(B=0.75, K1=1.2)))
        self._postings_generation = -2
        self._facet_cache = FacetCache()
        #: A write failed for lack of space: the index may lack what the store has.
        self.stale = False
        try:
            path.mkdir(parents=True, exist_ok=True)
            if whoosh_index.exists_in(str(path)):
                self._ix = whoosh_index.open_dir(str(path))
                if set(self._ix.schema.names()) != set(schema().names()):
                    # An index written by an older version: start afresh; the service
                    # refills it from the store (sync_index) when it opens.
                    self._ix.close()
                    shutil.rmtree(path)
                    path.mkdir(parents=True)
                    self._ix = whoosh_index.create_in(str(path), schema())
            else:
                self._ix = whoosh_index.create_in(str(path), schema())
        except (OSError, whoosh_index.IndexError) as exc:
            raise StoreError(f"cannot open the search index at {path}: {exc}") from exc
        #: Passage vectors beside the keyword index, written before it.
        self.semantic = SemanticIndex(path, on_full=self._mark_stale) if semantic else None

    def _mark_stale(self) -> None:
        self.stale = True

    # -- writes ------------------------------------------------------------------
    def replace(self, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace the records of each given source (document file name), in one commit."""
        if records:
            if self.semantic is not None:
                self.semantic.replace(records)
            self._rewrite([("source", source) for source in records], records)

    def _rewrite(
        self, deletions: list[tuple[str, str]], records: Mapping[str, list[IndexRecord]]
    ) -> None:
        """Delete by (field, term), then add ``records``: one writer, one commit."""
        with self._writer() as writer:
            for fieldname, term in deletions:
                writer.delete_by_term(fieldname, term)
            for items in records.values():
                for record in items:
                    writer.add_document(**_fields(record))

    @contextmanager
    def _writer(self, commit: Callable[[Any], None] | None = None) -> Iterator[Any]:
        """A writer committed when the block ends, or given up whole if anything fails.

        A full disk becomes StorageFullError, with the index as it was committed last.
        """
        writer = self._ix.writer(timeout=30.0)
        try:
            yield writer
            (commit or (lambda w: w.commit()))(writer)
        except BaseException as exc:
            abandon_writer(self._ix, self.path, writer)
            if is_disk_full(exc):
                raise refused_for_space(self, exc) from exc
            raise

    def optimize(self) -> None:
        """Merge all segments into one (after a bulk load or a reindex).

        Advisory, like the store's: the data is committed already, so a merge the
        disk has no room for is logged, not raised.
        """
        stale = self.stale
        try:
            with self._writer(lambda writer: writer.commit(optimize=True)):
                pass
        except StorageFullError:
            self.stale = stale  # nothing was lost: the records are all still there
            logger.warning("the keyword index could not be merged (its data is intact)")

    def delete(self, sources: Iterable[str]) -> None:
        sources = list(sources)
        if self.semantic is not None:
            self.semantic.delete(sources)
        with self._writer() as writer:
            for source in sources:
                writer.delete_by_term("source", source)

    def replace_dataset(self, dataset: str, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace everything of one imported source in one commit."""
        if self.semantic is not None:
            self.semantic.replace_dataset(dataset, records)
        self._rewrite([("dataset", dataset)], records)

    def clear(self) -> None:
        """Drop everything (used by reindex): a fresh, empty index in the same place."""
        self._searchers.close_all()
        self._ix.close()
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._ix = whoosh_index.create_in(str(self.path), schema())
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            self.stale = True
            raise StorageFullError("the keyword index could not be created again") from exc
        if self.semantic is not None:  # its file went with the folder
            self.semantic = SemanticIndex(self.path, self.semantic.encoder, self._mark_stale)

    def close(self) -> None:
        self._searchers.close_all()
        self._ix.close()

    # -- reads -------------------------------------------------------------------
    def indexed_hashes(self) -> dict[str, str]:
        """index key -> content hash of every indexed document (imported ones included)."""
        with self._ix.searcher() as searcher:
            hashes = {
                fields["source"]: fields.get("content_hash", "")
                for fields in searcher.documents(kind="document")
            }
        if self.semantic is not None:  # documents without their vectors are written again
            vectors = self.semantic.hashes()
            hashes = {s: h for s, h in hashes.items() if vectors.get(s) == h}
        return hashes

    def counts(self) -> dict[str, int]:
        with self._ix.searcher() as searcher:
            # doc_frequency would still count deleted documents until a merge
            return {
                kind: len(searcher.search(Term("kind", kind), limit=None, scored=False))
                for kind in KINDS
            }

    def search(self, request: SearchRequest) -> SearchResponse:
        with self._searchers.borrow() as searcher:
            plan = plan_query(request, self.vocabulary, _Lexicon(searcher), self.semantic)
            query = self._match_query(plan)
            filter_query = _filter_query(plan)
            matched = set(searcher.docs_for_query(query))
            near = _semantic_documents(searcher, plan)
            matched |= set(near)
            if filter_query is not None:
                matched &= set(searcher.docs_for_query(filter_query))
            page, size = plan.page, plan.page_size
            wanted = page * size
            if lists_both_kinds(plan):
                kind_of = self._facet_postings(searcher, searcher.reader().generation())["kind"]
                documents = matched & kind_of.get("document", frozenset())
                practices = matched & kind_of.get("practice", frozenset())
                ranked_documents = self._ranked(searcher, query, plan, documents, wanted, near)
                if len(documents) > len(ranked_documents):
                    # Deeper documents remain: the practices of these ones fill the page.
                    listed = {_document_of(searcher, d) for d, _s in ranked_documents}
                    practices = {p for p in practices if _document_of(searcher, p) in listed}
                ranked = group_under_documents(
                    ranked_documents,
                    self._ranked(searcher, query, plan, practices, len(practices)),
                    lambda pair: _document_of(searcher, pair[0]),
                )
                total = len(matched)
            else:
                ranked = self._ranked(searcher, query, plan, matched, wanted, near)
                total = len(matched)
            marks = frozenset(t for text in plan.highlight for t in analyse(text))
            hits = [
                self._hit(searcher, docnum, score, marks, plan)
                for docnum, score in ranked[(page - 1) * size : wanted]
            ]
            facet_counts = self._facet_counts(searcher, plan, matched)
            return SearchResponse(
                request.query, total, page, size, hits, facet_counts, plan.suggestion
            )

    def _ranked(
        self,
        searcher: Any,
        query: Query,
        plan: QueryPlan,
        among: set[int],
        limit: int,
        near: list[int] | None = None,
    ) -> list[tuple[int, float]]:
        """The best ``limit`` of ``among`` by score, or the newest by date. Bonus
        clauses (proximity, synonym phrases) re-rank the best ``RERANK_DEPTH``;
        documents ``near`` in meaning (nearest first) are fused with that ranking."""
        if not among or limit < 1:
            return []
        if near:
            keyword = self._ranked(searcher, query, plan, among, max(limit, FUSION_DEPTH))
            ranking = fused(
                [(score, docnum) for docnum, score in keyword],
                [d for d in near if d in among],
                lambda docnum: docnum,
            )
            return [(docnum, score) for score, docnum in ranking[:limit]]
        if plan.sort == "date":
            results = searcher.search(
                query, limit=limit, filter=among, sortedby="date", reverse=True
            )
            return [(hit.docnum, 0.0) for hit in results]
        results = searcher.search(query, limit=max(limit, RERANK_DEPTH), filter=among)
        scores = {hit.docnum: float(hit.score) for hit in results}
        if plan.bonus and scores:
            rerank = Or([q for c in plan.bonus for q in _clause(c)])
            for hit in searcher.search(rerank, limit=None, filter=set(scores)):
                scores[hit.docnum] += float(hit.score)
        return sorted(scores.items(), key=lambda pair: -pair[1])

    def _facet_counts(
        self, searcher: Any, plan: QueryPlan, matched: set[int]
    ) -> dict[str, list[tuple[str, int]]]:
        """Count each facet value among the matches by intersecting posting sets.

        The posting sets of the facet fields are read once per index generation
        and kept: a query then costs one set intersection per facet value, not a
        read of every matching document's fields; the counts of a query asked
        again are kept too.
        """
        generation = searcher.reader().generation()
        key = (plan.match_key(), generation)
        cached = self._facet_cache.get(key)
        if cached is not None:
            return cached
        postings = self._facet_postings(searcher, generation)
        counts = {
            name: [
                (value, len(ids & matched) if len(ids) < len(matched) else len(matched & ids))
                for value, ids in per_value.items()
            ]
            for name, per_value in postings.items()
        }
        ordered = ordered_facets(counts)
        self._facet_cache.put(key, ordered)
        return ordered

    def _facet_postings(
        self, searcher: Any, generation: int
    ) -> dict[str, dict[str, frozenset[int]]]:
        if self._postings_generation != generation or self._postings is None:
            postings: dict[str, dict[str, frozenset[int]]] = {}
            for name, fieldname in FACETS.items():
                postings[name] = {
                    str(value): frozenset(searcher.postings(fieldname, value).all_ids())
                    for value in searcher.reader().field_terms(fieldname)
                    if value not in ("", NO_VALUE)
                }
            self._postings, self._postings_generation = postings, generation
        return self._postings

    @staticmethod
    def _match_query(plan: QueryPlan) -> Query:
        """The clauses that decide what matches (and give the total and facets)."""
        match: list[Query] = [q for clause in plan.match for q in _clause(clause)]
        match += [Term("themes", theme, boost=THEME_WEIGHT) for theme in plan.themes]
        required = [Or([q for c in group for q in _clause(c)]) for group in plan.required]
        if required:
            return AndMaybe(And(required), Or(match)) if match else And(required)
        return Or(match) if match else Every()

    def _hit(
        self, searcher: Any, docnum: int, score: float, terms: frozenset[str], plan: QueryPlan
    ) -> Hit:
        fields = searcher.stored_fields(docnum)
        snippet = ""
        for name, top in (("body", 2), ("title", 1)):
            text = fields.get(name) or ""
            snippet = (
                highlight(
                    text,
                    terms,
                    self._analyzer,
                    self._fragmenter,
                    self._formatter,
                    top=top,
                )
                if text and terms
                else ""
            )
            if snippet:
                break
        if not snippet and fields["kind"] == "document":
            snippet = passage_snippet(plan, fields.get("doc_iri", ""))
        if not snippet:
            snippet = html.escape(first_sentences(fields.get("body", "")))
        return Hit(
            id=fields["id"],
            kind=fields["kind"],
            title=fields.get("title", ""),
            snippet=snippet,
            source=fields.get("source", "").rsplit("/", 1)[-1],
            document=fields.get("doc_iri", ""),
            score=round(score, 4),
            themes=_split(fields.get("themes")),
            countries=_split(fields.get("countries")),
            organisations=_split(fields.get("organisations")),
            year=fields.get("year"),
            url=fields.get("url"),
            dataset=fields.get("dataset") or LOCAL_SOURCE,
            matched_via=matched_via(
                snippet,
                plan,
                _split(fields.get("themes")),
                self.vocabulary,
                fields.get("doc_iri", "") if fields["kind"] == "document" else "",
            ),
        )


def _semantic_documents(searcher: Any, plan: QueryPlan) -> list[int]:
    """The document records of the plan's neighbours in meaning, nearest first."""
    found: list[int] = []
    for neighbour in plan.semantic:
        found += [
            d
            for d in searcher.docs_for_query(Term("doc_iri", neighbour.iri))
            if searcher.stored_fields(d).get("kind") == "document"
        ]
    return found


def _document_of(searcher: Any, docnum: int) -> str:
    """The document a record belongs to (a practice's document, or itself)."""
    return str(searcher.stored_fields(docnum).get("doc_iri", ""))


def _clause(clause: Clause) -> list[Query]:
    """One analysed token is a term, several a phrase; a stop word alone nothing."""
    tokens = analyse(clause.text)
    if not tokens:
        return []
    if len(tokens) == 1:
        return [Term(clause.field, tokens[0], boost=clause.boost)]
    return [Phrase(clause.field, list(tokens), slop=clause.slop, boost=clause.boost)]


def _filter_query(plan: QueryPlan) -> Query | None:
    clauses = [Or([Term(name, value) for value in values]) for name, values in plan.filters]
    return And(clauses) if clauses else None


class _Lexicon:
    """What the planner asks of the index's words, answered by one searcher."""

    def __init__(self, searcher: Any) -> None:
        self._searcher = searcher

    def known(self, text: str) -> bool:
        return any(
            self._searcher.doc_frequency(name, term) for term in analyse(text) for name in WEIGHTS
        )

    def similar_words(self, word: str, max_distance: int) -> list[str]:
        corrector = self._searcher.corrector("spell")
        found = corrector.suggest(word, limit=3, maxdist=max_distance, prefix=1)
        return [w for w in found if edit_distance(word, w, max_distance) <= max_distance]


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v and v != NO_VALUE]


NO_VALUE = "_none"  # whoosh cannot read a term vector of an empty field


def _keywords(values: Iterable[str]) -> str:
    joined = ",".join(values)
    return joined or NO_VALUE


_SPELL_WORD = re.compile(r"[^\W\d_]{3,}")


def _vocabulary_of(*texts: str) -> str:
    """Each distinct word once: the spelling dictionary needs words, not frequencies,
    and analysing a third of the tokens makes indexing cheaper."""
    return " ".join({w.lower() for text in texts for w in _SPELL_WORD.findall(text)})


def _fields(record: IndexRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "source": record.source,
        "dataset": record.dataset,
        "doc_iri": record.doc_iri,
        "title": record.title,
        "body": record.body,
        "entities": record.entities,
        "spell": _vocabulary_of(record.title, record.body, record.entities),
        "themes": _keywords(record.themes),
        "countries": _keywords(record.countries),
        "organisations": _keywords(o.replace(",", " ") for o in record.organisations),
        "year": record.year or "",
        "date": record.date or "",
        "content_hash": record.content_hash,
        "url": record.url,
        "evidence": record.evidence,
    }
