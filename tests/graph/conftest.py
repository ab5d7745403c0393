"""Store fixtures shared by the graph tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from practicegraph.graph.factory import open_local_store
from practicegraph.graph.store import GraphStore

#: The backends the contract tests run against.
BACKENDS = ["embedded"]


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A fresh, empty store of each backend."""
    store = open_local_store(tmp_path / "store")
    yield store
    store.close()
