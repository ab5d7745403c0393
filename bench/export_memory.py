"""Peak memory (RSS) of a canonical export of 1M statements, next to canonicalising in memory.

A data directory is filled with generated statements shaped like the graph's
(one named graph per document: names with language tags, typed dates, long
text literals with escapes, links between resources), ``--blank`` of them in
blank-node trees like an imported source's Web Annotations
(annotation -> target -> selector). Then, each in its own process so that its
peak RSS is its own:

* baseline:  the CLI opening the data directory and answering ``ASK {}``
* export:    ``practicegraph export -o dump.nq.gz`` (exchange.export, streamed)
* in-memory: every statement in one ``pyoxigraph.Dataset``, canonicalised
             (RDFC-1.0), its lines sorted and written: what a non-streaming
             export holds (the bytes are compared with the export's)

    .venv/bin/python bench/export_memory.py                        # 1M, no blank nodes
    .venv/bin/python bench/export_memory.py --blank 100000          # 100k in blank-node trees

Results go to bench/results/export_memory_<N>k[_blank<B>k].json. Peak RSS is the
process's ``ru_maxrss`` (``os.wait4``); this script stays small itself, since
Linux lets a child's peak start from its parent's at exec.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from machine import machine_info

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
BASE = "https://w3id.org/practicegraph/id/"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"

IN_MEMORY = """
import hashlib, sys, pathlib, pyoxigraph as ox
from practicegraph.graph.factory import open_local_store
store = open_local_store(pathlib.Path(sys.argv[1]) / "store", read_only=True)
dataset = ox.Dataset(store.quads())
dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
lines = sorted(f"{q} .\\n" for q in dataset)
data = "".join(lines).encode("utf-8")
print(hashlib.sha256(data).hexdigest())
"""


def generate(data: Path, statements: int, blank: int) -> None:
    """Fill ``data`` through the service's store (bounded memory: bulk_extend)."""
    import pyoxigraph as ox

    from practicegraph.config import Settings
    from practicegraph.service import PracticeGraphService

    settings = Settings.from_env(environ={"PRACTICEGRAPH_SEARCH_SEMANTIC": "false"}, data_dir=data)

    def iri(path: str) -> ox.NamedNode:
        return ox.NamedNode(BASE + path)

    def ground(count: int) -> Any:
        n = 0
        doc = 0
        while n < count:
            graph = iri(f"graph/document/{doc}")
            subject = iri(f"document/{doc}")
            rows = [
                (
                    subject,
                    ox.NamedNode(SCHEMA + "name"),
                    ox.Literal(f"Report {doc}", language="en"),
                ),
                (
                    subject,
                    ox.NamedNode(SCHEMA + "dateCreated"),
                    ox.Literal(f"2024-{doc % 12 + 1:02d}-01", datatype=ox.NamedNode(XSD + "date")),
                ),
                (
                    subject,
                    ox.NamedNode(BASE + "text"),
                    ox.Literal(f'Line one of {doc}.\n\t"Quoted" probation text, café ' * 8),
                ),
            ]
            for k in range(37):
                thing = iri(f"practice/{doc}-{k}")
                rows.append((subject, ox.NamedNode(SCHEMA + "mentions"), thing))
                if k % 3 == 0:
                    rows.append(
                        (
                            thing,
                            ox.NamedNode(SCHEMA + "name"),
                            ox.Literal(f"Practice {k} of {doc}", language="en"),
                        )
                    )
                if k % 5 == 0:
                    rows.append(
                        (thing, ox.NamedNode(SCHEMA + "provider"), iri(f"organisation/{k}"))
                    )
            for s, p, o in rows:
                if n >= count:
                    return
                yield ox.Quad(s, p, o, graph)
                n += 1
            doc += 1

    def trees(count: int) -> Any:
        n = 0
        while n < count:
            graph = iri(f"graph/_source/icpa/1/{n // 3000}")
            annotation, target, selector = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
            for s, p, o in (
                (annotation, ox.NamedNode(OA + "hasTarget"), target),
                (target, ox.NamedNode(OA + "hasSelector"), selector),
                (selector, ox.NamedNode(OA + "exact"), ox.Literal(f"quote {n // 3 % 5000}")),
            ):
                if n >= count:
                    return
                yield ox.Quad(s, p, o, graph)
                n += 1

    with PracticeGraphService(settings) as service:
        service.store.bulk_extend(ground(statements - blank))
        if blank:
            service.store.bulk_extend(trees(blank))
        service.store.flush()


def measured(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``command``; its wall time, peak RSS (os.wait4) and standard output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        stderr = process.stderr.read().decode() if process.stderr else ""
        if status != 0:
            raise SystemExit(f"{command[:4]} failed: {stderr}")
        out.seek(0)
        stdout = out.read().decode()
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "stdout": stdout,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--blank", type=int, default=0, help="statements in blank-node trees")
    parser.add_argument("--skip-in-memory", action="store_true")
    parser.add_argument("--generate-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into:
        generate(args.generate_into, args.statements, args.blank)
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    env["PRACTICEGRAPH_SEARCH_SEMANTIC"] = "false"
    cli = [sys.executable, "-m", "practicegraph"]
    with tempfile.TemporaryDirectory(prefix="export-bench-") as work:
        data, dump = Path(work) / "data", Path(work) / "dump.nq.gz"
        # in a process of its own: a child's peak RSS starts from its parent's at exec
        # (Linux carries ru_maxrss over), so this process stays small
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--generate-into",
                str(data),
                "--statements",
                str(args.statements),
                "--blank",
                str(args.blank),
            ],
            check=True,
            env=env,
        )
        generated = round(time.perf_counter() - started, 1)
        baseline = measured([*cli, "sparql", "--data", str(data), "ASK {}"], env)
        export = measured([*cli, "export", "--data", str(data), "-o", str(dump)], env)
        content = gzip.decompress(dump.read_bytes())
        result: dict[str, Any] = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine_info(),
            "statements": args.statements,
            "blank_node_statements": args.blank,
            "generate_seconds": generated,
            "dump_bytes": dump.stat().st_size,
            "canonical_nquads_bytes": len(content),
            "baseline": {k: v for k, v in baseline.items() if k != "stdout"},
            "export": {k: v for k, v in export.items() if k != "stdout"},
        }
        if not args.skip_in_memory:
            in_memory = measured([sys.executable, "-c", IN_MEMORY, str(data)], env)
            result["in_memory"] = {k: v for k, v in in_memory.items() if k != "stdout"}
            result["same_bytes"] = (
                in_memory["stdout"].strip() == hashlib.sha256(content).hexdigest()
            )
    name = f"export_memory_{args.statements // 1000}k" + (
        f"_blank{args.blank // 1000}k" if args.blank else ""
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
