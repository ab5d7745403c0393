"""The service end to end: files -> spaCy -> RDF -> on-disk store -> SPARQL and export.

Assertions are about the graph's shape (CONTRACT.md) and the store's
behaviour, not about what the extractors find, which is tuned elsewhere; the
few extraction facts used are robust ones (doc 002 names Latvia, docs 000 and
004 name ICPA).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from conftest import CORPUS, CORPUS_NAMES, EUROPRIS_TEXT, ICPA_TEXT, quiet_rdflib
from practicegraph.config import Settings
from practicegraph.errors import (
    DecodeError,
    EmptyDocumentError,
    MissingFileError,
    UnsupportedFormatError,
)
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService
from practicegraph.vocab import sparql_prefixes

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_TYPES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear"}


def rows(service: PracticeGraphService, query: str) -> list[dict[str, str]]:
    """SELECT rows as {variable: lexical value}."""
    return [
        {k: v.value for k, v in row.items()}
        for row in service.store.select(sparql_prefixes() + query)
    ]


def rows_terms(service: PracticeGraphService, query: str) -> list[dict[str, object]]:
    return [dict(row) for row in service.store.select(sparql_prefixes() + query)]


def doc_graph_sizes(service: PracticeGraphService) -> dict[str, int]:
    """source name -> triples in that document's named graph."""
    found = rows(
        service,
        """SELECT ?src (COUNT(*) AS ?n) WHERE {
             GRAPH ?g { ?g prov:wasDerivedFrom ?doc . ?doc dcterms:source ?src . ?s ?p ?o }
           } GROUP BY ?src""",
    )
    return {r["src"]: int(r["n"]) for r in found}


def exported(service: PracticeGraphService, fmt: str) -> bytes:
    buffer = io.BytesIO()
    service.export(buffer, fmt)
    return buffer.getvalue()


def parse_quads(data: bytes, fmt: str) -> tuple[Graph, set[str]]:
    """The union of a dataset's graphs, and the names of its graphs."""
    dataset = Dataset()
    with quiet_rdflib():
        dataset.parse(data=data, format=fmt)
    union = Graph()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    names = {
        str(g.identifier) for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID
    }
    return union, names


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    iso_expected, iso_actual = to_isomorphic(expected), to_isomorphic(actual)
    if iso_expected != iso_actual:
        _both, only_expected, only_actual = graph_diff(iso_expected, iso_actual)
        sample_e = sorted(only_expected)[:10]
        sample_a = sorted(only_actual)[:10]
        pytest.fail(
            f"graphs differ: {len(only_expected)} triples only in the first, e.g. {sample_e}; "
            f"{len(only_actual)} only in the second, e.g. {sample_a}"
        )


# --- round trip ---------------------------------------------------------------------


def test_every_export_format_parses_back_to_the_same_graph(
    corpus_service: PracticeGraphService,
) -> None:
    union, named = parse_quads(exported(corpus_service, "nquads"), "nquads")
    assert len(union) > 1000
    for name in CORPUS_NAMES:
        assert str(corpus_service.iris.document_graph(name)) in named
    trig_union, trig_named = parse_quads(exported(corpus_service, "trig"), "trig")
    assert trig_named == named
    assert_isomorphic(union, trig_union)

    for fmt, parser in (("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        with quiet_rdflib():
            graph = Graph().parse(data=exported(corpus_service, fmt), format=parser)
        assert_isomorphic(union, graph)


def test_documents_carry_name_and_plain_literal_source(
    corpus_service: PracticeGraphService,
) -> None:
    found = rows_terms(
        corpus_service,
        "SELECT ?doc ?src ?name WHERE { ?doc a schema:CreativeWork ; "
        "dcterms:source ?src ; schema:name ?name }",
    )
    assert sorted(str(r["src"].value) for r in found) == CORPUS_NAMES  # type: ignore[attr-defined]
    for row in found:
        src = row["src"]
        assert src.datatype.value == XSD + "string"  # type: ignore[attr-defined]
        assert src.language is None  # type: ignore[attr-defined]
        assert row["name"].value.strip()  # type: ignore[attr-defined]


def test_contract_queries_answer(corpus_service: PracticeGraphService) -> None:
    orgs = rows(corpus_service, "SELECT ?o ?n WHERE { ?o a schema:Organization ; schema:name ?n }")
    assert orgs
    countries = rows(
        corpus_service, "SELECT ?c ?id WHERE { ?c a schema:Country ; schema:identifier ?id }"
    )
    assert countries
    for row in countries:
        assert re.fullmatch(r"[A-Z]{2}", row["id"])
        assert row["c"] == str(corpus_service.iris.country(row["id"]))
    events = rows_terms(
        corpus_service, "SELECT ?e ?d WHERE { ?e a schema:Event ; schema:startDate ?d }"
    )
    assert events
    for event in events:
        assert event["d"].datatype.value in DATE_TYPES  # type: ignore[attr-defined]
    themes = rows(
        corpus_service,
        "SELECT ?doc ?t WHERE { ?doc a schema:CreativeWork ; schema:about ?t . ?t a skos:Concept }",
    )
    assert {r["doc"] for r in themes} == {
        str(corpus_service.iris.document(n)) for n in CORPUS_NAMES
    }
    practices = rows(
        corpus_service,
        """SELECT ?p ?label ?exact WHERE {
             ?p a pg:Practice ; schema:name ?label ; schema:description ?d .
             ?a a oa:Annotation ; oa:hasBody ?p ; oa:hasTarget/oa:hasSelector/oa:exact ?exact }""",
    )
    assert practices


def test_every_position_selector_quotes_the_file_text(
    corpus_service: PracticeGraphService,
) -> None:
    found = rows_terms(
        corpus_service,
        """SELECT ?src ?text ?exact ?start ?end WHERE {
             ?doc dcterms:source ?src ; pg:text ?text .
             ?a a oa:Annotation ; oa:hasTarget ?t .
             ?t oa:hasSource ?doc ; oa:hasSelector ?q , ?pos .
             ?q a oa:TextQuoteSelector ; oa:exact ?exact .
             ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }""",
    )
    selectors = rows(corpus_service, "SELECT ?s WHERE { ?s a oa:TextPositionSelector }")
    assert found and len(found) == len(selectors)
    files = {name: (CORPUS / name).read_text(encoding="utf-8") for name in CORPUS_NAMES}
    wrong = []
    for row in found:
        src, text = row["src"].value, row["text"].value  # type: ignore[attr-defined]
        start, end = int(row["start"].value), int(row["end"].value)  # type: ignore[attr-defined]
        exact = row["exact"].value  # type: ignore[attr-defined]
        assert text == files[src]
        if files[src][start:end] != exact:
            wrong.append((src, start, end, exact, files[src][start:end]))
    assert not wrong, wrong[:5]


# --- one IRI per real-world thing ---------------------------------------------------------


def test_icpa_in_two_documents_is_one_resource(corpus_service: PracticeGraphService) -> None:
    found = rows(
        corpus_service,
        """SELECT DISTINCT ?org ?src WHERE {
             ?doc dcterms:source ?src ; schema:mentions ?org .
             ?org a schema:Organization ; schema:alternateName|schema:name "ICPA" }""",
    )
    by_doc: dict[str, set[str]] = {}
    for row in found:
        by_doc.setdefault(row["src"], set()).add(row["org"])
    assert CORPUS_NAMES[0] in by_doc and CORPUS_NAMES[4] in by_doc, by_doc
    assert by_doc[CORPUS_NAMES[0]] == by_doc[CORPUS_NAMES[4]]
    assert len(by_doc[CORPUS_NAMES[0]]) == 1


def test_countries_are_keyed_by_iso_code(corpus_service: PracticeGraphService) -> None:
    latvia = str(corpus_service.iris.country("LV"))
    assert latvia.endswith("/country/LV")
    mentioned = rows(
        corpus_service,
        f"SELECT ?src WHERE {{ ?doc dcterms:source ?src ; schema:mentions <{latvia}> }}",
    )
    assert CORPUS_NAMES[2] in {r["src"] for r in mentioned}
    ids = rows(corpus_service, f"SELECT ?id WHERE {{ <{latvia}> schema:identifier ?id }}")
    assert {r["id"] for r in ids} == {"LV"}
    per_code = rows(
        corpus_service,
        "SELECT ?id (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a schema:Country ; "
        "schema:identifier ?id } GROUP BY ?id HAVING (COUNT(DISTINCT ?c) > 1)",
    )
    assert per_code == []


def test_document_iris_are_one_to_one_with_file_names(
    service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:
    paths = [
        write_doc("report.txt"),
        write_doc("report.md", EUROPRIS_TEXT),
        write_doc("Report.txt", EUROPRIS_TEXT),
        write_doc("_provenance", ICPA_TEXT),
    ]
    report = service.ingest(paths)
    assert report.ok and len(report.added) == 4
    assert sorted(doc_graph_sizes(service)) == sorted(p.name for p in paths)
    assert len({service.iris.document_graph(p.name) for p in paths}) == 4
    # The reserved provenance graph survives a file that looks like its name.
    assert rows(service, "SELECT ?r WHERE { ?r a pg:IngestRun }")


# --- re-ingest, replacement, removal -----------------------------------------------------


def test_reingesting_unchanged_files_changes_nothing(
    corpus_service: PracticeGraphService,
) -> None:
    before = corpus_service.store.quad_count()
    dump = exported(corpus_service, "nquads")
    report = corpus_service.ingest([CORPUS])
    assert sorted(report.unchanged) == CORPUS_NAMES
    assert (report.added, report.replaced, report.failed) == ([], [], [])
    assert corpus_service.store.quad_count() == before
    assert exported(corpus_service, "nquads") == dump


def test_changed_file_replaces_every_old_triple(
    service: PracticeGraphService, write_doc: Callable[..., Path], extractor: Extractor
) -> None:
    path = write_doc("news.txt", EUROPRIS_TEXT)
    assert service.ingest([path]).added == ["news.txt"]
    old_orgs = {r["o"] for r in rows(service, "SELECT ?o WHERE { ?o a schema:Organization }")}
    assert old_orgs

    write_doc("news.txt", ICPA_TEXT)
    report = service.ingest([path])
    assert report.replaced == ["news.txt"] and report.added == []
    new_orgs = {r["o"] for r in rows(service, "SELECT ?o WHERE { ?o a schema:Organization }")}
    gone = old_orgs - new_orgs
    assert gone, "the two texts name different organisations"
    for org in gone:
        assert rows(service, f"SELECT ?p WHERE {{ <{org}> ?p ?o }}") == []
        assert rows(service, f"SELECT ?s WHERE {{ ?s ?p <{org}> }}") == []
    assert rows(service, "SELECT ?h WHERE { ?d dcterms:source ?s ; pg:contentHash ?h }") == [
        {"h": hashlib.sha256(ICPA_TEXT.encode()).hexdigest()}
    ]

    # The store now holds exactly what ingesting the new text alone gives.
    fresh_settings = Settings.from_env(environ={}, data_dir=path.parent.parent / "fresh")
    with PracticeGraphService(fresh_settings, extractor=extractor) as fresh:
        fresh.ingest([path])
        assert fresh.store.quad_count() == service.store.quad_count()
        assert doc_graph_sizes(fresh) == doc_graph_sizes(service)


def test_removing_a_document_keeps_what_another_document_says(
    corpus_service: PracticeGraphService,
) -> None:
    icpa_query = """SELECT DISTINCT ?org WHERE {
        ?org a schema:Organization ; schema:alternateName|schema:name "ICPA" }"""
    (icpa,) = rows(corpus_service, icpa_query)
    before = corpus_service.store.quad_count()
    size = doc_graph_sizes(corpus_service)[CORPUS_NAMES[0]]

    removed, missing = corpus_service.remove([CORPUS_NAMES[0], "no-such-file.txt"])
    assert (removed, missing) == ([CORPUS_NAMES[0]], ["no-such-file.txt"])
    assert CORPUS_NAMES[0] not in doc_graph_sizes(corpus_service)
    graph = corpus_service.iris.document_graph(CORPUS_NAMES[0])
    assert rows(corpus_service, f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == []
    assert corpus_service.store.quad_count() == before - size
    # Still there, as document 004 states it.
    assert rows(corpus_service, icpa_query) == [icpa]
    mentions = rows(
        corpus_service,
        f"SELECT ?src WHERE {{ ?d schema:mentions <{icpa['org']}> ; dcterms:source ?src }}",
    )
    assert {r["src"] for r in mentions} == {CORPUS_NAMES[4]}

    assert corpus_service.ingest([CORPUS]).added == [CORPUS_NAMES[0]]


# --- provenance and validation ------------------------------------------------------------


def test_each_document_graph_was_generated_by_a_described_ingest_run(
    corpus_service: PracticeGraphService,
) -> None:
    found = rows_terms(
        corpus_service,
        """SELECT ?g ?run ?sw ?model ?version ?started WHERE {
             GRAPH ?g { ?g prov:wasGeneratedBy ?run ; prov:wasDerivedFrom ?doc }
             ?run a pg:IngestRun , prov:Activity ; pg:softwareVersion ?sw ;
                  pg:modelName ?model ; pg:modelVersion ?version ; prov:startedAtTime ?started }""",
    )
    graphs = {corpus_service.iris.document_graph(n) for n in CORPUS_NAMES}
    assert {URIRef(r["g"].value) for r in found} == graphs  # type: ignore[attr-defined]
    assert len(found) == len(graphs)
    for row in found:
        assert row["started"].datatype.value == XSD + "dateTime"  # type: ignore[attr-defined]
        assert row["model"].value and row["version"].value  # type: ignore[attr-defined]


def test_runs_without_documents_are_forgotten(
    service: PracticeGraphService, write_doc: Callable[..., Path]
) -> None:
    path = write_doc("a.txt")
    service.ingest([path])
    service.ingest([path], force=True)
    assert len(rows(service, "SELECT ?r WHERE { ?r a pg:IngestRun }")) == 1
    service.remove(["a.txt"])
    assert rows(service, "SELECT ?r WHERE { ?r a pg:IngestRun }") == []


def test_graph_built_from_corpus_conforms_to_the_shapes(
    corpus_service: PracticeGraphService,
) -> None:
    conforms, report = corpus_service.validate()
    assert conforms, report


# --- bad input ----------------------------------------------------------------------------


def test_bad_files_are_reported_and_the_rest_of_the_batch_is_stored(
    service: PracticeGraphService, write_doc: Callable[..., Path], tmp_path: Path
) -> None:
    good = [write_doc("good1.txt"), write_doc("good2.md", EUROPRIS_TEXT)]
    bad = {
        "binary.bin": write_doc("binary.bin", bytes(range(256)) * 8),
        "undecodable.txt": write_doc("undecodable.txt", b"caf\xc3 \x81\x8d\x8f\x90 " * 50),
        "empty.txt": write_doc("empty.txt", b""),
        "blank.md": write_doc("blank.md", "  \n\n\t\n"),
        "broken.pdf": write_doc("broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF"),
        "missing.txt": tmp_path / "nowhere" / "missing.txt",
    }
    report = service.ingest([good[0], *bad.values(), good[1]])
    assert sorted(report.added) == ["good1.txt", "good2.md"]
    failed = {failure.path: failure for failure in report.failed}
    assert sorted(Path(p).name for p in failed) == sorted(bad)
    for path in bad.values():
        assert failed[str(path)].reason.strip(), path
    assert "no such file" in failed[str(bad["missing.txt"])].reason
    assert "PDF" in failed[str(bad["broken.pdf"])].reason
    assert "empty" in failed[str(bad["empty.txt"])].reason
    # the kind of error is kept, so callers need not read the file again to learn it
    assert {name: failed[str(path)].error for name, path in bad.items()} == {
        "binary.bin": UnsupportedFormatError,
        "undecodable.txt": DecodeError,
        "empty.txt": EmptyDocumentError,
        "blank.md": EmptyDocumentError,
        "broken.pdf": UnsupportedFormatError,
        "missing.txt": MissingFileError,
    }
    assert sorted(doc_graph_sizes(service)) == ["good1.txt", "good2.md"]
    for name in bad:
        graph = service.iris.document_graph(name)
        assert rows(service, f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}") == []
        assert rows(service, f'SELECT ?d WHERE {{ ?d dcterms:source "{name}" }}') == []
