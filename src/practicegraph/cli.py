"""The ``practicegraph`` command line (typer: typed options, generated help).

Every command takes ``--data DIR`` (or PRACTICEGRAPH_DATA). Errors a user can
cause print one line, ``error: ...``, on stderr and exit with status 1; a
batch ingest with some bad files exits 2 after reporting each of them.
"""

from __future__ import annotations

import functools
import html
import io
import json
import re
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from practicegraph import __version__
from practicegraph.config import Settings
from practicegraph.errors import InvalidDumpError, PracticeGraphError
from practicegraph.exchange.export import checksum_line
from practicegraph.graph.store import AnswerFormatError, QueryAnswer
from practicegraph.search import SearchRequest
from practicegraph.service import PracticeGraphService

app = typer.Typer(
    help="Build, query and export the PracticeGraph knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data directory (default: $PRACTICEGRAPH_DATA or ~/.local/share/practicegraph).",
        show_default=False,
    ),
]


class ResultFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"
    turtle = "turtle"
    nt = "nt"
    jsonld = "jsonld"


class ExportFormat(StrEnum):
    nquads = "nquads"
    trig = "trig"
    turtle = "turtle"
    nt = "nt"
    jsonld = "jsonld"


def _fail(message: str, code: int = 1) -> typer.Exit:
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
        except PracticeGraphError as exc:
            raise _fail(str(exc)) from None

    return wrapper


def _service(data: Path | None, *, read_only: bool = False) -> PracticeGraphService:
    settings = Settings.from_env(data_dir=data)
    return PracticeGraphService(settings, read_only=read_only)


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
    """Read documents (text, Markdown, HTML, PDF), extract entities and practices, store them."""
    with (
        _service(data) as service,
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
    for path, reason in report.failed:
        line = " ".join(f"{path}: {reason}".split())
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
    with _service(data) as service:
        removed, missing = service.remove(names)
    for name in removed:
        console.print(f"removed {name}", highlight=False)
    if missing:
        raise _fail(f"no such document: {', '.join(missing)}")


@app.command()
@reports_errors
def sparql(
    query: Annotated[str | None, typer.Argument(help="A SPARQL query (or use --file).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the query from a file.")
    ] = None,
    fmt: Annotated[
        ResultFormat | None,
        typer.Option(
            "--format",
            help="SELECT/ASK: table|json|csv|tsv|xml; CONSTRUCT/DESCRIBE: turtle|nt|jsonld.",
        ),
    ] = None,
    quarantine: Annotated[
        bool,
        typer.Option(
            "--quarantine", help="Query the quarantined imports instead (kept out of the graph)."
        ),
    ] = False,
    data: DataOption = None,
) -> None:
    """Run a SPARQL query over the union of all graphs."""
    if (query is None) == (file is None):
        raise _fail("give a query as an argument or with --file, not both")
    if file is not None:
        try:
            query = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise _fail(f"{file}: {exc.strerror}") from None
    assert query is not None  # noqa: S101 - checked above
    with _service(data, read_only=True) as service:
        if fmt is None or fmt is ResultFormat.table:
            answer = service.sources.query_quarantine(query) if quarantine else service.query(query)
            _print_answer(answer, fmt)
            return
        buffer = io.BytesIO()
        store_fmt = "nt" if fmt is ResultFormat.nt else fmt.value
        try:
            if quarantine:
                kind = service.sources.write_quarantine_answer(query, buffer, store_fmt)
            else:
                kind = service.store.write_answer(query, buffer, store_fmt)
        except AnswerFormatError as exc:
            if exc.kind == "graph":
                raise _fail(
                    f"--format {fmt.value} is for SELECT/ASK; use turtle, nt or jsonld"
                ) from None
            raise _fail(
                f"--format {fmt.value} is for CONSTRUCT/DESCRIBE; use table, json, csv, tsv or xml"
            ) from None
        text = buffer.getvalue().decode("utf-8")
        sys.stdout.write(text if text.endswith("\n") or kind == "graph" else text + "\n")


def _print_answer(answer: QueryAnswer, fmt: ResultFormat | None) -> None:
    """A SELECT as a table, an ASK as yes or no, a graph as Turtle."""
    if answer.kind == "graph":
        buffer = io.BytesIO()
        ox.serialize(answer.triples, buffer, ox.RdfFormat.TURTLE)
        sys.stdout.write(buffer.getvalue().decode("utf-8"))
        return
    if answer.kind == "boolean":
        console.print("yes" if answer.boolean else "no")
        return
    table = Table(*answer.variables, show_lines=False)
    for row in answer.rows:
        table.add_row(*[_term_text(row.get(name)) for name in answer.variables])
    console.print(table)
    count = len(answer.rows)
    console.print(f"{count} row{'s' if count != 1 else ''}", style="dim")


def _term_text(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return str(term.value)
    if isinstance(term, ox.NamedNode):
        return str(term.value)
    return str(term)


@app.command()
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
    with _service(data, read_only=True) as service:
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
            raise _fail(f"{output}: {exc.strerror}") from None
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


@app.command("import")
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
    with _service(data) as service:
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
            raise _fail(f"{exc.filename}: {exc.reason.splitlines()[0]}") from None
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
app.add_typer(sources_app, name="sources")


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
    with _service(data, read_only=True) as service:
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
    with _service(data, read_only=True) as service:
        console.print_json(json.dumps(service.sources.report(name)))


@sources_app.command("remove")
@reports_errors
def sources_remove(
    name: Annotated[str, typer.Argument(help="Source name.")], data: DataOption = None
) -> None:
    """Remove a source: its graphs, provenance, archived imports and search entries."""
    with _service(data) as service:
        info = service.sources.remove(name)
    console.print(f"removed source {info.name} ({info.statements} statements)", highlight=False)


@sources_app.command("rollback")
@reports_errors
def sources_rollback(
    name: Annotated[str, typer.Argument(help="Source name.")], data: DataOption = None
) -> None:
    """Restore the import of a source before the current one."""
    with _service(data) as service:
        report = service.sources.rollback(name)
    console.print(
        f"restored {report.file} ({report.statements} statements) as source {name!r}",
        highlight=False,
    )


class SortOrder(StrEnum):
    relevance = "relevance"
    date = "date"


class Kind(StrEnum):
    document = "document"
    practice = "practice"


@app.command()
@reports_errors
def search(
    query: Annotated[str, typer.Argument(help='Words, "quoted phrases", field:value filters.')],
    theme: Annotated[list[str] | None, typer.Option(help="Theme id or label (repeatable).")] = None,
    country: Annotated[
        list[str] | None, typer.Option(help="ISO code or name (repeatable).")
    ] = None,
    org: Annotated[list[str] | None, typer.Option(help="Organisation name (repeatable).")] = None,
    year: Annotated[list[str] | None, typer.Option(help="Year, YYYY (repeatable).")] = None,
    kind: Annotated[Kind | None, typer.Option(help="document or practice.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Hits per page.")] = 10,
    page: Annotated[int, typer.Option(min=1, help="Page of results.")] = 1,
    sort: Annotated[SortOrder, typer.Option(help="relevance or date.")] = SortOrder.relevance,
    as_json: Annotated[bool, typer.Option("--json", help="Hits and facets as JSON.")] = False,
    data: DataOption = None,
) -> None:
    """Keyword search over documents and practices, ranked, with snippets and facets."""
    request = SearchRequest(
        query,
        themes=theme or [],
        countries=country or [],
        organisations=org or [],
        years=year or [],
        kinds=[kind.value] if kind else [],
        page=page,
        page_size=limit,
        sort=sort.value,
    )
    with _service(data, read_only=True) as service:
        response = service.search(request)
    if as_json:
        sys.stdout.write(json.dumps(response.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if response.suggestion:
        console.print(f"did you mean: [bold]{escape(response.suggestion)}[/]")
    table = Table("#", "kind", "title", "file", "snippet", show_lines=True)
    first = (response.page - 1) * response.page_size
    for rank, hit in enumerate(response.hits, first + 1):
        table.add_row(
            str(rank), hit.kind, escape(hit.title), escape(hit.source), _marked(hit.snippet)
        )
    console.print(table)
    console.print(f"{response.total} hits, page {response.page} of {response.pages}", style="dim")
    for name, counts in response.facets.items():
        if counts:
            shown = ", ".join(f"{escape(value)} ({n})" for value, n in counts[:8])
            console.print(f"[dim]{name}:[/] {shown}", highlight=False)


def _marked(snippet_html: str) -> str:
    """Snippet HTML (escaped text, <mark> around matches) as rich markup."""
    text = re.sub(r"<mark[^>]*>(.*?)</mark>", "\x00\\1\x01", snippet_html)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return escape(text).replace("\x00", "[bold yellow]").replace("\x01", "[/]")


@app.command()
@reports_errors
def reindex(data: DataOption = None) -> None:
    """Rebuild the keyword index from the store."""
    with _service(data) as service:
        result = service.reindex()
    console.print(f"reindexed {len(result.reindexed)} documents")


@app.command()
@reports_errors
def stats(
    data: DataOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Documents, triples and entities per type."""
    with _service(data, read_only=True) as service:
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
    with _service(data, read_only=True) as service:
        conforms, report = service.validate()
    if conforms:
        console.print("conforms: the graph satisfies ontology/shapes.ttl")
        return
    sys.stdout.write(report)
    raise typer.Exit(1)


@app.command()
@reports_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
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
    """Print the version."""
    console.print(f"practicegraph {__version__}")


def main() -> None:
    app()
