"""Imports accept all valid RDF 1.1: a sample of RDF 1.1 syntax tests through
``PUT /sources/NAME``, relative IRIs and their base, empty dumps, and graphs
named by blank nodes.

The sample (tests/data/w3c/rdf11-syntax, see its README) has, for N-Triples,
N-Quads, Turtle, TriG and RDF/XML, negative syntax tests (every one refused with
a 4xx), positive syntax tests (accepted) and evaluation tests (accepted, and the
source's statements read back from ``GET /sources/NAME/dump`` equal to the
expected ones once both have been through Oxigraph's literal normalisation).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.conftest import TOKEN, client_for
from backends import backend_environment
from conftest import OTHER_BASE
from practicegraph import cli
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "w3c" / "rdf11-syntax"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: folder -> the ?format= of its files
FOLDERS = {
    "ntriples": "nt",
    "nquads": "nquads",
    "turtle": "turtle",
    "trig": "trig",
    "rdf-xml": "xml",
}
PG = "https://w3id.org/practicegraph/ontology#"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass(frozen=True)
class SyntaxTest:
    name: str
    kind: str  # the rdft: type's local name
    action: Path
    result: Path | None
    base: str

    @property
    def negative(self) -> bool:
        return "Negative" in self.kind


def manifest(folder: str) -> list[SyntaxTest]:
    """The entries of one folder's manifest.ttl, by name."""
    path = SAMPLE / folder / "manifest.ttl"
    here = path.as_uri()
    data = ox.Dataset(ox.parse(path=path, format=ox.RdfFormat.TURTLE, base_iri=here))

    def one(subject: ox.NamedNode | ox.BlankNode, predicate: str) -> ox.NamedNode | None:
        for quad in data.quads_for_subject(subject):
            if quad.predicate.value == MF + predicate:
                assert isinstance(quad.object, ox.NamedNode)
                return quad.object
        return None

    root = ox.NamedNode(here)
    folder_uri = here.rsplit("/", 1)[0] + "/"
    base = one(root, "assumedTestBase")
    assert base is not None
    tests = []
    for quad in data:
        if quad.predicate != RDF_TYPE or not quad.object.value.startswith(RDFT + "Test"):
            continue
        kind = quad.object.value.removeprefix(RDFT + "Test")
        action, result = one(quad.subject, "action"), one(quad.subject, "result")
        assert action is not None
        relative = action.value.removeprefix(folder_uri)
        tests.append(
            SyntaxTest(
                name=quad.subject.value.rsplit("#", 1)[-1],
                kind=kind,
                action=SAMPLE / folder / relative,
                result=None
                if result is None
                else SAMPLE / folder / result.value.removeprefix(folder_uri),
                base=base.value + relative,
            )
        )
    return sorted(tests, key=lambda t: t.name)


def normalised(quads: Iterator[ox.Quad] | list[ox.Quad]) -> list[str]:
    """Statements as Oxigraph keeps them (literals in their canonical form: see the
    sample's README), blank nodes canonically labelled (RDFC-1.0), sorted."""
    store = ox.Store()
    store.extend(quads)
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(f"{q} ." for q in dataset)


def expected(test: SyntaxTest) -> list[str]:
    assert test.result is not None
    fmt = ox.RdfFormat.N_QUADS if test.result.suffix == ".nq" else ox.RdfFormat.N_TRIPLES
    return normalised(list(ox.parse(path=test.result, format=fmt)))


def read_back(client: TestClient, source: str) -> list[str]:
    response = client.get(f"/sources/{source}/dump", params={"format": "nquads"})
    assert response.status_code == 200, response.text
    return normalised(list(ox.parse(response.content, format=ox.RdfFormat.N_QUADS)))


def put(
    client: TestClient,
    source: str,
    body: bytes,
    syntax: str,
    **params: str,
) -> tuple[int, dict[str, object]]:
    response = client.put(
        f"/sources/{source}", params={"format": syntax, **params}, content=body, headers=AUTH
    )
    return response.status_code, response.json()


@pytest.fixture
def other_client(other_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """An empty instance (base IRI ``OTHER_BASE``) with a write token."""
    with client_for(other_settings.with_(token=TOKEN), extractor) as test_client:
        yield test_client


# -- the sample ---------------------------------------------------------------------


def test_the_sample_has_every_kind_of_test_for_every_syntax() -> None:
    for folder in FOLDERS:
        tests = manifest(folder)
        assert any(t.negative for t in tests), folder
        assert any(not t.negative and t.result is None for t in tests), folder
        assert any(t.result is not None for t in tests), folder
        for test in tests:
            assert test.action.is_file(), test
            assert test.result is None or test.result.is_file(), test


@pytest.mark.parametrize("folder", list(FOLDERS))
def test_the_rdf11_syntax_sample_imports_as_the_standard_says(
    folder: str, other_client: TestClient
) -> None:
    """Negative tests answer 4xx in the error envelope; positive ones import; each
    evaluation test's statements read back as its expected result."""
    failures: list[str] = []
    for test in manifest(folder):
        status, answer = put(
            other_client, "sample", test.action.read_bytes(), FOLDERS[folder], base=test.base
        )
        if test.negative:
            if not 400 <= status < 500:
                failures.append(f"{test.name}: negative, answered {status}: {answer}")
            elif _error_status(answer) != status:
                failures.append(f"{test.name}: no error envelope: {answer}")
            continue
        if status != 200 or answer.get("status") != "current":
            failures.append(f"{test.name}: positive, answered {status}: {answer}")
            continue
        if test.result is not None:
            got, want = read_back(other_client, "sample"), expected(test)
            if got != want:
                failures.append(
                    f"{test.name}: read back differs\n  missing: "
                    + "\n    ".join(sorted(set(want) - set(got)))
                    + "\n  extra: "
                    + "\n    ".join(sorted(set(got) - set(want)))
                )
    assert not failures, "\n".join(failures)


# -- base IRIs ----------------------------------------------------------------------


def relative_turtle() -> bytes:
    return (SAMPLE / "turtle" / "turtle-relative-iris.ttl").read_bytes()


def test_relative_iris_resolve_in_the_source_namespace_by_default(
    other_client: TestClient,
) -> None:
    status, answer = put(other_client, "acme", relative_turtle(), "turtle")
    assert status == 200, answer
    namespace = f"{OTHER_BASE}source/acme/data/"
    statements = read_back(other_client, "acme")
    # </ann> climbs to the root of the host: a link (an object) may point anywhere
    root = OTHER_BASE.split("/id/")[0]
    assert f"<{namespace}people/ann> <http://example.org/homepage> <{root}/ann> ." in statements
    assert f'<{namespace}> <http://example.org/title> "the document itself" .' in statements
    # the same file under another name: the other source's namespace
    status, _ = put(other_client, "beta", relative_turtle(), "turtle")
    assert status == 200
    assert f"<{OTHER_BASE}source/beta/data/people/ann>" in "".join(read_back(other_client, "beta"))


def test_a_relative_iri_outside_the_source_namespace_is_still_this_instances(
    other_client: TestClient,
) -> None:
    """``<../import/x>`` resolves out of ``source/acme/data/``: a statement about it is
    one about this instance's own resources, refused by the gate."""
    body = b'<../import/x> <http://example.org/p> "o" .\n'
    status, answer = put(other_client, "acme", body, "turtle")
    assert status == 400, answer
    assert "own resource" in answer["error"]["message"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("base", "words"),
    [
        ("not an IRI", "absolute IRI"),
        ("relative/path/", "absolute IRI"),
        (f"{OTHER_BASE}practice/", "this instance's namespace"),
    ],
)
def test_an_unusable_base_is_refused_naming_the_parameter(
    other_client: TestClient, base: str, words: str
) -> None:
    status, answer = put(other_client, "acme", relative_turtle(), "turtle", base=base)
    assert status == 400, answer
    message = answer["error"]["message"]  # type: ignore[index]
    assert "base" in message and words in message, message
    assert other_client.get("/sources").json() == []


def test_the_cli_takes_a_base_and_checks_it(
    settings: Settings,
    extractor: Extractor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        cli, "PracticeGraphService", functools.partial(PracticeGraphService, extractor=extractor)
    )
    for name in list(os.environ):
        if name.startswith("PRACTICEGRAPH_"):
            monkeypatch.delenv(name)
    env = backend_environment(settings)
    data = str(settings.data_dir)
    dump = SAMPLE / "turtle" / "turtle-relative-iris.ttl"
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli.app, list(args), env=env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    code, _, err = run("import", str(dump), "--source", "acme", "--base", "nope", "--data", data)
    assert code == 1 and err.startswith("error: ") and "--base" in err, err
    code, out, err = run(
        "import", str(dump), "--source", "acme", "--base", "https://acme.example/d/", "--data", data
    )
    assert code == 0, err
    assert "imported 5 statements" in out
    code, out, _ = run("export", "--source", "acme", "--format", "nt", "--data", data)
    assert code == 0 and "<https://acme.example/d/people/ann>" in out
    assert re.search(r"<https://acme\.example/ann>", out)


# -- empty dumps --------------------------------------------------------------------


def test_an_empty_dump_is_an_empty_source_listed_restorable_and_removable(
    other_client: TestClient,
) -> None:
    status, answer = put(other_client, "empty", b"", "nt")
    assert status == 200, answer
    assert answer["statements"] == 0 and answer["graphs"] == 0
    listed = other_client.get("/sources").json()
    assert [(s["name"], s["statements"], s["status"]) for s in listed] == [("empty", 0, "current")]
    assert read_back(other_client, "empty") == []

    # a comment-only file is empty too; and an empty import can be rolled back to
    status, _ = put(other_client, "empty", b"# nothing here\n", "turtle")
    assert status == 200
    one = b"<http://x.example/s> <http://x.example/p> 1 .\n"
    status, _ = put(other_client, "empty", one, "turtle")
    assert status == 200 and len(read_back(other_client, "empty")) == 1
    rolled = other_client.post("/sources/empty/rollback", headers=AUTH)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json()["statements"] == 0
    assert read_back(other_client, "empty") == []

    assert other_client.delete("/sources/empty", headers=AUTH).status_code == 204
    assert other_client.get("/sources").json() == []


# -- graphs named by blank nodes ----------------------------------------------------


def registry(client: TestClient, source: str) -> dict[str, str | None]:
    """Each graph of the source's import in force -> its original name (None: the
    dump's default graph), and the blank node label recorded for it."""
    query = f"""PREFIX pg: <{PG}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?g ?orig ?label WHERE {{
          ?g prov:wasAttributedTo <{OTHER_BASE}source/{source}> .
          OPTIONAL {{ ?g pg:originalGraph ?orig }}
          OPTIONAL {{ ?g pg:originalBlankNode ?label }} }}"""
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return {
        row["g"]["value"]: (
            "_:" + row["label"]["value"]
            if "label" in row
            else row["orig"]["value"]
            if "orig" in row
            else None
        )
        for row in rows
    }


def test_blank_node_graphs_stay_apart_and_export_as_blank_nodes(
    other_client: TestClient,
) -> None:
    test = next(t for t in manifest("trig") if t.name == "trig-blank-graphs")
    status, answer = put(other_client, "acme", test.action.read_bytes(), "trig", base=test.base)
    assert status == 200, answer
    assert answer["graphs"] == 6  # the default graph, one IRI-named, four blank-node ones
    names = registry(other_client, "acme")
    originals = sorted(v for v in names.values() if v is not None)
    blank = [v for v in originals if v.startswith("_:")]
    assert len(names) == 6 and len(blank) == 4, names
    assert "_:g1" in blank and "_:g2" in blank and "_:g3" in blank
    assert "https://practicegraph.example/rdf11-syntax/trig/graphs/named" in originals
    # each blank-node graph is a graph of its own here, named by an IRI of this instance
    prefix = f"{OTHER_BASE}graph/_source/acme/"
    assert all(g.startswith(prefix) for g in names)

    # the skolem IRI of _:g1 stands for the node in the default graph's statement too
    skolem = f"{OTHER_BASE}source/acme/genid/g1"
    ask = f"ASK {{ GRAPH ?g {{ <{skolem}> <http://example.org/label> ?l }} }}"
    assert other_client.get("/sparql", params={"query": ask}).json()["boolean"] is True

    # exported as imported: blank-node graph names again, one node for _:g1 throughout
    assert read_back(other_client, "acme") == expected(test)

    # a rollback restores them the same way
    assert put(other_client, "acme", b"", "trig")[0] == 200
    assert read_back(other_client, "acme") == []
    assert other_client.post("/sources/acme/rollback", headers=AUTH).status_code == 200
    assert read_back(other_client, "acme") == expected(test)
    assert sorted(v for v in registry(other_client, "acme").values() if v) == originals


def test_a_blank_node_graph_in_nquads_is_kept_apart(other_client: TestClient) -> None:
    body = (
        b'<http://x.example/s> <http://x.example/p> "default" .\n'
        b'<http://x.example/s> <http://x.example/p> "blank" _:g .\n'
    )
    status, answer = put(other_client, "acme", body, "nquads")
    assert status == 200, answer
    assert answer["graphs"] == 2
    dumped = other_client.get("/sources/acme/dump", params={"format": "nquads"}).text
    assert re.search(r'"blank" _:\S+ \.', dumped), dumped
    assert '"default" .' in dumped


def _error_status(answer: object) -> object:
    """The status the error envelope of an answer states, if it is one."""
    error = answer.get("error") if isinstance(answer, dict) else None
    return error.get("status") if isinstance(error, dict) else None
