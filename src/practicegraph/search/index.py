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
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, TypeVar

from practicegraph.search.query import QueryPlan, SearchRequest
from practicegraph.search.records import LOCAL_SOURCE, IndexRecord
from practicegraph.search.vocabulary import analyse

__all__ = ["Hit", "SearchIndex", "SearchRequest", "SearchResponse"]

T = TypeVar("T")


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
            "hits": [asdict(hit) for hit in self.hits],
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


#: Records of one document (itself and its practices) ranked before any other's
#: surplus: one document's ten practices must not push every other document off
#: the first page.
PER_DOCUMENT = 2
#: How deep in the ranking the cap looks: past it, the engine's order stands.
DIVERSITY_DEPTH = 50


def diversify(ranked: list[T], document_of: Callable[[T], str]) -> list[T]:
    """The ranking with each document's records after its first ``PER_DOCUMENT``
    moved below every other document's first ones (their order kept)."""
    seen: dict[str, int] = {}
    first: list[T] = []
    surplus: list[T] = []
    for item in ranked:
        document = document_of(item)
        seen[document] = seen.get(document, 0) + 1
        (first if seen[document] <= PER_DOCUMENT else surplus).append(item)
    return first + surplus


_MARKED = re.compile(r"<mark[^>]*>(.*?)</mark>", re.S)


def matched_via(snippet: str, plan: QueryPlan) -> list[str]:
    """The plan's expansions whose words the snippet marks: how a hit matched words
    the query did not use ("reentry → resettlement")."""
    if not plan.expansions or "<mark" not in snippet:
        return []
    marked = set(analyse(" ".join(html.unescape(m) for m in _MARKED.findall(snippet))))
    return [
        f"{source} → {phrase}"
        for source, phrase in plan.expansions
        if (tokens := analyse(phrase)) and set(tokens) <= marked
    ]


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
