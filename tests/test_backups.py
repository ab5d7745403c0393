"""Moving a whole instance with backup and restore: every graph comes back, the
sources stay restorable, and a restore that is refused or fails part way leaves
the target as it was."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backends import ServerPool, settings_for
from conftest import OTHER_BASE
from practicegraph.backups import backup_instance, restore_instance
from practicegraph.errors import BackupError, RestoreConflictError
from practicegraph.exchange.backup import DATASET, MANIFEST
from practicegraph.nlp.extractor import Extractor
from practicegraph.search import SearchRequest
from practicegraph.service import PracticeGraphService

#: Two short reports written for these tests.
PAROLE_TEXT = (
    "Parole Boards Meet in Tallinn\n\n"
    "The Estonian Prison Service hosted a meeting of parole board members in Tallinn, "
    "Estonia, on 14 March 2024. Members from Finland and Latvia compared how risk "
    "assessment reports are prepared before a release hearing. The Finnish Criminal "
    "Sanctions Agency described a structured interview that probation officers hold "
    "with each prisoner six weeks before the hearing.\n"
)
KITCHEN_TEXT = (
    "Prison Kitchens as Training Workshops\n\n"
    "In Portugal, the Directorate-General of Reintegration and Prison Services runs "
    "catering courses in prison kitchens. Prisoners who complete the course receive "
    "a certificate recognised by employers in the hospitality sector, and a mentor "
    "helps them find work after release.\n"
)
NOT_A_COUNTRY = """@prefix schema: <https://schema.org/> .
<https://cep.example.org/country/zz> a schema:Country ; schema:name "Atlantis" .
"""


def _organisations(tmp_path: Path, name: str, labels: list[str]) -> Path:
    """A dump of organisations in two graphs, each with a blank-node membership."""
    schema = "https://schema.org/"
    lines = [
        f'<https://cep.example.org/org/{i}> <{schema}name> "{label}" '
        f"<https://cep.example.org/graph/{i % 2}> .\n"
        f"<https://cep.example.org/org/{i}> <{schema}member> _:m{i} "
        "<https://cep.example.org/graph/0> .\n"
        for i, label in enumerate(labels)
    ]
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def target(
    tmp_path: Path, store_backend: str, server_pool: ServerPool, extractor: Extractor
) -> Iterator[PracticeGraphService]:
    """An empty instance in another data directory, minting IRIs under the same base."""
    settings = settings_for(
        store_backend, server_pool, tmp_path / "target", slot=0, base_iri=OTHER_BASE
    )
    with PracticeGraphService(settings, extractor=extractor) as svc:
        yield svc


@pytest.fixture
def full(
    other_service: PracticeGraphService, tmp_path: Path, write_doc: Callable[..., Path]
) -> PracticeGraphService:
    """An instance holding local documents, a source imported twice (so restorable)
    and a quarantined import."""
    report = other_service.ingest(
        [write_doc("parole.txt", PAROLE_TEXT), write_doc("kitchens.md", KITCHEN_TEXT)]
    )
    assert not report.failed
    sources = other_service.sources
    sources.import_dump(_organisations(tmp_path, "v1.nq", ["Alpha", "Beta", "Gamma"]), "cep")
    sources.import_dump(_organisations(tmp_path, "v2.nq", ["Alpha", "Delta"]), "cep")
    bad = tmp_path / "bad.ttl"
    bad.write_text(NOT_A_COUNTRY, encoding="utf-8")
    assert sources.import_dump(bad, "odd", quarantine=True).status == "quarantined"
    return other_service


def canonical(service: PracticeGraphService) -> bytes:
    out = io.BytesIO()
    service.sources.export(out, "nquads")
    return out.getvalue()


def state(service: PracticeGraphService) -> tuple[object, ...]:
    """Everything a restore could change: statements, files, index."""
    data = service.settings.data_dir
    files = sorted(
        str(p.relative_to(data))
        for folder in ("sources", "quarantine")
        for p in (data / folder).rglob("*")
    )
    return canonical(service), files, service.index.counts(), service.sources.infos()


def test_a_restored_instance_holds_every_graph_and_works_like_the_original(
    full: PracticeGraphService, target: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "instance.tar"
    manifest = backup_instance(full, path)
    assert manifest.documents == 2 and manifest.sources == ["cep", "odd"]

    report = restore_instance(target, path)

    assert canonical(target) == canonical(full), "every graph, blank nodes included"
    assert sorted(target.store.named_graphs()) == sorted(full.store.named_graphs())
    for graph in full.store.named_graphs():
        assert len(target.store.graph_triples(graph)) == len(full.store.graph_triples(graph))
    assert report.documents == 2 and report.sources == ["cep", "odd"]
    assert target.stored_hashes() == full.stored_hashes()
    assert target.index.counts() == full.index.counts()
    for words in ("structured interview", "catering certificate"):
        found = target.search(SearchRequest(words))
        assert found.total == full.search(SearchRequest(words)).total > 0, words
    assert [i.to_dict() for i in target.sources.infos()] == [
        i.to_dict() for i in full.sources.infos()
    ]
    quarantined = "SELECT ?n WHERE { GRAPH ?g { ?c <https://schema.org/name> ?n } }"
    assert [r["n"].value for r in target.sources.query_quarantine(quarantined).rows] == ["Atlantis"]
    # the archives came along: the earlier import can still be put back
    assert target.sources.rollback("cep").statements == 6
    names = (
        "SELECT ?n WHERE { ?o <https://schema.org/name> ?n "
        'FILTER(STRSTARTS(STR(?o), "https://cep.example.org/")) }'
    )
    assert sorted(r["n"].value for r in target.store.select(names)) == ["Alpha", "Beta", "Gamma"]
    assert target.sources.get("cep").file == "v1.nq"


def test_a_backup_of_an_empty_instance_restores_to_an_empty_instance(
    other_service: PracticeGraphService, target: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "empty.tar"
    manifest = backup_instance(other_service, path)
    assert manifest.documents == 0 and manifest.sources == []
    restore_instance(target, path)
    assert canonical(target) == canonical(other_service)


def _rewritten(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of a backup with members replaced (None: left out) or added."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for info in old.getmembers():
            data = old.extractfile(info).read()  # type: ignore[union-attr]
            if info.name in change:
                replacement = change.pop(info.name)
                if replacement is None:
                    continue
                data = replacement
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
        for name, data in change.items():
            assert data is not None
            added = tarfile.TarInfo(name)
            added.size = len(data)
            new.addfile(added, io.BytesIO(data))
    return target


def _member(path: Path, name: str) -> bytes:
    with tarfile.open(path) as tar:
        return tar.extractfile(name).read()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "member", "says"),
    [
        ({DATASET: b"\x1f\x8b not the statements"}, DATASET, "damaged"),
        ({DATASET: None}, DATASET, "missing"),
        ({"sources/cep/notes.txt": b"hello"}, "sources/cep/notes.txt", "not listed"),
        ({MANIFEST: b'{"format": "something else"}'}, MANIFEST, "not a PracticeGraph backup"),
    ],
)
def test_a_damaged_or_foreign_backup_is_refused_naming_the_member_and_nothing_is_written(
    full: PracticeGraphService,
    target: PracticeGraphService,
    tmp_path: Path,
    change: dict[str, bytes | None],
    member: str,
    says: str,
) -> None:
    good = tmp_path / "good.tar"
    backup_instance(full, good)
    bad = _rewritten(good, tmp_path / "bad.tar", dict(change))
    before = state(target)
    with pytest.raises(BackupError, match=says) as caught:
        restore_instance(target, bad)
    assert caught.value.member == member
    assert state(target) == before


def test_a_file_that_is_not_a_tar_archive_is_refused(
    target: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "notes.tar"
    path.write_text("a shopping list, not a backup\n", encoding="utf-8")
    with pytest.raises(BackupError, match="not a backup file"):
        restore_instance(target, path)


def test_a_restore_that_fails_part_way_leaves_the_target_as_it_was(
    full: PracticeGraphService,
    target: PracticeGraphService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "instance.tar"
    backup_instance(full, path)
    before = state(target)
    calls: list[int] = []
    rebuild = target.reindex

    def failing_once():  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:  # after every statement and file was put in place
            raise OSError("the index disk went away")
        return rebuild()

    monkeypatch.setattr(target, "reindex", failing_once)
    with pytest.raises(OSError, match="index disk"):
        restore_instance(target, path)
    assert state(target) == before
    monkeypatch.undo()
    restore_instance(target, path)  # and the same file restores once the fault is gone
    assert canonical(target) == canonical(full)


def test_a_target_that_holds_data_is_refused_untouched(
    full: PracticeGraphService,
    target: PracticeGraphService,
    tmp_path: Path,
    write_doc: Callable[..., Path],
) -> None:
    path = tmp_path / "instance.tar"
    backup_instance(full, path)
    target.ingest([write_doc("own.txt", KITCHEN_TEXT)])
    before = state(target)
    with pytest.raises(RestoreConflictError, match="not empty"):
        restore_instance(target, path)
    assert state(target) == before


def test_a_target_minting_iris_under_another_base_is_refused(
    full: PracticeGraphService, service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "instance.tar"
    backup_instance(full, path)
    before = canonical(service)
    with pytest.raises(RestoreConflictError, match="PRACTICEGRAPH_BASE_IRI"):
        restore_instance(service, path)
    assert canonical(service) == before


def test_the_target_keeps_its_own_ontology(
    other_service: PracticeGraphService, target: PracticeGraphService, tmp_path: Path
) -> None:
    """An older instance's ontology differs from the restoring code's: its statements stay
    out, and the manifest names graphs by their IRIs."""
    ontology = str(other_service.iris.ontology_graph)
    other_service.store.update(
        f"INSERT DATA {{ GRAPH <{ontology}> "
        "{ <https://x.example/retired> <https://x.example/term> 1 } }"
    )
    path = tmp_path / "older.tar"
    manifest = backup_instance(other_service, path)
    assert ontology in manifest.graphs and not any(g.startswith("<") for g in manifest.graphs)

    report = restore_instance(target, path)

    assert report.statements == manifest.statements - manifest.graphs[ontology]
    ask = "ASK { GRAPH ?g { <https://x.example/retired> ?p ?o } }"
    assert not target.store.ask(ask)
