"""One export path: the canonical dump of a set of statements, as a file or a stream.

The command line (``practicegraph export``) and the HTTP API (``GET /dumps/...``)
both write their files with :func:`export_file`, so the same data gives the
same file from either: the same canonical bytes (exchange.canonical), gzipped
the same way (level :data:`GZIP_LEVEL`, modification time 0, no file name in
the header), hence the same checksum. Turtle and TriG are written with the
project's prefixes (vocab.PREFIXES), always the same ones.

The SHA-256 of the uncompressed N-Quads is the one another tool reproduces
(RDFC-1.0 canonical N-Quads); the gzip bytes are the same for the same zlib.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from practicegraph.exchange.canonical import DumpSummary, HashingWriter, write_canonical
from practicegraph.vocab import PREFIXES

#: zlib's default: within a few per cent of level 9's size, in half its time.
GZIP_LEVEL = 6


@dataclass(frozen=True)
class ExportedFile:
    """A dump file as written: its content (canonical, uncompressed) and its bytes."""

    path: Path
    fmt: str
    compressed: bool
    content: DumpSummary
    sha256: str  # of the file
    size: int  # of the file

    @property
    def statements(self) -> int:
        return self.content.statements


def write_dump(
    quads: Iterable[ox.Quad],
    output: IO[bytes] | Any,
    fmt: str,
    *,
    compressed: bool = False,
    workdir: Path | None = None,
    time_limit: float | None = None,
) -> DumpSummary:
    """Write the canonical dump of ``quads`` in ``fmt`` to ``output``, gzipped or not.

    The summary's checksum and size are of the uncompressed content. ``time_limit``
    bounds the labelling of blank nodes (exchange.canonical).
    """
    if not compressed:
        return write_canonical(
            quads, output, fmt, dict(PREFIXES), workdir=workdir, time_limit=time_limit
        )
    with gzip.GzipFile(
        fileobj=output, mode="wb", compresslevel=GZIP_LEVEL, mtime=0, filename=""
    ) as zipped:
        return write_canonical(
            quads, zipped, fmt, dict(PREFIXES), workdir=workdir, time_limit=time_limit
        )


def export_file(
    quads: Iterable[ox.Quad],
    path: Path,
    fmt: str,
    *,
    compressed: bool | None = None,
    time_limit: float | None = None,
) -> ExportedFile:
    """Write the dump to ``path`` (gzipped when its name ends in ``.gz``, unless told).

    Written as ``PATH.partial`` and renamed into place: a failed export leaves
    no file, and never a truncated one under the final name. Sorting spills go
    to a temporary folder beside the file, removed afterwards.
    """
    if compressed is None:
        compressed = path.name.endswith(".gz")
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as raw:
            hashing = HashingWriter(raw)
            content = write_dump(
                quads,
                hashing,
                fmt,
                compressed=compressed,
                workdir=path.parent,
                time_limit=time_limit,
            )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return ExportedFile(path, fmt, compressed, content, hashing.digest.hexdigest(), hashing.size)


def checksum_line(exported: ExportedFile) -> str:
    """The file's line for ``sha256sum -c``."""
    return f"{exported.sha256}  {exported.path.name}\n"
