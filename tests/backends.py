"""Store backends for the tests: which ones, their running servers, settings for them.

See tests/conftest.py for how the suite runs once per backend.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import sparql_servers
from practicegraph.config import Settings
from practicegraph.graph.factory import open_store
from practicegraph.graph.sparql_store import DEFAULT_STANDIN, VERSION_GRAPH, SparqlServerStore
from sparql_servers import RunningServer, SparqlServer

ALL_BACKENDS = ("embedded", "oxigraph", "virtuoso")
#: What the suite runs on unless PRACTICEGRAPH_TEST_BACKENDS says otherwise.
DEFAULT_BACKENDS = ALL_BACKENDS
#: The servers' own time limit on a query (s).
SERVER_QUERY_TIMEOUT = 15
BACKENDS = [
    name.strip()
    for name in os.environ.get("PRACTICEGRAPH_TEST_BACKENDS", ",".join(DEFAULT_BACKENDS)).split(",")
    if name.strip()
]


class ServerPool:
    """The running servers of one test, per backend and slot (an instance, and the other
    organisation of the exchange tests).

    Oxigraph servers are fresh and in memory for each test (about 0.2 s to start);
    Virtuoso's take seconds to start, so two per session are kept in ``shared`` and
    emptied before each test instead.
    """

    def __init__(self, root: Path, shared: dict[str, list[RunningServer]]) -> None:
        self.root = root
        self.shared = shared
        self.own: dict[tuple[str, int], RunningServer] = {}

    def get(self, backend: str, slot: int) -> SparqlServer:
        missing = sparql_servers.available(backend)
        if missing is not None:
            if os.environ.get("PRACTICEGRAPH_REQUIRE_SERVERS") == "1":
                pytest.fail(f"the {backend} server is required here: {missing}")
            pytest.skip(f"no {backend} server: {missing}")
        if backend == "oxigraph":
            running = self.own.get((backend, slot))
            if running is None:
                running = sparql_servers.start_oxigraph(
                    self.root / f"{backend}-{slot}", timeout_s=SERVER_QUERY_TIMEOUT, in_memory=True
                )
                self.own[(backend, slot)] = running
            return running.server
        servers = self.shared.setdefault(backend, [])
        if not servers:
            for index in range(2):
                servers.append(start_shared_virtuoso(self.root / f"{backend}-{index}"))
        running = servers[slot]
        if not running.running():  # a test brought it down: the next ones get it back
            servers[slot] = running = start_shared_virtuoso(self.root / f"{backend}-{slot}")
        return running.server

    def close(self) -> None:
        """Stop this test's own servers (the shared ones outlive it)."""
        for running in self.own.values():
            running.stop()
        self.own.clear()


#: ResultSetMaxRows of the shared Virtuoso servers: the service needs answers as large
#: as its store (all names, for reconciliation), so a deployment raises Virtuoso's
#: default of 10,000 as the README says; tests of the default start their own.
SERVICE_MAX_ROWS = 1_000_000


def start_shared_virtuoso(directory: Path) -> RunningServer:
    return sparql_servers.start_virtuoso(directory, max_rows=SERVICE_MAX_ROWS)


def stop_all(shared: dict[str, list[RunningServer]]) -> None:
    for servers in shared.values():
        for running in servers:
            running.stop()


def server_settings(server: SparqlServer, data: Path, **overrides: Any) -> Settings:
    return Settings.from_env(
        environ={},
        data_dir=data,
        store_backend="sparql",
        sparql_query_url=server.query_url,
        sparql_update_url=server.update_url,
        sparql_graph_store_url=server.graph_store_url,
        sparql_user=server.user,
        sparql_password=server.password,
        sparql_auth=server.auth or "basic",
        sparql_ignored_graphs=",".join(server.ignored_graphs),
        **overrides,
    )


def emptied(settings: Settings, default_graph: bool = True) -> Settings:
    """The server of ``settings`` with every graph of ours (and its default graph, where
    it has one of its own) emptied."""
    store = open_store(settings)
    try:
        if default_graph:
            store.update("CLEAR SILENT DEFAULT")
        assert isinstance(store, SparqlServerStore)
        store.drop_stale_staging(older_than_s=0)
        graphs = [*store.named_graphs(), VERSION_GRAPH, DEFAULT_STANDIN]
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    finally:
        store.close()
    return settings


def settings_for(
    backend: str, pool: ServerPool, data: Path, slot: int = 0, **overrides: Any
) -> Settings:
    if backend == "embedded":
        return Settings.from_env(environ={}, data_dir=data, **overrides)
    server = pool.get(backend, slot)
    return emptied(server_settings(server, data, **overrides), server.has_default_graph)


def backend_environment(settings: Settings) -> dict[str, str]:
    """The PRACTICEGRAPH_* variables that point a CLI at the store server of ``settings``."""
    names = (
        "store_backend",
        "sparql_query_url",
        "sparql_update_url",
        "sparql_graph_store_url",
        "sparql_user",
        "sparql_password",
        "sparql_auth",
        "sparql_ignored_graphs",
    )
    return {
        f"PRACTICEGRAPH_{name.upper()}": str(getattr(settings, name))
        for name in names
        if getattr(settings, name) is not None
    }
