"""The one place that knows which store backend is behind :class:`GraphStore`.

The service's store comes from :func:`open_store`, chosen by the setting
``store_backend``: the embedded Oxigraph store in the data directory, or an
existing SPARQL 1.1 server. Scratch stores -- the staging store an import is
parsed and checked in, the quarantine that keeps a failing import apart -- come
from :func:`open_local_store`: they are working space on this machine whatever
serves the main store, so they are always the embedded backend.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from practicegraph.config import Settings
from practicegraph.errors import QueryError, StoreError
from practicegraph.graph.oxigraph_store import OxigraphStore
from practicegraph.graph.sparql_store import SparqlServerStore
from practicegraph.graph.store import GraphStore

log = logging.getLogger(__name__)


def open_store(
    settings: Settings, *, read_only: bool = False, lock: threading.RLock | None = None
) -> GraphStore:
    """The service's store, as the settings say.

    ``lock`` is the service's write lock, which the embedded store also takes to
    reopen itself after a full disk. ``read_only`` opens the embedded store for
    reading; a server's permissions are the server's business. A writable embedded
    store records this process beside it (``store.holder.json``), so that another
    process refused the lock can say who holds it (:mod:`practicegraph.graph.lock_holder`).
    """
    if settings.store_backend == "sparql":
        assert settings.sparql_query_url and settings.sparql_update_url  # noqa: S101 - validated
        server = SparqlServerStore(
            settings.sparql_query_url,
            settings.sparql_update_url,
            user=settings.sparql_user,
            password=settings.sparql_password,
            auth=settings.sparql_auth,
            ignored_graph_prefixes=settings.sparql_ignored_graph_prefixes,
            graph_store_url=settings.sparql_graph_store_url,
        )
        if not read_only:
            try:
                dropped = server.drop_stale_staging()
            except (StoreError, QueryError) as exc:  # the first real request will say it again
                log.warning("could not look for stale staging graphs on the server: %s", exc)
            else:
                if dropped:
                    log.warning("dropped %d staging graphs a failed write left", len(dropped))
        return server
    store_dir = settings.store_dir
    holder_file = store_dir.with_name(store_dir.name + ".holder.json")
    return OxigraphStore(store_dir, read_only=read_only, lock=lock, holder_file=holder_file)


def open_local_store(path: Path | None, *, read_only: bool = False) -> GraphStore:
    """A scratch store on local disk at ``path`` (in memory when None)."""
    return OxigraphStore(path, read_only=read_only)
