"""Search benchmark: index build rate and query latency of the project's search
next to a bare whoosh index and searcher, in the same run.

What it measures, on ``--docs`` synthetic documents of ``--words`` words:

* build, project: ``WhooshIndex.replace`` called with batches of about
  ``--batch`` (default 1000) records, one commit per call. The service calls it
  with 64 documents at a time; 1000 keeps the benchmark short (fewer commits and
  segment merges, so this is a slightly optimistic figure for the service).
  ``WhooshIndex`` opens whoosh's default writer, which is the single-process
  ``SegmentWriter`` (``procs=1``).
* build, bare: a plain schema (``id`` ID stored, ``title`` and ``body`` TEXT
  stored, whoosh's default ``StandardAnalyzer``), every record added through one
  writer opened with ``procs=1`` and committed once.
* query, project: ``WhooshIndex.search(SearchRequest(q, ...))`` -- the full
  feature set: query parsing, spelling correction, synonym and theme expansion,
  phrase/proximity clauses, five facets with counts, filters, highlighted
  snippets. It opens a searcher per request, as the service does.
* query, bare: one open searcher on the bare index;
  ``searcher.search(QueryParser("body", schema, group=OrGroup).parse(q), limit=10)``
  and the stored fields of every hit. Filters (country, kind) have no field in
  the bare schema and are dropped there.
* query, bare-on-project (reference line): the same bare search on the project
  index's ``body`` field, to separate the cost of the bigger index from the cost
  of the search function.

Queries are warmed up once, then run ``--queries-repeat`` rounds; within a round
every query runs through each searcher in turn (interleaved, since the machine
is shared). p50/p95 are over all timed calls. The overhead ratio is project /
bare. With ``--profile`` (or automatically when the p50 ratio exceeds 3) the
query with the highest project p50 is profiled with cProfile.

    .venv/bin/python bench/search_bench.py --docs 10000
    .venv/bin/python bench/search_bench.py --docs 100000 --words 300 --queries-repeat 5

Results go to bench/results/search_{N}.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pycountry
import whoosh
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import OrGroup, QueryParser

from practicegraph.search import IndexRecord, SearchRequest, SearchVocabulary, WhooshIndex

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CORPUS = ROOT / "corpus"
SYNONYMS = ROOT / "ontology" / "synonyms.txt"
RESULTS_DIR = BENCH_DIR / "results"
SEED = 20240917
PROFILE_THRESHOLD = 3.0
# function-name suffixes (as in the profile rows) of the steps of WhooshIndex.search
PHASES = {
    "search (total)": "search/index.py:207(search)",
    "build query": "(_build_query)",
    "spelling corrections": "(_corrections)",
    "searcher.search_page (match, score, collect)": "(search_page)",
    "collector run": "collectors.py:140(run)",
    "matcher.next over all matches": "matching/binary.py:192(next)",
    "scoring (binary matcher score)": "matching/binary.py:252(score)",
    "phrase/span matchers": "spans.py:215(_find_next)",
    "FacetCollector.collect (facets)": "collectors.py:823(collect)",
    "TermsCollector.collect (terms=True)": "collectors.py:1154(collect)",
    "hits + snippets (_hit)": "(_hit)",
    "highlights": "(highlights)",
    "facet groups()": "(groups)",
}

COUNTRIES = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "NO",
    "GB", "CH", "IS", "RS", "UA", "GE", "CA", "US",
]  # fmt: skip
ORGANISATIONS = [
    "EuroPris",
    "European Organisation of Prison and Correctional Services",
    "Confederation of European Probation",
    "Council of Europe",
    "International Centre for the Prevention of Crime",
    "United Nations Office on Drugs and Crime",
    "European Commission",
    "Radicalisation Awareness Network",
    "International Corrections and Prisons Association",
    "European Forum for Restorative Justice",
    "Penal Reform International",
    "European Crime Prevention Network",
]
SERVICES = ["Ministry of Justice", "Prison Service", "Probation Service", "Correctional Academy"]

# (text, filters). Filters go into the SearchRequest for the project; the bare
# schema has no such fields, so the bare searchers run the text only.
QUERIES: list[tuple[str, str, dict[str, list[str]]]] = [
    ("plain", "probation", {}),
    ("plain", "mentoring", {}),
    ("plain", "radicalisation", {}),
    ("plain", "recidivism", {}),
    ("plain", "prison", {}),
    ("plain", "training", {}),
    ("words", "mentoring new probation officers", {}),
    ("words", "radicalization probation", {}),
    ("words", "reentry programs after release", {}),
    ("words", "staff training", {}),
    ("words", "electronic monitoring evaluation", {}),
    ("words", "career guidance for prison staff", {}),
    ("words", "crime prevention strategies", {}),
    ("words", "women in prison", {}),
    ("words", "young offenders education", {}),
    ("words", "community safety police", {}),
    ("phrase", '"electronic monitoring"', {}),
    ("phrase", '"probation officers" training', {}),
    ("phrase", '"crime prevention"', {}),
    ("misspelling", "probaton officers training", {}),
    ("misspelling", "rehabilitaton", {}),
    ("misspelling", "mentorng programmes", {}),
    ("misspelling", "radicalisaton prison", {}),
    ("synonym", "reentry", {}),
    ("synonym", "community sanctions", {}),
    ("synonym", "career advice", {}),
    ("synonym", "inmates", {}),
    ("entity", "EuroPris", {}),
    ("entity", "Latvia", {}),
    ("filter", "probation", {"countries": ["LV"]}),
    ("filter", "staff training", {"countries": ["NL"]}),
    ("filter", "reentry", {"countries": ["DE"]}),
    ("filter", "mentoring", {"kinds": ["practice"]}),
]


# --- synthetic documents ---------------------------------------------------------------


class Generator:
    """Deterministic documents from the corpus vocabulary, theme labels and synonyms.

    Words are drawn from the corpus word frequencies (90 %) and from a Zipf-
    distributed pool of pseudo-words (10 %), which gives the long tail of rare
    terms a real collection has; about a third of the sentences carry a theme
    label or synonym phrase, mostly of the document's own themes, so that
    queries hit and ranking has something to rank.
    """

    def __init__(self, vocabulary: SearchVocabulary, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.theme_labels = vocabulary.theme_labels
        self.theme_ids = sorted(self.theme_labels)
        counts: Counter[str] = Counter()
        for path in sorted(CORPUS.glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            counts.update(re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]", text))
        words = sorted(counts, key=lambda w: (-counts[w], w))
        self.words = words
        self.word_cum = _cumulative([counts[w] for w in words])
        rng = random.Random(seed + 1)
        syllables = [
            a + b for a in "bcdfghklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou")
        ]
        pseudo: set[str] = set()
        while len(pseudo) < 20_000:
            pseudo.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
        self.pseudo = sorted(pseudo)
        rng.shuffle(self.pseudo)
        self.pseudo_cum = _cumulative([1.0 / (rank + 10) for rank in range(len(self.pseudo))])
        self.synonym_phrases = [
            p.strip()
            for line in SYNONYMS.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
            for p in line.split("|")
            if p.strip()
        ]
        self.all_labels = [label for t in self.theme_ids for label in self.theme_labels[t]]
        self.country_names = {
            code: [c.name] + ([c.common_name] if hasattr(c, "common_name") else [])
            for code in COUNTRIES
            if (c := pycountry.countries.get(alpha_2=code))
        }

    def _words(self, n: int) -> list[str]:
        rng = self.rng
        n_pseudo = sum(1 for _ in range(n) if rng.random() < 0.10)
        chosen = rng.choices(self.words, cum_weights=self.word_cum, k=n - n_pseudo)
        chosen += rng.choices(self.pseudo, cum_weights=self.pseudo_cum, k=n_pseudo)
        rng.shuffle(chosen)
        return chosen

    def _phrase(self, themes: list[str]) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return rng.choice(self.theme_labels[rng.choice(themes)])
        if roll < 0.85:
            return rng.choice(self.synonym_phrases)
        return rng.choice(self.all_labels)

    def _text(self, n_words: int, themes: list[str], places: list[str]) -> str:
        rng = self.rng
        sentences: list[str] = []
        total = 0
        while total < n_words:
            length = min(rng.randint(8, 24), max(1, n_words - total))
            words = self._words(length)
            if rng.random() < 0.35:
                words.insert(rng.randrange(len(words) + 1), self._phrase(themes))
            if places and rng.random() < 0.08:
                words.insert(rng.randrange(len(words) + 1), rng.choice(places))
            total += length
            sentence = " ".join(words)
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        return " ".join(sentences)

    def document(self, i: int, n_words: int, practice: bool) -> list[IndexRecord]:
        rng = self.rng
        themes = sorted(rng.sample(self.theme_ids, rng.randint(1, 3)))
        countries = sorted(rng.sample(COUNTRIES, rng.randint(1, 2)))
        organisations = rng.sample(ORGANISATIONS, rng.randint(0, 2))
        organisations += [
            f"{rng.choice(SERVICES)} of {self.country_names[c][0]}"
            for c in countries
            if rng.random() < 0.5
        ]
        organisations = sorted(set(organisations))
        places = [n for c in countries for n in self.country_names[c][:1]] + organisations
        year = str(rng.randint(2005, 2024))
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        source = f"synthetic_{i:07d}.txt"
        doc_iri = f"https://example.org/pg/document/{i:07d}"
        title = self._text(rng.randint(4, 9), themes, []).rstrip(".")
        body = self._text(n_words, themes, places)
        country_words = [n for c in countries for n in self.country_names[c]] + countries
        theme_text = [label for t in themes for label in self.theme_labels[t]]
        content_hash = f"{rng.getrandbits(128):032x}"
        records = [
            IndexRecord(
                id=doc_iri,
                kind="document",
                source=source,
                doc_iri=doc_iri,
                title=title,
                body=body,
                content_hash=content_hash,
                entities=" ; ".join(dict.fromkeys(organisations + country_words + theme_text)),
                themes=themes,
                countries=countries,
                organisations=organisations,
                year=year,
                date=date,
                url=f"https://example.org/docs/{i}",
            )
        ]
        if practice:
            p_themes = [rng.choice(themes)]
            label = self._phrase(p_themes)
            description = self._text(30, p_themes, places)
            records.append(
                IndexRecord(
                    id=f"{doc_iri}/practice/1",
                    kind="practice",
                    source=source,
                    doc_iri=doc_iri,
                    title=label[:1].upper() + label[1:] + " " + " ".join(self._words(3)),
                    body=description,
                    evidence=description,
                    content_hash=content_hash,
                    entities=" ; ".join(
                        dict.fromkeys(
                            organisations[:1]
                            + country_words
                            + [x for t in p_themes for x in self.theme_labels[t]]
                            + [title]
                        )
                    ),
                    themes=p_themes,
                    countries=countries,
                    organisations=organisations[:1],
                    year=year,
                    date=date,
                    url=records[0].url,
                )
            )
        return records


def _cumulative(weights: list[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def generate(n_docs: int, n_words: int, vocabulary: SearchVocabulary) -> list[list[IndexRecord]]:
    gen = Generator(vocabulary)
    return [gen.document(i, n_words, practice=(i % 5 == 0)) for i in range(n_docs)]


def batches(docs: list[list[IndexRecord]], size: int) -> Iterator[dict[str, list[IndexRecord]]]:
    batch: dict[str, list[IndexRecord]] = {}
    count = 0
    for records in docs:
        batch[records[0].source] = records
        count += len(records)
        if count >= size:
            yield batch
            batch, count = {}, 0
    if batch:
        yield batch


# --- building ----------------------------------------------------------------------------


def bare_schema() -> Schema:
    return Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True), body=TEXT(stored=True))


def disk_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def segment_count(ix: Any) -> int:
    with ix.reader() as reader:
        return len(getattr(reader, "readers", [reader]))


def build_project(
    path: Path, docs: list[list[IndexRecord]], vocabulary: SearchVocabulary, batch: int
) -> tuple[WhooshIndex, dict[str, Any]]:
    index = WhooshIndex(path, vocabulary)
    n_records = sum(len(r) for r in docs)
    calls = 0
    start = time.perf_counter()
    for chunk in batches(docs, batch):
        index.replace(chunk)
        calls += 1
    seconds = time.perf_counter() - start
    return index, {
        "seconds": round(seconds, 2),
        "docs_per_s": round(len(docs) / seconds, 1),
        "records_per_s": round(n_records / seconds, 1),
        "replace_calls": calls,
        "records_per_call": batch,
        "segments": segment_count(index._ix),
        "disk_mb": disk_mb(path),
    }


def build_bare(path: Path, docs: list[list[IndexRecord]]) -> tuple[Any, dict[str, Any]]:
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), bare_schema())
    n_records = sum(len(r) for r in docs)
    start = time.perf_counter()
    writer = ix.writer(procs=1)
    for records in docs:
        for r in records:
            writer.add_document(id=r.id, title=r.title, body=r.body)
    writer.commit()
    seconds = time.perf_counter() - start
    return ix, {
        "seconds": round(seconds, 2),
        "docs_per_s": round(len(docs) / seconds, 1),
        "records_per_s": round(n_records / seconds, 1),
        "writers": 1,
        "segments": segment_count(ix),
        "disk_mb": disk_mb(path),
    }


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


class BareSearcher:
    def __init__(self, ix: Any) -> None:
        self.searcher = ix.searcher()
        self.parser = QueryParser("body", ix.schema, group=OrGroup)

    def __call__(self, text: str) -> int:
        results = self.searcher.search(self.parser.parse(text), limit=10)
        _ = [hit.fields() for hit in results]
        return len(results)

    def close(self) -> None:
        self.searcher.close()


def project_request(text: str, filters: dict[str, list[str]]) -> SearchRequest:
    return SearchRequest(text, **filters)


def measure_queries(
    project: WhooshIndex, bare: BareSearcher, bare_on_project: BareSearcher, repeat: int
) -> dict[str, Any]:
    runners = {
        "project": lambda text, filters: project.search(project_request(text, filters)).total,
        "bare": lambda text, filters: bare(text),
        "bare_on_project_index": lambda text, filters: bare_on_project(text),
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
        "p50_vs_bare_on_project_index": round(
            overall["project"]["p50_ms"] / overall["bare_on_project_index"]["p50_ms"], 2
        ),
    }
    return {"overall": overall, "ratio": ratio, "per_query": per_query}


def profile_query(
    project: WhooshIndex, text: str, filters: dict[str, list[str]], calls: int = 5
) -> dict[str, Any]:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        project.search(project_request(text, filters))
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = "/".join(Path(filename).parts[-2:]) if filename != "~" else "~"
        rows.append(
            {
                "function": f"{short}:{line}({func})",
                "ncalls": nc,
                "tottime_s": round(tt, 4),
                "cumtime_s": round(ct, 4),
            }
        )
    total = stats.total_tt  # type: ignore[attr-defined]
    # Where one search spends its time: cumulative seconds of the main steps.
    phases: dict[str, float] = {}
    for row in rows:
        for label, marker in PHASES.items():
            if row["function"].endswith(marker):
                phases[label] = max(phases.get(label, 0.0), row["cumtime_s"])
    text_out = io.StringIO()
    pstats.Stats(profiler, stream=text_out).sort_stats("cumulative").print_stats(35)
    return {
        "query": text,
        "filters": filters,
        "calls": calls,
        "total_s": round(total, 3),
        "phases_cumtime_s": phases,
        "top_cumulative": sorted(rows, key=lambda r: -r["cumtime_s"])[:35],
        "top_tottime": sorted(rows, key=lambda r: -r["tottime_s"])[:20],
        "text": text_out.getvalue(),
    }


# --- reporting ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "whoosh": whoosh.versionstring(),
        "cpu_count": os.cpu_count(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_total_gb"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    return info


def print_report(result: dict[str, Any]) -> None:
    b = result["build"]
    q = result["query"]
    print()
    print(
        f"== {result['config']['docs']} docs x {result['config']['words']} words "
        f"({result['corpus']['records']} records), whoosh {result['machine']['whoosh']}"
    )
    print(f"{'build':<26}{'seconds':>10}{'docs/s':>10}{'records/s':>11}{'segments':>10}{'MB':>8}")
    for name in ("project", "bare"):
        r = b[name]
        print(
            f"{name:<26}{r['seconds']:>10}{r['docs_per_s']:>10}{r['records_per_s']:>11}"
            f"{r['segments']:>10}{r['disk_mb']:>8}"
        )
    print(f"build time ratio project/bare: {b['ratio_seconds']}")
    print()
    print(f"{'query latency (ms)':<26}{'p50':>10}{'p95':>10}{'mean':>10}{'max':>10}")
    for name, r in q["overall"].items():
        print(f"{name:<26}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['mean_ms']:>10}{r['max_ms']:>10}")
    print(
        f"overhead ratio project/bare: p50 {q['ratio']['p50']}, p95 {q['ratio']['p95']}; "
        f"project/bare-on-project-index p50 {q['ratio']['p50_vs_bare_on_project_index']}"
    )
    print()
    print(
        f"{'query':<36}{'proj p50':>9}{'bare p50':>9}{'bareP p50':>10}"
        f"{'proj hits':>10}{'bare hits':>10}"
    )
    for row in q["per_query"]:
        label = row["query"] + (" " + json.dumps(row["filters"]) if row["filters"] else "")
        print(
            f"{label[:35]:<36}{row['project_p50_ms']:>9}{row['bare_p50_ms']:>9}"
            f"{row['bare_on_project_index_p50_ms']:>10}{row['project_total']:>10}"
            f"{row['bare_total']:>10}"
        )
    if "profile" in result:
        print()
        print(result["profile"]["text"])


# --- main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--queries-repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1000, help="records per replace() call")
    parser.add_argument("--profile", action="store_true", help="always profile the slowest query")
    parser.add_argument("--no-profile", action="store_true", help="never profile (saves time)")
    parser.add_argument("--keep", type=Path, help="build the indexes here and keep them")
    parser.add_argument("--output", type=Path, help="default: bench/results/search_{N}.json")
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
        project, project_build = build_project(workdir / "project", docs, vocabulary, args.batch)
        print(f"project index: {project_build}", flush=True)
        bare_ix, bare_build = build_bare(workdir / "bare", docs)
        print(f"bare index:    {bare_build}", flush=True)
        del docs
        bare = BareSearcher(bare_ix)
        bare_on_project = BareSearcher(project._ix)
        query = measure_queries(project, bare, bare_on_project, args.queries_repeat)
        result: dict[str, Any] = {
            "benchmark": "search",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "config": {
                "docs": args.docs,
                "words": args.words,
                "queries_repeat": args.queries_repeat,
                "records_per_replace_call": args.batch,
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
        if not args.no_profile and (args.profile or query["ratio"]["p50"] > PROFILE_THRESHOLD):
            slowest = max(
                range(len(QUERIES)), key=lambda i: query["per_query"][i]["project_p50_ms"]
            )
            _, text, filters = QUERIES[slowest]
            result["profile"] = profile_query(project, text, filters)
        bare.close()
        bare_on_project.close()
        project.close()
        bare_ix.close()
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    machine["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["machine"] = machine
    print_report(result)
    output = args.output or RESULTS_DIR / f"search_{args.docs}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
