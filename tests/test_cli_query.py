"""The CLI's sparql, update and search commands (practicegraph.cli_query)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import test_cli
from practicegraph.cli_query import is_update
from practicegraph.config import Settings
from practicegraph.graph.iris import IriMinter
from test_cli import one_error_line

MENTORS = (
    "Peer Mentors & Wardens in Tartu\n\n"
    "In 2021 the Tartu Prison paired each peer mentor with a warden. The mentors "
    "met newly arrived prisoners during their first week & explained the daily "
    "routine, the visiting rules and the education courses on offer in the prison."
)
#: The in-process CLI fixture of test_cli, shared.
run = test_cli.run

GARDENS = (
    "Prison Gardens in Ghent\n\n"
    "The Ghent probation office ran allotment gardens where people on probation "
    "grew vegetables for a food bank together with volunteers from the neighbourhood."
)


def _ingest(run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]) -> None:
    paths = [write_doc("mentors.txt", MENTORS), write_doc("gardens.txt", GARDENS)]
    result = run("ingest", "--data", settings.data_dir, *paths)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]


# --- search -------------------------------------------------------------------------


def test_piped_search_prints_plain_unwrapped_lines(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    _ingest(run, settings, write_doc)
    result = run("search", "--data", settings.data_dir, "mentors wardens")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out: str = result.stdout  # type: ignore[attr-defined]
    assert "<mark" not in out and "&amp;" not in out and "┃" not in out and "│" not in out
    hits = [line.split("\t") for line in out.splitlines() if "\t" in line]
    document = next(h for h in hits if h[1] == "document")
    rank, _kind, source, title, snippet = document
    assert rank.isdigit() and source == "mentors.txt"
    assert title == "Peer Mentors & Wardens in Tartu"
    assert "mentor" in snippet and "&" in snippet and len(snippet) > 80  # one line, unwrapped
    assert any(line.endswith("hits, page 1 of 1") for line in out.splitlines())
    table = run("search", "--data", settings.data_dir, "mentors", "--format", "table")
    assert "┃" in table.stdout and "<mark" not in table.stdout  # type: ignore[attr-defined]
    as_json = run("search", "--data", settings.data_dir, "mentors", "--format", "json")
    assert json.loads(as_json.stdout)["total"] >= 1  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.embedded_only  # the process runs with no PRACTICEGRAPH_ variables: the embedded store
def test_search_on_a_terminal_highlights_matches_with_rich(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    _ingest(run, settings, write_doc)
    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    env.update({"COLUMNS": "200", "TERM": "xterm-256color"})
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "practicegraph", "search", "allotment gardens"]
    process = subprocess.Popen(
        [*command, "--data", str(settings.data_dir)],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        close_fds=True,
    )
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=60) == 0
    os.close(main)
    out = b"".join(chunks).decode("utf-8")
    assert "┃" in out  # the table, on a terminal
    assert "<mark" not in out and "&amp;" not in out
    assert "\x1b[1;33mallotment\x1b[0m" in out  # bold yellow


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--country", "Narnia"], "no country called 'Narnia'"),
        (["country:Narnia"], "no country called 'Narnia'"),
        (["--country", "Russia"], "did you mean Russian Federation (RU)?"),
        (["--country", "XZ"], "no country called 'XZ'"),
        (["--theme", "gardening"], "no theme called 'gardening'"),
        (["theme:gardening"], "no theme called 'gardening'"),
        (["--year", "last year"], "'last year' is not a year"),
    ],
)
def test_a_filter_that_names_nothing_known_is_an_error(
    run: Callable[..., object],
    settings: Settings,
    write_doc: Callable[..., Path],
    args: list[str],
    expected: str,
) -> None:
    _ingest(run, settings, write_doc)
    query = ["gardens"] + [a for a in args if ":" in a and not a.startswith("-")]
    options = [a for a in args if a not in query]
    result = run("search", "--data", settings.data_dir, " ".join(query), *options)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert expected in one_error_line(result.stderr)  # type: ignore[attr-defined]


def test_known_filters_by_name_or_code_still_find(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    _ingest(run, settings, write_doc)
    for country in ("Belgium", "BE", "bel"):
        result = run(
            "search", "--data", settings.data_dir, "gardens", "--country", country, "--json"
        )
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        sources = {h["source"] for h in json.loads(result.stdout)["hits"]}  # type: ignore[attr-defined]
        assert sources == {"gardens.txt"}, country
    themed = run(
        "search", "--data", settings.data_dir, "prisoners", "--theme", "Rehabilitation", "--json"
    )
    assert themed.exit_code == 0, themed.output  # type: ignore[attr-defined]


# --- sparql and update ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("DELETE WHERE { ?s ?p ?o }", True),
        ("PREFIX ex: <http://example.org/>\n# tidy\ninsert data { ex:a ex:b ex:c }", True),
        ("BASE <http://example.org/> DROP GRAPH <g>", True),
        ("WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
        ("SELECT ?delete WHERE { ?delete ?p 'INSERT' }", False),
        ("# DELETE everything\nASK { ?s ?p ?o }", False),
        ("CONSTRUCT WHERE { ?s <http://example.org/drop> ?o }", False),
    ],
)
def test_an_update_is_told_from_a_query(text: str, update: bool) -> None:
    assert is_update(text) is update


def test_sparql_given_an_update_points_to_the_update_command(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    _ingest(run, settings, write_doc)
    for extra in ([], ["--format", "json"]):
        result = run("sparql", "--data", settings.data_dir, *extra, "DELETE WHERE { ?s ?p ?o }")
        assert result.exit_code == 1  # type: ignore[attr-defined]
        line = one_error_line(result.stderr)  # type: ignore[attr-defined]
        assert "SPARQL Update" in line and "practicegraph update" in line
        assert "POST" in line and "/sparql" in line


def test_update_applies_and_keeps_the_keyword_index_in_step(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    _ingest(run, settings, write_doc)
    data = settings.data_dir

    def found(words: str) -> set[str]:
        result = run("search", "--data", data, words, "--json")
        return {h["source"] for h in json.loads(result.stdout)["hits"]}  # type: ignore[attr-defined]

    assert found("allotment vegetables") == {"gardens.txt"}
    graph = IriMinter(settings.base_iri).document_graph("gardens.txt")
    result = run("update", "--data", data, f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "updated" in result.stdout  # type: ignore[attr-defined]
    assert found("allotment vegetables") == set()
    assert found("mentors") == {"mentors.txt"}
    # predefined prefixes, as over HTTP; a text with no update in it is refused in one line
    renamed = (
        "DELETE { GRAPH ?g { ?d schema:name ?n } } "
        "INSERT { GRAPH ?g { ?d schema:name 'Mentors and Wardens of Tartu' } } "
        "WHERE { GRAPH ?g { ?d dcterms:source 'mentors.txt' ; schema:name ?n } }"
    )
    assert run("update", "--data", data, renamed).exit_code == 0  # type: ignore[attr-defined]
    (hit,) = [
        h
        for h in json.loads(run("search", "--data", data, "Tartu", "--json").stdout)["hits"]  # type: ignore[attr-defined]
        if h["kind"] == "document"
    ]
    assert hit["title"] == "Mentors and Wardens of Tartu"
    bad = run("update", "--data", data, "INSERT DATA { <http://example.org/a> ")
    assert bad.exit_code == 1  # type: ignore[attr-defined]
    assert "does not parse" in one_error_line(bad.stderr)  # type: ignore[attr-defined]


def test_update_from_a_file(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path], tmp_path: Path
) -> None:
    _ingest(run, settings, write_doc)
    graph = IriMinter(settings.base_iri).document_graph("mentors.txt")
    update = tmp_path / "drop.ru"
    update.write_text(f"DELETE WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}\n", encoding="utf-8")
    result = run("update", "--data", settings.data_dir, "--file", update)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    neither = run("update", "--data", settings.data_dir)
    assert "give an update" in one_error_line(neither.stderr)  # type: ignore[attr-defined]


def test_every_result_format_knows_the_predefined_prefixes(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    _ingest(run, settings, write_doc)
    query = "SELECT ?s WHERE { ?d dcterms:source ?s } ORDER BY ?s"
    for fmt in ("table", "csv"):
        result = run("sparql", "--data", settings.data_dir, "--format", fmt, query)
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        assert "gardens.txt" in result.stdout and "mentors.txt" in result.stdout  # type: ignore[attr-defined]
    bad = run(
        "sparql", "--data", settings.data_dir, "--format", "csv", "SELECT ?s WHERE { ?s nope:x ?o }"
    )
    assert "nope" in one_error_line(bad.stderr)  # type: ignore[attr-defined]
