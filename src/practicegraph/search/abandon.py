"""Giving up a whoosh writer that failed (a full disk) without leaving anything behind.

Why this exists: whoosh's ``cancel`` (and a failed ``commit``) first close the
segment files being written, which fails again on a full disk, before the
index's lock is released; every later write would then wait for that lock and
time out, and the half-written files would keep the space the index needs.
"""

from __future__ import annotations

import contextlib
import gc
import io
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index


def abandon_writer(ix: Any, path: Path, writer: Any) -> None:
    """Release ``writer``'s lock and delete the files it had begun; never raises.

    The index is left as its last commit described it.
    """
    if writer.is_closed:  # it committed: only the cleanup of its files failed
        return
    # each part on its own: the first to fail must not keep the others' files open
    for part in ("perdocwriter", "fieldwriter"):
        with contextlib.suppress(Exception):
            getattr(writer, part).close()
    with contextlib.suppress(Exception):
        writer.pool.cleanup()
    close_files_written_under(path)
    with contextlib.suppress(Exception):
        writer._tempstorage.destroy()
    with contextlib.suppress(Exception):
        writer.writelock.release()
    writer.is_closed = True
    storage, name = ix.storage, ix.indexname
    with contextlib.suppress(Exception):
        toc = whoosh_index.TOC.read(storage, name)
        # segment files that no committed table of contents lists, and a half-
        # written table of contents (it is written to a temporary name first)
        whoosh_index.clean_files(storage, name, toc.generation, toc.segments)
        for leftover in [f for f in storage if f.startswith(f"_{name}_") and ".toc." in f]:
            storage.delete_file(leftover)


def close_files_written_under(path: Path) -> None:
    """Close every file still open for writing under ``path`` (a failed writer's).

    Why a sweep: a whoosh writer's files hang off several objects, and the first
    close that fails (its buffer cannot be flushed to a full disk) leaves the
    rest open. Only the writer, which holds the index's lock, writes there.
    """
    root = str(path)
    for obj in gc.get_objects():
        if isinstance(obj, io.IOBase) and not obj.closed:
            name, mode = getattr(obj, "name", None), getattr(obj, "mode", "")
            if isinstance(name, str) and name.startswith(root) and set(str(mode)) & set("wa+"):
                with contextlib.suppress(Exception):  # the flush fails; the file closes
                    obj.close()
