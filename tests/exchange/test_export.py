"""One export path: the CLI and the HTTP API write the same files for the same data,
and another RDFC-1.0 implementation reproduces their checksum.

Real components throughout: a copy of the corpus store on disk (or on the SPARQL
server, per backend), the real CLI (typer's runner) and the real HTTP app.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from typer.testing import CliRunner

from backends import backend_environment
from practicegraph import cli
from practicegraph.api import create_app
from practicegraph.api.dumps import DUMPS
from practicegraph.config import Settings
from practicegraph.exchange.export import GZIP_LEVEL, export_file
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService
from practicegraph.vocab import DCTERMS, PG, SCHEMA

README = Path(__file__).resolve().parents[2] / "README.md"
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")

#: Blank nodes that tie (the swapped-leaves shape), literals with escapes and tags.
EXTRA = """
_:a <https://example.org/p> _:c . _:b <https://example.org/p> _:d .
_:c <https://schema.org/name> "leaf" . _:d <https://schema.org/name> "leaf" .
<https://example.org/s> <https://schema.org/name> "tab\\tquote\\" é"@fr-BE ,
  "7"^^<http://www.w3.org/2001/XMLSchema#integer> .
"""


@pytest.fixture
def data(corpus_settings: Settings, extractor: Extractor) -> Settings:
    """The corpus plus a graph with blank nodes and awkward literals (written the Graph
    Store way, which every store backend takes blank nodes through)."""
    triples = [q.triple for q in ox.parse(EXTRA.encode(), ox.RdfFormat.TURTLE)]
    with PracticeGraphService(corpus_settings, extractor=extractor) as service:
        service.store.write_graph("https://example.org/extra", triples, replace=True)
    return corpus_settings


@pytest.fixture
def export_cli(
    data: Settings,
    extractor: Extractor,
    store_backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., object]:
    """``practicegraph export --data DATA ...`` in-process (the test_cli way)."""
    monkeypatch.setattr(
        cli, "PracticeGraphService", functools.partial(PracticeGraphService, extractor=extractor)
    )
    for name in list(os.environ):
        if name.startswith("PRACTICEGRAPH_"):
            monkeypatch.delenv(name)
    env = backend_environment(data) if store_backend != "embedded" else {}

    def run(*args: str | Path) -> object:
        result = CliRunner().invoke(
            cli.app,
            ["export", "--data", str(data.data_dir), *map(str, args)],
            env=env,
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return result

    return run


@contextlib.contextmanager
def served(settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """The real HTTP app over its own service. Opened after the CLI is done: a
    read-only opening of the embedded store races the writable one's upkeep."""
    with (
        PracticeGraphService(settings, extractor=extractor) as service,
        TestClient(create_app(settings, service=service)) as client,
    ):
        yield client


def test_the_cli_and_the_api_write_the_same_files(
    data: Settings, extractor: Extractor, export_cli: Callable[..., object], tmp_path: Path
) -> None:
    files = {}
    for dump in DUMPS.values():
        out = tmp_path / "cli" / dump.name
        out.parent.mkdir(exist_ok=True)
        export_cli("--format", dump.export_format, "-o", out)
        files[dump.name] = out
    with served(data, extractor) as client:
        for name, out in files.items():
            response = client.get(f"/dumps/{name}")
            assert response.status_code == 200
            assert response.content == out.read_bytes(), f"{name}: the CLI and the API differ"
            checksum = hashlib.sha256(response.content).hexdigest()
            assert out.with_name(name + ".sha256").read_text() == f"{checksum}  {name}\n"
    assert b"_:c14n" in gzip.decompress(files["practicegraph.nq.gz"].read_bytes())


def test_the_gzip_header_holds_nothing_that_varies(
    data: Settings, export_cli: Callable[..., object], tmp_path: Path
) -> None:
    out = tmp_path / "dump.nq.gz"
    export_cli("-o", out)
    header = out.read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"
    assert header[3] == 0, "no file name, comment or extra field"
    assert header[4:8] == b"\0\0\0\0", "modification time 0"
    assert GZIP_LEVEL == 6 and header[8] == 0, "XFL of a level between 2 and 8"


def _raw_dump(settings: Settings, extractor: Extractor, fmt: str) -> bytes:
    """The store's own serialisation: its order, its blank-node labels."""
    with PracticeGraphService(settings, extractor=extractor, read_only=True) as service:
        buffer = io.BytesIO()
        service.store.dump(buffer, fmt)
        return buffer.getvalue()


def test_pyoxigraph_in_memory_rdfc10_gives_the_exported_bytes(
    data: Settings, extractor: Extractor, export_cli: Callable[..., object], tmp_path: Path
) -> None:
    """The streamed export is the canonical N-Quads of the whole dataset canonicalised
    at once, from a copy with other labels and another order."""
    out = tmp_path / "dump.nq.gz"
    export_cli("-o", out)
    dataset = ox.Dataset(ox.parse(_raw_dump(data, extractor, "nquads"), ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    expected = "".join(sorted(f"{quad} .\n" for quad in dataset)).encode("utf-8")
    assert gzip.decompress(out.read_bytes()) == expected


def _readme_command() -> str:
    """The command the README gives to reproduce a dump's checksum with another tool."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"^(python3 -c '.*?' \S+)$", text, flags=re.MULTILINE | re.DOTALL)
    assert found, "README: the python3 -c command that reproduces the checksum"
    return found.group(1)


def test_the_readme_command_reproduces_the_checksum_from_any_copy(
    data: Settings, extractor: Extractor, export_cli: Callable[..., object], tmp_path: Path
) -> None:
    out = tmp_path / "practicegraph.nq.gz"
    export_cli("-o", out)
    record = Graph().parse(out.with_name(out.name + ".void.ttl"), format="turtle")
    content_sha = next(record.objects(None, SPDX.checksumValue))
    assert str(content_sha) == hashlib.sha256(gzip.decompress(out.read_bytes())).hexdigest()
    command = _readme_command()
    copy = tmp_path / command.rsplit(" ", 1)[-1]  # a TriG file in the store's own order
    copy.write_bytes(_raw_dump(data, extractor, "trig"))
    result = subprocess.run(
        ["bash", "-c", command.replace("python3 ", f"{sys.executable} ", 1)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(content_sha)


def test_one_void_builder_one_dataset_iri(
    data: Settings, extractor: Extractor, export_cli: Callable[..., object], tmp_path: Path
) -> None:
    out = tmp_path / "dump.nq.gz"
    export_cli("-o", out)
    dataset = URIRef(f"{data.base_iri}dataset")
    record = Graph().parse(out.with_name(out.name + ".void.ttl"), format="turtle")
    with served(data, extractor) as client:
        void = Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    for g in (record, void):
        assert set(g.subjects(VOID.triples, None)) >= {dataset}
        assert set(g.subjects(None, VOID.Dataset)) == {dataset}, "one dataset IRI"
        assert (dataset, DCTERMS.license, URIRef(data.licence)) in g
        assert str(g.value(dataset, VOID.uriSpace)) == data.base_iri
    assert record.value(dataset, VOID.triples) == void.value(dataset, VOID.triples)

    (file,) = record.objects(dataset, DCAT.distribution)
    assert int(str(record.value(file, DCAT.byteSize))) == out.stat().st_size
    assert str(record.value(file, PG.sha256)) == hashlib.sha256(out.read_bytes()).hexdigest()
    assert record.value(file, DCAT.compressFormat) is not None

    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert void.value(dataset, DCTERMS.modified) is not None
    partitions = {
        void.value(p, VOID["class"]): int(str(void.value(p, VOID.entities)))
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert partitions[SCHEMA.CreativeWork] == 5
    dumps = set(void.objects(dataset, VOID.dataDump))
    assert dumps == {URIRef(f"http://testserver/dumps/{name}") for name in DUMPS}
    media = {
        void.value(d, DCAT.downloadURL): void.value(d, DCAT.mediaType)
        for d in void.objects(dataset, DCAT.distribution)
    }
    assert media[URIRef("http://testserver/dumps/practicegraph.trig")] == URIRef(
        "https://www.iana.org/assignments/media-types/application/trig"
    )


def test_a_failed_export_leaves_nothing(tmp_path: Path) -> None:
    def failing() -> Iterator[ox.Quad]:
        yield ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("ex:p"), ox.Literal("x"))
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        export_file(failing(), tmp_path / "dump.nq.gz", "nquads")
    assert list(tmp_path.iterdir()) == []
