"""The reading and writing commands of the CLI: ``sparql``, ``update`` and ``search``.

Registered on the application by :mod:`practicegraph.cli`.
"""

from __future__ import annotations

import html
import io
import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pycountry
import pyoxigraph as ox
import typer
from rich.markup import escape
from rich.table import Table

from practicegraph.cli_base import DataOption, console, fail, open_service, reports_errors
from practicegraph.graph.sparql_syntax import run_written, tokens, with_prefixes
from practicegraph.graph.store import AnswerFormatError, QueryAnswer
from practicegraph.search import SearchRequest, SearchResponse, SearchVocabulary
from practicegraph.search.query import country_code, parse_query


class ResultFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    xml = "xml"
    turtle = "turtle"
    nt = "nt"
    jsonld = "jsonld"


def _text_of(query: str | None, file: Path | None, what: str) -> str:
    """The SPARQL text given as an argument or with --file."""
    if (query is None) == (file is None):
        raise fail(f"give {what} as an argument or with --file, not both")
    if file is None:
        assert query is not None  # noqa: S101 - checked above
        return query
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"{file}: {exc.strerror}") from None


# -- sparql ------------------------------------------------------------------------------

#: The words an update operation starts with (SPARQL 1.1 Update, section 3); no query does.
_UPDATE_WORDS = frozenset(
    ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
)
_UPDATE_HINT = re.compile(r"\b(?:" + "|".join(_UPDATE_WORDS) + r")\b", re.IGNORECASE)


def is_update(text: str) -> bool:
    """Whether ``text`` is a SPARQL Update rather than a query: the first word after
    its PREFIX and BASE declarations starts an update operation."""
    if not _UPDATE_HINT.search(text):  # the common case: no need to tokenise
        return False
    toks = tokens(text)
    i = 0
    while i < len(toks):
        if toks[i].is_word("PREFIX"):
            i += 3
        elif toks[i].is_word("BASE"):
            i += 2
        else:
            return toks[i].kind == "word" and toks[i].text.upper() in _UPDATE_WORDS
    return False


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
    """Run a SPARQL query over the union of all graphs (updates: `practicegraph update`)."""
    query = _text_of(query, file, "a query")
    if is_update(query):
        raise fail(
            "this is a SPARQL Update, and `practicegraph sparql` only reads: apply it with "
            "`practicegraph update` (the same arguments), or POST it to a running server's "
            "/sparql with the write token"
        )
    with open_service(data, read_only=True) as service:
        if fmt is None or fmt is ResultFormat.table:
            answer = (
                run_written(service.sources.query_quarantine, query)
                if quarantine
                else service.query(query)
            )
            _print_answer(answer)
            return
        buffer = io.BytesIO()
        store_fmt = "nt" if fmt is ResultFormat.nt else fmt.value
        write = (
            service.sources.write_quarantine_answer if quarantine else service.store.write_answer
        )
        try:
            # with the predefined prefixes, and a parser error in one line, as service.query
            kind = run_written(lambda text: write(text, buffer, store_fmt), query)
        except AnswerFormatError as exc:
            if exc.kind == "graph":
                raise fail(
                    f"--format {fmt.value} is for SELECT/ASK; use turtle, nt or jsonld"
                ) from None
            raise fail(
                f"--format {fmt.value} is for CONSTRUCT/DESCRIBE; use table, json, csv, tsv or xml"
            ) from None
        text = buffer.getvalue().decode("utf-8")
        sys.stdout.write(text if text.endswith("\n") or kind == "graph" else text + "\n")


def _print_answer(answer: QueryAnswer) -> None:
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
    if isinstance(term, ox.Literal | ox.NamedNode):
        return str(term.value)
    return str(term)


# -- update ------------------------------------------------------------------------------


@reports_errors
def update(
    text: Annotated[
        str | None, typer.Argument(help="A SPARQL Update (or use --file).", show_default=False)
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Read the update from a file.")
    ] = None,
    data: DataOption = None,
) -> None:
    """Apply a SPARQL Update to the data directory, as POST /sparql does.

    One transaction; the keyword index is brought in step with the documents it
    changed before the command ends. Relative IRIs resolve against the base IRI.
    """
    text = _text_of(text, file, "an update")
    # The HTTP endpoint's own way of applying an update (imported here: it loads FastAPI).
    from practicegraph.api.errors import ApiError
    from practicegraph.api.sparql import apply_update

    prepared = with_prefixes(text)
    with open_service(data) as service:
        before = service.store.quad_count()
        try:
            apply_update(
                service,
                prepared.text,
                service.settings.base_iri,
                written=prepared,
            )
        except ApiError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            reason = detail.get("reason")
            raise fail(f"{exc.message}: {reason}" if reason else exc.message) from None
        after = service.store.quad_count()
    console.print(f"updated: {before} statements before, {after} after", highlight=False)


# -- search ------------------------------------------------------------------------------


class SortOrder(StrEnum):
    relevance = "relevance"
    date = "date"


class Kind(StrEnum):
    document = "document"
    practice = "practice"


class SearchFormat(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"


_YEAR = re.compile(r"\d{4}")


def check_filters(request: SearchRequest, vocabulary: SearchVocabulary) -> None:
    """Refuse a filter value that names nothing known, instead of finding nothing.

    Countries (a name or an ISO 3166 code, as the search layer resolves them with
    pycountry), themes (an id or a label of the theme vocabulary) and years, from
    the options and from ``field:value`` filters in the query text alike.
    """
    typed = parse_query(request.query).filters
    for value in request.countries + typed.get("country", []):
        if pycountry.countries.get(alpha_2=country_code(value)) is None:
            near = _countries_like(value)
            hint = f"did you mean {near}? " if near else ""
            raise fail(
                f"no country called {value!r} ({hint}use a name or ISO code, e.g. Latvia or LV)"
            )
    for value in request.themes + typed.get("theme", []):
        if vocabulary.theme_id(value) not in vocabulary.theme_labels:
            known = ", ".join(sorted(vocabulary.theme_labels))
            raise fail(f"no theme called {value!r} (use an id or a label; the ids: {known})")
    for value in request.years + typed.get("year", []):
        if not _YEAR.fullmatch(value.strip()):
            raise fail(f"{value!r} is not a year (use four digits, e.g. 2019)")


def _countries_like(value: str) -> str:
    """Countries whose ISO name holds ``value`` ("Russia": "Russian Federation (RU)")."""
    wanted = value.strip().lower()
    if len(wanted) < 3:
        return ""
    found = [
        f"{country.name} ({country.alpha_2})"
        for country in pycountry.countries
        if any(
            wanted in str(getattr(country, field, "")).lower()
            for field in ("name", "official_name", "common_name")
        )
    ]
    return " or ".join(found[:3])


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
    fmt: Annotated[
        SearchFormat | None,
        typer.Option(
            "--format",
            help="table (default on a terminal), plain (default when piped: a line per hit, "
            "tab-separated: rank, kind, file, title, snippet) or json.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
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
    if as_json:
        fmt = SearchFormat.json
    elif fmt is None:
        fmt = SearchFormat.table if console.is_terminal else SearchFormat.plain
    with open_service(data, read_only=True) as service:
        check_filters(request, service.vocabulary)
        response = service.search(request)
    if fmt is SearchFormat.json:
        sys.stdout.write(json.dumps(response.to_dict(), ensure_ascii=False, indent=2) + "\n")
    elif fmt is SearchFormat.plain:
        sys.stdout.write(plain_results(response))
    else:
        _print_table(response)


def _print_table(response: SearchResponse) -> None:
    if response.suggestion:
        console.print(f"did you mean: [bold]{escape(response.suggestion)}[/]")
    table = Table("#", "kind", "title", "file", "snippet", show_lines=True)
    first = (response.page - 1) * response.page_size
    for rank, hit in enumerate(response.hits, first + 1):
        table.add_row(
            str(rank), hit.kind, escape(hit.title), escape(hit.source), marked(hit.snippet)
        )
    console.print(table)
    console.print(f"{response.total} hits, page {response.page} of {response.pages}", style="dim")
    for name, counts in response.facets.items():
        if counts:
            shown = ", ".join(f"{escape(value)} ({n})" for value, n in counts[:8])
            console.print(f"[dim]{name}:[/] {shown}", highlight=False)


def plain_results(response: SearchResponse) -> str:
    """The hits as plain lines for a pipe: no markup, no wrapping, one hit per line."""
    lines = []
    if response.suggestion:
        lines.append(f"did you mean: {response.suggestion}")
    first = (response.page - 1) * response.page_size
    for rank, hit in enumerate(response.hits, first + 1):
        fields = (str(rank), hit.kind, hit.source, hit.title, plain_text(hit.snippet))
        lines.append("\t".join(" ".join(f.split()) for f in fields))
    lines.append(f"{response.total} hits, page {response.page} of {response.pages}")
    for name, counts in response.facets.items():
        if counts:
            lines.append(f"{name}: " + ", ".join(f"{value} ({n})" for value, n in counts[:8]))
    return "".join(line + "\n" for line in lines)


_MARK = re.compile(r"<mark[^>]*>(.*?)</mark>", re.S)
_TAG = re.compile(r"<[^>]+>")


def plain_text(snippet_html: str) -> str:
    """Snippet HTML (escaped text, <mark> around matches) as plain text."""
    return html.unescape(_TAG.sub("", snippet_html))


def marked(snippet_html: str) -> str:
    """Snippet HTML as rich markup: the matches in bold yellow, the rest escaped."""
    text = plain_text(_MARK.sub("\x00\\1\x01", snippet_html))
    return escape(text).replace("\x00", "[bold yellow]").replace("\x01", "[/]")
