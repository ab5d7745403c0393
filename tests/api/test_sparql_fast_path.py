"""The /sparql fast path and the event-loop query runner keep every rule of the slow path.

``GET``/``POST /sparql`` skip FastAPI's router (``SparqlFastPath``); the query
waits for its worker on the event loop (``QueryRunner.run_async``); the worker
writes SPARQL JSON as text. These tests hold each of those to what the route
promised before: the same answers, the same error envelope, CORS and gzip, and
the limits.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from practicegraph.api import sparql
from practicegraph.api.query_pool import WorkerPool as _Pool
from practicegraph.api.query_runner import (
    QueryAbandonedError,
    QueryBusyError,
    QueryJob,
    QueryOutcome,
    QueryRunner,
    QueryStop,
    QueryTimeoutError,
)
from practicegraph.graph.oxigraph_store import OxigraphStore
from practicegraph.graph.snapshot_worker import _json_term, serialize_solutions

SELECT = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"


def test_get_and_post_sparql_take_the_fast_path(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = sparql.handle

    async def spy(scope, receive, send):  # type: ignore[no-untyped-def]
        calls.append(scope["method"])
        await original(scope, receive, send)

    monkeypatch.setattr(sparql, "handle", spy)
    assert client.get("/sparql", params={"query": SELECT}).status_code == 200
    assert client.post("/sparql", data={"query": SELECT}).status_code == 200
    assert client.get("/sparql/", params={"query": SELECT}).status_code == 200
    assert calls == ["GET", "POST", "GET"]
    # other methods go through the router, and keep its envelope
    response = client.put("/sparql", content=b"x")
    assert response.status_code == 405 and response.json()["error"]["status"] == 405
    assert calls == ["GET", "POST", "GET"]


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"query": SELECT, "format": "csv"}}),
        (
            "GET",
            {"params": {"query": SELECT}, "headers": {"Accept": "application/sparql-results+xml"}},
        ),
        ("POST", {"data": {"query": SELECT}}),
        ("POST", {"content": SELECT, "headers": {"Content-Type": "application/sparql-query"}}),
        ("GET", {"params": {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", "format": "nt"}}),
        ("GET", {"params": {"query": "SELECT nonsense"}}),
        ("POST", {"content": b"x", "headers": {"Content-Type": "text/plain"}}),
        ("POST", {"data": {"update": "CLEAR ALL"}}),
    ],
)
def test_the_fast_path_answers_like_the_router(
    client: TestClient, method: str, kwargs: dict[str, object]
) -> None:
    """With a root_path the request goes through FastAPI's router: same answer."""
    fast = client.request(method, "/sparql", **kwargs)  # type: ignore[arg-type]
    routed_client = TestClient(client.app, root_path="/behind-a-proxy")
    routed = routed_client.request(method, "/sparql", **kwargs)  # type: ignore[arg-type]
    assert fast.status_code == routed.status_code
    assert fast.headers["content-type"] == routed.headers["content-type"]
    assert fast.headers.get("vary") == routed.headers.get("vary")
    assert fast.content == routed.content


@pytest.mark.parametrize(
    ("params", "headers", "status"),
    [
        ({"query": "SELECT nonsense"}, {}, 400),
        ({"query": "ASK {}", "timeout": "0"}, {}, 400),
        ({"query": "ASK {}", "format": "nope"}, {}, 400),
        ({"query": "ASK {}"}, {"Accept": "image/png"}, 406),
        ({"query": "ASK {}", "default-graph-uri": "not an iri"}, {}, 400),
        ({"query": ["ASK {}", "ASK {}"]}, {}, 400),
    ],
)
def test_fast_path_errors_keep_the_envelope(
    client: TestClient, params: dict[str, object], headers: dict[str, str], status: int
) -> None:
    response = client.get("/sparql", params=params, headers=headers)  # type: ignore[arg-type]
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert body["error"]["message"]


def test_fast_path_unexpected_errors_are_a_500_envelope(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(client.app.state.queries, "run_async", broken)  # type: ignore[attr-defined]
    plain = TestClient(client.app, raise_server_exceptions=False)
    response = plain.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 500
    assert response.json()["error"]["message"].startswith("internal error")


def test_fast_path_keeps_cors_and_gzip(client: TestClient) -> None:
    big = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"
    response = client.get(
        "/sparql",
        params={"query": big},
        headers={"Origin": "https://example.org", "Accept-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["results"]["bindings"]
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200


def test_endpoint_is_the_request_url_without_its_query(client: TestClient) -> None:
    """Relative IRIs in a query resolve against the endpoint, whichever Host was asked."""
    for host in ("example.org", "other.example:8080"):
        response = client.get(
            "/sparql",
            params={"query": "SELECT ?x WHERE { BIND(<rel> AS ?x) }"},
            headers={"Host": host},
        )
        value = response.json()["results"]["bindings"][0]["x"]["value"]
        assert value == f"http://{host}/rel"


def test_the_text_json_writer_matches_json_dumps() -> None:
    terms: list[object] = [
        ox.NamedNode("http://e/é?a=b%22c&d=\u00e9"),
        ox.BlankNode("b0"),
        ox.Literal('plain "quoted"\n\t\u2028 \x00 é'),
        ox.Literal("chat", language="fr"),
        ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")),
    ]
    variables = ["a", "b", 'ü"x']
    rows = [[t, None, terms[(i + 2) % len(terms)]] for i, t in enumerate(terms)] + [[None] * 3]
    expected = {
        "head": {"vars": variables},
        "results": {
            "bindings": [
                {n: _json_term(v) for n, v in zip(variables, row, strict=True) if v is not None}
                for row in rows
            ]
        },
    }
    written = serialize_solutions("json", variables, rows)
    assert written == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[QueryRunner]:
    store = OxigraphStore(tmp_path / "store")
    triples = " ".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(2000))
    store.update(f"INSERT DATA {{ GRAPH <http://e/g> {{ {triples} }} }}")
    pool = QueryRunner(store, tmp_path / "snapshots", workers=1)
    yield pool
    pool.close()
    store.close()


SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://e/p> ?x . ?b <http://e/p> ?y . ?c <http://e/p> ?z }"
)
#: Seconds after which a query that should have ended at once counts as hung: far
#: above any wait on a busy machine, far below SLOW's own running time.
HANG = 60.0


def test_run_async_times_out_kills_and_replaces(runner: QueryRunner) -> None:
    before = set(runner.worker_pids())

    async def scenario() -> None:
        with pytest.raises(QueryTimeoutError):  # at its limit, not when SLOW is done
            await asyncio.wait_for(runner.run_async(QueryJob(SLOW), 0.5), HANG)
        ok = await runner.run_async(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 5)
        assert json.loads(ok.payload)["results"]["bindings"][0]["n"]["value"] == "2000"

    asyncio.run(scenario())
    after = set(runner.worker_pids())
    assert len(after) == 1 and not before & after


def test_callers_wait_in_line_for_the_one_worker(runner: QueryRunner) -> None:
    async def scenario() -> list[int]:
        jobs = [QueryJob(f"SELECT ?o WHERE {{ <http://e/s{i}> ?p ?o }}") for i in range(20)]
        outcomes = await asyncio.gather(*(runner.run_async(job, 10) for job in jobs))
        return [
            int(json.loads(o.payload)["results"]["bindings"][0]["o"]["value"]) for o in outcomes
        ]

    assert asyncio.run(scenario()) == list(range(20))
    # the thread path shares the pool
    outcome = runner.run(QueryJob("ASK { <http://e/s1> ?p ?o }"), 5)
    assert json.loads(outcome.payload)["boolean"] is True


def test_a_caller_taking_the_worker_before_the_last_answer_is_read_gets_its_own(
    runner: QueryRunner,
) -> None:
    """The worker goes back to the pool from the pipe's reader, before the answered
    coroutine resumes. A caller that picks it up in that gap (as a new HTTP request
    can) must still get its answer: an early version of the hand-off lost it."""

    def query(i: int) -> QueryJob:
        return QueryJob(f"SELECT ?o WHERE {{ <http://e/s{i}> ?p ?o }}")

    def value(outcome: QueryOutcome) -> int:
        return int(json.loads(outcome.payload)["results"]["bindings"][0]["o"]["value"])

    async def scenario() -> tuple[int, int]:
        first = asyncio.ensure_future(runner.run_async(query(1), 5))
        while runner.idle_workers:  # until the first caller has the worker
            await asyncio.sleep(0)
        # polled once per loop turn, this caller's turn comes before the first
        # caller's coroutine resumes, the moment the worker is idle again
        while not runner.idle_workers:
            await asyncio.sleep(0)
        assert not first.done()
        second = await runner.run_async(query(2), 5)
        return value(await first), value(second)

    for _ in range(10):
        assert asyncio.run(scenario()) == (1, 2)


def test_a_query_that_finds_every_worker_busy_is_told_so(runner: QueryRunner) -> None:
    """Time in line has its own limit and ends in QueryBusyError: the query never
    started, so it is not reported as having overrun its time limit."""

    async def scenario() -> None:
        slow = asyncio.ensure_future(runner.run_async(QueryJob(SLOW), 1.5))
        await asyncio.sleep(0.2)
        with pytest.raises(QueryBusyError):
            await runner.run_async(QueryJob("ASK {}"), 5, queue_timeout=0.3)
        with pytest.raises(QueryTimeoutError):
            await slow

    asyncio.run(scenario())
    assert runner.run(QueryJob("ASK {}"), 5).payload


def test_a_thread_that_finds_every_worker_busy_is_told_so(runner: QueryRunner) -> None:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        slow = pool.submit(runner.run, QueryJob(SLOW), 1.0)
        time.sleep(0.2)
        with pytest.raises(QueryBusyError):
            runner.run(QueryJob("ASK {}"), 5, queue_timeout=0.2)
        with pytest.raises(QueryTimeoutError):
            slow.result()
    assert runner.run(QueryJob("ASK {}"), 5).payload


def test_time_in_line_is_not_taken_from_the_time_limit(runner: QueryRunner) -> None:
    """A query that waited for a worker longer than its own time limit still gets
    its whole limit once it starts (the limit counts from the start)."""

    async def scenario() -> bytes:
        slow = asyncio.ensure_future(runner.run_async(QueryJob(SLOW), 1.0))
        await asyncio.sleep(0.2)
        quick = await runner.run_async(QueryJob("ASK {}"), 0.5, queue_timeout=10)
        with pytest.raises(QueryTimeoutError):
            await slow
        return quick.payload

    assert json.loads(asyncio.run(scenario()))["boolean"] is True


def test_a_write_is_seen_by_the_next_async_query(runner: QueryRunner) -> None:
    async def count() -> str:
        outcome = await runner.run_async(QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 5)
        value: str = json.loads(outcome.payload)["results"]["bindings"][0]["n"]["value"]
        return value

    assert asyncio.run(count()) == "2000"
    runner.store.update("INSERT DATA { GRAPH <http://e/g> { <http://e/x> <http://e/q> 1 } }")
    assert asyncio.run(count()) == "2001"


def test_a_snapshot_deleted_before_its_worker_opens_it_is_replaced(runner: QueryRunner) -> None:
    """A write's pruning can delete the snapshot a caller has just chosen (no lock on
    that path); the query then runs on a fresh one instead of failing."""
    query = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")

    def total(outcome: QueryOutcome) -> str:
        value: str = json.loads(outcome.payload)["results"]["bindings"][0]["n"]["value"]
        return value

    shutil.rmtree(runner.snapshot())  # chosen, then gone before any worker opened it
    assert total(asyncio.run(runner.run_async(query, 5))) == "2000"
    runner.store.update("INSERT DATA { GRAPH <http://e/g> { <http://e/x> <http://e/q> 1 } }")
    shutil.rmtree(runner.snapshot())
    assert total(runner.run(query, 5)) == "2001"


def test_a_caller_cancelled_as_it_is_handed_a_worker_gives_the_worker_back() -> None:
    """Between the hand-over and the caller resuming, a cancellation (shutdown, a
    client gone) must not take the worker with it: the pool would shrink for good."""
    pool = _Pool()
    worker = object()

    async def scenario() -> object | None:
        waiting = asyncio.ensure_future(pool.get(5))
        await asyncio.sleep(0)  # now in line
        pool.put(worker)  # type: ignore[arg-type]  # handed over ...
        waiting.cancel()  # ... and cancelled before it resumed
        with pytest.raises(asyncio.CancelledError):
            await waiting
        return pool.try_get()

    assert asyncio.run(scenario()) is worker


def test_a_thread_caller_that_gives_up_does_not_take_the_next_worker_with_it() -> None:
    pool = _Pool()
    worker = object()
    with pytest.raises(QueryTimeoutError):
        pool.get_blocking(0.05)
    pool.put(worker)  # type: ignore[arg-type]
    assert pool.try_get() is worker


def test_a_thread_caller_is_handed_a_worker_returned_on_the_loop() -> None:
    pool = _Pool()
    worker = object()
    got: list[object] = []
    waiting = threading.Thread(target=lambda: got.append(pool.get_blocking(5)))
    waiting.start()
    while not pool.waiting:  # the thread is in line
        time.sleep(0.01)

    async def give_back() -> None:
        pool.put(worker)  # type: ignore[arg-type]

    asyncio.run(give_back())
    waiting.join(5)
    assert got == [worker] and pool.try_get() is None


def test_a_snapshot_is_never_labelled_newer_than_its_content(runner: QueryRunner) -> None:
    """A write that commits while a replacement checkpoint is being made must be
    seen by the next query, not hidden behind a snapshot labelled as current."""
    query = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    store = runner.store
    checkpoint = store.backup

    def backup_then_write(target: Path) -> None:
        store.backup = checkpoint  # type: ignore[method-assign]  # once
        checkpoint(target)
        store.update("INSERT DATA { GRAPH <http://e/g> { <http://e/late> <http://e/q> 1 } }")

    shutil.rmtree(runner.snapshot())  # the query must make a replacement, during which ...
    store.backup = backup_then_write  # type: ignore[method-assign]  # ... a write lands
    outcome = runner.run(query, 5)
    assert json.loads(outcome.payload)["results"]["bindings"][0]["n"]["value"] == "2001"


def test_a_compaction_moves_the_workers_to_a_new_checkpoint(runner: QueryRunner) -> None:
    before = runner.snapshot()
    generation = runner.store.version
    assert isinstance(runner.store, OxigraphStore) and runner.store.optimize()
    assert runner.store.version == generation  # the data did not change
    assert runner.snapshot() != before  # its files did


def test_a_stopped_query_ends_at_once_and_its_worker_is_replaced(runner: QueryRunner) -> None:
    before = set(runner.worker_pids())

    async def scenario() -> None:
        stop = QueryStop()
        running = asyncio.ensure_future(runner.run_async(QueryJob(SLOW), 10 * HANG, stop))
        await asyncio.sleep(0.3)
        stop.stop()
        with pytest.raises(QueryAbandonedError):  # when stopped, not at its time limit
            await asyncio.wait_for(running, HANG)
        ok = await runner.run_async(QueryJob("ASK { <http://e/s1> ?p ?o }"), 5)
        assert json.loads(ok.payload)["boolean"] is True

    asyncio.run(scenario())
    assert len(runner.worker_pids()) == 1 and not before & set(runner.worker_pids())


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_do_not_outlive_a_server_that_crashes(tmp_path: Path) -> None:
    """A server killed mid-query (no shutdown, no close) takes its workers with it,
    including one started as a replacement from a thread that has since ended."""
    script = f"""
import os, threading, time
from pathlib import Path
from practicegraph.api.query_runner import QueryJob, QueryRunner, QueryTimeoutError
from practicegraph.graph.oxigraph_store import OxigraphStore

store = OxigraphStore(Path({str(tmp_path / "store")!r}))
triples = " ".join(f"<http://e/s{{i}}> <http://e/p> {{i}} ." for i in range(2000))
store.update("INSERT DATA {{ " + triples + " }}")
runner = QueryRunner(store, Path({str(tmp_path / "snapshots")!r}), workers=2)

def replace_then_end():
    try:  # a query over its time limit: its worker is killed and replaced from here
        runner.run(QueryJob({SLOW!r}), 0.5)
    except QueryTimeoutError:
        pass
    time.sleep(1)  # long enough for the new worker to be set up; then this thread ends

replacing = threading.Thread(target=replace_then_end)
replacing.start()
replacing.join()
time.sleep(0.5)
print(" ".join(map(str, runner.worker_pids())), flush=True)
for _ in range(2):  # both workers busy with a query that would run for minutes
    threading.Thread(target=runner.run, args=(QueryJob({SLOW!r}), 300), daemon=True).start()
time.sleep(1)
print(" ".join(map(str, runner.worker_pids())), flush=True)
input()
os._exit(0)  # a crash: no close(), no shutdown, the queries still running
"""
    with subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdout is not None and server.stdin is not None
        after_replacing = [int(pid) for pid in server.stdout.readline().split()]
        assert all(_running(pid) for pid in after_replacing), "a worker died with its thread"
        pids = [int(pid) for pid in server.stdout.readline().split()]
        assert len(pids) == 2 and all(_running(pid) for pid in pids)
        server.stdin.write("\n")
        server.stdin.flush()
        server.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in pids if _running(pid)]
    for pid in survivors:  # never leave them burning a core after a failed run
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "workers outlived their server"
