"""What every command module of the CLI shares: consoles, the error line, the service.

The commands live in :mod:`practicegraph.cli` (the entry point, which assembles
them), :mod:`practicegraph.cli_query` (sparql, update, search) and
:mod:`practicegraph.cli_exchange` (export, import, sources).
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from practicegraph.config import Settings, help_for
from practicegraph.errors import PracticeGraphError
from practicegraph.graph.lock_holder import StoreInUseError

if TYPE_CHECKING:
    from practicegraph.service import PracticeGraphService

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help=help_for("data_dir"),
        show_default=False,
    ),
]

#: How to do over a running server's HTTP API what a command would do locally.
HTTP_WAY: dict[str, str] = {
    "ingest": "POST {url}/documents, the file as form field file",
    "remove": "DELETE {url}/documents/NAME",
    "update": "POST {url}/sparql, the update as form field update",
    "import_": "PUT {url}/sources/NAME, the dump as the body",
    "sources_remove": "DELETE {url}/sources/NAME",
    "sources_rollback": "POST {url}/sources/NAME/rollback",
    "restore": "PUT {url}/admin/restore, the backup as the body",
}


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` as one line on stderr; return the exit to raise."""
    line = " ".join(message.split())
    err_console.print("[bold red]error:[/] ", end="", highlight=False)
    err_console.print(escape(line), highlight=False, soft_wrap=True)
    return typer.Exit(code)


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the errors a user can cause into one clear line and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except StoreInUseError as exc:
            raise fail(_in_use(exc, func.__name__)) from None
        except PracticeGraphError as exc:
            raise fail(str(exc)) from None

    return wrapper


def _in_use(exc: StoreInUseError, command: str) -> str:
    """The refusal, with the HTTP request that does the same when a server holds the store."""
    holder = exc.holder
    way = HTTP_WAY.get(command)
    if holder is None or holder.server_url is None or way is None:
        return str(exc)
    request = way.format(url=holder.server_url.rstrip("/"))
    return (
        f"the store at {exc.path} is in use by {holder.describe()}: use its HTTP API with the "
        f"write token instead ({request}; header Authorization: Bearer TOKEN), or stop the server"
    )


def open_service(data: Path | None, *, read_only: bool = False) -> PracticeGraphService:
    """The service of the data directory ``data`` (or the configured one)."""
    # Looked up on the entry module when called: tests replace
    # practicegraph.cli.PracticeGraphService (to share one spaCy extractor), and
    # that one replacement must reach the commands of every module.
    from practicegraph import cli

    return cli.PracticeGraphService(Settings.from_env(data_dir=data), read_only=read_only)


@contextmanager
def undone_if_new(data: Path | None) -> Iterator[None]:
    """Run a command that writes into a data directory; if it fails and the directory
    held nothing before (no store yet), take away what opening it created, so a
    failed first import or restore leaves the directory as it was."""
    target = Settings.from_env(data_dir=data).data_dir
    existed = target.exists()
    before = {p.name for p in target.iterdir()} if existed else set()
    fresh = "store" not in before
    try:
        yield
    except BaseException:
        if fresh:
            if not existed:
                shutil.rmtree(target, ignore_errors=True)
            else:
                for created in target.iterdir():
                    if created.name not in before:
                        if created.is_dir():
                            shutil.rmtree(created, ignore_errors=True)
                        else:
                            created.unlink(missing_ok=True)
        raise
