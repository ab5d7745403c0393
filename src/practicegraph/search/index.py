"""The keyword index behind one small interface, whichever engine runs it.

Callers only see records in and :class:`SearchResponse` out. What a query
means (:mod:`practicegraph.search.query`) is planned once above the engine;
an engine executes the plan: tantivy (:mod:`tantivy_index`, the default, a
compiled engine that scores phrase and proximity clauses in the same pass as
the terms) or whoosh (:mod:`whoosh_index`, pure Python, the engine the project
started with). :func:`open_search_index` builds the one the settings name; a
deployment that outgrows one machine implements :class:`SearchIndex` on a
search cluster.

Writes are all or nothing: a commit that fails (a full disk) leaves the last
committed index and raises StorageFullError; ``stale`` then tells the service
to bring the index back in step with the store once there is room.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, TypeVar

from practicegraph.errors import StorageFullError
from practicegraph.search.query import QueryPlan, SearchRequest
from practicegraph.search.records import LOCAL_SOURCE, IndexRecord
from practicegraph.search.vocabulary import SearchVocabulary, analyse

__all__ = ["Hit", "SearchIndex", "SearchRequest", "SearchResponse"]

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass
class Hit:
    id: str
    kind: str
    title: str
    snippet: str  # HTML: text escaped, matched terms in <mark>
    source: str
    document: str
    score: float
    themes: list[str]
    countries: list[str]
    organisations: list[str]
    year: str | None
    url: str | None
    dataset: str = LOCAL_SOURCE  # the source it came from ("local" = ingested here)
    #: Why it matched without the query's own words: "reentry → resettlement".
    matched_via: list[str] = field(default_factory=list)


_HIT_FIELDS = tuple(f.name for f in fields(Hit))


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a response, shared by the CLI's --json and the HTTP API."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "page_size": self.page_size,
            "suggestion": self.suggestion,
            # not dataclasses.asdict: it deep-copies every list, a tenth of a search
            "hits": [{name: getattr(hit, name) for name in _HIT_FIELDS} for hit in self.hits],
            "facets": {
                name: [{"value": value, "count": count} for value, count in counts]
                for name, counts in self.facets.items()
            },
        }


class SearchIndex(Protocol):
    """What the service needs from a keyword index."""

    #: A write was refused for lack of space; the service resynchronises it.
    stale: bool

    def replace(self, records: Mapping[str, list[IndexRecord]]) -> None: ...
    def delete(self, sources: Iterable[str]) -> None: ...
    def replace_dataset(self, dataset: str, records: Mapping[str, list[IndexRecord]]) -> None: ...
    def clear(self) -> None: ...
    def indexed_hashes(self) -> dict[str, str]: ...
    def counts(self) -> dict[str, int]: ...
    def search(self, request: SearchRequest) -> SearchResponse: ...
    def optimize(self) -> None: ...
    def close(self) -> None: ...


#: Practices listed under their document when both kinds are listed: one document's
#: ten practices must not push every other document off the first page.
PER_DOCUMENT = 2


def group_under_documents(
    documents: list[T], practices: list[T], document_of: Callable[[T], str]
) -> list[T]:
    """Ranked documents, each followed by its best ``PER_DOCUMENT`` practices, then
    the other practices: those of the listed documents in the documents' order,
    then any whose document is not listed. ``practices`` come best first.

    Why rank documents, not records: BM25 scores of a one-sentence practice and of
    a whole document are not on one scale (the practice wins on length alone), and
    on judged queries a document's own rank was the better guide to both. Every
    matching record stays in the listing, so totals and facet counts agree.
    """
    order = {document_of(d): at for at, d in enumerate(documents)}
    mine: dict[str, list[T]] = {}
    orphans: list[T] = []
    for practice in practices:
        key = document_of(practice)
        (mine.setdefault(key, []) if key in order else orphans).append(practice)
    listed: list[T] = []
    for document in documents:
        listed.append(document)
        listed += mine.get(document_of(document), [])[:PER_DOCUMENT]
    for document in documents:
        listed += mine.get(document_of(document), [])[PER_DOCUMENT:]
    return listed + orphans


#: Reciprocal rank fusion (Cormack, Clarke and Büttcher 2009): the constant k, the
#: semantic ranking's weight beside the keyword ranking's 1, and how deep the
#: keyword ranking is read. Chosen on the tuning queries, never on the test set.
RRF_K = 60
SEMANTIC_WEIGHT = 0.5
FUSION_DEPTH = 100


def fused(
    keyword: list[tuple[float, T]], semantic: list[T], key_of: Callable[[T], Hashable]
) -> list[tuple[float, T]]:
    """Documents ranked by reciprocal rank fusion of the keyword ranking (``(score,
    item)``, best first; an item scored 0 matched by meaning alone and holds no
    keyword rank) and the semantic ranking (``semantic``, nearest first, those the
    filters allow). Rank fusion, because BM25 scores and cosines share no scale;
    reading ranks, it needs no calibration per query. The score returned is the
    fused one, times 1000."""
    scores: dict[Hashable, float] = {}
    items: dict[Hashable, T] = {}
    for rank, (_score, item) in enumerate(((s, i) for s, i in keyword if s > 0), start=1):
        key = key_of(item)
        items[key] = item
        scores[key] = 1.0 / (RRF_K + rank)
    for rank, item in enumerate(semantic, start=1):
        key = key_of(item)
        items.setdefault(key, item)
        scores[key] = scores.get(key, 0.0) + SEMANTIC_WEIGHT / (RRF_K + rank)
    ranked = sorted(scores, key=lambda key: -scores[key])
    return [(round(scores[key] * 1000, 4), items[key]) for key in ranked]


def refused_for_space(index: SearchIndex, exc: BaseException) -> StorageFullError:
    """A write the disk had no room for: mark ``index`` stale (the service writes the
    documents again once there is room) and say that the last commit stands."""
    index.stale = True
    logger.info("the disk is full: the keyword index refused a write: %s", exc)
    return StorageFullError("the keyword index was not updated and keeps its previous state")


def lists_both_kinds(plan: QueryPlan) -> bool:
    kinds = dict(plan.filters).get("kind")
    return kinds is None or {"document", "practice"} <= set(kinds)


_MARKED = re.compile(r"<mark[^>]*>(.*?)</mark>", re.S)


def matched_via(
    snippet: str,
    plan: QueryPlan,
    themes: Iterable[str],
    vocabulary: SearchVocabulary,
    document: str = "",
) -> list[str]:
    """Why a hit matched words the query did not use: the plan's expansions whose
    words the snippet marks ("reentry → resettlement"), and, when the snippet marks
    nothing, the themes of the query it is filed under ("theme: Electronic
    monitoring") or the closeness in meaning of its document ("similar meaning")."""
    marked_texts = _MARKED.findall(snippet)
    marked = set(analyse(" ".join(html.unescape(m) for m in marked_texts)))
    reasons = [
        f"{source} → {phrase}"
        for source, phrase in plan.expansions
        if (tokens := analyse(phrase)) and set(tokens) <= marked
    ]
    if not marked_texts:
        held = set(themes)
        reasons += [
            f"theme: {labels[0] if (labels := vocabulary.theme_labels.get(t)) else t}"
            for t in plan.themes
            if t in held
        ]
        if not reasons and any(n.iri == document for n in plan.semantic):
            reasons.append("similar meaning")
    return reasons


def passage_snippet(plan: QueryPlan, document: str) -> str:
    """For a document found by meaning, its passage nearest to the query (escaped,
    nothing marked: no word of it need be the query's), or "" if it is not one."""
    for neighbour in plan.semantic:
        if neighbour.iri == document and neighbour.passage:
            return html.escape(first_sentences(neighbour.passage))
    return ""


def first_sentences(text: str, limit: int = 240) -> str:
    """A snippet for a hit whose text marks nothing: its opening words."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"


def ordered_facets(counts: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """Most frequent value first, then alphabetical; values counted zero dropped."""
    return {
        name: sorted(((v, n) for v, n in pairs if n), key=lambda p: (-p[1], p[0]))
        for name, pairs in counts.items()
    }
