"""Who holds the embedded store's lock, so that a refused open can name them.

RocksDB lets one process at a time open a store for writing (its ``LOCK`` file);
a second writer is refused with "Resource temporarily unavailable" and no hint
of who holds it. So the process that opens the data directory's store for
writing records itself in a small JSON file beside the store directory
(``store.holder.json``: pid, command line, and for ``practicegraph serve`` the
address it listens on), and removes it when it closes the store. A process that
is refused reads the file and says who is in the way and what to do: wait for
an ingest, or send writes to the running server's HTTP API.

The file is only a hint: it is written after the lock is taken and read only
when the lock is refused, so a stale file (a killed process) is never believed
unless its pid is still alive.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from practicegraph.errors import StoreError

#: Longest command line recorded (a glob can expand to thousands of paths).
MAX_COMMAND_CHARS = 200


@dataclass(frozen=True)
class LockHolder:
    """A process holding the store open for writing."""

    pid: int
    command: str
    #: The base URL of ``practicegraph serve`` when the holder is a server.
    server_url: str | None = None

    def describe(self) -> str:
        if self.server_url:
            return f"practicegraph serve on {self.server_url} (pid {self.pid})"
        return f"`{self.command}` (pid {self.pid})"


#: What this process is, when it is more than its command line says (the server's
#: address). Set once by the entry point, before the store is opened.
_server_url: list[str] = []


def serving_at(url: str) -> None:
    """Record that this process is ``practicegraph serve`` listening at ``url``."""
    _server_url[:] = [url]


def _command() -> str:
    argv = list(sys.argv) or ["python"]
    name = Path(argv[0]).name
    if name in ("__main__.py", "-m") or name.startswith("python"):
        name = "practicegraph"
    line = shlex.join([name, *argv[1:]])
    return line if len(line) <= MAX_COMMAND_CHARS else line[: MAX_COMMAND_CHARS - 1] + "…"


def this_process() -> LockHolder:
    return LockHolder(os.getpid(), _command(), _server_url[0] if _server_url else None)


def record(file: Path) -> None:
    """Write this process into ``file`` (atomically); a failure only costs the hint."""
    holder = this_process()
    temporary = file.with_name(f".{file.name}.{holder.pid}")
    with contextlib.suppress(OSError):
        temporary.write_text(json.dumps(asdict(holder)), encoding="utf-8")
        temporary.replace(file)


def forget(file: Path) -> None:
    """Remove ``file`` if this process wrote it."""
    holder = read(file)
    if holder is not None and holder.pid == os.getpid():
        with contextlib.suppress(OSError):
            file.unlink()


def read(file: Path) -> LockHolder | None:
    """The holder recorded in ``file``, or None when there is none or it is gone."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        holder = LockHolder(int(data["pid"]), str(data["command"]), data.get("server_url") or None)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return holder if _alive(holder.pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


class StoreInUseError(StoreError):
    """Another process holds the store open for writing; ``holder`` says who, if known."""

    def __init__(self, path: Path, holder: LockHolder | None) -> None:
        self.path = path
        self.holder = holder
        if holder is None:
            what = "another process (an ingest, or practicegraph serve?)"
            advice = "wait for it to finish, or stop it"
        elif holder.server_url:
            what = holder.describe()
            advice = (
                "send writes to the server's HTTP API with the write token (POST /documents, "
                "DELETE /documents/NAME, POST /sparql), or stop the server; read-only "
                "commands (search, sparql, stats, export) work beside it"
            )
        else:
            what = holder.describe()
            advice = "wait for it to finish, or stop it"
        super().__init__(f"the store at {path} is in use by {what}: {advice}")
