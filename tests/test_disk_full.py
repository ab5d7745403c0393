"""The service and the CLI on a disk that fills up, then has space again (issue 11).

The data directory (or part of it) is a small tmpfs (tests/full_disk.py),
filled to the last byte: writes must be refused with a clear error naming no
file, reads must go on, nothing may be half-written, and once space is freed
the same service must take writes again, without a restart.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EUROPRIS_TEXT, ICPA_TEXT
from full_disk import SmallDisk, small_disk
from practicegraph import service as service_module
from practicegraph.config import Settings
from practicegraph.errors import StorageFullError
from practicegraph.graph.oxigraph_store import OxigraphStore
from practicegraph.nlp.extractor import Extractor
from practicegraph.search import SearchRequest
from practicegraph.service import PracticeGraphService


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Two documents, outside the small disk."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "icpa.txt").write_text(ICPA_TEXT)
    (folder / "europris.txt").write_text(EUROPRIS_TEXT)
    return folder


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk") as mounted:
        yield mounted


def agreeing_sources(service: PracticeGraphService) -> set[str]:
    """The documents stored here, after checking the keyword index has exactly them."""
    stored = service.stored_hashes()
    indexed = {k: h for k, h in service.index.indexed_hashes().items() if "/" not in k}
    assert stored == indexed, f"store {sorted(stored)} and index {sorted(indexed)} disagree"
    return set(stored)


def test_an_ingest_on_a_full_disk_stores_nothing_and_the_same_service_resumes(
    disk: SmallDisk, inputs: Path, extractor: Extractor
) -> None:
    settings = Settings.from_env(environ={}, data_dir=disk.root / "data")
    with PracticeGraphService(settings, extractor=extractor) as service:
        assert service.ingest([inputs / "icpa.txt"]).added == ["icpa.txt"]
        disk.fill()
        try:
            report = service.ingest([inputs / "europris.txt"])
        except StorageFullError as exc:
            reason = str(exc)
        else:
            assert [failure.path for failure in report.failed] == [str(inputs / "europris.txt")]
            reason = report.failed[0].reason
        assert "disk" in reason and "full" in reason, reason
        assert str(disk.root) not in reason, reason
        assert agreeing_sources(service) == {"icpa.txt"}
        # reads go on while the disk is full
        assert service.search(SearchRequest("prison")).total >= 1
        assert service.stats()["documents"] == 1

        disk.free()
        assert service.ingest([inputs / "europris.txt"]).added == ["europris.txt"]
        assert agreeing_sources(service) == {"icpa.txt", "europris.txt"}
        assert isinstance(service.store, OxigraphStore) and service.store.recoveries == 1


def test_documents_the_index_had_no_room_for_are_indexed_once_space_is_back(
    tmp_path: Path, inputs: Path, extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the index's disk fills: the store takes the document, the index cannot;
    the index keeps its last state and catches up at the next search or write."""
    monkeypatch.setattr(service_module, "RESYNC_EVERY", 0.0)  # no waiting between attempts
    settings = Settings.from_env(environ={}, data_dir=tmp_path / "data")
    with (
        small_disk(settings.index_dir, megabytes=8) as index_disk,
        PracticeGraphService(settings, extractor=extractor) as service,
    ):
        service.ingest([inputs / "icpa.txt"])
        index_disk.fill()
        with pytest.raises(StorageFullError) as refused:
            service.ingest([inputs / "europris.txt"])
        assert str(settings.data_dir) not in str(refused.value)
        assert service.index.stale
        assert service.search(SearchRequest("Romania")).total == 0  # the last committed state
        assert service.search(SearchRequest("Latvia")).total >= 1

        index_disk.free()
        # no write needed: the next search mends the index (tried every few seconds)
        assert service.search(SearchRequest("Romania")).total >= 1
        assert agreeing_sources(service) == {"icpa.txt", "europris.txt"}
        assert not service.index.stale
        removed, missing = service.remove(["nothing-by-this-name.txt"])  # any write
        assert (removed, missing) == ([], ["nothing-by-this-name.txt"])
        assert agreeing_sources(service) == {"icpa.txt", "europris.txt"}
        assert service.search(SearchRequest("Romania")).total >= 1
        assert not service.index.stale


def test_a_service_opened_on_a_full_disk_answers_reads_and_takes_writes_once_freed(
    disk: SmallDisk, inputs: Path, extractor: Extractor
) -> None:
    settings = Settings.from_env(environ={}, data_dir=disk.root / "data")
    with PracticeGraphService(settings, extractor=extractor) as service:
        service.ingest([inputs / "icpa.txt"])
    disk.fill()
    with PracticeGraphService(settings, extractor=extractor) as service:
        assert agreeing_sources(service) == {"icpa.txt"}
        assert service.search(SearchRequest("Latvia")).total >= 1
        disk.free()
        assert service.ingest([inputs / "europris.txt"]).added == ["europris.txt"]
        assert agreeing_sources(service) == {"icpa.txt", "europris.txt"}


@pytest.mark.slow
def test_the_cli_ingest_on_a_full_disk_ends_with_one_error_line_not_a_traceback(
    disk: SmallDisk, inputs: Path, extractor: Extractor
) -> None:
    settings = Settings.from_env(environ={}, data_dir=disk.root / "data")
    with PracticeGraphService(settings, extractor=extractor) as service:
        service.ingest([inputs / "icpa.txt"])
    disk.fill()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    done = subprocess.run(
        [sys.executable, "-m", "practicegraph", "ingest", str(inputs / "europris.txt")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "PRACTICEGRAPH_DATA": str(settings.data_dir)},
        check=False,
    )
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error: "), done.stderr
    assert "disk" in lines[-1] and "full" in lines[-1], lines[-1]
    assert str(disk.root) not in done.stderr, done.stderr
    disk.free()
    with PracticeGraphService(settings, extractor=extractor) as service:
        assert agreeing_sources(service) == {"icpa.txt"}
