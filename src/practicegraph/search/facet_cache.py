"""Facet counts kept per (query, filters, index version).

Counting facets costs the whole match set; the same broad query ("probation")
asked again, or paged through, need not count again. A write gives the index a
new version, and counts of older versions are never read again (they fall out
as the least recently used).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

FacetCounts = dict[str, list[tuple[str, int]]]


class FacetCache:
    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, FacetCounts] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> FacetCounts | None:
        with self._lock:
            counts = self._entries.get(key)
            if counts is not None:
                self._entries.move_to_end(key)
            return counts

    def put(self, key: Hashable, counts: FacetCounts) -> None:
        with self._lock:
            self._entries[key] = counts
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
