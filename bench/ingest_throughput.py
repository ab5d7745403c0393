"""Ingest throughput next to raw spaCy on the same text, in the same run.

What it measures, on >= 2 MB of text built from copies of the documents in
``corpus/`` (written as distinct files into a temporary folder):

* raw:    the model stages alone: ``load_pipeline(settings.model)`` then
          ``for _ in nlp.pipe(texts, batch_size=settings.batch_size): pass``, then
          the sentence model over the passages of the same texts
          (``SentenceEncoder.encode``, as semantic search embeds them); both are
          timed, and ``nlp_words_per_s`` is spaCy's share alone
* ingest: ``PracticeGraphService(settings).ingest([folder])`` into a fresh data
          directory: reading, spaCy, the domain extractors, RDF building, the
          transactional Oxigraph writes and the search indexes with their passage
          vectors (the default settings); compared with raw
* ingest_plain: the same with ``search_semantic=False``, compared with spaCy's
          share of raw (the words/s without the embedding pass)
* raw, n_process=2: the same ``nlp.pipe`` with ``n_process=2``, as a reference
          line only (the service does not use several processes)

Throughput is words per second (``len(text.split())`` summed over the texts).
Each phase runs in its own subprocess, so that the peak resident set size
(``ru_maxrss``) is the phase's own. Loading the pipeline is timed apart from
processing; the headline "ingest" figure is the warm one (extractor already
built), the "cold" figure includes opening the store and building the extractor.
Phases are interleaved (raw, ingest, raw x2, raw, ingest, ...) ``--repeat``
times, since the machine is shared; the headline ratio is the median of each
round's own ingest / raw (the best of each phase is kept too, for the table).

    .venv/bin/python bench/ingest_throughput.py            # 2 MB, one round
    .venv/bin/python bench/ingest_throughput.py --mb 4 --repeat 3
    .venv/bin/python bench/ingest_throughput.py --mb 0.5 --profile /tmp/ingest.prof

Results go to bench/results/ingest_throughput.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
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
CORPUS = ROOT / "corpus"
RESULTS = BENCH_DIR / "results" / "ingest_throughput.json"
TARGET_RATIO = 0.70
MIB = 1024 * 1024


# --- building the text -----------------------------------------------------------


def build_corpus(folder: Path, megabytes: float, corpus: Path = CORPUS) -> dict[str, Any]:
    """Write verbatim copies of the corpus documents into ``folder`` until the total
    reaches ``megabytes`` MiB; every copy gets its own file name (the file name is a
    document's identity, so equal names would be rejected as duplicates)."""
    sources = sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.startswith("."))
    if not sources:
        raise SystemExit(f"no documents in {corpus}")
    contents = [(p.name, p.read_bytes()) for p in sources]
    target = int(megabytes * MIB)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    copies = 0
    while total < target:
        name, data = contents[copies % len(contents)]
        (folder / f"copy_{copies:05d}_{name}").write_bytes(data)
        total += len(data)
        copies += 1
    return {"files": copies, "bytes": total, "sources": [name for name, _ in contents]}


def read_texts(folder: Path) -> list[str]:
    """The texts as the ingest sees them for plain-text files (UTF-8, ``\\n`` line ends)."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return [
        p.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n") for p in files
    ]


# --- phases (each run in its own subprocess) --------------------------------------


def _settings(data_dir: Path, batch_size: int | None, semantic: bool | None = None) -> Any:
    from practicegraph.config import Settings

    return Settings.from_env(data_dir=data_dir, batch_size=batch_size, search_semantic=semantic)


def _rss_mb() -> float:
    """Current resident set size (Linux /proc), for 'memory after loading'."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    kb = resource.getrusage(who).ru_maxrss  # kilobytes on Linux
    return kb / 1024 if sys.platform != "darwin" else kb / MIB


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def phase_raw(folder: Path, batch_size: int | None, n_process: int) -> dict[str, Any]:
    from practicegraph.nlp.pipeline import load_pipeline, model_identity

    settings = _settings(Path(tempfile.gettempdir()) / "unused", batch_size)
    texts = read_texts(folder)
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    nlp = load_pipeline(settings.model)
    t1 = time.perf_counter()
    rss_loaded = _rss_mb()
    c1 = _cpu_s()
    for _ in nlp.pipe(texts, batch_size=settings.batch_size, n_process=n_process):
        pass
    t_nlp = time.perf_counter()
    passage_count = 0
    if settings.search_semantic:
        from practicegraph.search.embedding import passages, shared_encoder

        encoder = shared_encoder()  # loading it is not processing: timed apart
        t_loaded = time.perf_counter()
        texts_to_embed = [p for text in texts for p in passages("", text)]
        encoder.encode(texts_to_embed)
        passage_count = len(texts_to_embed)
        t2 = time.perf_counter() - (t_loaded - t_nlp)
    else:
        t2 = t_nlp
    name, version = model_identity(nlp)
    return {
        "phase": "raw" if n_process == 1 else f"raw_n{n_process}",
        "n_process": n_process,
        "batch_size": settings.batch_size,
        "docs": len(texts),
        "words": words,
        "load_s": t1 - t0,
        "process_s": t2 - t1,
        "nlp_s": t_nlp - t1,
        "embed_s": t2 - t_nlp,
        "passages": passage_count,
        "cpu_s": _cpu_s() - c1,
        "words_per_s": words / (t2 - t1),
        "nlp_words_per_s": words / (t_nlp - t1),
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_mb(),
        "peak_rss_children_mb": _peak_mb(resource.RUSAGE_CHILDREN) if n_process > 1 else None,
        "model": {
            "setting": settings.model,
            "name": name,
            "version": version,
            "pipes": list(nlp.pipe_names),
        },
    }


def phase_ingest(
    folder: Path,
    data_dir: Path,
    batch_size: int | None,
    profile: Path | None = None,
    semantic: bool = True,
) -> dict[str, Any]:
    from practicegraph.service import PracticeGraphService

    settings = _settings(data_dir, batch_size, semantic)
    t0 = time.perf_counter()
    service = PracticeGraphService(settings)
    _ = service.extractor  # build the extractor (spaCy + gazetteers) outside the warm timing
    t1 = time.perf_counter()
    rss_loaded = _rss_mb()
    c1 = _cpu_s()
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        report = profiler.runcall(service.ingest, [folder])
        profiler.dump_stats(str(profile))
    else:
        report = service.ingest([folder])
    t2 = time.perf_counter()
    cpu = _cpu_s() - c1
    quads = service.store.quad_count()
    service.close()
    if report.failed:
        raise SystemExit(f"ingest failed for {len(report.failed)} files, e.g. {report.failed[0]}")
    phase = "ingest" if semantic else "ingest_plain"
    return {
        "phase": phase if profile is None else f"{phase}_profiled",
        "batch_size": settings.batch_size,
        "docs": len(report.added) + len(report.replaced),
        "words": report.words,
        "load_s": t1 - t0,
        "process_s": t2 - t1,
        "cpu_s": cpu,
        "words_per_s": report.words / (t2 - t1),
        "cold_words_per_s": report.words / (t2 - t0),
        "quads": quads,
        "store_mb": sum(p.stat().st_size for p in settings.store_dir.rglob("*") if p.is_file())
        / MIB,
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": _peak_mb(),
    }


def run_phase(args: list[str]) -> dict[str, Any]:
    """Run this script in ``--phase`` mode in a fresh interpreter; return its JSON line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"phase failed ({done.returncode}): {' '.join(args)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- report -------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    import spacy

    def git(*args: str) -> str | None:
        exe = shutil.which("git")
        if exe is None:
            return None
        try:
            out = subprocess.run(
                [exe, "-C", str(ROOT), *args],
                capture_output=True,
                text=True,
                check=False,
                timeout=10,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    cpu = cpu_model()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": cpu,
        "load_average_at_start": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "git_commit": git("rev-parse", "HEAD"),
        "git_src_dirty": bool(git("status", "--porcelain", "src")),
        "src_sha256": hashlib.sha256(
            b"".join(p.read_bytes() for p in sorted((ROOT / "src").rglob("*.py")))
        ).hexdigest(),
    }


def fmt_row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(
        c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def print_table(summary: dict[str, Any]) -> None:
    rows = [["phase", "words", "seconds", "words/s", "vs raw", "peak RSS MB"]]
    raw = summary["best"]["raw"]["words_per_s"]
    for key in ("raw", "ingest", "raw_n2", "raw (spaCy share)", "ingest_plain"):
        if key == "raw (spaCy share)":
            spacy = summary["best"]["raw"]
            rows.append(
                [
                    key,
                    f"{spacy['words']:,}",
                    f"{spacy['nlp_s']:.1f}",
                    f"{spacy['nlp_words_per_s']:,.0f}",
                    "",
                    "",
                ]
            )
            continue
        best = summary["best"].get(key)
        if not best:
            continue
        versus = raw if key != "ingest_plain" else summary["best"]["raw"]["nlp_words_per_s"]
        rss = f"{best['peak_rss_mb']:.0f}"
        if best.get("peak_rss_children_mb"):
            rss += f" (+{best['peak_rss_children_mb']:.0f}/child)"
        rows.append(
            [
                key,
                f"{best['words']:,}",
                f"{best['process_s']:.1f}",
                f"{best['words_per_s']:,.0f}",
                f"{best['words_per_s'] / versus:.2f}",
                rss,
            ]
        )
    cold = summary["best"]["ingest"]
    rows.append(
        [
            "ingest (cold)",
            f"{cold['words']:,}",
            f"{cold['words'] / cold['cold_words_per_s']:.1f}",
            f"{cold['cold_words_per_s']:,.0f}",
            f"{cold['cold_words_per_s'] / raw:.2f}",
            "",
        ]
    )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print()
    for i, row in enumerate(rows):
        print(fmt_row(row, widths))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    verdict = "meets" if summary["ratio"] >= TARGET_RATIO else "BELOW"
    rounds = ", ".join(f"{r:.2f}" for r in summary["ratio_per_round"])
    print(
        f"\ningest / raw = {summary['ratio']:.2f}, the median of each round's own ratio "
        f"({rounds}; best / best {summary['ratio_best_over_best']:.2f}): "
        f"{verdict} the target {TARGET_RATIO:.2f}"
    )
    if summary.get("ratio_plain_per_round"):
        plain = ", ".join(f"{r:.2f}" for r in summary["ratio_plain_per_round"])
        print(
            f"without semantic search: ingest_plain / spaCy's share of raw = "
            f"{summary['ratio_plain']:.2f} (median of {plain})"
        )


def print_profile(path: Path, top: int = 30) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# --- main -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=2.0, help="MiB of text to build (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds (best is kept)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="nlp.pipe batch size (default: the project's setting)",
    )
    parser.add_argument(
        "--n-process",
        type=int,
        default=2,
        help="processes for the raw reference line; 1 skips it (default 2)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="after measuring, run one more ingest under cProfile into this file",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    # internal: one phase in this process
    parser.add_argument("--phase", choices=["raw", "ingest"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phase-n-process", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase == "raw":
        print(json.dumps(phase_raw(args.folder, args.batch_size, args.phase_n_process)))
        return 0
    if args.phase == "ingest":
        print(
            json.dumps(
                phase_ingest(args.folder, args.data, args.batch_size, args.profile, not args.plain)
            )
        )
        return 0

    machine = machine_info()  # before the runs: load average, commit and state of src/
    work = Path(tempfile.mkdtemp(prefix="pg-bench-"))
    try:
        folder = work / "docs"
        built = build_corpus(folder, args.mb)
        print(
            f"built {built['files']} files, {built['bytes'] / MIB:.2f} MiB in {folder}", flush=True
        )
        batch = ["--batch-size", str(args.batch_size)] if args.batch_size else []
        runs: list[dict[str, Any]] = []
        for round_no in range(1, args.repeat + 1):
            plan = [
                ("raw", ["--phase", "raw", "--folder", str(folder)]),
                (
                    "ingest",
                    [
                        "--phase",
                        "ingest",
                        "--folder",
                        str(folder),
                        "--data",
                        str(work / f"data{round_no}"),
                    ],
                ),
                (
                    "ingest_plain",
                    [
                        "--phase",
                        "ingest",
                        "--plain",
                        "--folder",
                        str(folder),
                        "--data",
                        str(work / f"data{round_no}-plain"),
                    ],
                ),
            ]
            if args.n_process > 1:
                plan.append(
                    (
                        "raw_n2",
                        [
                            "--phase",
                            "raw",
                            "--folder",
                            str(folder),
                            "--phase-n-process",
                            str(args.n_process),
                        ],
                    )
                )
            for label, phase_args in plan:
                result = run_phase(phase_args + batch)
                result["round"] = round_no
                runs.append(result)
                print(
                    f"round {round_no} {label:7s} {result['words_per_s']:8,.0f} words/s "
                    f"({result['process_s']:.1f} s, CPU {result['cpu_s']:.1f} s, "
                    f"load {result['load_s']:.1f} s, "
                    f"peak RSS {result['peak_rss_mb']:.0f} MB)",
                    flush=True,
                )
            shutil.rmtree(work / f"data{round_no}", ignore_errors=True)
            shutil.rmtree(work / f"data{round_no}-plain", ignore_errors=True)

        best = {}
        for key in ("raw", "ingest", "ingest_plain", "raw_n2"):
            of_kind = [r for r in runs if r["phase"] == key]
            if of_kind:
                best[key] = max(of_kind, key=lambda r: r["words_per_s"])
        rounds = sorted({r["round"] for r in runs})
        per_round = [
            next(r for r in runs if r["round"] == n and r["phase"] == "ingest")["words_per_s"]
            / next(r for r in runs if r["round"] == n and r["phase"] == "raw")["words_per_s"]
            for n in rounds
        ]
        per_round_plain = [
            next(r for r in runs if r["round"] == n and r["phase"] == "ingest_plain")["words_per_s"]
            / next(r for r in runs if r["round"] == n and r["phase"] == "raw")["nlp_words_per_s"]
            for n in rounds
        ]
        assert best["raw"]["words"] == best["ingest"]["words"], "raw and ingest saw different text"
        summary: dict[str, Any] = {
            "benchmark": "ingest_throughput",
            "machine": machine,
            "model": best["raw"]["model"],
            "input": {
                "mib": built["bytes"] / MIB,
                "bytes": built["bytes"],
                "files": built["files"],
                "words": best["raw"]["words"],
                "sources": built["sources"],
                "how": "verbatim copies of corpus/ documents, one file each",
            },
            "repeat": args.repeat,
            "target_ratio": TARGET_RATIO,
            # The headline: the median of each round's own ratio (ingest and raw side by
            # side, on the machine as it was then); best / best across rounds mixes
            # rounds the machine ran at different speeds.
            "ratio": statistics.median(per_round),
            "ratio_per_round": per_round,
            # Without semantic search: ingest_plain against spaCy's share of raw.
            "ratio_plain": statistics.median(per_round_plain),
            "ratio_plain_per_round": per_round_plain,
            "ratio_best_over_best": best["ingest"]["words_per_s"] / best["raw"]["words_per_s"],
            "ratio_cold": best["ingest"]["cold_words_per_s"] / best["raw"]["words_per_s"],
            "best": best,
            "runs": runs,
        }
        summary["meets_target"] = summary["ratio"] >= TARGET_RATIO
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print_table(summary)
        print(f"results written to {args.output}")

        if args.profile is not None:
            print(f"\nprofiling one more ingest into {args.profile} ...", flush=True)
            run_phase(
                [
                    "--phase",
                    "ingest",
                    "--folder",
                    str(folder),
                    "--data",
                    str(work / "data-profile"),
                    "--profile",
                    str(args.profile),
                    *batch,
                ]
            )
            print_profile(args.profile)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
