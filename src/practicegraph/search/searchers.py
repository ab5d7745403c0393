"""Open whoosh searchers, one per search running at the same time.

A whoosh ``Searcher`` is not safe across threads. One shared searcher behind a
lock made every search wait for the one before it, so a single slow search held
up every other reader. A searcher is costly to open (it reads the segment
files) and cheap to keep, so each search borrows an idle one -- reopened first
if the index has changed since -- and gives it back; a few idle ones are kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Idle searchers kept open; more concurrent searches open their own and close them.
KEEP_IDLE = 8


class SearcherPool:
    """Searchers of one index, lent one search at a time."""

    def __init__(self, open_searcher: Callable[[], Any], keep: int = KEEP_IDLE) -> None:
        self._open = open_searcher
        self._keep = keep
        self._lock = threading.Lock()
        self._idle: list[Any] = []
        #: bumped when the index is replaced or closed: searchers lent before go
        self._epoch = 0

    @contextmanager
    def borrow(self) -> Iterator[Any]:
        """A searcher on the newest commit, for this thread alone until the block ends."""
        with self._lock:
            searcher = self._idle.pop() if self._idle else None
            epoch = self._epoch
        if searcher is not None and not searcher.up_to_date():
            # Not Searcher.refresh(): it reuses segment readers, whose deletion marks
            # then miss the documents a replace has just deleted.
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = self._open()
        try:
            yield searcher
        finally:
            with self._lock:
                keep = epoch == self._epoch and len(self._idle) < self._keep
                if keep:
                    self._idle.append(searcher)
            if not keep:
                searcher.close()

    def close_all(self) -> None:
        """Close the idle searchers; those lent out close when they come back."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._epoch += 1
        for searcher in idle:
            searcher.close()
