"""Several readers, one writer: the tantivy index read from threads and from other
processes while it is written, with no lock around reads."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from practicegraph.search import IndexRecord, SearchRequest, TantivyIndex


def record(name: str, body: str) -> IndexRecord:
    return IndexRecord(
        id=f"https://example.org/{name}",
        kind="document",
        source=f"{name}.txt",
        doc_iri=f"https://example.org/{name}",
        title=name,
        body=body,
        content_hash=name,
    )


def write_from_another_process(path: Path, name: str, body: str) -> subprocess.Popen[str]:
    """A second process opens the same index and adds one document."""
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from practicegraph.search import IndexRecord, TantivyIndex
        index = TantivyIndex(Path({str(path)!r}))
        index.replace({{{name + ".txt"!r}: [IndexRecord(
            id="https://example.org/{name}", kind="document", source="{name}.txt",
            doc_iri="https://example.org/{name}", title="{name}", body={body!r},
            content_hash="{name}")]}})
        """
    )
    return subprocess.Popen([sys.executable, "-c", script], text=True)


def eventually_found(index: TantivyIndex, query: str, seconds: float = 15.0) -> list[str]:
    """What a search finds once the reader has picked up another process's commit."""
    deadline = time.monotonic() + seconds
    while True:
        found = [hit.source for hit in index.search(SearchRequest(query)).hits]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture
def index(tmp_path: Path) -> TantivyIndex:
    ix = TantivyIndex(tmp_path / "index")
    ix.replace({"first.txt": [record("first", "Probation officers trained volunteer mentors.")]})
    return ix


def test_an_open_reader_sees_another_processs_commit(index: TantivyIndex) -> None:
    writer = write_from_another_process(index.path, "second", "A prison farm grows vegetables.")
    assert writer.wait(timeout=60) == 0
    assert eventually_found(index, "vegetables") == ["second.txt"]
    assert sorted(index.indexed_hashes()) == ["first.txt", "second.txt"]


def test_two_writing_processes_take_turns_and_both_land(index: TantivyIndex) -> None:
    others = [
        write_from_another_process(index.path, f"other{n}", f"Beekeeping course number {n}.")
        for n in range(2)
    ]
    index.replace({"third.txt": [record("third", "A library service opened in the prison.")]})
    assert [writer.wait(timeout=90) for writer in others] == [0, 0]
    index_again = TantivyIndex(index.path)
    assert sorted(index_again.indexed_hashes()) == [
        "first.txt",
        "other0.txt",
        "other1.txt",
        "third.txt",
    ]


def test_searches_in_threads_while_the_index_is_written(index: TantivyIndex) -> None:
    """Readers take no lock: four threads search while the writer commits twenty
    times; every answer is a whole commit's (the first document is always there)."""
    failures: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                response = index.search(SearchRequest("mentors OR volunteers"))
                assert "first.txt" in [hit.source for hit in response.hits]
                totals.append(response.total)
        except BaseException as exc:  # handed to the main thread
            failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for n in range(20):
            index.replace({f"more{n}.txt": [record(f"more{n}", "More volunteers joined.")]})
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
    assert not failures, failures[0]
    assert totals and min(totals) >= 1
    assert index.search(SearchRequest("volunteers")).total == 21
