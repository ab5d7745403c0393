"""Search through the service: the index follows the store, and repairs itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from practicegraph.cli import app
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.search import SearchRequest
from practicegraph.service import PracticeGraphService


def sources(service: PracticeGraphService, query: str) -> list[str]:
    """The documents the search finds (a document and its practices count once)."""
    hits = service.search(SearchRequest(query, page_size=50)).hits
    return list(dict.fromkeys(hit.source for hit in hits))


def test_ingest_replace_and_remove_keep_the_index_in_step(
    service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:
    path = write_doc(
        "visit.txt",
        "Staff of the Irish Prison Service trained mentors for new prison officers in Dublin.\n",
    )
    service.ingest([path])
    assert sources(service, "mentors")[0] == "visit.txt"
    path.write_text(
        "The Irish Prison Service opened an equine programme in Dublin.\n", encoding="utf-8"
    )
    service.ingest([path])
    assert "visit.txt" not in sources(service, "mentors")
    assert sources(service, "equine")[0] == "visit.txt"
    service.remove(["visit.txt"])
    assert sources(service, "equine") == []
    assert service.stats()["indexed documents"] == 0


def test_graph_entities_are_searchable(corpus_service: PracticeGraphService) -> None:
    # 002 writes "Riga" and "Latvian", never the ISO code; the graph links it to LV.
    assert sources(corpus_service, "LV")[0] == "002_933d5227a5890bed.txt"
    # 004 writes the full name of EuroPris only through the gazetteer's alias.
    assert "004_f1cd0c5fe33d0926.txt" in sources(corpus_service, "EuroPris")


def test_a_crash_between_store_and_index_is_repaired_on_next_open(
    settings: Settings,
    extractor: Extractor,
    write_doc: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_doc("crash.txt", "The probation service piloted electronic monitoring.\n")
    service = PracticeGraphService(settings, extractor=extractor)

    def die(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt("killed between the store's commit and the index's")

    monkeypatch.setattr(service.index, "replace", die)
    with pytest.raises(KeyboardInterrupt):
        service.ingest([path])
    monkeypatch.undo()
    assert "crash.txt" in service.stored_hashes()
    assert service.index.indexed_hashes() == {}
    service.close()

    reopened = PracticeGraphService(settings, extractor=extractor)
    try:
        assert reopened.index_repair.reindexed == ["crash.txt"]
        assert sources(reopened, "electronic monitoring") == ["crash.txt"]
    finally:
        reopened.close()


def test_reindex_rebuilds_from_the_store(corpus_service: PracticeGraphService) -> None:
    before = corpus_service.stats()
    result = corpus_service.reindex()
    assert len(result.reindexed) == before["documents"]
    after = corpus_service.stats()
    assert after["indexed documents"] == before["documents"]
    assert after["indexed practices"] == before["practices"]


@pytest.mark.embedded_only  # the CLI on a server is tested in test_cli.py
def test_cli_search_json_and_table(corpus_settings: Settings) -> None:
    runner = CliRunner()
    data = str(corpus_settings.data_dir)
    result = runner.invoke(app, ["search", "radicalization", "--json", "--data", data])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["total"] > 0
    hit = payload["hits"][0]
    assert {"score", "kind", "title", "snippet", "source"} <= set(hit)
    assert hit["source"].endswith(".txt")
    assert {"theme", "country", "organisation", "year", "kind"} <= set(payload["facets"])
    filtered = runner.invoke(
        app,
        ["search", "probation", "--kind", "practice", "--country", "BE", "--json", "--data", data],
    )
    assert all(h["kind"] == "practice" for h in json.loads(filtered.stdout)["hits"])
    table = runner.invoke(app, ["search", "probaton", "--data", data])
    assert table.exit_code == 0
    assert "did you mean" in table.stdout


@pytest.mark.embedded_only  # the CLI on a server is tested in test_cli.py
def test_cli_reindex(corpus_settings: Settings) -> None:
    result = CliRunner().invoke(app, ["reindex", "--data", str(corpus_settings.data_dir)])
    assert result.exit_code == 0
    assert "reindexed 5 documents" in result.stdout


def test_switching_engines_fills_the_new_index_from_the_store(
    settings: Settings,
    extractor: Extractor,
    write_doc: Callable[..., Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each engine keeps its own index; the first writable open with the other engine
    fills it from the store. A read-only open cannot, and says what to do."""
    path = write_doc("swap.txt", "The probation service trained volunteer mentors in Cork.\n")
    whoosh = settings.with_(search_engine="whoosh")
    with PracticeGraphService(whoosh, extractor=extractor) as service:
        service.ingest([path])
        assert sources(service, "mentors") == ["swap.txt"]
    tantivy = settings.with_(search_engine="tantivy")
    with PracticeGraphService(tantivy, read_only=True, extractor=extractor) as service:
        assert sources(service, "mentors") == []
    assert "practicegraph reindex" in caplog.text
    with PracticeGraphService(tantivy, extractor=extractor) as service:
        assert service.index_repair.reindexed == ["swap.txt"]
        assert sources(service, "mentors") == ["swap.txt"]
