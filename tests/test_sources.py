"""Importing another organisation's dump: provenance, replacement, rollback, removal,
quarantine, reconciliation, search, and the round trip between two instances."""

from __future__ import annotations

import gzip
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import OTHER_BASE
from practicegraph.config import Settings
from practicegraph.errors import InvalidDumpError, UnknownSourceError
from practicegraph.nlp.extractor import Extractor
from practicegraph.search import SearchRequest
from practicegraph.service import PracticeGraphService
from practicegraph.vocab import sparql_prefixes

A_BASE = "https://w3id.org/practicegraph/id/"

#: The public shape of the graph (CONTRACT.md), as a client queries it.
CONTRACT_QUERIES = {
    "documents": "SELECT DISTINCT ?doc ?src ?name WHERE { ?doc a schema:CreativeWork ; "
    "dcterms:source ?src ; schema:name ?name }",
    "organisations": "SELECT DISTINCT ?doc ?o ?n WHERE { ?doc schema:mentions ?o . "
    "?o a schema:Organization ; schema:name ?n }",
    "acronyms": "SELECT DISTINCT ?o ?a WHERE { ?o a schema:Organization ; "
    "schema:alternateName ?a }",
    "countries": "SELECT DISTINCT ?doc ?code WHERE { ?doc schema:mentions ?c . "
    "?c a schema:Country ; schema:identifier ?code }",
    "places": "SELECT DISTINCT ?doc ?n ?country WHERE { ?doc schema:mentions ?p . "
    "?p a schema:Place ; schema:name ?n OPTIONAL { ?p schema:containedInPlace ?country } }",
    "events": "SELECT DISTINCT ?doc ?n ?d WHERE { ?doc schema:mentions ?e . "
    "?e a schema:Event ; schema:name ?n ; schema:startDate ?d }",
    "themes": "SELECT DISTINCT ?doc ?id WHERE { ?doc schema:about ?t . ?t skos:notation ?id }",
    "practices": "SELECT DISTINCT ?doc ?p ?label ?quote WHERE { ?doc schema:mentions ?p . "
    "?p a pg:Practice ; schema:name ?label . ?a oa:hasBody ?p ; oa:hasTarget ?t . "
    "?t oa:hasSource ?doc ; oa:hasSelector ?s . ?s oa:exact ?quote }",
    "practice themes": "SELECT DISTINCT ?p ?theme WHERE { ?p a pg:Practice ; schema:about ?theme }",
}


def answers(service: PracticeGraphService, query: str) -> set[tuple[tuple[str, str], ...]]:
    rows = service.store.select(sparql_prefixes() + query)
    return {tuple(sorted((k, v.value) for k, v in row.items())) for row in rows}


def count(service: PracticeGraphService, query: str) -> int:
    rows = list(service.store.select(sparql_prefixes() + query))
    return int(rows[0]["n"].value)


def snapshot(service: PracticeGraphService) -> tuple[int, list[str]]:
    return service.store.quad_count(), service.store.named_graphs()


# -- round trip --------------------------------------------------------------------------


def test_round_trip_gives_the_same_contract_answers_and_finds_the_practices(
    corpus_service: PracticeGraphService,
    other_service: PracticeGraphService,
    corpus_dump: Path,
) -> None:
    report = other_service.sources.import_dump(corpus_dump, "alpha")

    assert report.status == "current"
    assert report.documents == 5 and report.practices > 0
    assert report.own_copies > 0, "the exporter's copy of the shared ontology is recognised"
    for name, query in CONTRACT_QUERIES.items():
        expected = answers(corpus_service, query)
        assert expected, name
        assert answers(other_service, query) == expected, name

    found = other_service.search(SearchRequest("DACUM workshop"))
    # the document first, its practice right under it
    assert [hit.kind for hit in found.hits[:2]] == ["document", "practice"]
    practice = found.hits[1]
    assert practice.dataset == "alpha" and practice.document == found.hits[0].id
    assert practice.id.startswith(A_BASE), "imported IRIs are kept as they are"
    assert ("alpha", found.total) in found.facets["source"]


def test_import_records_provenance_and_sparql_can_select_by_source(
    other_service: PracticeGraphService, corpus_dump: Path
) -> None:
    other_service.sources.import_dump(corpus_dump, "alpha")

    rows = list(
        other_service.store.select(
            sparql_prefixes()
            + """SELECT ?file ?sha ?n ?status WHERE {
                ?src a pg:Source ; rdfs:label "alpha" ; pg:currentImport ?imp .
                ?imp a prov:Activity ; pg:fileName ?file ; pg:sha256 ?sha ; void:triples ?n ;
                     pg:importStatus ?status ; prov:startedAtTime ?t0 ; prov:endedAtTime ?t1 }"""
        )
    )
    assert len(rows) == 1
    assert rows[0]["file"].value == "alpha.nq.gz"
    assert len(rows[0]["sha"].value) == 64
    assert int(rows[0]["n"].value) > 1000
    assert rows[0]["status"].value == "current"

    by_source = count(
        other_service,
        """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {
            GRAPH ?g { ?p a pg:Practice } ?g prov:wasAttributedTo ?src .
            ?src rdfs:label "alpha" }""",
    )
    assert by_source == count(
        other_service, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Practice }"
    )
    originals = count(
        other_service,
        f"""SELECT (COUNT(?g) AS ?n) WHERE {{ ?g pg:originalGraph ?orig
            FILTER(STRSTARTS(STR(?orig), "{A_BASE}graph/")) }}""",
    )
    assert originals >= 5


def test_licence_and_publisher_come_from_the_dumps_void_record(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    dump = tmp_path / "described.ttl"
    dump.write_text(
        """@prefix void: <http://rdfs.org/ns/void#> . @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix schema: <https://schema.org/> .
        <https://cep.example.org/dataset> a void:Dataset ;
            dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ;
            dcterms:publisher "CEP, the Confederation of European Probation" .
        <https://cep.example.org/org/cep> a schema:Organization ; schema:name "CEP" .
        """,
        encoding="utf-8",
    )
    other_service.sources.import_dump(dump, "cep")
    info = other_service.sources.get("cep")
    assert info.licence == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert info.publisher == "CEP, the Confederation of European Probation"


# -- replace, rollback, remove ---------------------------------------------------------------


def _dump(tmp_path: Path, name: str, organisations: list[str]) -> Path:
    lines = [
        f"<https://cep.example.org/org/{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        f"<https://schema.org/Organization> <https://cep.example.org/graph/main> .\n"
        f'<https://cep.example.org/org/{i}> <https://schema.org/name> "{label}" '
        f"<https://cep.example.org/graph/main> .\n"
        for i, label in enumerate(organisations)
    ]
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


ORGS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a schema:Organization }"


def test_reimport_replaces_the_source_and_rollback_restores_the_previous(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    other_service.sources.import_dump(_dump(tmp_path, "v1.nq", ["A", "B", "C"]), "cep")
    assert count(other_service, ORGS) == 3
    other_service.sources.import_dump(_dump(tmp_path, "v2.nq", ["A"]), "cep")
    assert count(other_service, ORGS) == 1, "the new import replaces the old, not adds to it"
    info = other_service.sources.get("cep")
    assert (info.file, info.imports, info.restorable) == ("v2.nq", 2, True)

    restored = other_service.sources.rollback("cep")
    assert restored.file == "v1.nq"
    assert count(other_service, ORGS) == 3
    assert other_service.sources.get("cep").file == "v1.nq"
    statuses = answers(
        other_service,
        "SELECT ?file ?status WHERE { ?i a pg:Import ; pg:fileName ?file ; "
        "pg:importStatus ?status }",
    )
    assert statuses == {
        (("file", "v1.nq"), ("status", "current")),
        (("file", "v2.nq"), ("status", "superseded")),
    }


def test_remove_source_takes_everything_it_brought(
    other_service: PracticeGraphService, corpus_dump: Path
) -> None:
    before = snapshot(other_service)
    other_service.sources.import_dump(corpus_dump, "alpha")
    other_service.sources.remove("alpha")

    assert snapshot(other_service) == before
    assert other_service.sources.infos() == []
    assert other_service.search(SearchRequest("DACUM")).total == 0
    with pytest.raises(UnknownSourceError):
        other_service.sources.get("alpha")


def test_rollback_without_an_earlier_import_is_a_clear_error(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    other_service.sources.import_dump(_dump(tmp_path, "v1.nq", ["A"]), "cep")
    with pytest.raises(Exception, match="no earlier import"):
        other_service.sources.rollback("cep")


def test_graphs_left_by_a_crash_before_the_switch_are_dropped_on_open(
    other_settings: Settings,
    extractor: Extractor,
    tmp_path: Path,
) -> None:
    with PracticeGraphService(other_settings, extractor=extractor) as svc:
        svc.sources.import_dump(_dump(tmp_path, "v1.nq", ["A", "B"]), "cep")
        before = snapshot(svc)
        # What a process killed between the bulk copy and the switching update leaves.
        orphan = svc.iris.import_graph("cep", "20990101T000000000000Z", 0)
        svc.store.bulk_extend(
            [
                ox.Quad(
                    ox.NamedNode("https://cep.example.org/org/half"),
                    ox.NamedNode("https://schema.org/name"),
                    ox.Literal("half-written"),
                    ox.NamedNode(str(orphan)),
                )
            ]
        )
    with PracticeGraphService(other_settings, extractor=extractor) as svc:
        assert snapshot(svc) == before
        assert count(svc, ORGS) == 2


def test_uploads_and_staging_left_by_a_killed_import_are_removed_on_open(
    other_settings: Settings,
    extractor: Extractor,
) -> None:
    """A server killed mid-import (out of memory, say) runs no ``finally``: the dump it
    was sent and the staging store stay on disk until the next start clears them."""
    with PracticeGraphService(other_settings, extractor=extractor):
        pass
    upload = other_settings.data_dir / "uploads" / "dump-k1ll3d"  # as PUT /sources names it
    upload.mkdir(parents=True)
    (upload / "dump").write_bytes(b"<a> <b> <c> .\n" * 1000)
    staging = other_settings.data_dir / "staging" / "20990101T000000000000Z"
    staging.mkdir(parents=True)
    (staging / "000001.sst").write_bytes(b"x")
    documents_upload = other_settings.data_dir / "uploads" / "upload-kept"
    documents_upload.mkdir()  # another route's folder: not the sources' to remove
    with PracticeGraphService(other_settings, extractor=extractor):
        assert not upload.exists()
        assert not staging.exists()
        assert documents_upload.is_dir()


def test_repair_while_running_leaves_an_upload_in_use_alone(
    other_service: PracticeGraphService,
) -> None:
    """drop_orphans also runs when the store recovers from a full disk, with imports
    going on: only what no import holds is a leftover."""
    with other_service.sources.upload_folder() as folder:
        (folder / "dump").write_bytes(b"<a> <b> <c> .\n")
        other_service.sources.drop_orphans()
        assert (folder / "dump").is_file()
    assert not folder.exists()


# -- validation gate -------------------------------------------------------------------------

BAD_COUNTRY = """@prefix schema: <https://schema.org/> .
<https://cep.example.org/country/xx> a schema:Country ; schema:name "Nowhere" .
<https://cep.example.org/org/cep> a schema:Organization ; schema:name "CEP" .
"""


def test_a_dump_failing_the_shapes_is_refused_with_a_readable_report(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    dump = tmp_path / "bad.ttl"
    dump.write_text(BAD_COUNTRY, encoding="utf-8")
    before = snapshot(other_service)

    with pytest.raises(InvalidDumpError) as caught:
        other_service.sources.import_dump(dump, "cep")

    violation = caught.value.report.violations[0]
    assert violation.focus_node == "https://cep.example.org/country/xx"
    assert violation.path == "https://schema.org/identifier"
    assert "ISO 3166-1" in violation.message
    assert snapshot(other_service) == before
    assert other_service.sources.report("cep")["validation"]["conforms"] is False


def test_quarantine_keeps_a_failing_dump_out_of_queries_and_search(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    dump = tmp_path / "bad.ttl"
    dump.write_text(BAD_COUNTRY, encoding="utf-8")
    before_quads = other_service.store.quad_count()

    report = other_service.sources.import_dump(dump, "cep", quarantine=True)

    assert report.status == "quarantined"
    assert count(other_service, ORGS) == 0
    assert other_service.search(SearchRequest("CEP")).total == 0
    info = other_service.sources.get("cep")
    assert info.status == "quarantined"
    assert other_service.store.quad_count() > before_quads  # only the import's record
    quarantine_dir = other_service.settings.data_dir / "quarantine"
    assert len(ox.Store.read_only(str(quarantine_dir))) == 4
    other_service.sources.remove("cep")
    assert len(ox.Store.read_only(str(quarantine_dir))) == 0


# -- reconciliation ----------------------------------------------------------------------------


@pytest.fixture
def both(
    other_service: PracticeGraphService, corpus_dump: Path, write_doc: Callable[..., Path]
) -> PracticeGraphService:
    """The other instance with a local document about ICPA in Latvia and corpus/ as alpha."""
    other_service.ingest([write_doc("icpa.txt")])
    other_service.sources.import_dump(corpus_dump, "alpha")
    return other_service


def test_the_same_country_and_organisation_from_two_sources_are_linked_not_merged(
    both: PracticeGraphService,
) -> None:
    other_service = both

    links = answers(
        other_service,
        f"SELECT ?a ?b WHERE {{ GRAPH <{other_service.iris.links_graph}> {{ ?a owl:sameAs ?b }} }}",
    )
    assert (("a", A_BASE + "country/LV"), ("b", OTHER_BASE + "country/LV")) in links
    icpa: set[str] = {
        dict(pair)["a"] for pair in links if dict(pair)["b"] == OTHER_BASE + "organisation/icpa"
    }
    assert icpa == {A_BASE + "organisation/icpa"}, links
    # Each source's own statements are untouched: both IRIs keep their own names.
    assert (
        count(
            other_service,
            f"SELECT (COUNT(*) AS ?n) WHERE {{ <{A_BASE}country/LV> schema:identifier ?c }}",
        )
        >= 1
    )
    # Search shows one ICPA across the two sources.
    found = other_service.search(SearchRequest("ICPA"))
    names = [name for name, _ in found.facets["organisation"] if "Corrections" in name]
    assert len(names) == 1, found.facets["organisation"]
    assert {"local", "alpha"} <= {name for name, _ in found.facets["source"]}


def test_the_source_facet_filters_hits(both: PracticeGraphService) -> None:
    local = both.search(SearchRequest("prison", sources=["local"]))
    imported = both.search(SearchRequest("prison source:alpha"))
    assert local.total and {h.dataset for h in local.hits} == {"local"}
    assert imported.total and {h.dataset for h in imported.hits} == {"alpha"}


# -- export ------------------------------------------------------------------------------------


def test_exports_are_byte_identical_and_a_source_exports_as_it_was_imported(
    other_service: PracticeGraphService, corpus_dump: Path, tmp_path: Path
) -> None:
    other_service.sources.import_dump(corpus_dump, "alpha")
    first, second = io.BytesIO(), io.BytesIO()
    s1 = other_service.sources.export(first, "nquads")
    s2 = other_service.sources.export(second, "nquads")
    assert first.getvalue() == second.getvalue() and s1.sha256 == s2.sha256

    mine = io.BytesIO()
    other_service.sources.export(mine, "nquads", source="alpha")
    original = gzip.decompress(corpus_dump.read_bytes()).decode("utf-8").splitlines()
    # Only the statements of the shared ontology and theme scheme were not imported.
    vocabulary = (
        "<https://w3id.org/practicegraph/ontology",
        "<https://w3id.org/practicegraph/themes",
    )
    expected = [line for line in original if not line.startswith(vocabulary)]
    assert mine.getvalue().decode("utf-8").splitlines() == expected


def test_every_syntax_exports_deterministically(
    other_service: PracticeGraphService, corpus_dump: Path
) -> None:
    other_service.sources.import_dump(corpus_dump, "alpha")
    for fmt in ("trig", "turtle", "nt", "jsonld"):
        one, two = io.BytesIO(), io.BytesIO()
        other_service.sources.export(one, fmt, source="alpha")
        other_service.sources.export(two, fmt, source="alpha")
        assert one.getvalue() == two.getvalue(), fmt
        parsed = list(
            ox.parse(
                one.getvalue(),
                {
                    "trig": ox.RdfFormat.TRIG,
                    "turtle": ox.RdfFormat.TURTLE,
                    "nt": ox.RdfFormat.N_TRIPLES,
                    "jsonld": ox.RdfFormat.JSON_LD,
                }[fmt],
            )
        )
        assert len(parsed) > 1000, fmt


def test_an_import_survives_reopening_and_reindexing(
    other_settings: Settings,
    extractor: Extractor,
    corpus_dump: Path,
) -> None:
    with PracticeGraphService(other_settings, extractor=extractor) as svc:
        svc.sources.import_dump(corpus_dump, "alpha")
        total = svc.search(SearchRequest("prison")).total
    shutil.rmtree(other_settings.index_dir)
    with PracticeGraphService(other_settings, extractor=extractor) as svc:
        assert svc.index_repair.reindexed == ["alpha/*"]
        assert svc.search(SearchRequest("prison")).total == total


def test_rollback_restores_the_import_the_current_one_replaced(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    for name, orgs in (("v1.nq", ["A"]), ("v2.nq", ["A", "B"])):
        other_service.sources.import_dump(_dump(tmp_path, name, orgs), "cep")
    assert other_service.sources.rollback("cep").file == "v1.nq"
    other_service.sources.import_dump(_dump(tmp_path, "v3.nq", ["A", "B", "C"]), "cep")
    # v3 replaced v1 (in force after the rollback), not v2.
    assert other_service.sources.rollback("cep").file == "v1.nq"
    assert count(other_service, ORGS) == 1


def test_a_single_graph_dump_indexes_every_document(
    corpus_service: PracticeGraphService, other_service: PracticeGraphService, tmp_path: Path
) -> None:
    dump = tmp_path / "alpha.ttl"
    with dump.open("wb") as handle:
        corpus_service.sources.export(handle, "turtle")
    report = other_service.sources.import_dump(dump, "alpha")
    assert report.graphs == 1
    assert report.documents == 5 and report.practices == corpus_service.stats()["practices"]
    found = other_service.search(SearchRequest("DACUM workshop"))
    assert found.hits[0].dataset == "alpha"
    # Reopening finds the index in step: no reindex of the source.
    settings = other_service.settings
    other_service.close()
    with PracticeGraphService(settings, extractor=corpus_service.extractor) as again:
        assert again.index_repair.reindexed == []


def test_a_new_link_renames_the_other_sources_organisations_in_search(
    other_service: PracticeGraphService, tmp_path: Path, write_doc: Callable[..., Path]
) -> None:
    dump = tmp_path / "cep.ttl"
    dump.write_text(
        """@prefix schema: <https://schema.org/> . @prefix dcterms: <http://purl.org/dc/terms/> .
        <https://cep.example/doc/1> a schema:CreativeWork ; schema:name "Prison leadership" ;
            dcterms:source "news-1.html" ; schema:mentions <https://cep.example/org/icpa> .
        <https://cep.example/org/icpa> a schema:Organization ; schema:name "ICPA" .
        """,
        encoding="utf-8",
    )
    other_service.sources.import_dump(dump, "cep")

    def organisations() -> set[str]:
        found = other_service.search(SearchRequest("leadership", sources=["cep"]))
        return {name for name, _ in found.facets["organisation"]}

    assert organisations() == {"ICPA"}
    # A local document names ICPA in full (acronym ICPA): the local resource becomes
    # the canonical one, and cep's records are indexed again under its name.
    other_service.ingest([write_doc("icpa.txt")])
    assert organisations() == {"International Corrections and Prisons Association"}
