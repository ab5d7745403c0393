"""The ``practicegraph`` command line (typer: typed options, generated help).

Every command takes ``--data DIR`` (or PRACTICEGRAPH_DATA). Errors a user can
cause print one line, ``error: ...``, on stderr and exit with status 1; a
batch ingest with some bad files exits 2 after reporting each of them.

This module is the entry point (``practicegraph.cli:main``): it holds the
application, the commands that build and look after the graph, and assembles
the others -- :mod:`practicegraph.cli_query` (sparql, update, search) and
:mod:`practicegraph.cli_exchange` (export, import, sources); their shared
parts are in :mod:`practicegraph.cli_base`. Every command opens the service
through ``PracticeGraphService`` as named here (tests replace it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from practicegraph import __version__, cli_exchange, cli_query
from practicegraph.cli_base import (
    DataOption,
    console,
    err_console,
    fail,
    open_service,
    reports_errors,
)
from practicegraph.config import Settings, help_for
from practicegraph.graph import lock_holder
from practicegraph.service import PracticeGraphService

__all__ = ["PracticeGraphService", "app", "main"]

app = typer.Typer(
    help="Build, query and export the PracticeGraph knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        console.print(f"practicegraph {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Build, query and export the PracticeGraph knowledge graph."""


@app.command()
@reports_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    data: DataOption = None,
    force: Annotated[bool, typer.Option(help="Re-extract files even when unchanged.")] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Print a line on stderr as each document is done."),
    ] = False,
) -> None:
    """Read documents (.txt .md .html .pdf .docx); extract entities and practices; store them."""
    with (
        open_service(data) as service,
        Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=not err_console.is_terminal,
        ) as bar,
    ):
        task = bar.add_task("extracting", total=None)

        def advance(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name[:30])
            if verbose:
                bar.console.print(f"{done}/{total} {escape(name)}", highlight=False)

        report = service.ingest(paths, force=force, progress=advance)
    for failure in report.failed:
        line = " ".join(f"{failure.path}: {failure.reason}".split())
        err_console.print(f"[red]skipped[/] {escape(line)}", highlight=False, soft_wrap=True)
    console.print(
        f"added {len(report.added)}, replaced {len(report.replaced)}, "
        f"unchanged {len(report.unchanged)}, failed {len(report.failed)} "
        f"({report.words} words extracted)",
        highlight=False,
    )
    if report.failed:
        raise typer.Exit(2)


@app.command()
@reports_errors
def remove(
    names: Annotated[list[str], typer.Argument(help="File names of documents to remove.")],
    data: DataOption = None,
) -> None:
    """Remove documents (by file name) and every triple they contributed."""
    with open_service(data) as service:
        removed, missing = service.remove(names)
    for name in removed:
        console.print(f"removed {name}", highlight=False)
    if missing:
        raise fail(f"no such document: {', '.join(missing)}")


app.command()(cli_query.sparql)
app.command()(cli_query.update)
app.command()(cli_exchange.export)
app.command("import")(cli_exchange.import_)
app.add_typer(cli_exchange.sources_app, name="sources")
app.command()(cli_exchange.backup)
app.command()(cli_exchange.restore)
app.command()(cli_query.search)


@app.command()
@reports_errors
def reindex(data: DataOption = None) -> None:
    """Rebuild the keyword index from the store."""
    with open_service(data) as service:
        result = service.reindex()
    console.print(f"reindexed {len(result.reindexed)} documents")


@app.command()
@reports_errors
def stats(
    data: DataOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Documents, triples and entities per type."""
    with open_service(data, read_only=True) as service:
        counts = service.stats()
    if as_json:
        sys.stdout.write(json.dumps(counts, indent=2) + "\n")
        return
    table = Table("what", "count")
    for name, value in counts.items():
        table.add_row(name, str(value))
    console.print(table)


@app.command()
@reports_errors
def validate(data: DataOption = None) -> None:
    """Check the graph against the SHACL shapes of the contract (ontology/shapes.ttl)."""
    with open_service(data, read_only=True) as service:
        conforms, report = service.validate()
    if conforms:
        console.print("conforms: the graph satisfies ontology/shapes.ttl")
        return
    sys.stdout.write(report)
    raise typer.Exit(1)


@app.command()
@reports_errors
def serve(
    host: Annotated[str | None, typer.Option(help=help_for("host"))] = None,
    port: Annotated[int | None, typer.Option(help=help_for("port"))] = None,
    data: DataOption = None,
    access_log: Annotated[
        bool,
        typer.Option(
            help="Log one line per request (uvicorn's access log). On by default; "
            "--no-access-log saves about 30 µs of CPU per request (7 % of a small "
            "query's) when a "
            "proxy in front logs requests anyway."
        ),
    ] = True,
) -> None:
    """Serve SPARQL, keyword search, linked data and dumps over HTTP (uvicorn)."""
    import uvicorn

    from practicegraph.api import create_app

    settings = Settings.from_env(data_dir=data, host=host, port=port)
    address = f"[{settings.host}]" if ":" in settings.host else settings.host
    # named in the holder file, for a command refused the store while this one serves
    lock_holder.serving_at(f"http://{address}:{settings.port}")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=access_log,
        proxy_headers=False,
        # uvicorn's "auto" already picks these when installed (they are project
        # dependencies); named so that a missing one fails loudly, not slowly
        loop="uvloop",
        http="httptools",
    )


@app.command()
def version() -> None:
    """Print the version (also: practicegraph --version)."""
    console.print(f"practicegraph {__version__}", highlight=False)


def main() -> None:
    app()
