"""Store backends side by side: the project's /sparql on the embedded store, on an
Oxigraph server and on Virtuoso, next to those bare servers and bare pyoxigraph.

What is compared, in one run, on the same synthetic graph (``api_bench.generate``:
seeded N-Quads of about ``--triples`` quads in the project's graph shape) with the
same queries (``api_bench.queries``: the five-query mix plus a trivial query for the
fixed cost of a request), by these peers (``--peers`` picks some; all by default):

1. **project /sparql, embedded** (``embedded``): ``python -m practicegraph serve``
   as a subprocess on its own data directory ``WORK/project`` (the N-Quads
   bulk-loaded into ``WORK/project/store``, then the service opened once
   in-process, which installs the ontology graph and builds the keyword index, as
   ``bench/api_bench.py`` does).
2. **project /sparql, on the Oxigraph server** (``on-oxigraph``): the same command
   with ``PRACTICEGRAPH_STORE_BACKEND=sparql`` and its data directory
   ``WORK/project-oxigraph`` (only the keyword index, built by ``practicegraph
   reindex`` with the server settings), pointing at
3. **Oxigraph server /query** (``oxigraph``): ``oxigraph serve
   --union-default-graph`` (started by ``tests/sparql_servers.py``'s
   ``start_oxigraph``) on ``WORK/oxigraph/store``, filled by ``oxigraph load`` with
   the same N-Quads before it first starts and compacted by ``oxigraph optimize``
   (after the reindex's writes, before the measuring start), as the other two
   stores are by ``Store.optimize()``: a store straight from ``oxigraph load``
   answered the heavy queries 1.2-1.4x slower here. Queried directly as well.
4. **pyoxigraph in-process** (``pyoxigraph``): ``Store.query(q,
   use_default_graph_as_union=True)`` plus pyoxigraph's SPARQL JSON serialiser on
   ``WORK/bare/store`` (the same N-Quads, bulk-loaded), for reference.
5. **Virtuoso /sparql** (``virtuoso``): Virtuoso 7.2 (``virtuoso-t``, Debian's
   package) started by ``tests/sparql_servers.py``'s ``start_virtuoso`` on
   ``WORK/virtuoso`` with ``ResultSetMaxRows`` 2,000,000 and
   ``MaxQueryExecutionTime`` 300 s (so no answer is cut short) and otherwise that
   module's small configuration (a 160 MB buffer pool, two threads per query; the
   ini it wrote is recorded in the results). Filled through the project's own
   backend, ``SparqlServerStore.bulk_extend``: Graph Store Protocol POSTs of
   N-Triples, one graph per request and at most 50,000 statements, to
   ``/sparql-graph-crud-auth`` with digest authentication as dba. After the
   reindex's writes it is checkpointed (``isql-vt``: ``checkpoint;``, the nearest
   thing to compaction, so that the restart does not replay the whole load from
   its transaction log). Queried directly at its ``/sparql``.
6. **project /sparql, on Virtuoso** (``on-virtuoso``): the project with
   ``PRACTICEGRAPH_STORE_BACKEND=sparql`` on that Virtuoso (query URL
   ``/sparql``, update URL ``/sparql-auth``, Graph Store URL
   ``/sparql-graph-crud-auth``, digest authentication as dba, Virtuoso's three
   system graphs ignored) and its data directory ``WORK/project-virtuoso``, its
   keyword index built by ``practicegraph reindex`` with those settings.

All project instances run with the result cache off
(``PRACTICEGRAPH_QUERY_CACHE_BYTES=0``: the timed calls repeat each query),
``PRACTICEGRAPH_MAX_ROWS=1000000`` (every peer returns every row), time limits of
300 s (``PRACTICEGRAPH_QUERY_TIMEOUT``, ``..._MAX_QUERY_TIMEOUT`` and
``..._ANONYMOUS_MAX_QUERY_TIMEOUT``: the requests carry no token) and
``PRACTICEGRAPH_SEARCH_SEMANTIC=false`` (a quick index build).

Each query is run once on every peer (warm-up; the row counts of all peers must
agree, and are recorded), then ``--repeat`` times; within each repeat every query
runs on every peer back to back, in an order rotated by one peer each repeat, so
that drifts in the (shared) machine's load reach all peers alike. Virtuoso's union
default graph also holds its own system graphs (about 2,500 triples), so a
Virtuoso peer may return more rows than the others: such a difference is accepted
only when the query, run on Virtuoso with those graphs excluded (``NOT FROM``,
Virtuoso's extension), gives the others' count, and it is recorded per query
under ``row_differences``; any other difference fails the run. Whether the
answers are the same (bindings compared as sorted sets, Virtuoso's
``typed-literal`` read as ``literal``) is recorded under ``same_bindings``, with
the groups of peers that agree where they do not all. HTTP timings are
client-side (httpx, one keep-alive client, GET with
``Accept: application/sparql-results+json``) until the body is read; an answer
that is not a 200, or that Virtuoso marks as cut short (``X-SPARQL-MaxRows``,
``X-SQL-State``), is a failure. Reported per query: the median ms of each peer,
and the ratios project / bare for each backend, Virtuoso / Oxigraph server for
the bare servers and the project on each. A query that fails on a peer is
recorded with the peer's exact answer and left out of that peer's timings.
Results go to ``bench/results/store_backends.json`` (machine info included) and a
table is printed.

    .venv/bin/python bench/store_backends.py                       # 1M triples, all peers
    .venv/bin/python bench/store_backends.py --triples 100000 --repeat 5
    .venv/bin/python bench/store_backends.py --peers virtuoso,on-virtuoso,oxigraph
    .venv/bin/python bench/store_backends.py --reuse               # keep WORK's data and index

With ``--reuse``, what WORK already holds for these settings is kept and only the
parts the chosen peers still lack are built. Every process listens on a free
loopback port and is stopped at the end; every loop is bounded in count or time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from api_bench import SEED, Server, bare_run, bulk_load_store, free_port, generate, queries
from machine import cpu_model

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "tests"))
from sparql_servers import (  # type: ignore[import-not-found, unused-ignore]  # noqa: E402
    VIRTUOSO_SYSTEM_GRAPHS,
    RunningServer,
    SparqlServer,
    start_oxigraph,
    start_virtuoso,
)

RESULTS = BENCH_DIR / "results" / "store_backends.json"
DEFAULT_WORK = Path("/tmp/pg-store-bench")  # noqa: S108 - scratch data, not secrets
PY = sys.executable
OXIGRAPH = str(Path(PY).parent / "oxigraph")
VIRTUOSO = "/usr/bin/virtuoso-t"
ISQL = "/usr/bin/isql-vt"
LOOKUP_DOC = 42  # the document of the IRI lookup, as in api_bench.py
ACCEPT = "application/sparql-results+json"
TIME_LIMIT_S = "300"
MAX_ROWS = "1000000"
VIRTUOSO_MAX_ROWS = 2_000_000  # above every answer's rows: Virtuoso cuts answers there
TRIVIAL = "trivial (fixed cost)"
LAYOUT = 2  # of WORK; a WORK of another layout is rebuilt

EMBEDDED = "project embedded"
ON_OXIGRAPH = "project on Oxigraph server"
BARE_OXIGRAPH = "bare Oxigraph server"
BARE_PY = "bare pyoxigraph"
ON_VIRTUOSO = "project on Virtuoso"
BARE_VIRTUOSO = "bare Virtuoso"
PEERS = (EMBEDDED, ON_OXIGRAPH, BARE_OXIGRAPH, BARE_PY, ON_VIRTUOSO, BARE_VIRTUOSO)
#: ``--peers`` names
PEER_KEYS = {
    "embedded": EMBEDDED,
    "on-oxigraph": ON_OXIGRAPH,
    "oxigraph": BARE_OXIGRAPH,
    "pyoxigraph": BARE_PY,
    "on-virtuoso": ON_VIRTUOSO,
    "virtuoso": BARE_VIRTUOSO,
}
VIRTUOSO_PEERS = frozenset({ON_VIRTUOSO, BARE_VIRTUOSO})
DESCRIPTIONS = {
    EMBEDDED: "the project's /sparql, embedded store (python -m practicegraph serve)",
    ON_OXIGRAPH: "the project's /sparql, store_backend=sparql on the Oxigraph server below",
    BARE_OXIGRAPH: "oxigraph serve --union-default-graph, its /query endpoint directly",
    BARE_PY: "pyoxigraph Store.query(use_default_graph_as_union=True) + JSON serialiser, "
    "in-process",
    ON_VIRTUOSO: "the project's /sparql, store_backend=sparql on the Virtuoso below "
    "(digest auth as dba, Virtuoso's system graphs ignored)",
    BARE_VIRTUOSO: "Virtuoso 7.2 (virtuoso-t), its /sparql endpoint directly",
}
#: What each peer needs built in WORK, in the order they are built.
PARTS = ("data", "embedded", "pyoxigraph", "oxigraph", "oxigraph-index", "virtuoso",
         "virtuoso-index")  # fmt: skip
NEEDS = {
    EMBEDDED: {"data", "embedded"},
    ON_OXIGRAPH: {"data", "oxigraph", "oxigraph-index"},
    BARE_OXIGRAPH: {"data", "oxigraph"},
    BARE_PY: {"data", "pyoxigraph"},
    ON_VIRTUOSO: {"data", "virtuoso", "virtuoso-index"},
    BARE_VIRTUOSO: {"data", "virtuoso"},
}
#: Per-query ratios reported: name -> (over, under), by median.
RATIOS = {
    "project_on_oxigraph_over_bare_oxigraph": (ON_OXIGRAPH, BARE_OXIGRAPH),
    "project_embedded_over_bare_pyoxigraph": (EMBEDDED, BARE_PY),
    "project_on_oxigraph_over_project_embedded": (ON_OXIGRAPH, EMBEDDED),
    "bare_oxigraph_over_bare_pyoxigraph": (BARE_OXIGRAPH, BARE_PY),
    "project_on_virtuoso_over_bare_virtuoso": (ON_VIRTUOSO, BARE_VIRTUOSO),
    "bare_virtuoso_over_bare_oxigraph": (BARE_VIRTUOSO, BARE_OXIGRAPH),
    "project_on_virtuoso_over_project_on_oxigraph": (ON_VIRTUOSO, ON_OXIGRAPH),
}


# -- environment and processes --------------------------------------------------------
def project_env(data_dir: Path, server: SparqlServer | None = None) -> dict[str, str]:
    """The environment of a project process: no PRACTICEGRAPH_* setting from outside,
    then the benchmark's own (and the server backend's when ``server`` is given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    env |= {
        "PYTHONUNBUFFERED": "1",
        "PRACTICEGRAPH_DATA": str(data_dir),
        "PRACTICEGRAPH_SEARCH_SEMANTIC": "false",
        "PRACTICEGRAPH_QUERY_CACHE_BYTES": "0",
        "PRACTICEGRAPH_MAX_ROWS": MAX_ROWS,
        "PRACTICEGRAPH_QUERY_TIMEOUT": TIME_LIMIT_S,
        "PRACTICEGRAPH_MAX_QUERY_TIMEOUT": TIME_LIMIT_S,
        "PRACTICEGRAPH_ANONYMOUS_MAX_QUERY_TIMEOUT": TIME_LIMIT_S,
    }
    if server is not None:
        env |= {
            "PRACTICEGRAPH_STORE_BACKEND": "sparql",
            "PRACTICEGRAPH_SPARQL_QUERY_URL": server.query_url,
            "PRACTICEGRAPH_SPARQL_UPDATE_URL": server.update_url,
        }
        if server.graph_store_url is not None:
            env["PRACTICEGRAPH_SPARQL_GRAPH_STORE_URL"] = server.graph_store_url
        if server.user is not None:
            env["PRACTICEGRAPH_SPARQL_USER"] = server.user
            env["PRACTICEGRAPH_SPARQL_PASSWORD"] = server.password or ""
        if server.auth is not None:
            env["PRACTICEGRAPH_SPARQL_AUTH"] = server.auth
        if server.ignored_graphs:
            env["PRACTICEGRAPH_SPARQL_IGNORED_GRAPHS"] = ",".join(server.ignored_graphs)
    return env


def start_project(name: str, env: dict[str, str], log: Path) -> Server:
    """``practicegraph serve`` on a free loopback port; a new port if the first was
    taken meanwhile (at most three tries)."""
    failure = ""
    for _attempt in range(3):
        port = free_port()
        argv = [PY, "-m", "practicegraph", "serve", "--port", str(port),
                "--data", env["PRACTICEGRAPH_DATA"]]  # fmt: skip
        server = Server(name, argv, port, log, env)
        try:
            server.wait_ready("/sparql?query=" + quote("ASK {}"), 600)
            return server
        except RuntimeError as exc:
            server.stop()
            failure = str(exc)
            if "already in use" not in log.read_text(errors="replace").lower():
                break
    raise RuntimeError(f"{name} did not start: {failure}")


def run_logged(argv: list[str], env: dict[str, str], log: Path, limit_s: float) -> float:
    """Run a command to completion (at most ``limit_s``), output to ``log``; seconds."""
    started = time.perf_counter()
    with log.open("ab") as out:
        done = subprocess.run(
            argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, timeout=limit_s,
            check=False,
        )  # fmt: skip
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"{argv[:3]} failed ({done.returncode}); {log}:\n{tail}")
    return round(time.perf_counter() - started, 1)


def start_virtuoso_here(work: Path) -> RunningServer:
    """Virtuoso on ``WORK/virtuoso`` with limits no answer of the mix reaches."""
    return start_virtuoso(
        work / "virtuoso",
        max_rows=VIRTUOSO_MAX_ROWS,
        max_query_execution_time=int(TIME_LIMIT_S),
        ready_timeout=600,  # a restart without a checkpoint replays the transaction log
    )


def virtuoso_checkpoint(running: RunningServer, log: Path) -> float:
    """``checkpoint;`` through ``isql-vt`` on the server's SQL port; seconds."""
    ini = (running.directory / "virtuoso.ini").read_text(encoding="utf-8")
    sql_port = next(
        line.split("=", 1)[1].strip()
        for line in ini.splitlines()
        if line.replace(" ", "").startswith("ServerPort=")
    )  # the first ServerPort is [Parameters]' (SQL), as sparql_servers.py writes it
    seconds = run_logged([ISQL, sql_port, "dba", "dba", "exec=checkpoint;"],
                         dict(os.environ), log, 1800)  # fmt: skip
    if "error" in log.read_text(errors="replace").lower():
        raise RuntimeError(f"Virtuoso's checkpoint failed: see {log}")
    return seconds


def rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


# -- data -----------------------------------------------------------------------------
def prepare_work(work: Path) -> None:
    """An empty WORK: a directory of this script's (its stamp) is cleared, any other
    non-empty one refused."""
    if work.exists() and any(work.iterdir()):
        if not (work / "stamp.json").exists():
            raise SystemExit(f"{work} is not empty and not this benchmark's; choose --work")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)


def fresh_dir(path: Path) -> Path:
    """``path`` emptied (a part left half-built by an earlier run is built again)."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def build_data(work: Path, triples: int, phases: dict[str, float]) -> dict[str, Any]:
    """Generate the N-Quads (``WORK/data.nq``)."""
    data_nq, subset = work / "data.nq", work / "subset.nq"
    print(f"generating ~{triples:,} quads ...", flush=True)
    data = generate(data_nq, subset, triples, 0)
    subset.unlink(missing_ok=True)
    phases["generate_s"] = data["seconds"]
    print(f"  {data}", flush=True)
    return data


def build_bare(work: Path, name: str, phases: dict[str, float]) -> Path:
    """The N-Quads bulk-loaded into a new pyoxigraph store ``WORK/<name>/store``."""
    target = fresh_dir(work / name) / "store"
    started = time.perf_counter()
    quads = bulk_load_store(work / "data.nq", target)
    phases[f"bulk_load_{name}_s"] = round(time.perf_counter() - started, 1)
    print(f"  bulk_load {name}: {quads:,} quads, {phases[f'bulk_load_{name}_s']} s", flush=True)
    return target


def build_embedded(work: Path, data: dict[str, Any], phases: dict[str, float]) -> None:
    """The embedded project: the store bulk-loaded, then the service opened once
    (ontology graph + keyword index) and the store compacted."""
    build_bare(work, "project", phases)
    from practicegraph.config import Settings
    from practicegraph.graph.oxigraph_store import OxigraphStore
    from practicegraph.service import PracticeGraphService

    started = time.perf_counter()
    settings = Settings.from_env(environ=project_env(work / "project"))
    with PracticeGraphService(settings) as service:
        # the state an ingest or import leaves: compacted
        assert isinstance(service.store, OxigraphStore)
        service.store.optimize()
        phases["embedded_open_and_index_s"] = round(time.perf_counter() - started, 1)
        data["embedded_stats"] = service.stats()
        data["embedded_indexed_documents"] = len(service.index_repair.reindexed)
    print(f"  embedded open + index: {phases['embedded_open_and_index_s']} s", flush=True)


def build_oxigraph(work: Path, phases: dict[str, float]) -> None:
    """The Oxigraph server's store, filled by ``oxigraph load`` (compacted later)."""
    server_dir = fresh_dir(work / "oxigraph")
    phases["oxigraph_load_s"] = run_logged(
        [OXIGRAPH, "load", "--location", str(server_dir / "store"), "--file",
         str(work / "data.nq")],
        dict(os.environ),
        server_dir / "load.log",
        3600,
    )  # fmt: skip
    print(f"  oxigraph load: {phases['oxigraph_load_s']} s", flush=True)


def oxigraph_optimize(work: Path, phases: dict[str, float]) -> None:
    server_dir = work / "oxigraph"
    phases["oxigraph_optimize_s"] = run_logged(
        [OXIGRAPH, "optimize", "--location", str(server_dir / "store")],
        dict(os.environ),
        server_dir / "optimize.log",
        3600,
    )
    print(f"  oxigraph optimize: {phases['oxigraph_optimize_s']} s", flush=True)


def virtuoso_load(work: Path, server: SparqlServer, phases: dict[str, float]) -> int:
    """The N-Quads into Virtuoso through the project's backend (Graph Store Protocol
    POSTs, one graph and at most 50,000 statements each, digest auth); quads sent."""
    from practicegraph.graph.sparql_store import SparqlServerStore

    store = SparqlServerStore(
        server.query_url,
        server.update_url,
        user=server.user,
        password=server.password,
        auth=server.auth or "basic",
        ignored_graph_prefixes=server.ignored_graphs,
        graph_store_url=server.graph_store_url,
    )
    sent = 0

    def counted(quads: Iterable[ox.Quad]) -> Iterable[ox.Quad]:
        nonlocal sent
        for quad in quads:
            sent += 1
            yield quad

    started = time.perf_counter()
    try:
        with (work / "data.nq").open("rb") as source:
            store.bulk_extend(counted(ox.parse(source, ox.RdfFormat.N_QUADS)))
    finally:
        store.close()
    phases["virtuoso_load_s"] = round(time.perf_counter() - started, 1)
    print(f"  virtuoso load (Graph Store Protocol): {sent:,} quads, "
          f"{phases['virtuoso_load_s']} s", flush=True)  # fmt: skip
    return sent


def reindex_on_server(work: Path, name: str, server: SparqlServer, phases: dict[str, float]) -> str:
    """``practicegraph reindex`` for ``WORK/project-<name>`` on ``server`` (running)."""
    data_dir = fresh_dir(work / f"project-{name}")
    log = work / f"reindex-{name}.log"
    phases[f"{name}_reindex_s"] = run_logged(
        [PY, "-m", "practicegraph", "reindex", "--data", str(data_dir)],
        project_env(data_dir, server),
        log,
        7200,
    )
    said = log.read_text(errors="replace").strip().splitlines()
    print(f"  practicegraph reindex on {name}: {phases[f'{name}_reindex_s']} s", flush=True)
    return said[-1] if said else ""


def build(
    work: Path, triples: int, parts: set[str], state: dict[str, Any], save: Callable[[], None]
) -> None:
    """Build the ``parts`` WORK lacks (``state["built"]``), saving after each."""
    data: dict[str, Any] = state["data"]
    phases: dict[str, float] = state["phases"]
    built: list[str] = state["built"]

    def done(part: str) -> None:
        built.append(part)
        save()

    missing = [part for part in PARTS if part in parts and part not in built]
    if missing and not (work / "data.nq").exists():
        if "data" in built:  # the N-Quads were removed: generated again (seeded)
            built.remove("data")
        missing = [part for part in PARTS if part in parts and part not in built]
    for part in missing:
        if part in ("oxigraph", "virtuoso") and f"{part}-index" in built:
            built.remove(f"{part}-index")  # a new store: the index is built on it again
        if part == "data":
            data |= build_data(work, triples, phases)
        elif part == "embedded":
            build_embedded(work, data, phases)
        elif part == "pyoxigraph":
            build_bare(work, "bare", phases)
        elif part == "oxigraph":
            build_oxigraph(work, phases)
        elif part == "oxigraph-index":
            with start_oxigraph(work / "oxigraph", ready_timeout=300) as running:
                data["oxigraph_reindex_said"] = reindex_on_server(
                    work, "oxigraph", running.server, phases
                )
        elif part == "virtuoso":
            fresh_dir(work / "virtuoso")
            with start_virtuoso_here(work) as running:
                data["virtuoso_loaded_quads"] = virtuoso_load(work, running.server, phases)
                phases["virtuoso_checkpoint_after_load_s"] = virtuoso_checkpoint(
                    running, work / "virtuoso-checkpoint.log"
                )
        elif part == "virtuoso-index":
            with start_virtuoso_here(work) as running:
                data["virtuoso_reindex_said"] = reindex_on_server(
                    work, "virtuoso", running.server, phases
                )
                # the reindex's writes, checkpointed as the load was
                phases["virtuoso_checkpoint_after_reindex_s"] = virtuoso_checkpoint(
                    running, work / "virtuoso-checkpoint.log"
                )
        if part == "oxigraph-index" or (part == "oxigraph" and "oxigraph-index" not in parts):
            # compacted after the last write (the load or the reindex's), before measuring
            oxigraph_optimize(work, phases)
        done(part)


# -- peers and timing -------------------------------------------------------------------
class PeerError(RuntimeError):
    """A peer's answer was not a 200 with SPARQL JSON results; the text is its answer."""


@dataclass
class Peer:
    """One thing to time: ``run(query)`` returns the answer's body."""

    name: str
    run: Callable[[str], bytes]
    times: dict[str, list[float]] = field(default_factory=dict)


#: Headers by which Virtuoso marks an answer cut short: its row limit, or an "anytime"
#: partial answer at its time limit.
CUT_SHORT = ("X-SPARQL-MaxRows", "X-SQL-State")


def http_get(client: httpx.Client, url: str, query: str) -> bytes:
    response = client.get(url, params={"query": query}, headers={"Accept": ACCEPT})
    if response.status_code != 200:
        raise PeerError(f"HTTP {response.status_code}: {response.text}")
    cut = {h: response.headers[h] for h in CUT_SHORT if h in response.headers}
    if cut:
        raise PeerError(f"answer cut short ({cut}): {response.text[:500]}")
    return response.content


def http_peer(name: str, client: httpx.Client, url: str) -> Peer:
    return Peer(name, lambda query: http_get(client, url, query))


def pyoxigraph_peer(store: ox.Store) -> Peer:
    return Peer(BARE_PY, lambda query: bare_run(store, query)[0])


def bindings_of(body: bytes) -> list[dict[str, Any]]:
    try:
        bindings = json.loads(body)["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PeerError(f"not SPARQL JSON results ({exc}): {body[:500]!r}") from exc
    return list(bindings)


def digest_of(bindings: list[dict[str, Any]]) -> str:
    """The bindings as a sorted set; Virtuoso's SPARQL 1.0 "typed-literal" as "literal"."""
    canonical = sorted(
        json.dumps(
            {
                var: term | {"type": "literal"} if term.get("type") == "typed-literal" else term
                for var, term in binding.items()
            },
            sort_keys=True,
        )
        for binding in bindings
    )
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


def without_system_graphs(query: str) -> str | None:
    """The query over Virtuoso's union default graph minus its system graphs
    (``NOT FROM``, Virtuoso's extension, before the outer WHERE), or None."""
    at = query.find("WHERE {")
    if at < 0:
        return None
    clauses = " ".join(f"NOT FROM <{g}>" for g in VIRTUOSO_SYSTEM_GRAPHS)
    return f"{query[:at]}{clauses}\n{query[at:]}"


def rotated(names: list[str], shift: int) -> list[str]:
    shift %= len(names) or 1
    return names[shift:] + names[:shift]


def check_rows(
    qname: str,
    query: str,
    counts: dict[str, int],
    virtuoso_rows: Callable[[str], int] | None,
) -> dict[str, Any] | None:
    """Fail unless all peers return as many rows, or the Virtuoso peers differ only by
    Virtuoso's system graphs (then that is returned, to be recorded)."""
    if len(set(counts.values())) <= 1:
        return None
    others = {n: c for n, c in counts.items() if n not in VIRTUOSO_PEERS}
    virtuoso = {n: c for n, c in counts.items() if n in VIRTUOSO_PEERS}
    expected = set(others.values())
    assert len(expected) == 1, f"{qname}: the peers' row counts differ: {counts}"
    assert len(set(virtuoso.values())) == 1, f"{qname}: the Virtuoso peers differ: {counts}"
    narrowed = without_system_graphs(query)
    assert virtuoso_rows is not None and narrowed is not None, f"{qname}: rows differ: {counts}"
    rows = virtuoso_rows(narrowed)
    assert {rows} == expected, (
        f"{qname}: the peers' row counts differ ({counts}), and not only by Virtuoso's "
        f"system graphs (without them Virtuoso gives {rows})"
    )
    print(f"  {qname}: the Virtuoso peers' rows differ by its system graphs only", flush=True)
    return {"rows": counts, "bare_virtuoso_rows_without_system_graphs": rows}


def measure(
    qs: dict[str, str],
    peers: list[Peer],
    repeat: int,
    virtuoso_rows: Callable[[str], int] | None = None,
) -> dict[str, Any]:
    """Warm-up (row counts, errors), then ``repeat`` interleaved, rotated rounds.

    ``virtuoso_rows(query)`` counts the rows of a query on bare Virtuoso (for the row
    check of Virtuoso's system graphs)."""
    by_name = {peer.name: peer for peer in peers}
    order = [peer.name for peer in peers]
    rows: dict[str, dict[str, int]] = {q: {} for q in qs}
    sizes: dict[str, dict[str, int]] = {q: {} for q in qs}
    digests: dict[str, dict[str, str]] = {q: {} for q in qs}
    errors: dict[str, dict[str, str]] = {q: {} for q in qs}
    differences: dict[str, dict[str, Any]] = {}
    for qname, query in qs.items():
        for name in order:
            try:
                body = by_name[name].run(query)
                bindings = bindings_of(body)
            except (PeerError, httpx.HTTPError) as exc:
                errors[qname][name] = str(exc)
                print(f"  ! {name} failed on {qname!r}: {exc}", flush=True)
                continue
            rows[qname][name] = len(bindings)
            sizes[qname][name] = len(body)
            digests[qname][name] = digest_of(bindings)
            by_name[name].times[qname] = []
        difference = check_rows(qname, query, rows[qname], virtuoso_rows)
        if difference is not None:
            differences[qname] = difference
        print(f"  warm-up {qname}: {rows[qname]}", flush=True)
    for n in range(repeat):
        started = time.perf_counter()
        for qname, query in qs.items():
            for name in rotated(order, n):
                peer = by_name[name]
                if qname not in peer.times:
                    continue  # failed at warm-up
                t0 = time.perf_counter()
                peer.run(query)
                peer.times[qname].append(time.perf_counter() - t0)
        print(f"  repeat {n + 1}/{repeat}: {time.perf_counter() - started:.1f} s", flush=True)
    latency: dict[str, dict[str, Any]] = {}
    for qname in qs:
        latency[qname] = {}
        for name in order:
            values = by_name[name].times.get(qname)
            if not values:
                continue
            latency[qname][name] = {
                "median_ms": round(statistics.median(values) * 1000, 2),
                "min_ms": round(min(values) * 1000, 2),
                "max_ms": round(max(values) * 1000, 2),
                "runs": len(values),
                "rows": rows[qname][name],
                "bytes": sizes[qname][name],
                "times_ms": [round(v * 1000, 2) for v in values],
            }
    groups: dict[str, list[list[str]]] = {}
    for qname, by_peer in digests.items():
        grouped: dict[str, list[str]] = {}
        for name, digest in by_peer.items():
            grouped.setdefault(digest, []).append(name)
        if len(grouped) > 1:
            groups[qname] = list(grouped.values())
    return {
        "latency": latency,
        "rows": rows,
        "row_differences": differences,
        "same_bindings": {q: len(set(d.values())) <= 1 for q, d in digests.items()},
        "same_bindings_groups": groups,
        "errors": {q: e for q, e in errors.items() if e},
    }


# -- report -----------------------------------------------------------------------------
def ratio(latency: dict[str, Any], over: str, under: str) -> float | None:
    if over not in latency or under not in latency or not latency[under]["median_ms"]:
        return None
    return round(float(latency[over]["median_ms"]) / float(latency[under]["median_ms"]), 2)


#: Table columns: (heading, peer), then (heading, ratio name).
SHORT = {EMBEDDED: "embedded", ON_OXIGRAPH: "on oxsrv", BARE_OXIGRAPH: "bare oxsrv",
         BARE_PY: "pyoxigr", ON_VIRTUOSO: "on virt", BARE_VIRTUOSO: "bare virt"}  # fmt: skip
SHORT_RATIOS = {
    "project_on_oxigraph_over_bare_oxigraph": "oxs/bare",
    "project_embedded_over_bare_pyoxigraph": "emb/pyox",
    "project_on_virtuoso_over_bare_virtuoso": "virt/bare",
    "bare_virtuoso_over_bare_oxigraph": "bvir/boxs",
}


def summarise(report: dict[str, Any], peers: list[str]) -> None:
    """Ratios per query and over the five-query mix (sum of medians); print a table."""
    lat = report["latency"]
    report["ratios"] = {
        qname: {name: ratio(row, *pair) for name, pair in RATIOS.items()}
        for qname, row in lat.items()
    }
    mix = [q for q in lat if q != TRIVIAL]
    totals = {
        name: round(sum(lat[q][name]["median_ms"] for q in mix), 2)
        for name in peers
        if all(name in lat[q] for q in mix)
    }
    mix_row = {name: {"median_ms": ms} for name, ms in totals.items()}
    report["five_query_mix"] = {
        "queries": mix,
        "sum_of_medians_ms": totals,
    } | {name: ratio(mix_row, *pair) for name, pair in RATIOS.items()}

    def cell(row: dict[str, Any], name: str) -> str:
        return f"{row[name]['median_ms']:.2f}" if name in row else "ERROR"

    def times(value: float | None) -> str:
        return f"{value:.2f}x" if value is not None else "-"

    print(
        f"\nMedian ms of {report['settings']['repeat']} runs, "
        f"{report['data']['quads']:,} quads ({report['data']['documents']:,} documents)"
    )
    header = ["query", "rows", *(SHORT[p] for p in peers), *SHORT_RATIOS.values()]
    line = "{:28} {:>6}" + " {:>10}" * len(peers) + " {:>9}" * len(SHORT_RATIOS)
    print(line.format(*header))
    for qname, row in lat.items():
        r = report["ratios"][qname]
        counts = set(report["rows"][qname].values())
        shown = str(counts.pop()) if len(counts) == 1 else "/".join(map(str, sorted(counts)))
        print(line.format(
            qname[:28], shown,
            *(cell(row, name) for name in peers),
            *(times(r[name]) for name in SHORT_RATIOS),
        ))  # fmt: skip
    m = report["five_query_mix"]
    print(line.format(
        "five-query mix (sum)", "",
        *(f"{totals[name]:.2f}" if name in totals else "ERROR" for name in peers),
        *(times(m[name]) for name in SHORT_RATIOS),
    ))  # fmt: skip
    print("oxs/bare = project on Oxigraph server / bare Oxigraph server; emb/pyox = project "
          "embedded / pyoxigraph;\nvirt/bare = project on Virtuoso / bare Virtuoso; "
          "bvir/boxs = bare Virtuoso / bare Oxigraph server")  # fmt: skip
    for qname, groups in report["same_bindings_groups"].items():
        print(f"{qname}: different answers, peers that agree: {groups}")
    for qname, failures in report["errors"].items():
        for name, text in failures.items():
            print(f"\nERROR {name} on {qname!r}:\n{text}")


# -- machine ------------------------------------------------------------------------------
def git_commit() -> str | None:
    """HEAD's commit, read from .git's files (no git command)."""
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head.removeprefix("ref: ")
        if (git / ref).is_file():
            return (git / ref).read_text().strip()
        for packed in (git / "packed-refs").read_text().splitlines():
            if packed.endswith(" " + ref):
                return packed.split()[0]
    except OSError:
        pass
    return None


def version_of(argv: list[str]) -> str | None:
    """The line of a command's output that names its version."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    lines = (done.stdout + done.stderr).splitlines()
    return next(
        (ln.strip() for ln in lines if "version" in ln.lower()), lines[0] if lines else None
    )


def machine_info() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pyoxigraph": ox.__version__,
        "oxigraph_server": version_of([OXIGRAPH, "--version"]),
        "virtuoso": version_of([VIRTUOSO, "-?"]),
        "httpx": httpx.__version__,
        "git_commit": git_commit(),
        # others may be editing src/ while this runs: what was measured, exactly
        "src_sha256": hashlib.sha256(
            b"".join(p.read_bytes() for p in sorted((ROOT / "src").rglob("*.py")))
        ).hexdigest(),
    }


# -- main ---------------------------------------------------------------------------------
def parse_peers(text: str) -> list[str]:
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in PEER_KEYS]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(
            f"unknown peers {unknown}; choose from {', '.join(PEER_KEYS)}"
        )
    chosen = {PEER_KEYS[k] for k in keys}
    return [p for p in PEERS if p in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query and peer")
    parser.add_argument(
        "--peers",
        type=parse_peers,
        default=list(PEERS),
        help=f"comma-separated, of {','.join(PEER_KEYS)} (default: all)",
    )
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument(
        "--reuse", action="store_true", help="keep WORK's data, stores and indexes if they match"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not 1 <= args.repeat <= 200 or not 1_000 <= args.triples <= 20_000_000:
        parser.error("--repeat must be 1..200 and --triples 1,000..20,000,000 (bounded load)")
    chosen: list[str] = args.peers
    work: Path = args.work.resolve()
    stamp = work / "stamp.json"
    want = {"triples": args.triples, "seed": SEED, "layout": LAYOUT}
    report: dict[str, Any] = {
        "settings": {"triples": args.triples, "repeat": args.repeat, "work": str(work),
                     "peers": [k for k, v in PEER_KEYS.items() if v in chosen]},
        "machine": machine_info(),
        "peers": {name: DESCRIPTIONS[name] for name in chosen},
    }  # fmt: skip
    saved = json.loads(stamp.read_text()) if stamp.exists() else {}
    reuse = args.reuse and saved.get("want") == want
    if args.reuse and not reuse:
        print(f"{work} does not hold a run at these settings: building", flush=True)
    if reuse:
        state = {k: saved[k] for k in ("data", "phases", "built")}
        print(f"reusing {work} (built: {', '.join(state['built'])})", flush=True)
    else:
        prepare_work(work)
        state = {"data": {}, "phases": {}, "built": []}

    def save() -> None:
        # marks WORK as this benchmark's (prepare_work clears it next time)
        stamp.write_text(json.dumps({"want": want} | state))

    save()
    parts = set().union(*(NEEDS[name] for name in chosen))
    build(work, args.triples, parts, state, save)
    report["data"] = state["data"]
    phases: dict[str, float] = dict(state["phases"])

    qs = queries(lookup_doc=LOOKUP_DOC)
    running: dict[str, RunningServer] = {}
    projects: dict[str, Server] = {}
    client = httpx.Client(timeout=httpx.Timeout(float(TIME_LIMIT_S) + 30, connect=10))
    bare_store: ox.Store | None = None
    try:
        if {ON_OXIGRAPH, BARE_OXIGRAPH} & set(chosen):
            running["oxigraph"] = start_oxigraph(work / "oxigraph", ready_timeout=300)
            print(f"Oxigraph server at {running['oxigraph'].server.query_url}", flush=True)
        if VIRTUOSO_PEERS & set(chosen):
            started = time.perf_counter()
            running["virtuoso"] = start_virtuoso_here(work)
            phases["virtuoso_start_s"] = round(time.perf_counter() - started, 1)
            print(f"Virtuoso at {running['virtuoso'].server.query_url}", flush=True)
            report["virtuoso_ini"] = (work / "virtuoso" / "virtuoso.ini").read_text()
        envs = {
            EMBEDDED: ("project", None),
            ON_OXIGRAPH: ("project-oxigraph", "oxigraph"),
            ON_VIRTUOSO: ("project-virtuoso", "virtuoso"),
        }
        report["project_environment"] = {}
        peers: list[Peer] = []
        for name in chosen:
            if name in envs:
                directory, backend = envs[name]
                on = running[backend].server if backend else None
                env = project_env(work / directory, on)
                report["project_environment"][name] = {
                    k: v for k, v in env.items()
                    if k.startswith("PRACTICEGRAPH_") and k != "PRACTICEGRAPH_DATA"
                }  # fmt: skip
                projects[name] = start_project(name, env, work / f"{directory}.log")
                peers.append(http_peer(name, client, projects[name].base + "/sparql"))
            elif name == BARE_OXIGRAPH:
                peers.append(http_peer(name, client, running["oxigraph"].server.query_url))
            elif name == BARE_VIRTUOSO:
                peers.append(http_peer(name, client, running["virtuoso"].server.query_url))
            elif name == BARE_PY:
                bare_store = ox.Store.read_only(str(work / "bare" / "store"))
                peers.append(pyoxigraph_peer(bare_store))
        virtuoso_rows: Callable[[str], int] | None = None
        if "virtuoso" in running:
            url = running["virtuoso"].server.query_url
            virtuoso_rows = lambda q: len(bindings_of(http_get(client, url, q)))  # noqa: E731
        print(f"latency: {len(qs)} queries x {len(peers)} peers x {args.repeat}", flush=True)
        started = time.perf_counter()
        report |= measure(qs, peers, args.repeat, virtuoso_rows)
        phases["measure_s"] = round(time.perf_counter() - started, 1)
        report["rss_mb"] = {name: server.rss_mb() for name, server in projects.items()} | {
            f"{name} server": rss_mb(server.pid) for name, server in running.items()
        }
    finally:
        client.close()
        for project in projects.values():
            project.stop()
        for runner in running.values():
            runner.stop()
        del bare_store

    report["phases"] = phases
    report["queries"] = qs
    report["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    summarise(report, chosen)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {args.output}")
    if report["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
