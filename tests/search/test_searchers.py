"""Searches run side by side: a slow one no longer makes every other reader wait."""

from __future__ import annotations

import threading
from pathlib import Path

from practicegraph.search import IndexRecord, SearchRequest, WhooshIndex
from practicegraph.search.searchers import SearcherPool


def _index(path: Path) -> WhooshIndex:
    index = WhooshIndex(path)
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


def test_a_search_is_answered_while_another_search_holds_a_searcher(tmp_path: Path) -> None:
    index = _index(tmp_path / "index")
    holding, release = threading.Event(), threading.Event()

    def slow_reader() -> None:
        with index._searchers.borrow():  # a search still running
            holding.set()
            release.wait(30)

    reader = threading.Thread(target=slow_reader)
    reader.start()
    try:
        assert holding.wait(10)
        answered: list[int] = []
        other = threading.Thread(
            target=lambda: answered.append(index.search(SearchRequest("mentoring")).total)
        )
        other.start()
        other.join(20)
        assert answered == [1], "the second search waited for the first to finish"
    finally:
        release.set()
        reader.join()
        index.close()


def test_a_searcher_lent_before_a_commit_is_not_reused_after_it(tmp_path: Path) -> None:
    index = _index(tmp_path / "index")
    try:
        with index._searchers.borrow() as first:
            pass
        index.delete(["peer.txt"])
        with index._searchers.borrow() as second:
            assert second is not first
            assert second.doc_count() == 0
    finally:
        index.close()


def test_searchers_lent_out_when_the_index_closes_are_closed_on_return(tmp_path: Path) -> None:
    index = _index(tmp_path / "index")
    pool: SearcherPool = index._searchers
    with pool.borrow() as a, pool.borrow() as b:
        pool.close_all()  # what clear() and close() do
        assert not a.is_closed and not b.is_closed  # still in use
    assert a.is_closed and b.is_closed
    with pool.borrow() as c, pool.borrow() as d:
        pass
    assert not c.is_closed and not d.is_closed  # kept open for the next searches
    with pool.borrow() as e:
        assert e is c or e is d
    index.close()
