"""Store fixtures shared by the graph tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backends import ServerPool, settings_for
from practicegraph.graph.factory import open_local_store, open_store
from practicegraph.graph.store import GraphStore


@pytest.fixture
def any_store(tmp_path: Path, store_backend: str, server_pool: ServerPool) -> Iterator[GraphStore]:
    """A fresh, empty store of each backend (the embedded one, each running server)."""
    if store_backend == "embedded":
        store = open_local_store(tmp_path / "store")
    else:
        store = open_store(settings_for(store_backend, server_pool, tmp_path / "data"))
    yield store
    store.close()
