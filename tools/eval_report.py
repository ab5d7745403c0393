"""Score a dump with ../shared/eval/score.py on the seeds and the dev documents, and combine.

score.py scores one gold file against one folder; the targets are stated on
seeds and dev documents together, so this sums the true positives, extracted
and gold counts of both runs (micro-average, as score.py itself does).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

KINDS = ["organisations", "countries", "places", "events", "themes", "practices"]


def run_score(shared: Path, gold: str, docs: Path, graph: Path, verbose: bool) -> dict:
    cmd = [
        sys.executable,
        str(shared / "eval" / "score.py"),
        "--gold",
        str(shared / "eval" / gold),
        "--docs",
        str(docs),
        "--graph",
        str(graph),
        "--json",
    ]
    if verbose:
        subprocess.run([*cmd[:-1], "-v"], check=True)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def f1(tp: int, extracted: int, gold: int) -> tuple[float, float, float]:
    p = tp / extracted if extracted else (1.0 if not gold else 0.0)
    r = tp / gold if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, required=True)
    parser.add_argument("--graph", type=Path, required=True)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    runs = {
        "seeds": run_score(
            args.shared, "seeds-gold.json", args.shared / "corpus-seeds", args.graph, args.verbose
        ),
        "dev": run_score(
            args.shared,
            "dev-gold.json",
            args.shared / "eval" / "dev-docs",
            args.graph,
            args.verbose,
        ),
    }
    print(f"{'kind':14s} {'seeds F1':>8s} {'dev F1':>7s} | {'P':>6s} {'R':>6s} {'F1 (both)':>9s}")
    macro = []
    for kind in KINDS:
        tp = sum(r["kinds"][kind]["tp"] for r in runs.values())
        ex = sum(r["kinds"][kind]["extracted"] for r in runs.values())
        gold = sum(r["kinds"][kind]["gold"] for r in runs.values())
        p, r, f = f1(tp, ex, gold)
        macro.append(f)
        seeds_f1, dev_f1 = (runs[name]["kinds"][kind]["f1"] for name in ("seeds", "dev"))
        print(f"{kind:14s} {seeds_f1:8.3f} {dev_f1:7.3f} | {p:6.3f} {r:6.3f} {f:9.3f}")
    print(f"macro F1 (both): {sum(macro) / len(macro):.3f}")


if __name__ == "__main__":
    main()
