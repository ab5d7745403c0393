"""The command line, in-process through typer's CliRunner and, for a few checks,
as a real ``python -m practicegraph`` subprocess.

In-process commands get the session's spaCy extractor injected, so that
``ingest`` does not load the pipeline again; everything else is the real code.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from typer.testing import CliRunner

from backends import ServerPool, backend_environment, settings_for
from conftest import CORPUS, CORPUS_NAMES, EUROPRIS_TEXT, quiet_rdflib
from practicegraph import cli
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService

COUNT_DOCS = "SELECT (COUNT(?d) AS ?n) WHERE { ?d <http://purl.org/dc/terms/source> ?s }"
CONSTRUCT = (
    "CONSTRUCT { ?d <https://schema.org/name> ?n } WHERE { ?d <https://schema.org/name> ?n ; "
    "<http://purl.org/dc/terms/source> ?s }"
)


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch,
    extractor: Extractor,
    request: pytest.FixtureRequest,
    store_backend: str,
    server_pool: ServerPool,
    tmp_path: Path,
) -> Callable[..., object]:
    """Invoke the CLI in-process; PRACTICEGRAPH_* variables of the caller are ignored,
    except those naming this run's store server (every ``--data`` here uses it)."""
    monkeypatch.setattr(
        cli, "PracticeGraphService", functools.partial(PracticeGraphService, extractor=extractor)
    )
    for name in list(os.environ):
        if name.startswith("PRACTICEGRAPH_"):
            monkeypatch.delenv(name)
    server_env: dict[str, str] = {}
    if store_backend != "embedded":
        prepared = {"settings", "corpus_settings"} & set(request.fixturenames)
        chosen = (
            settings_for(store_backend, server_pool, tmp_path / "cli") if not prepared else None
        )
        chosen = chosen or request.getfixturevalue(sorted(prepared)[0])
        server_env = backend_environment(chosen)
    runner = CliRunner()

    def invoke(*args: str | Path, env: dict[str, str] | None = None) -> object:
        merged = {**server_env, **(env or {})}
        return runner.invoke(cli.app, [str(a) for a in args], env=merged, catch_exceptions=False)

    return invoke


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- ingest and remove -----------------------------------------------------------------


def test_ingest_prints_a_summary_and_reingest_is_unchanged(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    path = write_doc("one.txt", EUROPRIS_TEXT)
    result = run("ingest", "--data", settings.data_dir, path)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "added 1, replaced 0, unchanged 0, failed 0" in result.stdout  # type: ignore[attr-defined]
    again = run("ingest", "--data", settings.data_dir, path)
    assert "added 0, replaced 0, unchanged 1, failed 0" in again.stdout  # type: ignore[attr-defined]


def test_ingest_of_a_missing_path_exits_2_naming_it(
    run: Callable[..., object], settings: Settings, tmp_path: Path, write_doc: Callable[..., Path]
) -> None:
    missing = tmp_path / "no" / "such.txt"
    result = run("ingest", "--data", settings.data_dir, missing, write_doc("ok.txt"))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and str(missing) in lines[0] and "no such file" in lines[0]
    assert "added 1" in result.stdout and "failed 1" in result.stdout  # type: ignore[attr-defined]


def test_remove(run: Callable[..., object], corpus_settings: Settings) -> None:
    data = corpus_settings.data_dir
    result = run("remove", "--data", data, CORPUS_NAMES[1])
    assert result.exit_code == 0 and f"removed {CORPUS_NAMES[1]}" in result.stdout  # type: ignore[attr-defined]
    unknown = run("remove", "--data", data, "unknown.txt")
    assert unknown.exit_code == 1  # type: ignore[attr-defined]
    assert "unknown.txt" in one_error_line(unknown.stderr)  # type: ignore[attr-defined]


# --- sparql --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "tsv", "xml"])
def test_select_in_every_result_format(
    run: Callable[..., object], corpus_settings: Settings, fmt: str
) -> None:
    result = run("sparql", "--data", corpus_settings.data_dir, "--format", fmt, COUNT_DOCS)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out: str = result.stdout  # type: ignore[attr-defined]
    expected = str(len(CORPUS_NAMES))
    if fmt == "json":
        (binding,) = json.loads(out)["results"]["bindings"]
        assert binding["n"]["value"] == expected
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(out))) == [["n"], [expected]]
    elif fmt == "tsv":
        assert out.splitlines()[:2] == ["?n", expected]
    elif fmt == "xml":
        assert "<sparql" in out and f">{expected}<" in out
    else:
        assert expected in out and "1 row" in out


@pytest.mark.parametrize(
    ("fmt", "parser"), [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_construct_in_every_rdf_format(
    run: Callable[..., object], corpus_settings: Settings, fmt: str, parser: str
) -> None:
    result = run("sparql", "--data", corpus_settings.data_dir, "--format", fmt, CONSTRUCT)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    with quiet_rdflib():
        g = Graph().parse(data=result.stdout, format=parser)  # type: ignore[attr-defined]
    assert len(set(g.subjects())) == len(CORPUS_NAMES)


def test_query_from_a_file(
    run: Callable[..., object], corpus_settings: Settings, tmp_path: Path
) -> None:
    query = tmp_path / "q.rq"
    query.write_text(COUNT_DOCS, encoding="utf-8")
    result = run("sparql", "--data", corpus_settings.data_dir, "--file", query, "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines()[1] == "5"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["SELEC ?x WHERE { ?x ?y ?z }"], "does not parse"),
        (["SELECT *\nWHERE { ?s ?p }"], "does not parse"),
        (["--file", "{tmp}/missing.rq"], "missing.rq"),
        (["--format", "turtle", COUNT_DOCS], "--format turtle"),
        (["--format", "csv", CONSTRUCT], "--format csv"),
        ([], "give a query"),
        # "query failed" here, "request failed" from a store server: one line either way
        (["SELECT * WHERE { SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }"], "failed"),
    ],
)
def test_sparql_errors_are_one_line(
    run: Callable[..., object],
    corpus_settings: Settings,
    tmp_path: Path,
    args: list[str],
    expected: str,
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run("sparql", "--data", corpus_settings.data_dir, *args)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert expected in one_error_line(result.stderr)  # type: ignore[attr-defined]


@pytest.mark.embedded_only  # an empty data directory: no embedded store there
def test_reading_an_empty_data_directory_is_one_line(
    run: Callable[..., object], tmp_path: Path
) -> None:
    result = run("stats", "--data", tmp_path / "empty")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "nothing has been ingested" in one_error_line(result.stderr)  # type: ignore[attr-defined]


# --- export, stats, validate ---------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "parser"), [("nquads", "nquads"), ("turtle", "turtle")])
def test_export_to_a_file(
    run: Callable[..., object], corpus_settings: Settings, tmp_path: Path, fmt: str, parser: str
) -> None:
    out = tmp_path / f"dump.{fmt}"
    result = run("export", "--data", corpus_settings.data_dir, "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert not out.with_name(out.name + ".partial").exists()
    with quiet_rdflib():
        if fmt == "nquads":
            triples = len(list(Dataset().parse(out, format=parser).quads()))
        else:
            triples = len(Graph().parse(out, format=parser))
    assert triples > 1000


def test_export_to_an_unwritable_place_is_one_line(
    run: Callable[..., object], corpus_settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "no-such-dir" / "dump.nq"
    result = run("export", "--data", corpus_settings.data_dir, "-o", out)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert str(out) in one_error_line(result.stderr)  # type: ignore[attr-defined]


def test_stats_as_table_and_json(run: Callable[..., object], corpus_settings: Settings) -> None:
    table = run("stats", "--data", corpus_settings.data_dir)
    assert table.exit_code == 0  # type: ignore[attr-defined]
    for word in ("documents", "triples", "organisations", "countries", "practices"):
        assert word in table.stdout  # type: ignore[attr-defined]
    as_json = run("stats", "--data", corpus_settings.data_dir, "--json")
    counts = json.loads(as_json.stdout)  # type: ignore[attr-defined]
    assert counts["documents"] == len(CORPUS_NAMES)
    assert counts["triples"] > 1000 and counts["countries"] > 0


def test_validate_exits_0_on_the_corpus(
    run: Callable[..., object], corpus_settings: Settings
) -> None:
    result = run("validate", "--data", corpus_settings.data_dir)
    assert result.exit_code == 0, result.stdout  # type: ignore[attr-defined]
    assert "conforms" in result.stdout  # type: ignore[attr-defined]


@pytest.mark.embedded_only  # the data directory chooses the store only for the embedded backend
def test_data_directory_from_the_environment(
    run: Callable[..., object], corpus_settings: Settings, tmp_path: Path
) -> None:
    env = {"PRACTICEGRAPH_DATA": str(corpus_settings.data_dir)}
    result = run("stats", "--json", env=env)
    assert json.loads(result.stdout)["documents"] == len(CORPUS_NAMES)  # type: ignore[attr-defined]
    # --data wins over the environment.
    other = run("stats", "--json", "--data", tmp_path / "elsewhere", env=env)
    assert other.exit_code == 1  # type: ignore[attr-defined]
    assert str(tmp_path / "elsewhere") in one_error_line(other.stderr)  # type: ignore[attr-defined]


# --- as a real process -----------------------------------------------------------------------


def python_m(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    return subprocess.run(
        [sys.executable, "-m", "practicegraph", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **(env or {})},
        check=False,
    )


def test_help_as_a_process() -> None:
    result = python_m("--help")
    assert result.returncode == 0, result.stderr
    for command in ("ingest", "sparql", "export", "stats", "validate", "remove"):
        assert command in result.stdout


@pytest.mark.embedded_only  # the process runs with no PRACTICEGRAPH_ variables: the embedded store
def test_errors_as_a_process_are_one_line_without_traceback(corpus_settings: Settings) -> None:
    result = python_m(
        "sparql", "SELECT WHERE {", env={"PRACTICEGRAPH_DATA": str(corpus_settings.data_dir)}
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "SPARQL query does not parse" in one_error_line(result.stderr)


@pytest.mark.slow
def test_ingest_as_a_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing = tmp_path / "missing.txt"
    result = python_m("ingest", "--data", data, CORPUS / CORPUS_NAMES[2], missing)
    assert result.returncode == 2, result.stderr
    assert "added 1" in result.stdout
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        f"skipped {missing}: no such file"
    ]
    countries = python_m(
        "sparql",
        "--data",
        data,
        "--format",
        "csv",
        "SELECT ?id WHERE { ?c <https://schema.org/identifier> ?id }",
    )
    assert "LV" in countries.stdout.split()


# -- exchanging dumps --------------------------------------------------------------------


def test_export_is_deterministic_with_checksum_and_void_beside_it(
    run: Callable[..., object], corpus_settings: Settings, tmp_path: Path
) -> None:
    first, second = tmp_path / "one" / "dump.nq.gz", tmp_path / "two" / "dump.nq.gz"
    for out in (first, second):
        out.parent.mkdir()
        result = run("export", "--data", corpus_settings.data_dir, "-o", out)
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert first.read_bytes() == second.read_bytes()
    assert (
        first.with_name("dump.nq.gz.sha256").read_text(encoding="utf-8").endswith("  dump.nq.gz\n")
    )
    check = subprocess.run(
        ["sha256sum", "-c", first.name + ".sha256"],
        cwd=first.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    void = Graph().parse(first.with_name("dump.nq.gz.void.ttl"), format="turtle")
    triples = next(void.objects(None, URIRef("http://rdfs.org/ns/void#triples")))
    assert int(triples) > 1000  # type: ignore[call-overload]


def test_import_sources_report_rollback_and_remove(
    run: Callable[..., object], corpus_dump: Path, tmp_path: Path
) -> None:
    data = tmp_path / "b"
    env = {"PRACTICEGRAPH_BASE_IRI": "https://b.example.org/id/"}
    result = run("import", corpus_dump, "--source", "alpha", "--data", data, env=env)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "as source 'alpha'" in result.output  # type: ignore[attr-defined]
    assert "5 documents" in result.output  # type: ignore[attr-defined]

    listed = run("sources", "--json", "--data", data, env=env)
    infos = json.loads(listed.output)  # type: ignore[attr-defined]
    assert [(i["name"], i["status"], i["imports"]) for i in infos] == [("alpha", "current", 1)]
    report = json.loads(run("sources", "report", "alpha", "--data", data, env=env).output)  # type: ignore[attr-defined]
    assert report["validation"]["conforms"] is True

    again = run("sources", "rollback", "alpha", "--data", data, env=env)
    assert again.exit_code == 1  # type: ignore[attr-defined]
    assert "no earlier import" in one_error_line(again.stderr)  # type: ignore[attr-defined]
    removed = run("sources", "remove", "alpha", "--data", data, env=env)
    assert removed.exit_code == 0 and "removed source alpha" in removed.output  # type: ignore[attr-defined]
    empty = run("sources", "--data", data, env=env)
    assert "no sources imported yet" in empty.output  # type: ignore[attr-defined]


def test_import_of_a_broken_dump_is_one_error_line_naming_file_and_line(
    run: Callable[..., object], tmp_path: Path
) -> None:
    dump = tmp_path / "broken.nt"
    dump.write_text('<https://x.example/a> <https://x.example/p> "ok" .\n<nope\n', encoding="utf-8")
    result = run("import", dump, "--source", "cep", "--data", tmp_path / "b")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    line = one_error_line(result.stderr)  # type: ignore[attr-defined]
    assert "broken.nt, line 2" in line and "syntax error" in line


def test_import_of_an_invalid_dump_prints_the_violations_and_quarantine_exits_2(
    run: Callable[..., object], tmp_path: Path
) -> None:
    dump = tmp_path / "bad.ttl"
    dump.write_text(
        "<https://x.example/c> a <https://schema.org/Country> ; "
        '<https://schema.org/name> "Nowhere" .\n',
        encoding="utf-8",
    )
    refused = run("import", dump, "--source", "cep", "--data", tmp_path / "b")
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert "https://x.example/c https://schema.org/identifier" in refused.stderr  # type: ignore[attr-defined]
    kept = run("import", dump, "--source", "cep", "--quarantine", "--data", tmp_path / "b")
    assert kept.exit_code == 2  # type: ignore[attr-defined]
    assert "quarantined 2 statements" in kept.output  # type: ignore[attr-defined]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://schema.org/Country> }"
    seen = run("sparql", "--format", "csv", query, "--data", tmp_path / "b")
    assert seen.output.split() == ["n", "0"]  # type: ignore[attr-defined]
    inspected = run("sparql", "--quarantine", "--format", "csv", query, "--data", tmp_path / "b")
    assert inspected.output.split() == ["n", "1"]  # type: ignore[attr-defined]


# -- version, Word documents ---------------------------------------------------------------


def test_version_as_an_option_and_a_command(run: Callable[..., object]) -> None:
    from practicegraph import __version__

    for args in (["--version"], ["version"]):
        result = run(*args)
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        assert result.stdout.strip() == f"practicegraph {__version__}"  # type: ignore[attr-defined]


def test_ingest_reads_a_word_document(
    run: Callable[..., object], settings: Settings, tmp_path: Path
) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Dog Training Behind Bars in Tallinn", level=1)
    document.add_paragraph(
        "Prisoners in Tallinn trained rescue dogs for adoption by local families."
    )
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Partner"
    table.cell(0, 1).text = "The Estonian Prison Service funded the kennels."
    path = tmp_path / "dogs.docx"
    document.save(str(path))
    result = run("ingest", "--data", settings.data_dir, path)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "added 1" in result.stdout  # type: ignore[attr-defined]
    found = run("search", "--data", settings.data_dir, "kennels", "--json")
    (hit,) = [h for h in json.loads(found.stdout)["hits"] if h["kind"] == "document"]  # type: ignore[attr-defined]
    assert hit["source"] == "dogs.docx" and hit["title"] == "Dog Training Behind Bars in Tallinn"
    broken = tmp_path / "broken.docx"
    broken.write_bytes(path.read_bytes()[:300])
    failed = run("ingest", "--data", settings.data_dir, broken)
    assert failed.exit_code == 2  # type: ignore[attr-defined]
    assert f"skipped {broken}: unreadable Word document" in failed.stderr  # type: ignore[attr-defined]


# -- the CLI beside a running server ---------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
@pytest.mark.embedded_only  # the lock is the embedded store's: a SPARQL server takes many writers
def test_writing_beside_a_running_server_names_it_and_says_to_use_http(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    import httpx

    data = settings.data_dir
    assert run("ingest", "--data", data, write_doc("icpa.txt")).exit_code == 0  # type: ignore[attr-defined]
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    command = [sys.executable, "-m", "practicegraph", "serve", "--data", str(data)]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--no-access-log"],
        env=clean,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    holder_file = data / "store.holder.json"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                if httpx.get(f"{url}/sparql", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        held_by = f"practicegraph serve on {url} (pid {server.pid})"
        removed = run("remove", "--data", data, "icpa.txt")
        assert removed.exit_code == 1  # type: ignore[attr-defined]
        line = one_error_line(removed.stderr)  # type: ignore[attr-defined]
        assert held_by in line and f"DELETE {url}/documents/NAME" in line
        assert "write token" in line and "stop the server" in line
        updated = run("update", "--data", data, "DROP ALL")
        assert f"POST {url}/sparql" in one_error_line(updated.stderr)  # type: ignore[attr-defined]
        reindexed = run("reindex", "--data", data)
        line = one_error_line(reindexed.stderr)  # type: ignore[attr-defined]
        assert held_by in line and "HTTP API" in line
        # reading beside the server works
        assert run("stats", "--data", data).exit_code == 0  # type: ignore[attr-defined]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr is not None:
            server.stderr.close()
    assert not holder_file.exists()  # the server took its record away as it stopped
    assert run("remove", "--data", data, "icpa.txt").exit_code == 0  # type: ignore[attr-defined]


@pytest.mark.embedded_only  # the lock is the embedded store's
def test_a_holder_record_of_a_dead_process_is_not_believed(
    run: Callable[..., object], settings: Settings, write_doc: Callable[..., Path]
) -> None:
    from practicegraph.graph.lock_holder import LockHolder, StoreInUseError, read, record

    data = settings.data_dir
    assert run("ingest", "--data", data, write_doc("icpa.txt")).exit_code == 0  # type: ignore[attr-defined]
    holder_file = data / "store.holder.json"
    assert not holder_file.exists()  # the ingest removed its record as it closed
    record(holder_file)
    assert read(holder_file) == LockHolder(os.getpid(), read(holder_file).command)  # type: ignore[union-attr]
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    holder_file.write_text(
        json.dumps({"pid": int(dead.stdout), "command": "practicegraph ingest x"}),
        encoding="utf-8",
    )
    assert read(holder_file) is None
    assert "another process" in str(StoreInUseError(data / "store", None))


# -- moving an instance ------------------------------------------------------------------


def _embedded_only(store_backend: str) -> None:
    if store_backend != "embedded":
        pytest.skip(
            "two data directories on one store server are one store: moving between "
            "servers is tested at the service level (tests/test_backups.py)"
        )


def test_backup_and_restore_move_an_instance_to_another_data_directory(
    run: Callable[..., object],
    store_backend: str,
    tmp_path: Path,
    write_doc: Callable[..., Path],
) -> None:
    _embedded_only(store_backend)
    old, new, backup = tmp_path / "old", tmp_path / "new", tmp_path / "instance.tar"
    assert run("ingest", write_doc("visits.txt", EUROPRIS_TEXT), "--data", old).exit_code == 0  # type: ignore[attr-defined]

    written = run("backup", "-o", backup, "--data", old)
    assert written.exit_code == 0 and "1 documents" in written.output  # type: ignore[attr-defined]
    restored = run("restore", backup, "--data", new)
    assert restored.exit_code == 0, restored.output  # type: ignore[attr-defined]
    assert "1 documents" in restored.output  # type: ignore[attr-defined]

    for folder in (old, new):
        assert run("export", "-o", tmp_path / f"{folder.name}.nq", "--data", folder).exit_code == 0  # type: ignore[attr-defined]
    assert (tmp_path / "old.nq").read_bytes() == (tmp_path / "new.nq").read_bytes()

    again = run("restore", backup, "--data", new)
    assert again.exit_code == 1  # type: ignore[attr-defined]
    assert "not empty" in one_error_line(again.stderr)  # type: ignore[attr-defined]


def test_a_refused_import_or_restore_leaves_a_new_data_directory_as_it_was(
    run: Callable[..., object],
    store_backend: str,
    tmp_path: Path,
    write_doc: Callable[..., Path],
) -> None:
    """An instance's own export cannot be imported by an instance with the same base IRI:
    the refusal says to use backup and restore, and creates nothing."""
    _embedded_only(store_backend)
    old = tmp_path / "old"
    assert run("ingest", write_doc("visits.txt", EUROPRIS_TEXT), "--data", old).exit_code == 0  # type: ignore[attr-defined]
    assert run("export", "-o", tmp_path / "own.nq", "--data", old).exit_code == 0  # type: ignore[attr-defined]

    never = tmp_path / "never"
    refused = run("import", tmp_path / "own.nq", "--source", "own", "--data", never)
    assert refused.exit_code == 1  # type: ignore[attr-defined]
    assert "practicegraph backup" in one_error_line(refused.stderr)  # type: ignore[attr-defined]
    assert not never.exists()

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("kept\n", encoding="utf-8")
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(b"not a tar archive at all")
    failed = run("restore", damaged, "--data", empty)
    assert failed.exit_code == 1  # type: ignore[attr-defined]
    assert "not a backup file" in one_error_line(failed.stderr)  # type: ignore[attr-defined]
    assert [p.name for p in empty.iterdir()] == ["notes.txt"]
