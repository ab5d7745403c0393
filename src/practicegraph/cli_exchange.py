"""The commands that exchange data with other organisations: ``export``, ``import``
and ``sources`` (list, report, rollback, remove); and those that move a whole
instance: ``backup`` and ``restore``.

Registered on the application by :mod:`practicegraph.cli`.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from practicegraph.cli_base import (
    DataOption,
    console,
    err_console,
    fail,
    open_service,
    reports_errors,
    undone_if_new,
)
from practicegraph.errors import InvalidDumpError
from practicegraph.exchange.export import checksum_line


class ExportFormat(StrEnum):
    nquads = "nquads"
    trig = "trig"
    turtle = "turtle"
    nt = "nt"
    jsonld = "jsonld"


@reports_errors
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="RDF syntax.")
    ] = ExportFormat.nquads,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="File (default: stdout); a name ending in .gz is gzipped."
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Export only this imported source, as it was imported.")
    ] = None,
    data: DataOption = None,
) -> None:
    """Export the graph canonically (W3C RDFC-1.0): the same data gives the same bytes.

    nquads and trig keep the named graphs. The file is the one GET /dumps serves for
    the same data. With -o, FILE.sha256 (for sha256sum -c) and FILE.void.ttl (a
    VoID/DCAT record of the dump) are written beside it.
    """
    with open_service(data, read_only=True) as service:
        if output is None:
            service.sources.export(sys.stdout.buffer, fmt.value, source)
            return
        try:
            exported = service.sources.export_file(output, fmt.value, source)
            output.with_name(output.name + ".sha256").write_text(
                checksum_line(exported), encoding="utf-8"
            )
            output.with_name(output.name + ".void.ttl").write_bytes(
                service.sources.void_record(exported, source)
            )
        except OSError as exc:
            raise fail(f"{output}: {exc.strerror}") from None
    err_console.print(
        f"wrote {output} ({exported.statements} statements, sha256 {exported.sha256})",
        highlight=False,
    )


class ImportFormat(StrEnum):
    nquads = "nquads"
    trig = "trig"
    turtle = "turtle"
    nt = "nt"
    jsonld = "jsonld"
    xml = "xml"


@reports_errors
def import_(
    file: Annotated[Path, typer.Argument(help="A dump file (optionally .gz); never a URL.")],
    source: Annotated[str, typer.Option(help="Name of the source it comes from, e.g. cep.")],
    fmt: Annotated[
        ImportFormat | None,
        typer.Option("--format", help="RDF syntax (default: from the file ending)."),
    ] = None,
    quarantine: Annotated[
        bool,
        typer.Option(help="Keep a dump that fails validation apart instead of refusing it."),
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(
            help="Base IRI that relative IRIs resolve against (an absolute IRI; default: "
            "the source's namespace, {base_iri}source/NAME/data/).",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
) -> None:
    """Import another organisation's dump as a source: validated, with provenance.

    Re-importing a source replaces it as a whole; `practicegraph sources rollback`
    puts the previous import back.
    """
    with undone_if_new(data), open_service(data) as service:
        try:
            report = service.sources.import_dump(
                file,
                source,
                syntax=fmt.value if fmt else None,
                quarantine=quarantine,
                base=base,
            )
        except InvalidDumpError as exc:
            err_console.print(escape(exc.report.text()), highlight=False, soft_wrap=True)
            raise fail(f"{exc.filename}: {exc.reason.splitlines()[0]}") from None
    if report.status == "quarantined":
        err_console.print(escape(report.validation.text()), highlight=False, soft_wrap=True)
        console.print(
            f"quarantined {report.statements} statements from {file.name} as source "
            f"{source!r}: they failed validation and are kept apart "
            "(queries and search do not see them)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    console.print(
        f"imported {report.statements} statements from {file.name} as source {source!r}: "
        f"{report.graphs} graphs, {report.documents} documents, {report.practices} practices; "
        f"{sum(report.links.values())} same-as links in all",
        highlight=False,
        soft_wrap=True,
    )


sources_app = typer.Typer(
    help="Imported sources: list (the default), report, rollback, remove.", no_args_is_help=False
)


@sources_app.callback(invoke_without_command=True)
@reports_errors
def sources_list(
    ctx: typer.Context,
    data: DataOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the imported sources with their statement counts and import dates."""
    if ctx.invoked_subcommand is not None:
        return
    with open_service(data, read_only=True) as service:
        infos = service.sources.infos()
    if as_json:
        console.print_json(json.dumps([i.to_dict() for i in infos]))
        return
    if not infos:
        console.print("no sources imported yet (practicegraph import FILE --source NAME)")
        return
    table = Table("source", "status", "statements", "file", "imported", "imports", "licence")
    for info in infos:
        table.add_row(
            info.name,
            info.status,
            str(info.statements),
            info.file or "",
            (info.imported or "")[:19],
            str(info.imports),
            info.licence or "",
        )
    console.print(table)


@sources_app.command("report")
@reports_errors
def sources_report(
    name: Annotated[str, typer.Argument(help="Source name.")], data: DataOption = None
) -> None:
    """The newest import report of a source, validation included, as JSON."""
    with open_service(data, read_only=True) as service:
        console.print_json(json.dumps(service.sources.report(name)))


@sources_app.command("remove")
@reports_errors
def sources_remove(
    name: Annotated[str, typer.Argument(help="Source name.")], data: DataOption = None
) -> None:
    """Remove a source: its graphs, provenance, archived imports and search entries."""
    with open_service(data) as service:
        info = service.sources.remove(name)
    console.print(f"removed source {info.name} ({info.statements} statements)", highlight=False)


@sources_app.command("rollback")
@reports_errors
def sources_rollback(
    name: Annotated[str, typer.Argument(help="Source name.")], data: DataOption = None
) -> None:
    """Restore the import of a source before the current one."""
    with open_service(data) as service:
        report = service.sources.rollback(name)
    console.print(
        f"restored {report.file} ({report.statements} statements) as source {name!r}",
        highlight=False,
    )


@reports_errors
def backup(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The backup file to write (a .tar).")
    ],
    data: DataOption = None,
) -> None:
    """Write the whole instance to one file: every graph, the sources' archives and
    reports, the quarantine. `practicegraph restore` takes it back into an empty data
    directory, here or on another machine. Runs beside a server (a read-only open)."""
    from practicegraph.backups import backup_instance

    with open_service(data, read_only=True) as service:
        manifest = backup_instance(service, output)
    console.print(
        f"wrote {output} ({manifest.statements} statements in {len(manifest.graphs)} graphs, "
        f"{manifest.documents} documents, {len(manifest.sources)} sources)",
        highlight=False,
        soft_wrap=True,
    )


@reports_errors
def restore(
    file: Annotated[Path, typer.Argument(help="A file `practicegraph backup` wrote.")],
    data: DataOption = None,
) -> None:
    """Restore a backup into an empty data directory (--data): checked whole before
    anything is written; a refused or failed restore leaves the directory as it was."""
    from practicegraph.backups import restore_instance

    if not file.is_file():
        raise fail(f"{file}: no such file")
    with undone_if_new(data), open_service(data) as service:
        report = restore_instance(service, file)
    console.print(
        f"restored {report.statements} statements in {report.graphs} graphs from {file.name}: "
        f"{report.documents} documents, {len(report.sources)} sources, "
        f"{report.indexed} search entries (backup of {report.created})",
        highlight=False,
        soft_wrap=True,
    )
