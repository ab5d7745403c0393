"""Search benchmark, in-process: index build and query latency of the project's search
next to bare tantivy (``bare_tantivy.py``), in the same run, on the same documents.

What it measures, on ``--docs`` synthetic documents of ``--words`` words
(``search_corpus.py``; every fifth document has a practice record):

* build, project: ``replace`` of the engine that ``--engine`` names (default
  tantivy), called with batches of about ``--batch`` (default 1000) records,
  one commit per call, then ``optimize``. The service calls it with 256
  documents at a time.
* build, bare: the same records through one tantivy writer, one commit.
* query, project: ``search(SearchRequest(q, ...))`` -- the full feature set:
  query parsing, spelling correction, synonym and theme expansion,
  phrase/proximity clauses, six facets with counts, filters, highlighted
  snippets, exact totals.
* query, bare: ``BareTantivy.search`` -- top 10, exact total, a body snippet
  per hit and the six facet counts, with tantivy's own query parser.

Queries are warmed up once (which also fills the project's facet cache for
them: the timed rounds measure a service that has seen the query before, as a
paging user does; ``--no-facet-cache`` clears it before every call), then run
``--queries-repeat`` rounds; within a round every query runs through each peer
in turn (interleaved, since the machine is shared). p50/p95 are over all timed
calls. The ratio is project / bare.

    .venv/bin/python bench/search_bench.py --docs 10000
    .venv/bin/python bench/search_bench.py --docs 100000 --queries-repeat 5

Results go to bench/results/search_{engine}_{N}.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from bare_tantivy import BareTantivy
from machine import machine_info
from practicegraph.search import (
    ENGINES,
    SearchIndex,
    SearchRequest,
    SearchVocabulary,
    open_search_index,
)
from search_corpus import QUERIES, SEED, batches, generate

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


# --- building ----------------------------------------------------------------------------


def disk_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def build_project(
    engine: str,
    path: Path,
    docs: list[list[Any]],
    vocabulary: SearchVocabulary,
    batch: int,
    semantic: bool = False,
) -> tuple[SearchIndex, dict[str, Any]]:
    index = open_search_index(engine, path, vocabulary, semantic)
    calls = 0
    start = time.perf_counter()
    cpu = time.process_time()
    for chunk in batches(docs, batch):
        index.replace(chunk)
        calls += 1
    index.optimize()
    seconds = time.perf_counter() - start
    return index, {
        "seconds": round(seconds, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "docs_per_s": round(len(docs) / seconds, 1),
        "replace_calls": calls,
        "records_per_call": batch,
        "disk_mb": disk_mb(path),
    }


def build_bare(path: Path, docs: list[list[Any]]) -> tuple[BareTantivy, dict[str, Any]]:
    bare = BareTantivy(path)
    cpu = time.process_time()
    stats = bare.build(docs)
    stats["cpu_s"] = round(time.process_time() - cpu, 2)
    stats["docs_per_s"] = round(len(docs) / stats["seconds"], 1)
    stats["disk_mb"] = disk_mb(path)
    return bare, stats


# --- querying ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(times_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(times_ms, 0.50), 2),
        "p95_ms": round(percentile(times_ms, 0.95), 2),
        "mean_ms": round(statistics.fmean(times_ms), 2),
        "max_ms": round(max(times_ms), 2),
        "calls": len(times_ms),
    }


def measure_queries(
    project: SearchIndex, bare: BareTantivy, repeat: int, facet_cache: bool
) -> dict[str, Any]:
    def run_project(text: str, filters: dict[str, list[str]]) -> int:
        if not facet_cache:
            project._facet_cache.clear()  # type: ignore[attr-defined]
        return project.search(SearchRequest(text, **filters)).total  # type: ignore[arg-type]

    runners = {
        "project": run_project,
        "bare": lambda text, filters: int(bare.search(text, filters)["total"]),
    }
    per_query: list[dict[str, Any]] = []
    totals: dict[int, dict[str, int]] = {}
    for i, (_, text, filters) in enumerate(QUERIES):  # warm-up, and hit counts
        totals[i] = {name: run(text, filters) for name, run in runners.items()}
    samples: dict[str, dict[int, list[float]]] = {n: {} for n in runners}
    for _ in range(repeat):
        for i, (_, text, filters) in enumerate(QUERIES):
            for name, run in runners.items():
                start = time.perf_counter()
                run(text, filters)
                samples[name].setdefault(i, []).append((time.perf_counter() - start) * 1000)
    for i, (kind, text, filters) in enumerate(QUERIES):
        row: dict[str, Any] = {"kind": kind, "query": text, "filters": filters}
        for name in runners:
            row[f"{name}_p50_ms"] = round(statistics.median(samples[name][i]), 2)
            row[f"{name}_total"] = totals[i][name]
        per_query.append(row)
    overall = {name: summary([t for ts in samples[name].values() for t in ts]) for name in runners}
    ratio = {
        "p50": round(overall["project"]["p50_ms"] / overall["bare"]["p50_ms"], 2),
        "p95": round(overall["project"]["p95_ms"] / overall["bare"]["p95_ms"], 2),
    }
    return {"overall": overall, "ratio": ratio, "per_query": per_query}


def profile_query(
    project: SearchIndex, text: str, filters: dict[str, list[str]], calls: int = 20
) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        project.search(SearchRequest(text, **filters))  # type: ignore[arg-type]
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


# --- reporting ---------------------------------------------------------------------------


def print_report(result: dict[str, Any]) -> None:
    b = result["build"]
    q = result["query"]
    print()
    print(
        f"== {result['config']['docs']} docs x {result['config']['words']} words "
        f"({result['corpus']['records']} records), engine {result['config']['engine']}"
    )
    print(f"{'build':<12}{'seconds':>10}{'CPU s':>10}{'docs/s':>10}{'MB':>8}")
    for name in ("project", "bare"):
        r = b[name]
        print(f"{name:<12}{r['seconds']:>10}{r['cpu_s']:>10}{r['docs_per_s']:>10}{r['disk_mb']:>8}")
    print(f"build time ratio project/bare: {b['ratio_seconds']}")
    print()
    print(f"{'query latency (ms)':<26}{'p50':>10}{'p95':>10}{'mean':>10}{'max':>10}")
    for name, r in q["overall"].items():
        print(f"{name:<26}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['mean_ms']:>10}{r['max_ms']:>10}")
    print(f"ratio project/bare: p50 {q['ratio']['p50']}, p95 {q['ratio']['p95']}")
    print()
    print(f"{'query':<40}{'proj p50':>9}{'bare p50':>9}{'proj hits':>10}{'bare hits':>10}")
    for row in q["per_query"]:
        label = row["query"] + (" " + json.dumps(row["filters"]) if row["filters"] else "")
        print(
            f"{label[:39]:<40}{row['project_p50_ms']:>9}{row['bare_p50_ms']:>9}"
            f"{row['project_total']:>10}{row['bare_total']:>10}"
        )
    if "profile" in result:
        print()
        print(result["profile"])


# --- main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=sorted(ENGINES), default="tantivy")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--queries-repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1000, help="records per replace() call")
    parser.add_argument("--no-facet-cache", action="store_true", help="count facets every time")
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="semantic search on (passage vectors at build, a query embedding per search); "
        "the embedding pass runs at about 85 passages/s here, so keep --docs small",
    )
    parser.add_argument("--profile", action="store_true", help="profile the slowest query")
    parser.add_argument("--keep", type=Path, help="build the indexes here and keep them")
    parser.add_argument(
        "--output", type=Path, help="default: bench/results/search_{engine}_{N}.json"
    )
    args = parser.parse_args(argv)

    machine = machine_info()
    vocabulary = SearchVocabulary.load()
    t0 = time.perf_counter()
    docs = generate(args.docs, args.words, vocabulary)
    gen_seconds = time.perf_counter() - t0
    n_records = sum(len(r) for r in docs)
    body_words = sum(len(r[0].body.split()) for r in docs)
    print(
        f"generated {args.docs} documents ({n_records} records, "
        f"{body_words / args.docs:.0f} body words/doc) in {gen_seconds:.1f} s",
        flush=True,
    )

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="pg_search_bench_"))
    try:
        bare, bare_build = build_bare(workdir / "bare", docs)
        print(f"bare index:    {bare_build}", flush=True)
        project, project_build = build_project(
            args.engine, workdir / "project", docs, vocabulary, args.batch, args.semantic
        )
        print(f"project index: {project_build}", flush=True)
        del docs
        query = measure_queries(project, bare, args.queries_repeat, not args.no_facet_cache)
        result: dict[str, Any] = {
            "benchmark": "search",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "config": {
                "engine": args.engine,
                "tantivy": tantivy.__version__ if hasattr(tantivy, "__version__") else "0.27",
                "docs": args.docs,
                "words": args.words,
                "queries_repeat": args.queries_repeat,
                "records_per_replace_call": args.batch,
                "facet_cache": not args.no_facet_cache,
                "semantic": args.semantic,
                "practice_every": 5,
                "seed": SEED,
                "queries": len(QUERIES),
            },
            "corpus": {
                "records": n_records,
                "body_words_per_doc": round(body_words / args.docs, 1),
                "generation_s": round(gen_seconds, 1),
            },
            "build": {
                "project": project_build,
                "bare": bare_build,
                "ratio_seconds": round(project_build["seconds"] / bare_build["seconds"], 2),
            },
            "query": query,
        }
        if args.profile:
            slowest = max(
                range(len(QUERIES)), key=lambda i: query["per_query"][i]["project_p50_ms"]
            )
            _, text, filters = QUERIES[slowest]
            result["profile"] = profile_query(project, text, filters)
        project.close()
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    machine["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["machine"] = machine
    print_report(result)
    suffix = "_semantic" if args.semantic else ""
    output = args.output or RESULTS_DIR / f"search_{args.engine}_{args.docs}{suffix}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
