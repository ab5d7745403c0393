"""Answers of recent SPARQL queries, kept while the store is unchanged.

The graph changes in batches (an ingest, an import, an update) and is read far
more often than written: the web pages' example questions, a researcher
re-running a query while editing the next one, dashboards polling the same
counts. A query's answer depends only on the query, its dataset, its format,
the row cap, the base IRI and the state of the store; the store reports a
version that moves on with every write (``GraphStore.version``, here called the
generation), so an answer filed under the generation it was computed at can be
given again, byte for byte, until the next write. Every write bumps the
generation, which empties the cache: it never serves an answer the store would
no longer give.

What is not cached: queries whose answer changes from one evaluation to the
next over the same data (``NOW()``, ``RAND()``, ``UUID()``, ``STRUUID()``,
``BNODE()``), federated ones (``SERVICE``: the remote data is not ours to
version), failures and timeouts. The check is a conservative scan of the
text: a false alarm (the word inside a literal) only costs a cache miss.

The same key gives GET answers an ``ETag``, so a browser or an HTTP cache in
front of the endpoint can revalidate with ``If-None-Match`` and get a 304
without the query being run. The tag also carries a token drawn when the
process starts, so that a tag of an earlier run never matches, whatever
version a store backend reports after a restart.

This is one process's memory, bounded in bytes (setting ``query_cache_bytes``;
0 turns it off) and evicted least-recently-used; an entry counts its answer,
its query text and IRIs and a fixed overhead, so many long queries with tiny
answers cannot outgrow the budget either. An entry larger than an eighth of the
budget is not kept, so one big result cannot flush the rest.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import OrderedDict, deque

from practicegraph.api.query_runner import QueryJob, QueryOutcome

#: Functions whose value differs between two evaluations over the same data,
#: and SERVICE (remote data). Word-bounded, any case; a call may have spaces
#: and comments before its parenthesis.
_VOLATILE = re.compile(
    r"\b(?:now|rand|uuid|struuid|bnode)(?:\s|#[^\n]*(?:\n|$))*\(|\bservice\b", re.IGNORECASE
)

#: What an entry costs besides its text: the dict slot, the outcome object, the key tuple.
_ENTRY_OVERHEAD = 400
#: How many earlier generations are remembered as earlier.
PAST_GENERATIONS = 16

CacheKey = tuple[object, ...]


def cache_key(job: QueryJob) -> CacheKey | None:
    """What the answer to ``job`` depends on besides the store; None if it must be run."""
    if _VOLATILE.search(job.query):
        return None
    return (
        job.query,
        job.base_iri,
        tuple(job.default_graph) if job.default_graph is not None else None,
        tuple(job.named_graphs) if job.named_graphs is not None else None,
        job.results,
        job.graph,
        job.max_rows,
    )


class ResultCache:
    """A byte-bounded LRU of query outcomes for one store generation."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._largest = max_bytes // 8
        self._entries: OrderedDict[CacheKey, QueryOutcome] = OrderedDict()
        self._generation: int | None = None
        #: Generations the cache has moved on from. Versions need not grow (a SPARQL
        #: server's is a random token), so "older" means "seen before the current one".
        self._past: deque[int] = deque(maxlen=PAST_GENERATIONS)
        self._bytes = 0
        self._lock = threading.Lock()  # the thread-pool path and the event loop share it
        self._token = secrets.token_hex(4)
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size_bytes(self) -> int:
        """What the entries kept now count against ``max_bytes``."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, generation: int, key: CacheKey) -> QueryOutcome | None:
        with self._lock:
            if generation in self._past:
                return None  # a reader that started before the last write
            if generation != self._generation:
                self._reset(generation)  # the store was written: nothing kept holds
            outcome = self._entries.get(key)
            if outcome is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return outcome

    def put(self, generation: int, key: CacheKey, outcome: QueryOutcome) -> None:
        """File ``outcome``, computed at ``generation``; ignored if the store moved on."""
        size = _size(key, outcome)
        if size > self._largest:
            return
        with self._lock:
            if generation != self._generation or key in self._entries:
                return
            self._entries[key] = outcome
            self._bytes += size
            while self._bytes > self.max_bytes:
                evicted_key, evicted = self._entries.popitem(last=False)
                self._bytes -= _size(evicted_key, evicted)

    def etag(self, generation: int, key: CacheKey) -> str:
        """A weak entity tag for the answer to ``key`` at ``generation``."""
        digest = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
        return f'W/"{self._token}-{generation}-{digest}"'

    def _reset(self, generation: int) -> None:
        if self._generation is not None:
            self._past.append(self._generation)
        self._entries.clear()
        self._bytes = 0
        self._generation = generation


def _size(key: CacheKey, outcome: QueryOutcome) -> int:
    """Bytes an entry holds: the answer, the query and IRIs of its key, and a fixed share."""
    text = sum(len(part) for part in key if isinstance(part, str))
    graphs = sum(len(iri) for part in key if isinstance(part, tuple) for iri in part)
    return len(outcome.payload) + text + graphs + _ENTRY_OVERHEAD
