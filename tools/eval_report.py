"""Score a dump of the graph against the gold of every document set, side by side.

    python tools/eval_report.py --graph dump.nq [-v] [--json]

The sets, all in this repository (no ../shared needed):

- ``seeds``: the five sample documents in ``corpus/`` (gold ``eval/tuned/seeds-gold.json``);
- ``tuned-dev``: the eight development documents of ``eval/tuned/`` -- like the
  seeds, extraction was developed on them, so they flatter it;
- ``train``: ``eval/corpus/train/``, what components are trained and tuned on;
- ``dev-test``: ``eval/corpus/dev-test/``, never tuned on: the figures to quote.

``eval/score.py`` scores one gold file against one folder; per-document gold
records of the corpus (``eval/corpus/gold/*.json``) are gathered into one file
per split first. Figures are micro-averaged within a set, as score.py does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
KINDS = ["organisations", "countries", "places", "events", "themes", "practices"]


def corpus_gold(split: str) -> list[dict]:
    """The gold records of the corpus documents in one split."""
    folder = EVAL / "corpus" / split
    names = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
    records = []
    for path in sorted((EVAL / "corpus" / "gold").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["doc"] in names:
            records.append(record)
    return records


def document_sets(workdir: Path) -> dict[str, tuple[Path, Path]]:
    """name -> (gold file, documents folder), for the sets that have documents."""
    sets = {
        "seeds": (EVAL / "tuned" / "seeds-gold.json", ROOT / "corpus"),
        "tuned-dev": (EVAL / "tuned" / "dev-gold.json", EVAL / "tuned" / "dev-docs"),
    }
    for split in ("train", "dev-test"):
        records = corpus_gold(split)
        if records:
            gold = workdir / f"{split}-gold.json"
            gold.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
            sets[split] = (gold, EVAL / "corpus" / split)
    return sets


def run_score(gold: Path, docs: Path, graph: Path, verbose: bool) -> dict:
    cmd = [sys.executable, str(EVAL / "score.py"), "--gold", str(gold), "--docs", str(docs)]
    cmd += ["--graph", str(graph)]
    if verbose:
        subprocess.run([*cmd, "-v"], check=True)
    out = subprocess.run([*cmd, "--json"], check=True, capture_output=True, text=True).stdout
    figures: dict = json.loads(out)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, required=True, help="N-Quads dump of the graph")
    parser.add_argument("-v", "--verbose", action="store_true", help="what each document missed")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = document_sets(Path(tmp))
        runs = {
            name: run_score(gold, docs, args.graph, args.verbose)
            for name, (gold, docs) in sets.items()
        }
    if args.json:
        print(json.dumps(runs, indent=2))
        return
    names = list(runs)
    print(f"{'F1':14s} " + " ".join(f"{name:>10s}" for name in names))
    for kind in KINDS:
        cells = " ".join(f"{runs[name]['kinds'][kind]['f1']:10.3f}" for name in names)
        print(f"{kind:14s} {cells}")
    print(f"{'macro F1':14s} " + " ".join(f"{runs[name]['macro_f1']:10.3f}" for name in names))
    for name in names:
        missing = runs[name].get("documents_not_in_graph")
        if missing:
            print(f"{name}: documents not in the graph: {', '.join(missing)}")


if __name__ == "__main__":
    main()
