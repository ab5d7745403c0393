"""A batch ingest with hostile files: every good file is stored, every bad one reported.

Through the service, the CLI and HTTP: each file succeeds or fails on its
own, with its reason, and the store and the keyword index agree at the end,
even when the batch is cut short.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.conftest import TOKEN, client_for
from conftest import EUROPRIS_TEXT, ICPA_TEXT
from practicegraph import cli
from practicegraph.config import Settings
from practicegraph.errors import QueryError, StoreError
from practicegraph.nlp.extractor import Extractor
from practicegraph.reports import IngestFailure
from practicegraph.service import PracticeGraphService

MAX_TEXT_CHARS = 20_000  # the batch's limit, so that "too long" stays small here


def _agree(service: PracticeGraphService) -> dict[str, str]:
    """Assert that the store and the index hold the same documents; return them."""
    stored = service.stored_hashes()
    indexed = {k: h for k, h in service.index.indexed_hashes().items() if "/" not in k}
    assert stored == indexed
    return stored


def _hostile_folder(folder: Path) -> tuple[set[str], dict[str, str]]:
    """Write good and hostile documents; return (good names, bad name -> reason part)."""
    folder.mkdir()
    good = {
        "plain.txt": ICPA_TEXT,
        "europris.md": EUROPRIS_TEXT,
        "terminal-log.txt": "\x1b[32m" + ICPA_TEXT.replace("Riga", "Ri\x08ga\x07") + "\x1b[0m\x0c",
        "old-page.html": "<html><body>"
        + "".join(f"<p>{line}" for line in EUROPRIS_TEXT.splitlines() * 60)
        + "</body></html>",
        "stray-nul.txt": ICPA_TEXT + "\x00",
    }
    bad: dict[str, tuple[str | bytes, str]] = {
        "deep.html": ("<div>" * 50_000, "nested more than 512 deep"),
        "huge.txt": (
            (ICPA_TEXT + "\n") * (MAX_TEXT_CHARS // len(ICPA_TEXT) + 2),
            f"limit of {MAX_TEXT_CHARS:,} characters (setting max_text_chars)",
        ),
        "one-line.txt": ("prison " * 5_000, "setting max_text_chars"),
        "wide.txt": (ICPA_TEXT.encode("utf-16-le"), "binary file, not text"),
        "empty.md": (b"", "file is empty"),
        "controls-only.txt": (bytes(range(1, 9)) * 50, "no text in the file"),
        "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "binary file"),
    }
    for name, text in good.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, (data, _reason) in bad.items():
        raw = data.encode("utf-8") if isinstance(data, str) else data
        (folder / name).write_bytes(raw)
    (folder / os.fsdecode(b"latin-\xe9.txt")).write_text(ICPA_TEXT, encoding="utf-8")
    reasons = {name: reason for name, (_data, reason) in bad.items()}
    reasons[os.fsdecode(b"latin-\xe9.txt")] = "file name is not valid UTF-8"
    return set(good), reasons


@pytest.fixture
def batch_settings(settings: Settings) -> Settings:
    return settings.with_(max_text_chars=MAX_TEXT_CHARS)


def test_every_good_file_is_stored_and_every_bad_one_reported(
    batch_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    good, bad = _hostile_folder(tmp_path / "docs")
    with PracticeGraphService(batch_settings, extractor=extractor) as service:
        report = service.ingest([tmp_path / "docs"])
        assert set(report.added) == good
        failed = {Path(failure.path).name: failure.reason for failure in report.failed}
        assert set(failed) == set(bad)
        for name, reason in bad.items():
            assert reason in failed[name], (name, failed[name])
        assert set(_agree(service)) == good


def test_a_document_past_spacys_limit_is_stored_whole(
    batch_settings: Settings,
    extractor: Extractor,
    write_doc: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under max_text_chars but past nlp.max_length: parsed in pieces, not spaCy's E088."""
    monkeypatch.setattr(extractor.nlp, "max_length", 2_000)
    text = (ICPA_TEXT + "\n" + EUROPRIS_TEXT + "\n") * 12
    assert 2_000 * 4 < len(text) <= MAX_TEXT_CHARS
    paths = [write_doc("long.txt", text), write_doc("short.txt", ICPA_TEXT)]
    with PracticeGraphService(batch_settings, extractor=extractor) as service:
        report = service.ingest(paths)
        assert report.ok and sorted(report.added) == ["long.txt", "short.txt"]
        rows = service.store.select(
            """SELECT ?text ?exact ?start ?end WHERE {
                 ?doc <https://w3id.org/practicegraph/ontology#text> ?text .
                 ?t <http://www.w3.org/ns/oa#hasSource> ?doc ;
                    <http://www.w3.org/ns/oa#hasSelector> ?q , ?p .
                 ?q <http://www.w3.org/ns/oa#exact> ?exact .
                 ?p <http://www.w3.org/ns/oa#start> ?start ; <http://www.w3.org/ns/oa#end> ?end
                 FILTER(STRLEN(?text) > 8000) }"""
        )
        positions = [{k: v.value for k, v in row.items()} for row in rows]
        assert max(int(p["start"]) for p in positions) > 2_000 * 3  # evidence from late pieces
        for p in positions:  # every selector points at its quote in the stored text
            assert p["text"][int(p["start"]) : int(p["end"])] == p["exact"]
        _agree(service)


def test_a_document_the_extractor_chokes_on_fails_alone(
    settings: Settings,
    extractor: Extractor,
    write_doc: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = extractor.extract

    def extract(doc: object, title: str | None = None) -> object:
        if "POISON" in doc.text:  # type: ignore[attr-defined]
            raise RecursionError("maximum recursion depth exceeded")
        return real(doc, title)  # type: ignore[arg-type]

    monkeypatch.setattr(extractor, "extract", extract)
    paths = [write_doc("a.txt"), write_doc("poison.txt", "POISON " + ICPA_TEXT)]
    paths.append(write_doc("b.txt", EUROPRIS_TEXT))
    with PracticeGraphService(settings, extractor=extractor) as service:
        report = service.ingest(paths)
        assert sorted(report.added) == ["a.txt", "b.txt"]
        assert report.failed == [
            IngestFailure(
                str(paths[1]),
                "extraction failed (RecursionError: maximum recursion depth exceeded)",
                None,  # the extractor reports a reason, not an error
            )
        ]
        _agree(service)


@pytest.mark.parametrize(
    "refusal",
    [QueryError("the server answered 400: update too large"), StoreError("server unreachable")],
    ids=["query-error", "store-error"],
)
def test_a_document_the_store_refuses_fails_alone(
    settings: Settings,
    extractor: Extractor,
    write_doc: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    refusal: Exception,
) -> None:
    """A refused write (a SPARQL server answers 4xx or 5xx with a QueryError) is the
    store's answer about one document, reported as such, not taken for a bug."""
    paths = [write_doc("a.txt"), write_doc("refused.txt", EUROPRIS_TEXT)]
    with PracticeGraphService(settings, extractor=extractor) as service:
        real = service.store.replace_graph

        def replace_graph(graph: object, *args: object, **kwargs: object) -> None:
            if str(graph).endswith("/refused.txt"):
                raise refusal
            real(graph, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(service.store, "replace_graph", replace_graph)
        report = service.ingest(paths)
        assert report.added == ["a.txt"]
        assert report.failed == [
            IngestFailure(str(paths[1]), f"not stored: {refusal}", type(refusal))
        ]
        _agree(service)


def test_a_batch_cut_short_still_indexes_what_it_stored(
    settings: Settings,
    extractor: Extractor,
    write_doc: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = [write_doc(f"doc-{i}.txt", ICPA_TEXT + f"\nCopy {i}.\n") for i in range(4)]
    with PracticeGraphService(settings, extractor=extractor) as service:
        real = service.store.replace_graph
        calls = 0

        def replace_graph(*args: object, **kwargs: object) -> None:
            nonlocal calls
            calls += 1
            if calls == 3:
                raise KeyboardInterrupt
            real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(service.store, "replace_graph", replace_graph)
        with pytest.raises(KeyboardInterrupt):
            service.ingest(paths)
        assert sorted(_agree(service)) == ["doc-0.txt", "doc-1.txt"]


# --- the CLI and HTTP ---------------------------------------------------------------------------


@pytest.fixture
def cli_run(monkeypatch: pytest.MonkeyPatch, extractor: Extractor) -> Iterator[CliRunner]:
    monkeypatch.setattr(
        cli, "PracticeGraphService", functools.partial(PracticeGraphService, extractor=extractor)
    )
    for name in list(os.environ):
        if name.startswith("PRACTICEGRAPH_"):
            monkeypatch.delenv(name)
    yield CliRunner()


@pytest.mark.embedded_only  # the CLI on a server is tested in test_cli.py
def test_cli_reports_each_bad_file_and_exits_2(
    cli_run: CliRunner, batch_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    good, bad = _hostile_folder(tmp_path / "docs")
    env = {"PRACTICEGRAPH_MAX_TEXT_CHARS": str(MAX_TEXT_CHARS)}
    args = ["ingest", "--data", str(batch_settings.data_dir), str(tmp_path / "docs")]
    result = cli_run.invoke(cli.app, args, env=env, catch_exceptions=False)
    assert result.exit_code == 2
    assert f"added {len(good)}, replaced 0, unchanged 0, failed {len(bad)}" in result.stdout
    assert "Traceback" not in result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == len(bad)
    for name, reason in bad.items():
        shown = name.encode("utf-8", "backslashreplace").decode()  # a name that is not UTF-8
        assert any(shown in line and reason in line for line in skipped), name
    with PracticeGraphService(batch_settings, extractor=extractor) as service:
        assert set(_agree(service)) == good


@pytest.mark.parametrize(
    ("name", "data", "status", "reason"),
    [
        ("deep.html", b"<span>" * 100_000, 422, "nested more than 512 deep"),
        ("huge.txt", b"corrections\n" * 90_000, 422, "limit of 1,000,000 characters"),
        ("log.txt", ICPA_TEXT.replace(" ", " \x1b[0m").encode() + b"\x07\x0c", 201, None),
    ],
    ids=["deep-html", "too-long", "control-characters"],
)
def test_http_upload_of_a_hostile_document(
    settings: Settings,
    extractor: Extractor,
    name: str,
    data: bytes,
    status: int,
    reason: str | None,
) -> None:
    with client_for(settings.with_(token=TOKEN), extractor) as client:
        response = client.post(
            "/documents",
            files={"file": (name, data)},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == status, response.text
    if status == 201:  # read, without the terminal's escape sequences
        assert response.json()["title"] == "Prison Reform in Latvia"
    if reason is not None:
        body = response.json()
        assert reason in str(body), body
        assert name in str(body), body
