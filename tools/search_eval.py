"""Relevance of keyword search on judged queries: nDCG@10, recall@10 and MRR.

Builds a data directory from the judged documents, then runs every query of a
judged set through the project's search, and through plain whoosh BM25
(default analyzer, title and body, OR of the words) over the same documents,
as the baseline. Two document sets:

* ``--docs seeds`` (default): corpus/ and ../shared/eval/dev-docs, judged by
  eval/search_queries.json (the queries the ranking was first developed on);
* ``--docs corpus``: the 240 documents of eval/corpus (train and dev-test),
  judged by eval/search_queries_tune.json (ranking may be tuned on it) and
  eval/search_queries_test.json (held out: written before any tuning, never
  tuned on). Pass the set with ``--queries``.

``--data DIR`` keeps the ingested data directory and reuses it on the next run
(ingest skips documents it holds already); ``--engine`` picks the engine. Hits are judged per
document: a practice hit counts for its document, and each document counts
once, at its best rank.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from practicegraph.config import Settings
from practicegraph.ingest import iter_input_files, read_document
from practicegraph.search import SearchRequest
from practicegraph.service import PracticeGraphService

ROOT = Path(__file__).resolve().parents[1]
K = 10


def dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def metrics(ranked: list[str], judged: dict[str, int]) -> dict[str, float]:
    top = ranked[:K]
    ideal = dcg(sorted(judged.values(), reverse=True)[:K])
    ndcg = dcg([judged.get(doc, 0) for doc in top]) / ideal if ideal else 0.0
    found = [doc for doc in top if doc in judged]
    recall = len(found) / len(judged) if judged else 0.0
    rr = next((1 / (i + 1) for i, doc in enumerate(ranked) if judged.get(doc, 0) > 0), 0.0)
    return {"ndcg@10": ndcg, "recall@10": recall, "mrr": rr}


def unique_sources(sources: list[str]) -> list[str]:
    return list(dict.fromkeys(sources))


def project_ranking(service: PracticeGraphService, query: str) -> list[str]:
    response = service.search(SearchRequest(query, page_size=50))
    return unique_sources([hit.source for hit in response.hits])


def build_baseline(folder: Path, paths: list[Path]) -> whoosh_index.Index:
    schema = Schema(source=ID(stored=True), title=TEXT(stored=True), body=TEXT(stored=True))
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer()
    for path in iter_input_files(paths):
        document = read_document(path)
        writer.add_document(
            source=document.source_name, title=document.title or "", body=document.text
        )
    writer.commit()
    return ix


def baseline_ranking(ix: whoosh_index.Index, query: str) -> list[str]:
    parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
    with ix.searcher() as searcher:
        return unique_sources(
            [hit["source"] for hit in searcher.search(parser.parse(query), limit=50)]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--queries", type=Path, default=ROOT / "eval" / "search_queries.json")
    parser.add_argument("--docs", choices=("seeds", "corpus"), default="seeds")
    parser.add_argument("--data", type=Path, help="data directory to keep and reuse")
    parser.add_argument("--engine", choices=("tantivy", "whoosh"), default="tantivy")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each query")
    args = parser.parse_args()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))["queries"]
    if args.docs == "seeds":
        paths = [ROOT / "corpus", args.shared / "eval" / "dev-docs"]
    else:
        paths = [ROOT / "eval" / "corpus" / "train", ROOT / "eval" / "corpus" / "dev-test"]
    scratch = Path(tempfile.mkdtemp(prefix="pg-search-eval-"))
    try:
        settings = Settings.from_env(
            environ={}, data_dir=args.data or scratch / "data", search_engine=args.engine
        )
        (scratch / "baseline").mkdir()
        baseline = build_baseline(scratch / "baseline", paths)
        totals: dict[str, dict[str, list[float]]] = {
            "project": defaultdict(list),
            "bm25": defaultdict(list),
        }
        by_type: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(
            lambda: defaultdict(list)
        )
        with PracticeGraphService(settings) as service:
            report = service.ingest(paths)
            if report.failed and args.docs == "seeds":
                raise SystemExit(f"ingest failed: {report.failed}")
            for item in queries:
                judged = item["relevant"]
                for system, ranked in (
                    ("project", project_ranking(service, item["query"])),
                    ("bm25", baseline_ranking(baseline, item["query"])),
                ):
                    scores = metrics(ranked, judged)
                    for name, value in scores.items():
                        totals[system][name].append(value)
                        by_type[(system, item["type"])][name].append(value)
                    if args.verbose:
                        print(
                            f"{system:8s} {item['type']:11s} {item['query'][:40]:40s} "
                            f"nDCG {scores['ndcg@10']:.2f}  top: {ranked[:3]}"
                        )
        mean = lambda values: sum(values) / len(values) if values else 0.0  # noqa: E731
        figures = {
            system: {
                "overall": {m: round(mean(v), 3) for m, v in totals[system].items()},
                "by_type": {
                    t: {m: round(mean(v), 3) for m, v in by_type[(system, t)].items()}
                    for t in sorted({q["type"] for q in queries})
                },
            }
            for system in totals
        }
        if args.json:
            print(json.dumps(figures, indent=2))
            return
        print(
            f"{len(queries)} queries; project search vs plain whoosh BM25 (nDCG@10 / "
            "recall@10 / MRR)"
        )
        for label, key in [("overall", None), *[(t, t) for t in figures["project"]["by_type"]]]:
            row = []
            for system in ("project", "bm25"):
                values = (
                    figures[system]["overall"] if key is None else figures[system]["by_type"][key]
                )
                row.append(
                    f"{values['ndcg@10']:.3f} / {values['recall@10']:.3f} / {values['mrr']:.3f}"
                )
            print(f"{label:12s} project {row[0]}   bm25 {row[1]}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
