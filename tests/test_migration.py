"""Moving a data directory from the embedded store onto a SPARQL server, as the README
says: export, load into the server, point the settings at it, reindex."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path
from typing import IO, cast

import pytest

import sparql_servers
from backends import server_settings
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.search import SearchRequest
from practicegraph.service import PracticeGraphService


@pytest.mark.embedded_only  # from the embedded store to a server it starts itself
def test_a_data_directory_moves_onto_oxigraph_server_without_losing_anything(
    corpus_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    missing = sparql_servers.available("oxigraph")
    if missing is not None:
        pytest.skip(missing)
    dump = tmp_path / "all.nq.gz"
    with (
        PracticeGraphService(corpus_settings, extractor=extractor) as before,
        gzip.open(dump, "wb") as handle,
    ):
        before.export(cast(IO[bytes], handle), "nquads")
        stats_before = before.stats()
        hits_before = before.search(SearchRequest(query="probation")).total
    server_dir = tmp_path / "server"
    server_dir.mkdir()
    binary = sparql_servers.oxigraph_binary()
    assert binary is not None
    loaded = subprocess.run(
        [binary, "load", "--location", str(server_dir / "store"), "--file", str(dump)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert loaded.returncode == 0, loaded.stderr
    with sparql_servers.start_oxigraph(server_dir) as running:
        moved = server_settings(running.server, tmp_path / "moved").with_(
            token=corpus_settings.token
        )
        with PracticeGraphService(moved, extractor=extractor) as after:
            after.reindex()
            assert after.stats() == stats_before
            assert after.search(SearchRequest(query="probation")).total == hits_before
            exported = tmp_path / "again.nq.gz"
            with gzip.open(exported, "wb") as handle:
                after.export(cast(IO[bytes], handle), "nquads")
    with gzip.open(dump) as first, gzip.open(exported) as second:
        assert first.read() == second.read(), "the export is the same, byte for byte"
