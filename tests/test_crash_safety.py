"""A killed ingest leaves every document in its old or its new state, never between.

A real ``python -m practicegraph ingest -v`` process is killed with SIGKILL
right after it reports some documents stored (``-v`` prints a line as each
one is done), while it works on the next. The store is then reopened and
every document graph in it is checked against what ingesting that text
alone gives.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, CORPUS_NAMES
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService
from practicegraph.vocab import sparql_prefixes

pytestmark = pytest.mark.slow

#: The three shortest corpus documents: the point is the kill, not the NLP.
SOURCES = [CORPUS_NAMES[0], CORPUS_NAMES[2], CORPUS_NAMES[3]]
COPIES = 18
KILL_AFTER = 3


def select(service: PracticeGraphService, query: str) -> list[dict[str, str]]:
    return [
        {k: v.value for k, v in row.items()}
        for row in service.store.select(sparql_prefixes() + query)
    ]


def stored_documents(service: PracticeGraphService) -> dict[str, dict[str, object]]:
    """source name -> hash, text, triple count and run of each document graph."""
    docs: dict[str, dict[str, object]] = {}
    for row in select(
        service,
        """SELECT ?g ?src ?hash ?text ?run WHERE { GRAPH ?g {
             ?g prov:wasDerivedFrom ?doc . ?doc dcterms:source ?src ; pg:contentHash ?hash ;
             pg:text ?text ; schema:name ?name .
             OPTIONAL { ?g prov:wasGeneratedBy ?run } } }""",
    ):
        docs[row["src"]] = {**row, "size": None}
    for row in select(
        service, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    ):
        for doc in docs.values():
            if doc["g"] == row["g"]:
                doc["size"] = int(row["n"])
    return docs


def assert_consistent(
    service: PracticeGraphService,
    expected: dict[str, dict[str, object]],
) -> dict[str, str]:
    """Check each stored document is one whole version; return source -> version hash."""
    graphs = [g for g in service.store.named_graphs() if "/graph/_" not in g]
    docs = stored_documents(service)
    assert len(docs) == len(graphs), "a document graph lacks its core triples"
    runs = {
        r["run"]
        for r in select(
            service,
            "SELECT ?run WHERE { ?run a pg:IngestRun ; pg:modelName ?m ; "
            "pg:softwareVersion ?v ; prov:startedAtTime ?t }",
        )
    }
    found = {}
    for src, doc in docs.items():
        version = expected[str(doc["hash"])]
        assert doc["text"] == version["text"], src
        assert doc["size"] == version["size"], (src, doc["size"], version["size"])
        assert doc["run"] in runs, src
        found[src] = str(doc["hash"])
    positions = select(
        service,
        """SELECT ?text ?exact ?start ?end WHERE {
             ?doc pg:text ?text . ?a oa:hasTarget ?t . ?t oa:hasSource ?doc ;
             oa:hasSelector ?q , ?p . ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""",
    )
    assert positions
    for row in positions:
        assert row["text"][int(row["start"]) : int(row["end"])] == row["exact"]
    return found


def reference(
    extractor: Extractor, tmp_path: Path, texts: list[str]
) -> dict[str, dict[str, object]]:
    """content hash -> text and graph size, from ingesting each text alone."""
    folder = tmp_path / "reference-docs"
    folder.mkdir()
    settings = Settings.from_env(environ={}, data_dir=tmp_path / "reference")
    out: dict[str, dict[str, object]] = {}
    with PracticeGraphService(settings, extractor=extractor) as service:
        for i, text in enumerate(texts):
            path = folder / f"ref-{i}.txt"
            path.write_text(text, encoding="utf-8")
            service.ingest([path])
        for doc in stored_documents(service).values():
            out[str(doc["hash"])] = {"text": doc["text"], "size": doc["size"]}
    assert len(out) == len(texts)
    return out


def ingest_and_kill(data: Path, folder: Path, kill_after: int) -> int:
    """Run the CLI ingest, SIGKILL it after ``kill_after`` documents; return lines seen."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    env["PRACTICEGRAPH_BATCH_SIZE"] = "1"  # store as soon as each document is extracted
    process = subprocess.Popen(
        [sys.executable, "-m", "practicegraph", "ingest", "-v", "--data", str(data), str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    done = 0
    deadline = time.monotonic() + 120
    try:
        for line in process.stderr:
            if "/" in line.split(" ", 1)[0]:
                done += 1
            if done >= kill_after:
                os.kill(process.pid, signal.SIGKILL)
                break
            assert time.monotonic() < deadline, "ingest too slow"
    finally:
        process.kill()
        process.wait(timeout=30)
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    return done


def write_copies(folder: Path, texts: list[str]) -> dict[str, str]:
    folder.mkdir(exist_ok=True)
    names = {}
    for i in range(COPIES):
        text = texts[i % len(texts)]
        name = f"copy-{i:02d}.txt"
        (folder / name).write_text(text, encoding="utf-8")
        names[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return names


def test_killed_ingest_leaves_whole_documents_and_a_rerun_completes(
    tmp_path: Path, extractor: Extractor
) -> None:
    texts = [(CORPUS / name).read_text(encoding="utf-8") for name in SOURCES]
    expected = reference(extractor, tmp_path, texts)
    folder = tmp_path / "docs"
    names = write_copies(folder, texts)
    data = tmp_path / "data"

    ingest_and_kill(data, folder, KILL_AFTER)

    settings = Settings.from_env(environ={}, data_dir=data)
    with PracticeGraphService(settings, extractor=extractor) as service:
        found = assert_consistent(service, expected)
        assert KILL_AFTER <= len(found) < COPIES
        assert all(found[name] == names[name] for name in found)
        report = service.ingest([folder])
        assert sorted(report.unchanged) == sorted(found)
        assert sorted(report.added) == sorted(set(names) - set(found))
        assert not report.failed and not report.replaced
        assert len(assert_consistent(service, expected)) == COPIES


def test_killed_replacement_leaves_each_document_old_or_new(
    tmp_path: Path, extractor: Extractor
) -> None:
    texts = [(CORPUS / name).read_text(encoding="utf-8") for name in SOURCES]
    expected = reference(extractor, tmp_path, texts)
    folder = tmp_path / "docs"
    data = tmp_path / "data"
    old = write_copies(folder, texts)
    settings = Settings.from_env(environ={}, data_dir=data)
    with PracticeGraphService(settings, extractor=extractor) as service:
        assert len(service.ingest([folder]).added) == COPIES

    new = write_copies(folder, texts[1:] + texts[:1])  # every file gets another text
    assert all(old[n] != new[n] for n in old)
    ingest_and_kill(data, folder, KILL_AFTER)

    with PracticeGraphService(settings, extractor=extractor) as service:
        found = assert_consistent(service, expected)
        assert sorted(found) == sorted(old)  # nothing lost, nothing doubled
        replaced = {n for n in found if found[n] == new[n]}
        assert all(found[n] == old[n] for n in set(found) - replaced)
        assert KILL_AFTER <= len(replaced) < COPIES
        report = service.ingest([folder])
        assert sorted(report.replaced) == sorted(set(old) - replaced)
        assert sorted(report.unchanged) == sorted(replaced)
