"""Hostile dumps, each reproduced by a small generated file: every one is refused with
a clear error (file, and line and column where there is one), in bounded memory,
and leaves the store exactly as it was."""

from __future__ import annotations

import gzip
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import OTHER_BASE
from exchange.rdfxml_samples import PROTEGE_OWL, billion_laughs, document, quadratic
from practicegraph.config import Settings
from practicegraph.errors import CanonicalizationError, DumpError, DumpTooLargeError
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService

P = "<https://schema.org/name>"


def _service(settings: Settings, extractor: Extractor, **limits: int) -> PracticeGraphService:
    return PracticeGraphService(settings.with_(**limits), extractor=extractor)


def _state(service: PracticeGraphService) -> tuple[int, list[str], list[Path]]:
    staging = service.settings.data_dir / "staging"
    return (
        service.store.quad_count(),
        service.store.named_graphs(),
        sorted(staging.iterdir()) if staging.exists() else [],
    )


def _refused(service: PracticeGraphService, path: Path, match: str) -> DumpError:
    before = _state(service)
    with pytest.raises(DumpError, match=match) as caught:
        service.sources.import_dump(path, "hostile")
    assert _state(service) == before, "a refused dump must leave nothing behind"
    assert service.sources.infos() == []
    assert caught.value.filename == path.name
    return caught.value


def test_a_file_over_the_size_limit_is_refused_before_parsing(
    other_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    path = tmp_path / "big.nt"
    path.write_text(
        "".join(f'<https://x.example/{i}> {P} "n{i}" .\n' for i in range(2000)), encoding="utf-8"
    )
    with _service(other_settings, extractor, max_import_bytes=10_000) as service:
        _refused(service, path, "over the limit of 10,000 bytes")


def test_a_gzip_bomb_stops_at_the_limit_on_decompressed_bytes(
    other_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    path = tmp_path / "bomb.nt.gz"
    # 40 MB of N-Triples comments: about 40 kB compressed, far under the limit.
    with gzip.open(path, "wb", compresslevel=9) as handle:
        line = b"#" * 1023 + b"\n"
        for _ in range(40_000):
            handle.write(line)
    assert path.stat().st_size < 1_000_000
    with _service(other_settings, extractor, max_import_bytes=1_000_000) as service:
        _refused(service, path, "decompressed content exceeds the limit of 1,000,000 bytes")


def test_millions_of_blank_nodes_hit_the_statement_limit(
    other_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    path = tmp_path / "blanks.nt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i in range(150_000):
            handle.write(f'_:b{i} {P} "x" .\n')
    with _service(other_settings, extractor, max_import_triples=100_000) as service:
        _refused(service, path, "more than 100,000 statements")


def test_many_blank_nodes_within_the_limit_import_and_stay_apart_from_other_imports(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    for name in ("one", "two"):
        path = tmp_path / f"{name}.nt"
        path.write_text(
            "".join(f'_:b{i} {P} "{name}" .\n' for i in range(20_000)), encoding="utf-8"
        )
        other_service.sources.import_dump(path, name)
    rows = list(
        other_service.store.select(
            "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b <https://schema.org/name> ?x }"
        )
    )
    assert int(rows[0]["n"].value) == 40_000, "the same label in two dumps is two nodes"


def test_an_iri_with_a_space_is_a_syntax_error_with_line_and_column(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "spaces.nt"
    path.write_text(
        f'<https://x.example/ok> {P} "fine" .\n<https://x.example/not ok> {P} "bad" .\n',
        encoding="utf-8",
    )
    error = _refused(other_service, path, "syntax error")
    assert (error.line, error.column) == (2, 1)
    assert "line 2" in str(error)


def test_a_literal_that_is_not_of_its_datatype_is_refused_with_its_line(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "dates.nt"
    path.write_text(
        "<https://x.example/e> <https://schema.org/startDate> "
        '"2024-05-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
        "<https://x.example/f> <https://schema.org/startDate> "
        '"next spring"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
        encoding="utf-8",
    )
    error = _refused(other_service, path, "'next spring' is not a valid xsd:date")
    assert error.line == 2


def test_a_dump_describing_this_instances_own_resources_is_refused(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "hijack.nt"
    path.write_text(
        f'<https://x.example/a> {P} "fine" .\n<{OTHER_BASE}organisation/icpa> {P} "Spam Inc" .\n',
        encoding="utf-8",
    )
    error = _refused(other_service, path, "this instance's own resource")
    assert error.line == 2


def test_a_dump_redefining_the_theme_scheme_is_refused(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "themes.ttl"
    path.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/practicegraph/themes/radicalisation> "
        'skos:prefLabel "Something else"@en .\n',
        encoding="utf-8",
    )
    _refused(other_service, path, "redefines this instance's vocabulary")


def test_a_truncated_gzip_file_is_a_clear_error(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    whole = gzip.compress(
        "".join(f'<https://x.example/{i}> {P} "n{i}" .\n' for i in range(5000)).encode()
    )
    path = tmp_path / "cut.nq.gz"
    path.write_bytes(whole[: len(whole) // 2])
    _refused(other_service, path, "cannot be decompressed")


def test_an_unknown_file_ending_asks_for_the_format(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "data.bin"
    path.write_text(f'<https://x.example/a> {P} "x" .\n', encoding="utf-8")
    _refused(other_service, path, "cannot tell the RDF syntax")
    report = other_service.sources.import_dump(path, "named", syntax="nt")
    assert report.statements == 1


def test_a_licence_that_is_not_an_iri_is_kept_as_text(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "licence.ttl"
    path.write_text(
        "@prefix void: <http://rdfs.org/ns/void#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        '<https://x.example/d> a void:Dataset ; dcterms:license "http://x.example/a^b" .\n',
        encoding="utf-8",
    )
    other_service.sources.import_dump(path, "odd")
    assert other_service.sources.get("odd").licence == "http://x.example/a^b"


def test_a_failure_after_the_copy_takes_the_copied_graphs_away(
    other_service: PracticeGraphService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fine.nt"
    path.write_text(f'<https://x.example/a> {P} "x" .\n', encoding="utf-8")
    before = _state(other_service)

    def broken(*_args: object, **_kwargs: object) -> str:
        raise DumpError("the record cannot be written", "fine.nt")

    monkeypatch.setattr(other_service.sources.registry, "record_update", broken)
    with pytest.raises(DumpError, match="record cannot be written"):
        other_service.sources.import_dump(path, "cep")
    assert _state(other_service) == before
    archives = other_service.settings.data_dir / "sources" / "cep"
    assert not list(archives.glob("*.nq.gz*")), "no archive of an import that never took effect"
    assert other_service.sources.report("cep")["status"] == "failed"


def test_a_long_chain_of_blank_nodes_imports_and_exports(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "list.ttl"
    items = " ".join(f'"item {i}"' for i in range(3000))
    path.write_text(
        f"<https://x.example/a> <https://x.example/items> ({items}) .\n", encoding="utf-8"
    )
    other_service.sources.import_dump(path, "lists")
    out = io.BytesIO()
    summary = other_service.sources.export(out, "nquads", source="lists")
    assert summary.statements == 1 + 2 * 3000


# -- entities, prefixes and other ways a small file stands for a large one ---------------


def test_a_protege_owl_file_with_namespace_entities_imports(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "prison.owl"
    path.write_text(PROTEGE_OWL, encoding="utf-8")
    report = other_service.sources.import_dump(path, "prison")
    assert report.status == "current" and report.statements == 7
    rows = list(
        other_service.store.select(
            "SELECT ?label WHERE { GRAPH ?g { <https://x.example/prison#Mentoring> "
            "<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
            "<http://www.w3.org/2002/07/owl#Thing> ; "
            "<http://www.w3.org/2000/01/rdf-schema#label> ?label } }"
        )
    )
    assert [row["label"].value for row in rows] == ["Peer mentoring & support"]


def test_nested_entities_are_refused_before_the_parser_expands_them(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    """Four levels here (30 kB expanded); ten are 30 GB and fail the same way, at the
    declaration (test_xml_guard runs that one in a memory-capped process)."""
    path = tmp_path / "laughs.rdf"
    path.write_bytes(billion_laughs(4))
    error = _refused(other_service, path, "refers to other entities")
    assert (error.line, error.column) == (4, 1)
    assert "entity expansion can blow up memory" in str(error)


def test_one_long_entity_referenced_a_thousand_times_is_refused(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    path = tmp_path / "quadratic.rdf"
    path.write_bytes(quadratic(50_000, 1000))  # 55 kB that expand to 50 MB
    error = _refused(other_service, path, "longer than 4,096 bytes")
    assert error.line == 3


def test_an_external_entity_is_refused_and_nothing_is_read(
    other_service: PracticeGraphService, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the-secret-value", encoding="utf-8")
    path = tmp_path / "xxe.rdf"
    path.write_bytes(document(f'<!ENTITY s SYSTEM "file://{secret}">\n', "&s;"))
    error = _refused(other_service, path, "external entities")
    assert error.line == 3
    assert "the-secret-value" not in str(error)


def test_a_literal_over_the_byte_limit_made_of_accepted_entities_is_refused(
    other_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    path = tmp_path / "long.rdf"
    path.write_bytes(document(f'<!ENTITY e "{"e" * 4000}">\n', "&e;" * 300))
    assert path.stat().st_size < 10_000  # and its one literal is 1,200,000 bytes long
    with _service(other_settings, extractor, max_import_bytes=1_000_000) as service:
        error = _refused(service, path, "with its entity references expanded")
    assert isinstance(error, DumpTooLargeError)
    assert "limit of 1,000,000 bytes (setting max_import_bytes)" in str(error)
    assert error.line == 6


def test_prefixes_cannot_take_the_statements_past_the_byte_limit(
    other_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    path = tmp_path / "prefixes.ttl"
    lines = [f"@prefix p: <https://x.example/{'a' * 5000}/> ."]
    lines += [f'p:s{i} p:name "x" .' for i in range(300)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size < 20_000  # its statements are 3 MB as N-Quads
    with _service(other_settings, extractor, max_import_bytes=1_000_000) as service:
        error = _refused(service, path, "more than 1,000,000 bytes as N-Quads")
    assert isinstance(error, DumpTooLargeError)


@pytest.fixture
def context_server() -> Iterator[tuple[str, list[str]]]:
    """A JSON-LD context on a loopback port, and the paths anyone asked it for."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = b'{"@context": {"name": "https://schema.org/name"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/context.jsonld", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("form", ["plain", "import"])
def test_a_remote_jsonld_context_is_refused_and_never_fetched(
    other_service: PracticeGraphService,
    tmp_path: Path,
    context_server: tuple[str, list[str]],
    form: str,
) -> None:
    url, asked = context_server
    context = f'"{url}"' if form == "plain" else f'{{"@import": "{url}"}}'
    path = tmp_path / "remote.jsonld"
    path.write_text(
        f'{{"@context": {context}, "@id": "https://x.example/a", "name": "x"}}', encoding="utf-8"
    )
    _refused(other_service, path, "remote contexts")
    assert asked == []


# -- blank nodes RDFC-1.0 cannot label in any reasonable time ------------------------------


def _clique(size: int) -> str:
    """Blank nodes each linked to every other: RDFC-1.0 is exponential on them."""
    link = "<https://schema.org/knowsAbout>"
    return "".join(f"_:n{i} {link} _:n{j} .\n" for i in range(size) for j in range(size) if i != j)


def test_a_dump_whose_blank_nodes_cannot_be_labelled_in_time_is_refused(
    other_settings: Settings, extractor: Extractor, tmp_path: Path
) -> None:
    path = tmp_path / "tangle.nt"
    path.write_text(_clique(10), encoding="utf-8")
    with PracticeGraphService(
        other_settings.with_(max_canonical_seconds=1), extractor=extractor
    ) as svc:
        error = _refused(svc, path, "max_canonical_seconds")
        assert "nothing was imported" in str(error)


def test_an_export_of_such_blank_nodes_fails_and_frees_the_write_lock(
    other_settings: Settings, extractor: Extractor
) -> None:
    """Blank nodes can also come in through SPARQL Update: the export stops at the
    limit with an error, and writes go on afterwards."""
    with PracticeGraphService(
        other_settings.with_(max_canonical_seconds=1), extractor=extractor
    ) as svc:
        clique = [q.triple for q in ox.parse(_clique(10), ox.RdfFormat.N_TRIPLES)]
        svc.store.write_graph("https://x.example/g", clique, replace=True)
        with pytest.raises(CanonicalizationError, match="did not finish within 1 s"):
            svc.sources.export(io.BytesIO(), "nquads")
        with svc.write_lock:  # not held by the failed export
            svc.store.update(
                "INSERT DATA { GRAPH <https://x.example/h> "
                "{ <https://x.example/a> <https://x.example/b> 1 } }"
            )
