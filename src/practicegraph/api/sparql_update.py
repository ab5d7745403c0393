"""The update path of /sparql: check an update, try it in a worker if need be, apply it.

``using-graph-uri``/``using-named-graph-uri`` are the update's dataset (a 400
when the update names its own dataset too): USING / USING NAMED clauses, or the
same protocol parameters for a SPARQL server that refuses those
(:func:`apply_update`); a large or intricate update is first run on an
empty store in a query worker (:func:`trial_run`); then :func:`apply_update`
runs it in one transaction under the service's write lock and brings the
keyword index in step with the graphs it may have written.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from practicegraph.api import sparql_guard, sparql_text
from practicegraph.api.deps import get_service, get_settings
from practicegraph.api.errors import ApiError
from practicegraph.api.protocol import sync_index_after_write
from practicegraph.api.query_runner import (
    QueryBusyError,
    QueryFailedError,
    QueryJob,
    QueryTimeoutError,
)
from practicegraph.api.sparql_request import (
    check_network,
    check_shape,
    does_not_parse,
    get_runner,
    iris,
)
from practicegraph.config import Settings
from practicegraph.errors import QueryError, StorageFullError, StoreError
from practicegraph.graph import sparql_syntax
from practicegraph.graph.sparql_store import SparqlServerStore
from practicegraph.graph.store import GraphStore
from practicegraph.service import PracticeGraphService


async def update(
    request: Request, update: str, values: dict[str, list[str]], endpoint: str
) -> Response:
    """Answer a /sparql update request (the caller has checked the token): 204 when applied."""
    if "default-graph-uri" in values or "named-graph-uri" in values:
        raise ApiError(
            400,
            "default-graph-uri and named-graph-uri belong to queries; "
            "an update's dataset is using-graph-uri and using-named-graph-uri",
        )
    using = iris(values, "using-graph-uri") or []
    using_named = iris(values, "using-named-graph-uri") or []
    if (using or using_named) and sparql_text.names_dataset(update):
        raise ApiError(
            400,
            "the update names its own dataset (USING or WITH) and the request gives "
            "using-graph-uri/using-named-graph-uri: the protocol allows one or the other",
        )
    prepared = sparql_syntax.with_prefixes(update)
    check_shape(prepared.text)
    settings = get_settings(request)
    network = await check_network(prepared.text, update=True, base=endpoint, settings=settings)
    text = sparql_text.with_using(prepared.text, using, using_named)
    if get_runner(request).trial_updates and not sparql_guard.provably_within_limits(text):
        await trial_run(request, text, endpoint, settings)
    service = get_service(request)
    await run_in_threadpool(
        apply_update,
        service,
        prepared.text,
        endpoint,
        calls_out=network.any,
        written=prepared,
        using=using,
        using_named=using_named,
    )
    return Response(status_code=204)


async def trial_run(request: Request, update: str, endpoint: str, settings: Settings) -> None:
    """Run a large or intricate update on an empty store in a worker first.

    Updates run in this process: an update that overflowed the engine's stack
    would take the whole server down. The trial runs the same text in a query
    worker (no network, nothing written); a worker that dies marks the update as
    unsafe, and it is refused before it reaches the store.
    """
    job = QueryJob(update, base_iri=endpoint, trial_update=True)
    try:
        await get_runner(request).run_async(
            job, settings.query_timeout, None, settings.query_queue_timeout
        )
    except QueryFailedError as exc:
        if exc.kind == "crashed":
            raise ApiError(
                400,
                "the update is too complex to run safely: it stopped the SPARQL engine in a "
                "trial run on an empty store (too deeply nested or too long a chain?)",
            ) from None
        # a syntax or evaluation error: the real run reports it as usual
    except QueryTimeoutError:
        raise ApiError(
            400,
            f"the update did not finish a trial run on an empty store within "
            f"{settings.query_timeout:g} s: it is refused rather than run on the store",
        ) from None
    except QueryBusyError as exc:
        raise ApiError(
            503,
            "the service is busy: no worker was free to check this update; try again shortly",
            {"waited": exc.waited},
            headers={"Retry-After": "2"},
        ) from exc


def apply_update(
    service: PracticeGraphService,
    update: str,
    base_iri: str,
    *,
    calls_out: bool = False,
    written: sparql_syntax.Prepared | None = None,
    using: Sequence[str] = (),
    using_named: Sequence[str] = (),
) -> None:
    """Run an update (one transaction) and bring the keyword index in step.

    ``calls_out``: the update calls an allow-listed SERVICE, so the engine's error
    message may quote a remote answer and is not passed on. ``written``: the text as
    its sender wrote it, prepared with the predefined prefixes, for error positions
    in the sender's text.

    ``using`` / ``using_named``: the dataset the protocol gives the update
    (``using-graph-uri`` / ``using-named-graph-uri``). They become USING /
    USING NAMED clauses on each operation with a WHERE
    (:func:`sparql_text.with_using`), which SPARQL 1.1 Update defines to mean
    the same: the embedded engine takes no dataset parameters. A SPARQL server
    that refuses the clauses (Oxigraph server serving the union default graph,
    as the service needs) gets the protocol parameters themselves, in the same
    one request (:meth:`SparqlServerStore.takes_using_clauses` and
    :func:`practicegraph.graph.sparql_store.dataset_form` say why).
    """
    with service.write_lock:
        _apply_update(
            service,
            update,
            base_iri,
            calls_out,
            written or sparql_syntax.Prepared(update, update),
            (list(using), list(using_named)),
        )


def _apply_update(
    service: PracticeGraphService,
    update: str,
    base_iri: str,
    calls_out: bool,
    written: sparql_syntax.Prepared,
    dataset: tuple[list[str], list[str]],
) -> None:
    try:
        _run(service.store, update, base_iri, *dataset)
    except StorageFullError:
        raise
    except (QueryError, StoreError) as exc:
        message = str(exc)
        if isinstance(exc, QueryError) and "does not parse" in message:
            raise does_not_parse("update", message, written) from None
        if calls_out:  # the engine reports a failed SERVICE call as an I/O error
            raise ApiError(
                502,
                "the update calls SERVICE and could not be applied; the remote endpoint's "
                "answer is not shown",
            ) from None
        if not isinstance(exc, QueryError):
            raise
        raise ApiError(400, "the SPARQL update could not be applied", {"reason": message}) from None
    scope = sparql_text.write_scope(update, base_iri)
    sync_index_after_write(service, None if scope.any_graph else sorted(scope.iris))


def _run(
    store: GraphStore, update: str, base_iri: str, using: list[str], using_named: list[str]
) -> None:
    """The update on the store, its protocol dataset given as the store takes it
    (:func:`apply_update`)."""
    given = bool(using or using_named)
    if given and isinstance(store, SparqlServerStore) and not store.takes_using_clauses():
        store.update(update, base_iri=base_iri, using=using, using_named=using_named)
    else:
        store.update(sparql_text.with_using(update, using, using_named), base_iri=base_iri)
