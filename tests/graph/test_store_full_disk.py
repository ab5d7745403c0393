"""The store and the keyword index on a disk that fills up, then has space again.

Each test mounts a small tmpfs (see tests/full_disk.py), fills it to the last
byte and checks that a write is refused whole with a StorageFullError naming
no file, that reads go on, and that once the filler is deleted the *same*
objects take writes again: RocksDB on its own stays read-only until reopened.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from full_disk import SmallDisk, small_disk
from practicegraph.errors import StorageFullError, StoreError
from practicegraph.graph import oxigraph_store as store_module
from practicegraph.graph.oxigraph_store import OxigraphStore
from practicegraph.search import ENGINES, IndexRecord, SearchRequest


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk", megabytes=64) as mounted:
        yield mounted


def insert(store: OxigraphStore, name: str, triples: int = 200) -> None:
    data = "\n".join(
        f'<https://e.example/{name}/{i}> <https://e.example/p> "{"text " * 40}{i}" .'
        for i in range(triples)
    )
    store.update(f"INSERT DATA {{ GRAPH <https://g.example/{name}> {{ {data} }} }}")


@pytest.fixture
def store(disk: SmallDisk) -> Iterator[OxigraphStore]:
    opened = OxigraphStore(disk.root / "store")
    for name in ("a", "b"):
        insert(opened, name)
    yield opened
    opened.close()


def graphs(store: OxigraphStore) -> list[str]:
    return [g.rsplit("/", 1)[-1] for g in store.named_graphs()]


def test_a_write_on_a_full_disk_is_refused_whole_naming_no_file(
    store: OxigraphStore, disk: SmallDisk
) -> None:
    disk.fill()
    with pytest.raises(StorageFullError) as refused:
        insert(store, "c")
    message = str(refused.value)
    assert "disk" in message and "full" in message
    assert str(disk.root) not in message and ".log" not in message, message
    assert store.needs_recovery
    # reads go on from the same handle, and nothing of the refused write is there
    assert graphs(store) == ["a", "b"]
    assert store.quad_count() == 400


def test_the_same_store_takes_writes_again_once_space_is_freed(
    store: OxigraphStore, disk: SmallDisk
) -> None:
    disk.fill()
    with pytest.raises(StorageFullError):
        insert(store, "c")
    with pytest.raises(StorageFullError):  # still full: refused again, no reopen tried
        insert(store, "c")
    assert store.recoveries == 0
    disk.free()
    insert(store, "c")
    assert store.recoveries == 1 and not store.needs_recovery
    assert graphs(store) == ["a", "b", "c"]
    store.flush()
    store.backup(disk.root / "checkpoint")
    copy = OxigraphStore(disk.root / "checkpoint", read_only=True)
    assert graphs(copy) == ["a", "b", "c"]
    copy.close()


def test_a_compaction_on_a_full_disk_is_reported_not_raised(
    store: OxigraphStore, disk: SmallDisk
) -> None:
    """The writes before it have taken effect: a compaction that fails for want of room
    for the rewritten files must not turn an ingest or an import into an error."""
    for i in range(100):  # one transaction each, as an ingest writes documents
        store.update(f"INSERT DATA {{ GRAPH <urn:g{i}> {{ <urn:s{i}> <urn:p> {i} }} }}")
    version = store.version
    disk.fill()
    assert store.optimize() is False
    assert store.version == version
    assert store.quad_count() == 500  # reads go on: "a" and "b", and the hundred
    disk.free()
    insert(store, "c")  # the same store takes writes again
    assert store.quad_count() == 700


def test_a_snapshot_on_a_full_disk_is_refused_and_leaves_no_half_checkpoint(
    store: OxigraphStore, disk: SmallDisk
) -> None:
    insert(store, "c")  # unflushed: the checkpoint must write it out
    disk.fill()
    target = disk.root / "checkpoint"
    with pytest.raises(StorageFullError) as refused:
        store.backup(target)
    assert str(disk.root) not in str(refused.value)
    assert not target.exists()
    disk.free()
    store.backup(target)
    copy = OxigraphStore(target, read_only=True)
    assert graphs(copy) == ["a", "b", "c"]
    copy.close()


def test_a_reader_still_inside_the_old_handle_delays_recovery_without_breaking_reads(
    store: OxigraphStore, disk: SmallDisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "REOPEN_WAIT", 0.2)
    disk.fill()
    with pytest.raises(StorageFullError):
        insert(store, "c")
    disk.free()
    reading = store.quads()  # holds RocksDB's directory lock through the old handle
    next(reading)
    with pytest.raises(StoreError, match="could not be reopened"):
        insert(store, "c")
    assert graphs(store) == ["a", "b"], "reads are served while the handle is swapped"
    assert sum(1 for _ in reading) == 399
    del reading
    insert(store, "c")
    assert graphs(store) == ["a", "b", "c"]


def test_a_store_opened_on_a_full_disk_answers_reads_and_recovers(disk: SmallDisk) -> None:
    path = disk.root / "store"
    first = OxigraphStore(path)
    insert(first, "a")
    first.close()
    disk.fill()
    store = OxigraphStore(path)
    try:
        assert graphs(store) == ["a"]
        assert store.needs_recovery
        with pytest.raises(StorageFullError):
            insert(store, "b")
        disk.free()
        insert(store, "b")
        assert graphs(store) == ["a", "b"]
    finally:
        store.close()


def record(name: str) -> IndexRecord:
    return IndexRecord(
        id=f"https://e.example/{name}",
        kind="document",
        source=f"{name}.txt",
        doc_iri=f"https://e.example/{name}",
        title=f"Mentoring scheme {name}",
        body="Probation services introduced mentoring schemes for new officers. " * 200,
        content_hash=name,
    )


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_an_index_write_on_a_full_disk_keeps_the_last_commit_and_its_lock_free(
    disk: SmallDisk, engine: str
) -> None:
    index = ENGINES[engine](disk.root / "index")
    try:
        index.replace({"a.txt": [record("a")]})
        files_before = sorted(p.name for p in index.path.iterdir())
        disk.fill()
        with pytest.raises(StorageFullError) as refused:
            index.replace({f"{n}.txt": [record(n)] for n in ("b", "c")})
        assert str(disk.root) not in str(refused.value)
        assert index.stale
        assert index.indexed_hashes() == {"a.txt": "a"}
        assert index.search(SearchRequest("mentoring")).total == 1
        # the half-written segment is gone; the lock file may stay, unlocked
        assert sorted(p.name for p in index.path.iterdir()) == files_before, engine
        disk.free()
        index.replace({f"{n}.txt": [record(n)] for n in ("b", "c")})  # not locked out
        assert index.indexed_hashes() == {"a.txt": "a", "b.txt": "b", "c.txt": "c"}
    finally:
        index.close()


def test_reads_of_a_recovered_store_see_the_new_handle(
    store: OxigraphStore, disk: SmallDisk
) -> None:
    disk.fill()
    with pytest.raises(StorageFullError):
        insert(store, "c")
    disk.free()
    insert(store, "c")
    assert store.ask("ASK { GRAPH <https://g.example/c> { ?s ?p ?o } }")
