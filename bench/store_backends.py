"""Store backends side by side: the project's /sparql on the embedded store and on an
Oxigraph server, next to that bare Oxigraph server and bare pyoxigraph.

What is compared, in one run, on the same synthetic graph (``api_bench.generate``:
seeded N-Quads of about ``--triples`` quads in the project's graph shape) with the
same queries (``api_bench.queries``: the five-query mix plus a trivial query for the
fixed cost of a request):

1. **project /sparql, embedded**: ``python -m practicegraph serve`` as a
   subprocess on its own data directory ``WORK/project`` (the N-Quads bulk-loaded
   into ``WORK/project/store``, then the service opened once in-process, which
   installs the ontology graph and builds the keyword index, as
   ``bench/api_bench.py`` does).
2. **project /sparql, on server**: the same command with
   ``PRACTICEGRAPH_STORE_BACKEND=sparql`` and its data directory
   ``WORK/project-server`` (only the keyword index, built by ``practicegraph
   reindex`` with the server settings), pointing at
3. **Oxigraph server /query**: ``oxigraph serve --union-default-graph`` (started by
   ``tests/sparql_servers.py``'s ``start_oxigraph``) on ``WORK/oxigraph/store``,
   filled by ``oxigraph load`` with the same N-Quads before it first starts and
   compacted by ``oxigraph optimize`` (after the reindex's writes, before the
   measuring start), as the other two stores are by ``Store.optimize()``: a store
   straight from ``oxigraph load`` answered the heavy queries 1.2-1.4x slower
   here. Queried directly as well.
4. **pyoxigraph in-process**: ``Store.query(q, use_default_graph_as_union=True)``
   plus pyoxigraph's SPARQL JSON serialiser on ``WORK/bare/store`` (the same
   N-Quads, bulk-loaded), for reference.

Both project instances run with the result cache off
(``PRACTICEGRAPH_QUERY_CACHE_BYTES=0``: the timed calls repeat each query),
``PRACTICEGRAPH_MAX_ROWS=1000000`` (every peer returns every row), time limits of
300 s (``PRACTICEGRAPH_QUERY_TIMEOUT``, ``..._MAX_QUERY_TIMEOUT`` and
``..._ANONYMOUS_MAX_QUERY_TIMEOUT``: the requests carry no token) and
``PRACTICEGRAPH_SEARCH_SEMANTIC=false`` (a quick index build).

Each query is run once on every peer (warm-up; the row counts of all peers must
agree, and are recorded), then ``--repeat`` times; within each repeat every query
runs on every peer back to back, in an order rotated by one peer each repeat, so
that drifts in the (shared) machine's load reach all peers alike. HTTP timings are
client-side (httpx, one keep-alive client, GET with
``Accept: application/sparql-results+json``) until the body is read. Reported per
query: the median ms of each peer, and the ratios project-on-server / bare server
and project-embedded / bare pyoxigraph. A query that fails on a peer is recorded
with the peer's exact answer and left out of that peer's timings. Results go to
``bench/results/store_backends.json`` (machine info included) and a table is
printed.

    .venv/bin/python bench/store_backends.py                       # 1M triples, ~9 min here
    .venv/bin/python bench/store_backends.py --triples 100000 --repeat 5
    .venv/bin/python bench/store_backends.py --reuse               # keep WORK's data and index

Every process listens on a free loopback port and is stopped at the end; every
loop is bounded in count or time.
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
from collections.abc import Callable
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
from sparql_servers import RunningServer, start_oxigraph  # noqa: E402

RESULTS = BENCH_DIR / "results" / "store_backends.json"
DEFAULT_WORK = Path("/tmp/pg-store-bench")  # noqa: S108 - scratch data, not secrets
PY = sys.executable
OXIGRAPH = str(Path(PY).parent / "oxigraph")
LOOKUP_DOC = 42  # the document of the IRI lookup, as in api_bench.py
ACCEPT = "application/sparql-results+json"
TIME_LIMIT_S = "300"
MAX_ROWS = "1000000"
TRIVIAL = "trivial (fixed cost)"

EMBEDDED = "project embedded"
ON_SERVER = "project on server"
BARE_SERVER = "bare server"
BARE_PY = "bare pyoxigraph"
PEERS = (EMBEDDED, ON_SERVER, BARE_SERVER, BARE_PY)
DESCRIPTIONS = {
    EMBEDDED: "the project's /sparql, embedded store (python -m practicegraph serve)",
    ON_SERVER: "the project's /sparql, store_backend=sparql on the Oxigraph server below",
    BARE_SERVER: "oxigraph serve --union-default-graph, its /query endpoint directly",
    BARE_PY: "pyoxigraph Store.query(use_default_graph_as_union=True) + JSON serialiser, "
    "in-process",
}


# -- environment and processes --------------------------------------------------------
def project_env(data_dir: Path, query_url: str | None = None) -> dict[str, str]:
    """The environment of a project process: no PRACTICEGRAPH_* setting from outside,
    then the benchmark's own (and the server backend's when ``query_url`` is given)."""
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
    if query_url is not None:
        base = query_url.rsplit("/", 1)[0]
        env |= {
            "PRACTICEGRAPH_STORE_BACKEND": "sparql",
            "PRACTICEGRAPH_SPARQL_QUERY_URL": query_url,
            "PRACTICEGRAPH_SPARQL_UPDATE_URL": f"{base}/update",
            "PRACTICEGRAPH_SPARQL_GRAPH_STORE_URL": f"{base}/store",
        }
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


# -- data -----------------------------------------------------------------------------
def prepare_work(work: Path) -> None:
    """An empty WORK: a directory of this script's (its stamp) is cleared, any other
    non-empty one refused."""
    if work.exists() and any(work.iterdir()):
        if not (work / "stamp.json").exists():
            raise SystemExit(f"{work} is not empty and not this benchmark's; choose --work")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)


def build_data(work: Path, triples: int, phases: dict[str, float]) -> dict[str, Any]:
    """Generate the N-Quads and fill the embedded project, the bare pyoxigraph store and
    the Oxigraph server's store (the server-backed index is built later, server up,
    and the server's store compacted after that)."""
    data_nq, subset = work / "data.nq", work / "subset.nq"
    print(f"generating ~{triples:,} quads ...", flush=True)
    data = generate(data_nq, subset, triples, 0)
    subset.unlink(missing_ok=True)
    phases["generate_s"] = data["seconds"]
    print(f"  {data}", flush=True)
    for name, target in (
        ("project", work / "project" / "store"),
        ("bare", work / "bare" / "store"),
    ):
        started = time.perf_counter()
        quads = bulk_load_store(data_nq, target)
        phases[f"bulk_load_{name}_s"] = round(time.perf_counter() - started, 1)
        print(f"  bulk_load {name}: {quads:,} quads, {phases[f'bulk_load_{name}_s']} s", flush=True)

    # the service opens the embedded directory: ontology graph + keyword index
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

    server_dir = work / "oxigraph"
    server_dir.mkdir()
    phases["oxigraph_load_s"] = run_logged(
        [OXIGRAPH, "load", "--location", str(server_dir / "store"), "--file", str(data_nq)],
        dict(os.environ),
        server_dir / "load.log",
        3600,
    )
    print(f"  oxigraph load: {phases['oxigraph_load_s']} s", flush=True)
    return data


def reindex_on_server(work: Path, query_url: str, phases: dict[str, float]) -> str:
    """``practicegraph reindex`` for the server-backed data directory (server up)."""
    data_dir = work / "project-server"
    data_dir.mkdir(exist_ok=True)
    log = work / "reindex-server.log"
    phases["server_reindex_s"] = run_logged(
        [PY, "-m", "practicegraph", "reindex", "--data", str(data_dir)],
        project_env(data_dir, query_url),
        log,
        7200,
    )
    said = log.read_text(errors="replace").strip().splitlines()
    print(f"  practicegraph reindex on server: {phases['server_reindex_s']} s", flush=True)
    return said[-1] if said else ""


# -- peers and timing -------------------------------------------------------------------
class PeerError(RuntimeError):
    """A peer's answer was not a 200 with SPARQL JSON results; the text is its answer."""


@dataclass
class Peer:
    """One thing to time: ``run(query)`` returns the answer's body."""

    name: str
    run: Callable[[str], bytes]
    times: dict[str, list[float]] = field(default_factory=dict)


def http_peer(name: str, client: httpx.Client, url: str) -> Peer:
    def run(query: str) -> bytes:
        response = client.get(url, params={"query": query}, headers={"Accept": ACCEPT})
        if response.status_code != 200:
            raise PeerError(f"HTTP {response.status_code}: {response.text}")
        return response.content

    return Peer(name, run)


def pyoxigraph_peer(store: ox.Store) -> Peer:
    return Peer(BARE_PY, lambda query: bare_run(store, query)[0])


def bindings_of(body: bytes) -> list[dict[str, Any]]:
    try:
        bindings = json.loads(body)["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PeerError(f"not SPARQL JSON results ({exc}): {body[:500]!r}") from exc
    return list(bindings)


def rotated(names: list[str], shift: int) -> list[str]:
    shift %= len(names) or 1
    return names[shift:] + names[:shift]


def measure(qs: dict[str, str], peers: list[Peer], repeat: int) -> dict[str, Any]:
    """Warm-up (row counts, errors), then ``repeat`` interleaved, rotated rounds."""
    by_name = {peer.name: peer for peer in peers}
    order = [peer.name for peer in peers]
    rows: dict[str, dict[str, int]] = {q: {} for q in qs}
    sizes: dict[str, dict[str, int]] = {q: {} for q in qs}
    digests: dict[str, dict[str, str]] = {q: {} for q in qs}
    errors: dict[str, dict[str, str]] = {q: {} for q in qs}
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
            canonical = sorted(json.dumps(b, sort_keys=True) for b in bindings)
            digests[qname][name] = hashlib.sha256("\n".join(canonical).encode()).hexdigest()
            by_name[name].times[qname] = []
        counts = set(rows[qname].values())
        assert len(counts) <= 1, f"{qname}: the peers' row counts differ: {rows[qname]}"
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
    return {
        "latency": latency,
        "rows": rows,
        "same_bindings": {q: len(set(d.values())) <= 1 for q, d in digests.items()},
        "errors": {q: e for q, e in errors.items() if e},
    }


# -- report -----------------------------------------------------------------------------
def ratio(latency: dict[str, Any], over: str, under: str) -> float | None:
    if over not in latency or under not in latency or not latency[under]["median_ms"]:
        return None
    return round(float(latency[over]["median_ms"]) / float(latency[under]["median_ms"]), 2)


def summarise(report: dict[str, Any]) -> None:
    """Ratios per query and over the five-query mix (sum of medians); print a table."""
    lat = report["latency"]
    report["ratios"] = {
        qname: {
            "project_on_server_over_bare_server": ratio(row, ON_SERVER, BARE_SERVER),
            "project_embedded_over_bare_pyoxigraph": ratio(row, EMBEDDED, BARE_PY),
            "project_on_server_over_project_embedded": ratio(row, ON_SERVER, EMBEDDED),
            "bare_server_over_bare_pyoxigraph": ratio(row, BARE_SERVER, BARE_PY),
        }
        for qname, row in lat.items()
    }
    mix = [q for q in lat if q != TRIVIAL]
    totals = {
        name: round(sum(lat[q][name]["median_ms"] for q in mix), 2)
        for name in PEERS
        if all(name in lat[q] for q in mix)
    }
    mix_row = {name: {"median_ms": ms} for name, ms in totals.items()}
    report["five_query_mix"] = {
        "queries": mix,
        "sum_of_medians_ms": totals,
        "project_on_server_over_bare_server": ratio(mix_row, ON_SERVER, BARE_SERVER),
        "project_embedded_over_bare_pyoxigraph": ratio(mix_row, EMBEDDED, BARE_PY),
        "project_on_server_over_project_embedded": ratio(mix_row, ON_SERVER, EMBEDDED),
    }

    def cell(row: dict[str, Any], name: str) -> str:
        return f"{row[name]['median_ms']:.2f}" if name in row else "ERROR"

    def times(value: float | None) -> str:
        return f"{value:.2f}x" if value is not None else "-"

    print(
        f"\nMedian ms of {report['settings']['repeat']} runs, "
        f"{report['data']['quads']:,} quads ({report['data']['documents']:,} documents)"
    )
    header = ("query", "rows", "embedded", "on server", "bare srv", "pyoxigr",
              "srv/bare", "emb/pyox")  # fmt: skip
    line = "{:28} {:>6} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9}"
    print(line.format(*header))
    for qname, row in lat.items():
        r = report["ratios"][qname]
        counts = set(report["rows"][qname].values())
        print(line.format(
            qname[:28], counts.pop() if len(counts) == 1 else "?",
            *(cell(row, name) for name in PEERS),
            times(r["project_on_server_over_bare_server"]),
            times(r["project_embedded_over_bare_pyoxigraph"]),
        ))  # fmt: skip
    m = report["five_query_mix"]
    print(line.format(
        "five-query mix (sum)", "",
        *(f"{totals[name]:.2f}" if name in totals else "ERROR" for name in PEERS),
        times(m["project_on_server_over_bare_server"]),
        times(m["project_embedded_over_bare_pyoxigraph"]),
    ))  # fmt: skip
    print("srv/bare = project on server / bare server; emb/pyox = project embedded / pyoxigraph")
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


def machine_info() -> dict[str, Any]:
    server = subprocess.run(
        [OXIGRAPH, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pyoxigraph": ox.__version__,
        "oxigraph_server": server,
        "httpx": httpx.__version__,
        "git_commit": git_commit(),
        # others may be editing src/ while this runs: what was measured, exactly
        "src_sha256": hashlib.sha256(
            b"".join(p.read_bytes() for p in sorted((ROOT / "src").rglob("*.py")))
        ).hexdigest(),
    }


# -- main ---------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query and peer")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument(
        "--reuse", action="store_true", help="keep WORK's data, stores and indexes if they match"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not 1 <= args.repeat <= 200 or not 1_000 <= args.triples <= 20_000_000:
        parser.error("--repeat must be 1..200 and --triples 1,000..20,000,000 (bounded load)")
    work: Path = args.work.resolve()
    stamp = work / "stamp.json"
    want = {"triples": args.triples, "seed": SEED}
    report: dict[str, Any] = {
        "settings": {"triples": args.triples, "repeat": args.repeat, "work": str(work)},
        "machine": machine_info(),
        "peers": DESCRIPTIONS,
        "project_environment": {
            name: {
                k: v
                for k, v in env.items()
                if k.startswith("PRACTICEGRAPH_") and k != "PRACTICEGRAPH_DATA"
            }
            for name, env in (
                (EMBEDDED, project_env(work / "project")),
                (ON_SERVER, project_env(work / "project-server", "http://127.0.0.1:PORT/query")),
            )
        },
    }
    phases: dict[str, float] = {}
    saved = json.loads(stamp.read_text()) if stamp.exists() else {}
    reuse = args.reuse and saved.get("want") == want
    if args.reuse and not reuse:
        print(f"{work} does not hold a finished run at these settings: building", flush=True)
    if reuse:
        report["data"], phases = saved["data"], saved["phases"]
        print(f"reusing {work} ({report['data']['quads']:,} quads)", flush=True)
    else:
        prepare_work(work)
        # marks WORK as this benchmark's (prepare_work clears it next time); no "want"
        # until every part is built
        stamp.write_text(json.dumps({"building": want}))
        report["data"] = build_data(work, args.triples, phases)

    qs = queries(lookup_doc=LOOKUP_DOC)
    server_dir = work / "oxigraph"
    oxigraph: RunningServer | None = None
    servers: list[Server] = []
    client = httpx.Client(timeout=httpx.Timeout(float(TIME_LIMIT_S) + 30, connect=10))
    bare_store: ox.Store | None = None
    try:
        if not reuse:
            oxigraph = start_oxigraph(server_dir, ready_timeout=300)
            said = reindex_on_server(work, oxigraph.server.query_url, phases)
            report["data"]["server_reindex_said"] = said
            oxigraph.stop()
            oxigraph = None
            phases["oxigraph_optimize_s"] = run_logged(
                [OXIGRAPH, "optimize", "--location", str(server_dir / "store")],
                dict(os.environ),
                server_dir / "optimize.log",
                3600,
            )
            print(f"  oxigraph optimize: {phases['oxigraph_optimize_s']} s", flush=True)
            stamp.write_text(json.dumps({"want": want, "data": report["data"], "phases": phases}))
        oxigraph = start_oxigraph(server_dir, ready_timeout=300)
        query_url = oxigraph.server.query_url
        print(f"Oxigraph server at {query_url}", flush=True)
        embedded = start_project(
            "project embedded", project_env(work / "project"), work / "project.log"
        )
        servers.append(embedded)
        on_server = start_project(
            "project on server",
            project_env(work / "project-server", query_url),
            work / "project-server.log",
        )
        servers.append(on_server)
        bare_store = ox.Store.read_only(str(work / "bare" / "store"))
        peers = [
            http_peer(EMBEDDED, client, embedded.base + "/sparql"),
            http_peer(ON_SERVER, client, on_server.base + "/sparql"),
            http_peer(BARE_SERVER, client, query_url),
            pyoxigraph_peer(bare_store),
        ]
        print(f"latency: {len(qs)} queries x {len(peers)} peers x {args.repeat}", flush=True)
        started = time.perf_counter()
        report |= measure(qs, peers, args.repeat)
        phases["measure_s"] = round(time.perf_counter() - started, 1)
        report["rss_mb"] = {EMBEDDED: embedded.rss_mb(), ON_SERVER: on_server.rss_mb()}
    finally:
        client.close()
        for server in servers:
            server.stop()
        if oxigraph is not None:
            oxigraph.stop()
        del bare_store

    report["phases"] = phases
    report["queries"] = qs
    report["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    summarise(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {args.output}")
    if report["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
