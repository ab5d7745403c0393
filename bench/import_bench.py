"""Import rate of a 1M-statement N-Quads dump, next to a bare pyoxigraph bulk load.

The dump is built from corpus/'s own graph: the corpus is ingested once, exported,
and its documents, graphs, practices and annotations are copied under new names
until the dump holds ``--triples`` statements (organisations, countries, places,
events and themes stay shared between copies, as in a real larger corpus).

Two phases, each in its own subprocess (so that peak RSS is its own), run in the
same session so that their ratio means something on a shared machine:

* bare:   ``pyoxigraph.Store(path).bulk_load(file, N_QUADS)`` into a fresh on-disk store
* import: ``practicegraph import`` into a fresh data directory of another base
          IRI: parse + gate + staging, SHACL validation, archive, the switch into
          the store, reconciliation and keyword indexing

    .venv/bin/python bench/import_bench.py                   # 1M statements
    .venv/bin/python bench/import_bench.py --triples 200000

Results go to bench/results/import_1m.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from machine import cpu_model

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
BASE = "https://w3id.org/practicegraph/id/"
COPIED = ("document/", "graph/", "practice/", "run/")


def build_dump(work: Path, triples: int) -> tuple[Path, int]:
    """corpus/ ingested and exported once, then copied under new names."""
    data = work / "source-data"
    env = os.environ | {"PRACTICEGRAPH_DATA": str(data)}
    subprocess.run(
        [sys.executable, "-m", "practicegraph", "ingest", str(ROOT / "corpus")],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    seed = work / "seed.nq"
    subprocess.run(
        [sys.executable, "-m", "practicegraph", "export", "-o", str(seed)],
        check=True,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
    shared = [line for line in lines if f"<{BASE}graph/_ontology>" in line]
    copied = [line for line in lines if line not in set(shared)]
    pattern = re.compile(rf"<{re.escape(BASE)}({'|'.join(COPIED)})|_:b")
    dump = work / "dump-1m.nq"
    written = 0
    with dump.open("w", encoding="utf-8") as out:
        out.writelines(shared)
        written += len(shared)
        copy = 0
        while written < triples:
            prefix = f"c{copy}-"

            def rename(match: re.Match[str], prefix: str = prefix) -> str:
                if match.group(0) == "_:b":
                    return f"_:{prefix.replace('-', 'x')}b"
                return f"<{BASE}{match.group(1)}{prefix}"

            source = '<http://purl.org/dc/terms/source> "'
            for line in copied:
                # each copy is a document of its own, under its own file name too
                out.write(pattern.sub(rename, line).replace(source, source + prefix))
            written += len(copied)
            copy += 1
    return dump, written


def phase_bare(dump: Path, target: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    started = time.perf_counter()
    store = ox.Store(str(target))
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "quads": len(store)}


def phase_import(dump: Path, target: Path) -> dict[str, Any]:
    from practicegraph.config import Settings
    from practicegraph.service import PracticeGraphService

    settings = Settings.from_env(
        environ={}, data_dir=target, base_iri="https://importer.example.org/id/"
    )
    started = time.perf_counter()
    with PracticeGraphService(settings) as service:
        opened = time.perf_counter()
        report = service.sources.import_dump(dump, "bench")
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "open_seconds": round(opened - started, 2),
        "statements": report.statements,
        "documents": report.documents,
        "practices": report.practices,
        "focus_nodes": report.validation.focus_nodes,
        "steps": report.seconds,
        "links": report.links,
    }


def run_phase(name: str, dump: Path, target: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--dump", str(dump), "--target", str(target)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--phase", choices=["bare", "import"])
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--target", type=Path)
    args = parser.parse_args()
    if args.phase:
        result = (phase_bare if args.phase == "bare" else phase_import)(args.dump, args.target)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="pg-import-bench-") as tmp:
        work = Path(tmp)
        dump, statements = build_dump(work, args.triples)
        size = dump.stat().st_size
        bare = run_phase("bare", dump, work / "bare-store")
        imported = run_phase("import", dump, work / "import-data")
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
        "dump": {"statements": statements, "bytes": size},
        "bare_pyoxigraph_bulk_load": bare,
        "practicegraph_import": imported,
        "statements_per_second": {
            "bare": round(statements / bare["seconds"]),
            "import": round(statements / imported["seconds"]),
        },
        "ratio_import_to_bare": round(imported["seconds"] / bare["seconds"], 1),
    }
    RESULTS.mkdir(exist_ok=True)
    name = "import_1m.json" if args.triples == 1_000_000 else f"import_{args.triples}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
