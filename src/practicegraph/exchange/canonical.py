"""Canonical dumps: W3C RDF Dataset Canonicalization (RDFC-1.0), streamed.

The same data gives the same bytes, whatever the store's order and whatever
labels its blank nodes had, and the bytes are the ones any RDFC-1.0
implementation produces: blank nodes are relabelled ``_:c14n0``, ``_:c14n1``,
... by RDFC-1.0 (SHA-256), every statement is one canonical N-Quads line, and
the lines are sorted in code point order (which is also UTF-8 byte order), one
of each. That is RDFC-1.0's "canonical N-Quads" serialisation of the dataset;
``sha256sum`` of it can be checked against any other implementation (pyoxigraph's
``Dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)`` in the tests,
jsonld.js's rdf-canonize by hand; the W3C RDFC-1.0 suite passes). The triple
syntaxes (Turtle, N-Triples, JSON-LD) canonicalise the union of the graphs as
one graph; Turtle, TriG and JSON-LD are serialised (pyoxigraph) from the sorted
canonical lines, so they are stable too.

Memory. RDFC-1.0's labels depend only on the statements that hold a blank
node: the others take no part in it. So a dump is made in one pass over the
store that splits the statements in two:

- statements with a blank node go into an in-memory ``pyoxigraph.Dataset``,
  which pyoxigraph canonicalises; memory grows with *their* number only (the
  graph built here from documents has none; an imported source keeps the blank
  nodes its dump had);
- every other statement is written as its canonical line into a run of at most
  ``RUN_CHARS`` characters; full runs are sorted and written to temporary files,
  which are merged (``heapq.merge``, at most ``MAX_RUNS`` files at a time) with
  the canonicalised lines into one sorted stream.

Measured (bench/export_memory.py; bench/results/export_memory_*.json), exporting
1,000,000 generated statements to gzipped N-Quads with ``practicegraph export``:
peak RSS 256 MB for the whole process (136 MB for the same CLI only opening
the store), 26 s; canonicalising the same dataset in memory with pyoxigraph,
lines sorted: 2.3 GB, 52 s, and the same bytes. Of the 120 MB, the exporter's
own share is flat, about 25 MB (the run, the merge buffers): in a minimal
process, iterating the store alone peaks at 151 MB at 1M statements and 214 MB
at 2M, exporting at 173 and 239 MB. The rest grows with the store's full scan
(RocksDB), not with the export. Statements with blank nodes
cost about 1.6 kB each on top (1M statements, 100k of them in blank-node
trees: 411 MB).

RDFC-1.0 is exponential in the worst case (blank nodes that cannot be told
apart: a clique of 8 takes 4 s here, of 10 minutes), and pyoxigraph's
implementation has no work limit and cannot be interrupted. Given a
``time_limit``, the blank-node statements are canonicalised in a spawned child
process (exchange.rdfc_worker, about half a second to start) that is killed
when the limit passes: :class:`CanonicalizationError` instead of an export that
holds the write lock for ever. Imports check their blank nodes the same way
(:func:`check_canonicalizable`), so such data is refused at the door.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import itertools
import multiprocessing
import tempfile
from collections.abc import Generator, Iterable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from practicegraph.errors import CanonicalizationError
from practicegraph.exchange import rdfc_worker
from practicegraph.graph.store import RDF_FORMATS

#: Characters of N-Quads text held in memory before a run is sorted and spilled.
RUN_CHARS = 16 * 1024 * 1024
#: Run files merged at once (each holds an open file and its buffer).
MAX_RUNS = 64
#: Formats written as their canonical lines; the others are serialised from them.
LINE_FORMATS = ("nquads", "nt")
#: Formats that keep the named graphs; the others hold the union of all graphs.
DATASET_FORMATS = ("nquads", "trig")

_RDFC = ox.CanonicalizationAlgorithm.RDFC_1_0


@dataclass(frozen=True)
class DumpSummary:
    """What was written: statements, and the SHA-256 and size of the uncompressed bytes."""

    statements: int
    sha256: str
    size: int


def canonical_lines(
    quads: Iterable[ox.Quad],
    *,
    triples: bool = False,
    workdir: Path | None = None,
    run_chars: int | None = None,
    time_limit: float | None = None,
) -> Generator[str, None, None]:
    """RDFC-1.0 canonical N-Quads of ``quads``: sorted, distinct lines ending in newline.

    With ``triples``, the graph names are dropped and the union graph is
    canonicalised instead (canonical N-Triples). Temporary runs are written in
    ``workdir`` (default: the system's temporary directory) and removed when the
    iterator is exhausted or closed; a run holds ``run_chars`` characters
    (default :data:`RUN_CHARS`). With ``time_limit`` (seconds), blank nodes are
    labelled in a child process stopped at the limit (see the module doc).
    """
    run_chars = run_chars or RUN_CHARS
    with tempfile.TemporaryDirectory(prefix="canonical-", dir=workdir) as scratch:
        folder = Path(scratch)
        names = (folder / f"run-{n:06d}.nq" for n in itertools.count())
        with_blanks = ox.Dataset()
        runs: list[Path] = []
        run: list[str] = []
        size = 0
        for quad in quads:
            if triples and not isinstance(quad.graph_name, ox.DefaultGraph):
                quad = ox.Quad(quad.subject, quad.predicate, quad.object)
            if _has_blank_node(quad):
                with_blanks.add(quad)
                continue
            line = f"{quad} .\n"
            run.append(line)
            size += len(line)
            if size >= run_chars:
                runs.append(_spill(run, next(names)))
                run, size = [], 0
        run.sort()
        blank_lines = _canonical_blank_lines(with_blanks, time_limit, folder)
        del with_blanks
        while len(runs) > MAX_RUNS:
            runs = [
                _merged_run(runs[start : start + MAX_RUNS], next(names))
                for start in range(0, len(runs), MAX_RUNS)
            ]
        with ExitStack() as files:
            streams: list[Iterable[str]] = [run, blank_lines]
            streams += [files.enter_context(_open_run(path)) for path in runs]
            previous = None
            for line in heapq.merge(*streams):
                if line != previous:
                    yield line
                    previous = line


def write_canonical(
    quads: Iterable[ox.Quad],
    output: IO[bytes] | Any,
    fmt: str,
    prefixes: dict[str, str] | None = None,
    *,
    workdir: Path | None = None,
    run_chars: int | None = None,
    time_limit: float | None = None,
) -> DumpSummary:
    """Write ``quads`` canonically in ``fmt`` to a binary ``output``; returns what was
    written (the checksum is of these bytes, before any compression ``output`` adds)."""
    if fmt not in RDF_FORMATS or fmt == "xml":
        raise ValueError(f"no canonical dump in {fmt!r}")
    triples = fmt not in DATASET_FORMATS
    counting = HashingWriter(output)
    with closing(
        canonical_lines(
            quads, triples=triples, workdir=workdir, run_chars=run_chars, time_limit=time_limit
        )
    ) as lines:
        if fmt in LINE_FORMATS:
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= 4096:
                    counting.write("".join(batch).encode("utf-8"))
                    counting.statements += len(batch)
                    batch = []
            counting.write("".join(batch).encode("utf-8"))
            counting.statements += len(batch)
        else:
            reader = _LineReader(lines, counting)
            parsed = ox.parse(
                io.BufferedReader(reader, 64 * 1024),
                ox.RdfFormat.N_TRIPLES if triples else ox.RdfFormat.N_QUADS,
            )
            statements: Iterable[ox.Quad] | Iterable[ox.Triple] = (
                (quad.triple for quad in parsed) if triples else parsed
            )
            ox.serialize(
                statements,
                cast(IO[bytes], counting),
                RDF_FORMATS[fmt],
                prefixes=prefixes if fmt in ("turtle", "trig") else None,
            )
    return DumpSummary(counting.statements, counting.digest.hexdigest(), counting.size)


def _canonical_blank_lines(
    dataset: ox.Dataset, time_limit: float | None, folder: Path
) -> list[str]:
    """The sorted canonical lines of the statements with blank nodes."""
    if not len(dataset):
        return []
    if time_limit is None:
        dataset.canonicalize(_RDFC)
        return sorted(f"{quad} .\n" for quad in dataset)
    source, target = folder / "blank-nodes.nq", folder / "blank-nodes.canonical.nq"
    with source.open("wb") as handle:
        ox.serialize(dataset, handle, ox.RdfFormat.N_QUADS)
    context = multiprocessing.get_context("spawn")  # never fork a process holding RocksDB
    child = context.Process(
        target=rdfc_worker.canonicalize_file, args=(str(source), str(target)), daemon=True
    )
    child.start()
    child.join(time_limit)
    if child.is_alive():
        child.kill()
        child.join()
        raise CanonicalizationError(time_limit, len(dataset))
    if child.exitcode != 0:
        raise RuntimeError(f"the RDFC-1.0 worker process failed (exit code {child.exitcode})")
    with target.open(encoding="utf-8") as lines:
        return list(lines)


def check_canonicalizable(quads: Iterable[ox.Quad], time_limit: float) -> None:
    """Raise :class:`CanonicalizationError` if the blank nodes among ``quads`` cannot be
    labelled within ``time_limit`` seconds (an import's check: see the module doc)."""
    with_blanks = ox.Dataset(q for q in quads if _has_blank_node(q))
    if len(with_blanks):
        with tempfile.TemporaryDirectory(prefix="canonical-check-") as scratch:
            _canonical_blank_lines(with_blanks, time_limit, Path(scratch))


def _has_blank_node(quad: ox.Quad) -> bool:
    return (
        _holds_blank(quad.subject)
        or _holds_blank(quad.object)
        or isinstance(quad.graph_name, ox.BlankNode)
    )


def _holds_blank(term: object) -> bool:
    if isinstance(term, ox.BlankNode):
        return True
    if isinstance(term, ox.Triple):  # an RDF 1.2 triple term
        return _holds_blank(term.subject) or _holds_blank(term.object)
    return False


def _spill(lines: list[str], path: Path) -> Path:
    lines.sort()
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(lines)
    return path


def _open_run(path: Path) -> IO[str]:
    # newline="\n": a line ends at "\n" only (canonical lines escape \r, and other
    # line separators such as U+2028 may stand in literals)
    return path.open("r", encoding="utf-8", newline="\n", buffering=256 * 1024)


def _merged_run(paths: list[Path], target: Path) -> Path:
    with ExitStack() as files, target.open("w", encoding="utf-8", newline="\n") as out:
        out.writelines(heapq.merge(*(files.enter_context(_open_run(p)) for p in paths)))
    for path in paths:
        path.unlink()
    return target


class HashingWriter:
    """Passes writes on, counting bytes and hashing them (the content checksum here,
    the file's checksum in exchange.export)."""

    def __init__(self, output: IO[bytes] | Any) -> None:
        self.output = output
        self.digest = hashlib.sha256()
        self.size = 0
        self.statements = 0

    def write(self, data: bytes) -> int:
        self.output.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        """pyoxigraph flushes its output when done; the caller's file is flushed on close."""


class _LineReader(io.RawIOBase):
    """The canonical lines as a readable byte stream (for pyoxigraph's parser)."""

    def __init__(self, lines: Iterator[str], counting: HashingWriter) -> None:
        super().__init__()
        self.lines = lines
        self.counting = counting
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = len(buffer)
        chunks, held = [self.pending], len(self.pending)
        while held < wanted:
            line = next(self.lines, None)
            if line is None:
                break
            self.counting.statements += 1
            chunks.append(line.encode("utf-8"))
            held += len(chunks[-1])
        data = b"".join(chunks)
        size = min(wanted, len(data))
        buffer[:size] = data[:size]
        self.pending = data[size:]
        return size


__all__ = ["DumpSummary", "canonical_lines", "write_canonical"]
