"""A whole instance in one file: written by ``backup``, taken back by ``restore``.

A backup is a POSIX tar file (``.tar``; its members are already gzipped) holding

- ``dataset.nq.gz``: every statement of the store, every graph (documents
  ingested here, imported sources, the registry of sources, provenance, the
  same-as links) as N-Quads, blank-node labels kept so that a blank node
  shared by two graphs stays one;
- ``quarantine.nq.gz``: imports kept apart after failing validation, if any;
- ``sources/NAME/…``: each source's archives (for rollback) and import reports;
- ``manifest.json``, first: the format and its version, the base IRI the
  instance mints its IRIs under, the statements of each graph, and the size
  and SHA-256 of every other member.

The keyword index is not in it: it is derived from the store and rebuilt on
restore. Nor is the ontology graph taken back: the restoring instance keeps
the ontology of its own code (``_install_ontology``).

Restoring checks the whole file before writing anything: every member listed,
no member unlisted, every checksum right, the base IRI the target's own. Then
the statements are loaded, the graph counts compared with the manifest, and
the files put in place; a failure on the way takes away whatever was written,
so the target is as it was. Only an empty instance (no documents, no sources)
takes a backup: a restore moves an instance, it does not merge two.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import shutil
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from practicegraph import __version__
from practicegraph.errors import BackupError
from practicegraph.exchange.quarantine import Quarantine
from practicegraph.exchange.source_files import SourceFiles
from practicegraph.graph.store import GraphStore

FORMAT = "practicegraph-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATASET = "dataset.nq.gz"
QUARANTINE = "quarantine.nq.gz"
DEFAULT_GRAPH = ""  # the manifest's key for the default graph
#: What a member under sources/ may be called: a source's name, then a file it keeps.
SOURCE_MEMBER = re.compile(
    r"sources/([a-z0-9][a-z0-9_-]{0,62})/(\d{8}T\d{6}\d+Z\.(?:nq\.gz|report\.json))"
)
_CHUNK = 1 << 20


@dataclass
class Manifest:
    """What a backup holds, as its ``manifest.json`` says."""

    base_iri: str
    created: str
    software: str
    graphs: dict[str, int]  # graph IRI ("" = the default graph) -> statements
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> sha256, bytes
    sources: list[str] = field(default_factory=list)
    documents: int = 0

    @property
    def statements(self) -> int:
        return sum(self.graphs.values())

    def to_json(self) -> bytes:
        data = {"format": FORMAT, "version": VERSION, **self.__dict__}
        data["statements"] = self.statements
        return json.dumps(data, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes, filename: str) -> Manifest:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BackupError(f"the manifest is not JSON ({exc})", filename, MANIFEST) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(
                f"not a PracticeGraph backup (its manifest has no format {FORMAT!r})",
                filename,
                MANIFEST,
            )
        if data.get("version") != VERSION:
            raise BackupError(
                f"backup format version {data.get('version')!r}; this version of PracticeGraph "
                f"reads version {VERSION}",
                filename,
                MANIFEST,
            )
        try:
            return cls(
                base_iri=str(data["base_iri"]),
                created=str(data["created"]),
                software=str(data["software"]),
                graphs={str(k): int(v) for k, v in dict(data["graphs"]).items()},
                members={str(k): dict(v) for k, v in dict(data["members"]).items()},
                sources=[str(s) for s in data.get("sources", [])],
                documents=int(data.get("documents", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"the manifest lacks or mistypes {exc}", filename, MANIFEST) from exc


# -- writing ------------------------------------------------------------------------------
def write_backup(
    path: Path,
    store: GraphStore,
    files: SourceFiles,
    quarantine: Quarantine,
    *,
    base_iri: str,
    sources: list[str],
    documents: int,
) -> Manifest:
    """Write the backup of one instance to ``path`` (as ``PATH.partial``, renamed into
    place). The caller holds the write lock: a backup is one state of the instance."""
    manifest = Manifest(
        base_iri=base_iri,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        software=__version__,
        graphs={},
        sources=sorted(sources),
        documents=documents,
    )
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="backup-", dir=path.parent) as scratch:
        folder = Path(scratch)
        members: list[tuple[str, Path]] = []
        dataset = folder / DATASET
        with gzip.open(dataset, "wb", compresslevel=6) as handle:
            manifest.graphs = _write_counted(store.quads(), handle)  # type: ignore[arg-type]
        members.append((DATASET, dataset))
        kept_apart = folder / QUARANTINE
        with gzip.open(kept_apart, "wb", compresslevel=6) as handle:
            has_quarantine = quarantine.dump(handle)  # type: ignore[arg-type]
        if has_quarantine:
            members.append((QUARANTINE, kept_apart))
        for kept in sorted(files.root.glob("*/*")):
            name = f"sources/{kept.parent.name}/{kept.name}"
            if SOURCE_MEMBER.fullmatch(name) and kept.is_file():
                # copied first: a report may be rewritten while the backup is made
                copy = folder / "sources" / kept.parent.name / kept.name
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(kept, copy)
                members.append((name, copy))
        for name, member in members:
            manifest.members[name] = {"sha256": _sha256(member), "bytes": member.stat().st_size}
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, manifest.to_json())
                for name, member in members:
                    tar.add(member, arcname=name, recursive=False)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def graph_key(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    """A graph's name in the manifest: its IRI; "" for the default graph; "_:" for every
    graph a blank node names, counted together (a load gives blank nodes new labels)."""
    if isinstance(graph, ox.DefaultGraph):
        return DEFAULT_GRAPH
    if isinstance(graph, ox.BlankNode):
        return "_:"
    return str(graph.value)


def _write_counted(quads: Iterable[ox.Quad], output: IO[bytes]) -> dict[str, int]:
    """Serialise ``quads`` as N-Quads, counting the statements of each graph."""
    counts: Counter[str] = Counter()

    def counted() -> Iterator[ox.Quad]:
        for quad in quads:
            counts[graph_key(quad.graph_name)] += 1
            yield quad

    ox.serialize(counted(), output, ox.RdfFormat.N_QUADS)
    return dict(sorted(counts.items()))


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# -- reading ------------------------------------------------------------------------------
class BackupReader:
    """An opened, checked backup file: :meth:`check` first, then the readers."""

    def __init__(self, path: Path, filename: str | None = None) -> None:
        self.path = path
        self.filename = filename or path.name
        try:
            self.tar = tarfile.open(path, "r:")  # noqa: SIM115 - closed by close()
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"not a backup file (a tar archive): {exc}", self.filename) from exc
        try:
            self.manifest = self._manifest()
        except BaseException:
            self.tar.close()
            raise

    def close(self) -> None:
        self.tar.close()

    def __enter__(self) -> BackupReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _member(self, name: str) -> tarfile.TarInfo:
        try:
            info = self.tar.getmember(name)
        except KeyError:
            raise BackupError("missing from the backup", self.filename, name) from None
        if not info.isfile():
            raise BackupError("not a regular file", self.filename, name)
        return info

    def _open(self, name: str) -> IO[bytes]:
        handle = self.tar.extractfile(self._member(name))
        if handle is None:  # not a regular file: _member said so already
            raise BackupError("not a regular file", self.filename, name)
        return handle

    def _manifest(self) -> Manifest:
        handle = self._open(MANIFEST)
        return Manifest.from_json(handle.read(1 << 24), self.filename)

    def check(self) -> None:
        """Every member listed and sound, nothing else in the file: before any write."""
        listed = set(self.manifest.members) | {MANIFEST}
        if DATASET not in self.manifest.members:
            raise BackupError("the manifest lists no dataset", self.filename, MANIFEST)
        for info in self.tar.getmembers():
            if info.name not in listed:
                raise BackupError("not listed in the manifest", self.filename, info.name)
            plain = info.name in (DATASET, QUARANTINE, MANIFEST)
            if not plain and not SOURCE_MEMBER.fullmatch(info.name):
                raise BackupError("not a file a backup holds", self.filename, info.name)
        for name, expected in sorted(self.manifest.members.items()):
            info = self._member(name)
            handle = self._open(name)
            digest = hashlib.sha256()
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
            if info.size != expected.get("bytes") or digest.hexdigest() != expected.get("sha256"):
                raise BackupError(
                    "damaged: its size or SHA-256 differs from the manifest's",
                    self.filename,
                    name,
                )

    def quads(self, member: str = DATASET) -> Iterator[ox.Quad]:
        """The statements of a dataset member, parsed as they stream out of the file."""
        handle = self._open(member)
        try:
            with gzip.open(handle, "rb") as text:
                yield from ox.parse(text, ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
        except (SyntaxError, OSError, EOFError) as exc:
            raise BackupError(f"unreadable N-Quads: {exc}", self.filename, member) from exc

    def has(self, member: str) -> bool:
        return member in self.manifest.members

    def extract_sources(self, root: Path) -> list[Path]:
        """Write the sources' archives and reports under ``root``; returns the folders
        made (for the caller to take away again if the restore fails)."""
        made: list[Path] = []
        for name in sorted(self.manifest.members):
            match = SOURCE_MEMBER.fullmatch(name)
            if match is None:
                continue
            folder = root / match.group(1)
            if not folder.exists():
                folder.mkdir(parents=True)
                made.append(folder)
            handle = self._open(name)
            with (folder / match.group(2)).open("wb") as out:
                shutil.copyfileobj(handle, out, _CHUNK)
        return made
