"""Opening a dump file: its syntax from the name, gzip, and limits that hold.

A gzip bomb is a small file that expands to gigabytes. The limit is therefore
checked on the bytes *after* decompression, as they are read, so the parse
stops at the limit however well the file compresses; nothing has been written
by then (imports parse into a staging store first). RDF/XML is also screened
for entity declarations on its way to the parser, and each entity reference
counts its expansion against the same limit (see :mod:`.xml_guard`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from practicegraph.errors import DumpError, DumpTooLargeError
from practicegraph.exchange.xml_guard import EntityGuard
from practicegraph.formats import RDF_SYNTAXES

#: File endings besides pyoxigraph's own (``fmt.file_extension``), by syntax name.
_MORE_ENDINGS: dict[str, tuple[str, ...]] = {
    "nquads": (".nquads",),
    "turtle": (".turtle",),
    "nt": (".ntriples",),
    "jsonld": (".json",),
    "xml": (".owl", ".xml"),
}
#: syntax name (practicegraph.formats.RDF_SYNTAXES) -> (pyoxigraph format, file endings)
SYNTAXES: dict[str, tuple[ox.RdfFormat, tuple[str, ...]]] = {
    name: (fmt, (f".{fmt.file_extension}", *_MORE_ENDINGS.get(name, ())))
    for name, fmt in RDF_SYNTAXES.items()
}
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class DumpSyntax:
    name: str
    rdf_format: ox.RdfFormat
    gzipped: bool


def syntax_of(filename: str, declared: str | None = None) -> DumpSyntax:
    """The syntax a dump is in: ``declared`` if given, else from the file ending."""
    lower = filename.lower()
    gzipped = lower.endswith(".gz")
    stem = lower[:-3] if gzipped else lower
    if declared is not None:
        if declared not in SYNTAXES:
            raise DumpError(
                f"unknown syntax {declared!r}; choose one of {', '.join(SYNTAXES)}", filename
            )
        return DumpSyntax(declared, SYNTAXES[declared][0], gzipped)
    for name, (rdf_format, endings) in SYNTAXES.items():
        if stem.endswith(endings):
            return DumpSyntax(name, rdf_format, gzipped)
    raise DumpError(
        "cannot tell the RDF syntax from the file name; name it with --format "
        f"({', '.join(SYNTAXES)}) or use an ending such as .nq, .trig, .ttl, .nt, "
        ".jsonld or .rdf (optionally followed by .gz)",
        filename,
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class LimitedReader(io.RawIOBase):
    """A binary stream that refuses to yield more than ``limit`` bytes.

    With a ``guard``, every block is screened by it before the parser gets it.
    """

    def __init__(
        self,
        inner: Any,
        limit: int,
        filename: str,
        what: str,
        owned: tuple[Any, ...] = (),
        guard: EntityGuard | None = None,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._owned = owned  # closed with this reader (the file under a GzipFile)
        self._guard = guard
        self._limit = limit
        self._filename = filename
        self._what = what
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            for handle in self._owned:
                handle.close()
        super().close()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except (OSError, EOFError, zlib.error) as exc:  # a corrupt or truncated gzip stream
            raise DumpError(f"the file cannot be decompressed: {exc}", self._filename) from exc
        self.consumed += len(data)
        if self.consumed > self._limit:
            raise DumpTooLargeError(
                f"{self._what} exceeds the limit of {self._limit:,} bytes "
                "(setting max_import_bytes); nothing was imported",
                self._filename,
            )
        if self._guard is not None:
            self._guard.feed(data, final=not data)
        buffer[: len(data)] = data
        return len(data)


def open_dump(
    path: Path, syntax: DumpSyntax, max_bytes: int, filename: str | None = None
) -> IO[bytes]:
    """A stream of the dump's (decompressed) bytes that stops at ``max_bytes``.

    ``filename`` is the name errors give (an upload is saved under another name).
    """
    shown = filename or path.name
    if not path.is_file():
        raise DumpError("no such file", str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise DumpTooLargeError(
            f"the file is {size:,} bytes, over the limit of {max_bytes:,} bytes "
            "(setting max_import_bytes); nothing was imported",
            shown,
        )
    raw = path.open("rb")
    gzipped = syntax.gzipped or raw.read(2) == GZIP_MAGIC
    raw.seek(0)
    inner: Any = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
    what = "the decompressed content" if gzipped else "the file"
    owned = (raw,) if inner is not raw else ()
    guard = EntityGuard(shown, max_bytes) if syntax.name == "xml" else None
    reader = LimitedReader(inner, max_bytes, shown, what, owned, guard)
    return io.BufferedReader(reader, 1 << 16)
