"""What running a SPARQL query takes, gives back and raises, whoever runs it.

Shared by the worker pool over the embedded store's snapshots
(:mod:`practicegraph.api.query_runner`), the runner on a SPARQL server
(:mod:`practicegraph.api.server_queries`) and the endpoint that calls either
(:mod:`practicegraph.api.sparql`) through :class:`QueryExecutor`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from practicegraph.graph.store import GraphStore


class QueryTimeoutError(Exception):
    """The query did not finish in its time limit (its worker has been replaced)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query did not finish within its time limit of {seconds:g} s")
        self.seconds = seconds


class QueryBusyError(Exception):
    """No worker became free while the query waited in line; it never started."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"no query worker became free within {waited:g} s")
        self.waited = waited


class QueryAbandonedError(Exception):
    """The caller stopped the query (its client went away); its worker was replaced."""

    def __init__(self) -> None:
        super().__init__("the query was stopped: its client went away")


class Abandonable(Protocol):
    """A query under way that its caller can give up on (a worker's, a server's)."""

    def abandon(self) -> None: ...


class QueryStop:
    """A caller's way to stop its query while it runs (or before it starts).

    The HTTP route fires it when the client disconnects: the worker is killed and
    replaced, as after a timeout, instead of computing an answer nobody will read
    for up to the query's time limit.
    """

    def __init__(self) -> None:
        self.stopped = False
        self._exchange: Abandonable | None = None

    def stop(self) -> None:
        self.stopped = True
        if self._exchange is not None:
            self._exchange.abandon()

    def _bind(self, exchange: Abandonable) -> None:
        self._exchange = exchange
        if self.stopped:
            exchange.abandon()


class QueryFailedError(Exception):
    """The query did not parse (``syntax``) or could not be evaluated (``failed``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class QueryJob:
    query: str
    base_iri: str | None = None
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    results: str = "json"  # json | xml | csv | tsv
    graph: str = "turtle"  # turtle | nt | jsonld | rdfxml
    max_rows: int = 10_000
    #: ``query`` is an update, to be tried on an empty store (snapshot_worker.trial_update)
    trial_update: bool = False


@dataclass(frozen=True)
class QueryOutcome:
    kind: str  # solutions | boolean | graph
    media_type: str
    payload: bytes
    truncated: bool
    rows: int


class QueryExecutor(Protocol):
    """What the SPARQL endpoint needs to run queries: the worker pool over the embedded
    store's snapshots (:class:`practicegraph.api.query_runner.QueryRunner`), or the
    store's own SPARQL server (:class:`practicegraph.api.server_queries.ServerQueryRunner`)."""

    #: Whether updates must first be tried on an empty store (they run in this process).
    trial_updates: bool

    @property
    def store(self) -> GraphStore: ...

    async def run_async(
        self,
        job: QueryJob,
        timeout: float,
        stop: QueryStop | None = None,
        queue_timeout: float | None = None,
    ) -> QueryOutcome: ...
    def run(
        self, job: QueryJob, timeout: float, queue_timeout: float | None = None
    ) -> QueryOutcome: ...
    def worker_pids(self) -> list[int]: ...
    def close(self) -> None: ...
    async def aclose(self) -> None:
        """:meth:`close` from the event loop (the app's shutdown)."""
        ...
