"""Search over HTTP: the project's ``GET /search`` next to a bare FastAPI + tantivy app,
side by side in one run, on the same documents and query mix.

Like with like: both apps are FastAPI with a plain ``def`` endpoint (run in the
thread pool), served by one uvicorn process each with uvloop and httptools and no
access log, on the same machine; both return the top 10 with the exact total,
a highlighted snippet per hit and six facet counts as JSON. The project's app is
the real one (``create_app``) over a data directory whose keyword index holds
the synthetic documents (``search_corpus.py``) and whose store is empty, opened
read-only (a read-only service does not bring the index in step with the
store). The bare app answers with ``bare_tantivy.BareTantivy``: tantivy's own
query parser, no synonyms, corrections, proximity clauses or spelling variants.

Load: wrk, 2 threads, 8 connections, for ``--seconds`` per target, each
connection cycling through the query mix (``wrk_paths.lua`` is written from
``search_corpus.QUERIES``); ``--rounds`` rounds, the order of the targets
alternating, each round's figures kept. wrk runs on the same two cores as the
servers: compare the ratio, not the absolute figures.

    .venv/bin/python bench/search_http.py --docs 100000 --rounds 3 --seconds 20
    .venv/bin/python bench/search_http.py --reuse /tmp/pg-http --rounds 3

Needs wrk (``apt-get install wrk``). Results go to bench/results/search_http_{N}.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI, Query

from bare_tantivy import BareTantivy
from machine import machine_info
from practicegraph.config import Settings
from practicegraph.search import SearchVocabulary, open_search_index
from search_corpus import QUERIES, SEED, batches, generate

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PROJECT, BARE = "project", "bare"
FILTER_PARAMS = {"countries": "country", "kinds": "kind", "themes": "theme", "years": "year"}


# --- the indexes -----------------------------------------------------------------------


def build(work: Path, n_docs: int, words: int) -> dict[str, Any]:
    """The project's data directory (empty store, full index) and the bare index."""
    vocabulary = SearchVocabulary.load()
    docs = generate(n_docs, words, vocabulary)
    settings = _settings(work)
    from practicegraph.service import PracticeGraphService

    with PracticeGraphService(settings):  # creates the store (and an empty index)
        pass
    start = time.perf_counter()
    index = open_search_index("tantivy", settings.index_dir, vocabulary)
    for chunk in batches(docs, 1000):
        index.replace(chunk)
    index.optimize()
    index.close()
    project_s = time.perf_counter() - start
    bare = BareTantivy(work / "bare").build(docs)
    return {"docs": n_docs, "project_build_s": round(project_s, 2), "bare_build_s": bare["seconds"]}


def _settings(work: Path) -> Settings:
    """Keyword search alone: embedding 100k generated documents would take this machine
    hours (about 85 passages/s), and bare tantivy has no semantic pass to compare with.
    The cost semantic search adds to a query is measured by bench/search_bench.py."""
    return Settings.from_env(
        {}, data_dir=work / "data", search_engine="tantivy", search_semantic=False
    )


# --- the servers -----------------------------------------------------------------------


def serve(target: str, work: Path, port: int) -> None:
    """Run one app in this process (called as a subprocess)."""
    import uvicorn

    if target == PROJECT:
        from practicegraph.api import create_app
        from practicegraph.service import PracticeGraphService

        settings = _settings(work)
        service = PracticeGraphService(settings, read_only=True)
        app = create_app(settings, service=service)
    else:
        app = bare_app(work / "bare")
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


def bare_app(path: Path) -> FastAPI:
    index = BareTantivy.open(path)
    app = FastAPI()

    @app.get("/search")
    def search(
        q: str = "",
        country: Annotated[list[str] | None, Query()] = None,
        kind: Annotated[list[str] | None, Query()] = None,
    ) -> dict[str, Any]:
        filters = {k: v for k, v in (("countries", country), ("kinds", kind)) if v}
        return index.search(q, filters)

    return app


class Server:
    def __init__(self, target: str, work: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        argv = [sys.executable, __file__, "--serve", target, "--reuse", str(work)]
        argv += ["--port", str(port)]
        self.process = subprocess.Popen(argv, cwd=BENCH_DIR, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{self.url}/search?q=probation", timeout=30).raise_for_status()
                break
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{target} server did not start") from None
                time.sleep(0.5)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


# --- the load --------------------------------------------------------------------------


def paths() -> list[str]:
    out = []
    for _kind, text, filters in QUERIES:
        params: list[tuple[str, str]] = [("q", text)]
        params += [(FILTER_PARAMS[k], v) for k, values in filters.items() for v in values]
        out.append("/search?" + urlencode(params))
    return out


def lua_script(folder: Path) -> Path:
    script = folder / "wrk_paths.lua"
    listed = ",\n".join(json.dumps(p) for p in paths())
    script.write_text(
        f"local paths = {{\n{listed}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  return wrk.format('GET', paths[(i % #paths) + 1])\n"
        "end\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('P50US %d\\nP95US %d\\nP99US %d\\n',\n"
        "    latency:percentile(50), latency:percentile(95), latency:percentile(99)))\n"
        "end\n",
        encoding="utf-8",
    )
    return script


def wrk(url: str, seconds: int, script: Path) -> dict[str, Any]:
    argv = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    text = subprocess.run(
        argv, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", text)
    result: dict[str, Any] = {"requests_per_s": float(found[1]) if found else 0.0}
    for name in ("P50US", "P95US", "P99US"):
        m = re.search(rf"^{name} (\d+)", text, re.M)
        result[name[:3].lower() + "_ms"] = round(int(m[1]) / 1000, 2) if m else None
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    result["non_2xx"] = int(bad[1]) if bad else 0
    errors = re.search(r"Socket errors: (.*)", text)
    result["socket_errors"] = errors[1] if errors else ""
    return result


def same_answers(servers: dict[str, Server]) -> dict[str, Any]:
    """Both apps answer every query of the mix with hits, a total and facets."""
    checked: dict[str, Any] = {}
    for path in paths():
        row = {}
        for name, server in servers.items():
            response = httpx.get(server.url + path, timeout=30)
            response.raise_for_status()
            body = response.json()
            row[name] = {"total": body["total"], "hits": len(body["hits"])}
            row[name]["facets"] = len(body["facets"])
        checked[path] = row
    return checked


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--reuse", type=Path, help="work folder to build once and reuse")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--serve", choices=(PROJECT, BARE), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8765, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.reuse, args.port)
        return 0
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    machine = machine_info()
    work = args.reuse or Path(tempfile.mkdtemp(prefix="pg-search-http-"))
    built: dict[str, Any] = {}
    if not (work / "bare").exists():
        print(f"building {args.docs} documents in {work}", flush=True)
        built = build(work, args.docs, args.words)
        print(built, flush=True)
    script = lua_script(work)
    servers = {PROJECT: Server(PROJECT, work, 8765), BARE: Server(BARE, work, 8766)}
    rounds: list[dict[str, Any]] = []
    try:
        answers = same_answers(servers)
        for number in range(args.rounds):
            order = [PROJECT, BARE] if number % 2 == 0 else [BARE, PROJECT]
            figures = {name: wrk(servers[name].url, args.seconds, script) for name in order}
            figures["order"] = order  # type: ignore[assignment]
            rounds.append(figures)
            print(
                f"round {number + 1}: "
                + "; ".join(
                    f"{n} {figures[n]['requests_per_s']:.0f} req/s p50 {figures[n]['p50_ms']} "
                    f"p95 {figures[n]['p95_ms']} ms"
                    for n in (PROJECT, BARE)
                ),
                flush=True,
            )
    finally:
        for server in servers.values():
            server.stop()
    machine["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result = {
        "benchmark": "search_http",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {
            "docs": args.docs,
            "words": args.words,
            "seed": SEED,
            "queries": len(QUERIES),
            "rounds": args.rounds,
            "seconds": args.seconds,
            "wrk": "-t2 -c8",
        },
        "build": built,
        "rounds": rounds,
        "answers": answers,
        "machine": machine,
    }
    output = args.output or RESULTS_DIR / f"search_http_{args.docs}.json"
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
