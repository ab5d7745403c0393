"""Searches run side by side: a slow one no longer makes every other reader wait."""

from __future__ import annotations

import threading
from pathlib import Path

from whoosh import index as whoosh_index

from practicegraph.search import IndexRecord, SearchRequest, SearchVocabulary, WhooshIndex
from practicegraph.search.searchers import SearcherPool


def _index(path: Path, vocabulary: SearchVocabulary | None = None) -> WhooshIndex:
    index = WhooshIndex(path, vocabulary)
    index.replace(
        {
            "peer.txt": [
                IndexRecord(
                    id="https://example.org/peer",
                    kind="document",
                    source="peer.txt",
                    doc_iri="https://example.org/peer",
                    title="Peer mentoring for new prison officers",
                    body="New officers are paired with an experienced colleague for a year.",
                    content_hash="1",
                )
            ]
        }
    )
    return index


class _StallingVocabulary(SearchVocabulary):
    """The search vocabulary, but a search for "stall" waits until released: a slow
    search, stopped part-way while it holds its searcher."""

    def __init__(self) -> None:
        super().__init__()
        self.holding, self.release = threading.Event(), threading.Event()

    def themes_named(self, query_terms: tuple[str, ...]) -> list[str]:
        if "stall" in query_terms:
            self.holding.set()
            self.release.wait(30)
        return super().themes_named(query_terms)


def test_a_search_is_answered_while_another_search_is_running(tmp_path: Path) -> None:
    vocabulary = _StallingVocabulary()
    index = _index(tmp_path / "index", vocabulary)
    slow = threading.Thread(target=index.search, args=(SearchRequest("stall"),))
    slow.start()
    try:
        assert vocabulary.holding.wait(10)
        answered: list[int] = []
        other = threading.Thread(
            target=lambda: answered.append(index.search(SearchRequest("mentoring")).total)
        )
        other.start()
        other.join(20)
        assert answered == [1], "the second search waited for the first to finish"
    finally:
        vocabulary.release.set()
        slow.join()
        index.close()


def test_a_search_after_a_commit_sees_it(tmp_path: Path) -> None:
    """Idle searchers are kept between searches; one opened before a commit must not
    answer after it (it would still find the deleted document)."""
    index = _index(tmp_path / "index")
    try:
        assert index.search(SearchRequest("mentoring")).total == 1
        index.delete(["peer.txt"])
        assert index.search(SearchRequest("mentoring")).total == 0
    finally:
        index.close()


def test_searchers_lent_out_when_the_pool_closes_are_closed_on_return(tmp_path: Path) -> None:
    _index(tmp_path / "index").close()
    ix = whoosh_index.open_dir(str(tmp_path / "index"))
    pool = SearcherPool(ix.searcher)
    with pool.borrow() as a, pool.borrow() as b:
        pool.close_all()  # what the index's clear() and close() do
        assert not a.is_closed and not b.is_closed  # still in use
    assert a.is_closed and b.is_closed
    with pool.borrow() as c, pool.borrow() as d:
        pass
    assert not c.is_closed and not d.is_closed  # kept open for the next searches
    with pool.borrow() as e:
        assert e is c or e is d
    pool.close_all()
    ix.close()
