"""Imports that failed validation, kept apart on request (``--quarantine``).

A quarantined import lives in a store of its own (``data_dir/quarantine``)
that queries and search never read; researchers can inspect it with a SPARQL
query of its own (``practicegraph sources quarantine``, ``POST
/sources/quarantine/sparql``). A source has at most one quarantined import:
the newest replaces any other, and removing the source removes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import URIRef

from practicegraph.errors import StoreError
from practicegraph.graph.factory import open_local_store
from practicegraph.graph.iris import IriMinter
from practicegraph.graph.store import GraphStore, QueryAnswer


class Quarantine:
    """The quarantine store of one data directory, opened only while used: the
    caller serialises writers (one RocksDB opener at a time)."""

    def __init__(self, data_dir: Path, iris: IriMinter) -> None:
        self.path = data_dir / "quarantine"
        self.iris = iris

    def keep(self, source: str, quads: Iterable[ox.Quad]) -> None:
        """Replace the source's quarantined import by ``quads`` (in its own graphs)."""
        self.drop(source)
        self.load(quads)

    def load(self, quads: Iterable[ox.Quad]) -> None:
        """Add ``quads`` as they are (graph names included): a backup's quarantine."""
        store = open_local_store(self.path)
        try:
            store.bulk_extend(quads)
            store.flush()
        finally:
            store.close()

    def drop(self, source: str) -> None:
        """Forget the source's quarantined import, if any."""
        if not self.path.is_dir():
            return
        store = open_local_store(self.path)
        try:
            prefix = self.iris.import_graph_prefix(source)
            for graph in store.named_graphs():
                if graph.startswith(prefix):
                    store.drop_graph(URIRef(graph))
            store.flush()
        finally:
            store.close()

    def query(self, sparql: str) -> QueryAnswer:
        """A read-only SPARQL query over the quarantined imports only."""
        store = self._open_read_only()
        try:
            return store.query(sparql)
        finally:
            store.close()

    def write_answer(self, sparql: str, output: IO[bytes], fmt: str) -> str:
        """:meth:`query`, serialised (see GraphStore.write_answer)."""
        store = self._open_read_only()
        try:
            return store.write_answer(sparql, output, fmt)
        finally:
            store.close()

    def dump(self, output: IO[bytes]) -> bool:
        """Write everything in quarantine as N-Quads (for a backup); False when nothing
        was ever kept apart."""
        if not self.path.is_dir():
            return False
        store = self._open_read_only()
        try:
            store.dump(output, "nquads")
        finally:
            store.close()
        return True

    def _open_read_only(self) -> GraphStore:
        if not self.path.is_dir():
            raise StoreError("nothing is in quarantine (no import was kept apart)")
        return open_local_store(self.path, read_only=True)
