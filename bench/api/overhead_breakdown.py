"""Where the project's per-query overhead goes, piece by piece, in one process.

Times, on an existing project data directory (made by ``bench/api_bench.py``),
the steps that ``/sparql`` adds to a bare ``store.query`` + serialise, for the
10-row query of the throughput runs:

* ``sparql_text.service_endpoints`` (the SERVICE allow-list check, a Python tokenizer);
* the worker round trip: ``QueryRunner.run`` (thread hand-off excluded: called
  directly), i.e. JSON request over a pipe, the query in the worker, the Python
  SPARQL JSON serialiser, the answer back;
* the worker's Python serialiser alone next to pyoxigraph's native one.

    .venv/bin/python bench/api/overhead_breakdown.py /tmp/pg-api-bench/project \
        bench/results/api_breakdown.json
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from api_bench import WRK_QUERY
from practicegraph.api import sparql_text
from practicegraph.api.query_runner import QueryJob, QueryRunner
from practicegraph.graph.oxigraph_store import OxigraphStore
from practicegraph.graph.snapshot_worker import serialize_solutions


def timed(fn: Any, n: int) -> float:
    """Median microseconds of ``n`` calls, after 3 warm-up calls."""
    for _ in range(3):
        fn()
    values = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        values.append(time.perf_counter() - started)
    return round(statistics.median(values) * 1e6, 1)


def main() -> None:
    data_dir, output = Path(sys.argv[1]), Path(sys.argv[2])
    store = OxigraphStore(data_dir / "store", read_only=True)
    raw = store._store
    query = WRK_QUERY
    trivial = "SELECT ?x WHERE { VALUES ?x { 1 } }"
    out: dict[str, Any] = {}

    def bare(q: str) -> bytes:
        r = raw.query(q, use_default_graph_as_union=True)
        return r.serialize(format=ox.QueryResultsFormat.JSON) or b""

    def rows(q: str) -> tuple[list[str], list[list[Any]]]:
        r = raw.query(q, use_default_graph_as_union=True)
        names = [v.value for v in r.variables]
        return names, [[s[v] for v in names] for s in r]

    names, solution_rows = rows(query)
    out["bare query + native JSON, 10 rows (us)"] = timed(lambda: bare(query), 300)
    out["bare query + native JSON, trivial (us)"] = timed(lambda: bare(trivial), 300)
    out["bare query, iterate rows, no serialise (us)"] = timed(lambda: rows(query), 300)
    out["worker's Python JSON serialiser, 10 rows (us)"] = timed(
        lambda: serialize_solutions("json", names, solution_rows), 300
    )
    out["service_endpoints check (us)"] = timed(
        lambda: sparql_text.service_endpoints(query, "http://127.0.0.1/sparql"), 300
    )
    snapshots = Path(tempfile.mkdtemp(prefix="pg-breakdown-"))
    runner = QueryRunner(store, snapshots / "s", workers=1)
    try:
        for name, q in (("10 rows", query), ("trivial", trivial)):
            job = QueryJob(query=q, base_iri="http://127.0.0.1/sparql", results="json")
            out[f"QueryRunner.run round trip, {name} (us)"] = timed(
                lambda j=job: runner.run(j, 10), 300
            )
    finally:
        runner.close()
        shutil.rmtree(snapshots, ignore_errors=True)
    store.close()
    for key, value in out.items():
        print(f"{key:55} {value:10.1f}")
    output.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
