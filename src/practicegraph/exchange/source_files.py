"""What imports keep on disk beside the store, and the scratch space they work in.

Layout under the data directory:

- ``sources/NAME/STAMP.nq.gz``: the archive of an import that took effect, as
  gzipped N-Quads, kept for the import in force and the one before it, so that
  ``rollback`` can put the earlier one back (``STAMP.nq.gz.pending`` while the
  import has not switched yet);
- ``sources/NAME/STAMP.report.json``: every import's report, refused ones too;
- ``staging/STAMP``: the staging store an import parses into;
- ``uploads/dump-*``: a dump arriving over HTTP.

Scratch folders are *claimed* while in use, so that clearing what a killed
process left behind (:meth:`SourceFiles.drop_leftovers`, run when the store is
opened and after it recovers from a full disk, imports possibly going on)
never takes a folder from under a running import.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from practicegraph.errors import UnknownSourceError
from practicegraph.exchange.registry import ImportReport
from practicegraph.graph.store import GraphStore

KEEP_ARCHIVES = 2  # the import in force and the one before it (for rollback)
UPLOAD_PREFIX = "dump-"  # folders under data_dir/uploads holding a dump sent over HTTP


class SourceFiles:
    """The archives, reports and scratch folders of imports in one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "sources"
        self.staging_root = data_dir / "staging"
        self.uploads_root = data_dir / "uploads"
        self._scratch: set[Path] = set()
        self._scratch_lock = threading.Lock()

    # -- archives ------------------------------------------------------------------------
    def write_pending_archive(self, staged: GraphStore, source: str, stamp: str) -> Path:
        """The staged data as gzipped N-Quads, named ``.pending`` until the switch."""
        folder = self.root / source
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{stamp}.nq.gz.pending"
        try:
            with gzip.open(target, "wb", compresslevel=1) as handle:
                staged.dump(handle, "nquads")  # type: ignore[arg-type]
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    @staticmethod
    def keep_archive(pending: Path) -> None:
        """The import took effect: its archive can restore it later."""
        pending.replace(pending.with_name(pending.name.removesuffix(".pending")))

    def archive(self, source: str, stamp: str) -> Path | None:
        """The archive of one import that took effect, if it is still kept."""
        path = self.root / source / f"{stamp}.nq.gz"
        return path if path.is_file() else None

    def prune_archives(self, source: str, keep_stamps: set[str]) -> None:
        """Delete the source's archives but those of ``keep_stamps``."""
        keep = {f"{stamp}.nq.gz" for stamp in keep_stamps}
        for archive in (self.root / source).glob("*.nq.gz"):
            if archive.name not in keep:
                archive.unlink(missing_ok=True)

    def remove_source(self, source: str) -> None:
        shutil.rmtree(self.root / source, ignore_errors=True)

    # -- reports -------------------------------------------------------------------------
    def save_report(self, source: str, stamp: str, report: ImportReport) -> None:
        """Written whole or not at all (a partial file, then a rename)."""
        folder = self.root / source
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{stamp}.report.json"
        partial = target.with_suffix(".partial")
        partial.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
        partial.replace(target)

    def newest_report(self, source: str) -> dict[str, Any]:
        """The newest import report of a source (validation included)."""
        folder = self.root / source
        reports = sorted(folder.glob("*.report.json")) if folder.is_dir() else []
        if not reports:
            raise UnknownSourceError(source)
        return json.loads(reports[-1].read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    def report_of(self, source: str, stamp: str) -> dict[str, Any]:
        """One import's report, or {} if it is gone."""
        path = self.root / source / f"{stamp}.report.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        return {}

    # -- scratch space ----------------------------------------------------------------------
    def claim(self, folder: Path) -> Path:
        """Create ``folder`` and keep :meth:`drop_leftovers` off it until released."""
        with self._scratch_lock:
            folder.mkdir(parents=True, exist_ok=True)
            self._scratch.add(folder)
        return folder

    def release(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)  # still claimed: drop_leftovers keeps off
        with self._scratch_lock:
            self._scratch.discard(folder)

    def staging(self, name: str) -> Path:
        """A claimed folder for a staging store."""
        return self.claim(self.staging_root / name)

    @contextmanager
    def upload_folder(self) -> Iterator[Path]:
        """A fresh folder for a dump arriving over HTTP, removed however the import ends;
        one that a killed process left behind goes at the next :meth:`drop_leftovers`."""
        with self._scratch_lock:
            self.uploads_root.mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=self.uploads_root))
            self._scratch.add(folder)
        try:
            yield folder
        finally:
            self.release(folder)

    def drop_leftovers(self) -> None:
        """Remove the staging stores, uploads and pending archives of imports that never
        finished: a process killed mid-import (out of memory, say) ran no clean-up."""
        with self._scratch_lock:  # a folder claimed later has a new name: no race
            leftovers = [
                folder
                for folder in [
                    *self.staging_root.glob("*"),
                    *self.uploads_root.glob(UPLOAD_PREFIX + "*"),
                ]
                if folder not in self._scratch
            ]
        for folder in leftovers:
            shutil.rmtree(folder, ignore_errors=True)
        for pending in self.root.glob("*/*.pending"):  # archives of imports that never switched
            pending.unlink(missing_ok=True)
