"""What every store backend promises through GraphStore, and that callers keep to it.

The contract tests take ``any_store``, which conftest.py builds for each backend
the suite knows; a backend added later runs the same tests.
"""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from practicegraph.errors import QueryError, StoreError
from practicegraph.graph.factory import open_local_store
from practicegraph.graph.store import (
    AnswerFormatError,
    Capability,
    GraphStore,
    QueryAnswer,
    compaction,
    snapshots,
)

EX = "https://example.org/"
G1, G2 = URIRef(EX + "g1"), URIRef(EX + "g2")
SRC = Path(__file__).resolve().parents[2] / "src" / "practicegraph"
#: The store factory and the embedded backend (with the process that reads its
#: snapshots): the only modules allowed to name Oxigraph's store.
EMBEDDED_BACKEND = {"graph/factory.py", "graph/oxigraph_store.py", "graph/snapshot_worker.py"}


def labelled(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.add((URIRef(EX + name), URIRef(EX + "label"), Literal(name, lang="en")))
    return graph


def test_select_rows_are_plain_dicts_of_terms(any_store: GraphStore) -> None:
    any_store.replace_graph(G1, labelled("a", "b"))
    rows = list(any_store.select(f"SELECT ?s ?o ?none WHERE {{ ?s <{EX}label> ?o }} ORDER BY ?s"))
    assert [type(row) for row in rows] == [dict, dict]
    assert rows[0] == {"s": ox.NamedNode(EX + "a"), "o": ox.Literal("a", language="en")}


def test_every_query_form_has_a_materialised_answer(any_store: GraphStore) -> None:
    any_store.replace_graph(G1, labelled("a"))
    select = any_store.query(f"SELECT ?s WHERE {{ ?s <{EX}label> ?o }}")
    assert isinstance(select, QueryAnswer) and select.kind == "solutions"
    assert select.variables == ["s"] and select.rows == [{"s": ox.NamedNode(EX + "a")}]
    ask = any_store.query("ASK { ?s ?p ?o }")
    assert ask.kind == "boolean" and ask.boolean is True
    assert any_store.ask(f"ASK {{ <{EX}nobody> ?p ?o }}") is False
    graph = any_store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert graph.kind == "graph" and len(graph.triples) == 1
    assert any_store.construct(f"CONSTRUCT WHERE {{ ?s <{EX}label> ?o }}") == graph.triples


def test_answers_serialise_in_the_format_that_fits_their_form(any_store: GraphStore) -> None:
    any_store.replace_graph(G1, labelled("a"))
    out = io.BytesIO()
    select = f"SELECT ?s WHERE {{ ?s <{EX}label> ?o }}"
    assert any_store.write_answer(select, out, "json") == "solutions"
    assert json.loads(out.getvalue())["results"]["bindings"][0]["s"]["value"] == EX + "a"
    out = io.BytesIO()
    construct = f"CONSTRUCT WHERE {{ ?s <{EX}label> ?o }}"
    assert any_store.write_answer(construct, out, "nt") == "graph"
    assert out.getvalue().decode().startswith(f"<{EX}a>")
    with pytest.raises(AnswerFormatError) as refused:
        any_store.write_answer("CONSTRUCT WHERE { ?s ?p ?o }", io.BytesIO(), "csv")
    assert refused.value.kind == "graph"
    with pytest.raises(AnswerFormatError):
        any_store.write_answer("ASK { ?s ?p ?o }", io.BytesIO(), "turtle")


def test_a_query_that_does_not_parse_is_a_query_error(any_store: GraphStore) -> None:
    with pytest.raises(QueryError, match="does not parse"):
        any_store.query("SELEC ?x")
    with pytest.raises(QueryError):
        list(any_store.select("ASK { ?s ?p ?o }"))


def test_the_version_moves_on_with_every_kind_of_write(any_store: GraphStore) -> None:
    seen = [any_store.version]

    def moved() -> None:
        assert any_store.version not in seen
        seen.append(any_store.version)

    any_store.replace_graph(G1, labelled("a"))
    moved()
    any_store.replace_graph(G1, labelled("b"), extra=[(G2, labelled("c"))])
    moved()
    any_store.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <{EX}d> <{EX}p> 1 }} }}")
    moved()
    assert any_store.drop_graph(G2)
    moved()
    list(any_store.select("SELECT * WHERE { ?s ?p ?o }"))
    assert any_store.version == seen[-1], "a read is not a write"


def test_a_version_never_comes_back_after_a_reopen(tmp_path: Path) -> None:
    """ETags and cached answers are keyed on the version: a restart that counted from
    the same number again would match an answer of other data."""
    first = open_local_store(tmp_path / "s")
    first.replace_graph(G1, labelled("a"))
    seen = first.version
    first.close()
    second = open_local_store(tmp_path / "s")
    assert second.version > seen
    second.close()


def test_pattern_reads_graph_reads_and_graph_listing(any_store: GraphStore) -> None:
    any_store.replace_graph(G1, labelled("a", "b"), extra=[(G2, labelled("c"))])
    assert any_store.named_graphs() == sorted([str(G1), str(G2)])
    assert any_store.has_graph(str(G1)) and not any_store.has_graph(EX + "none")
    assert any_store.quad_count() == 3
    found = list(any_store.quads(ox.NamedNode(EX + "c")))
    assert [q.graph_name for q in found] == [ox.NamedNode(str(G2))]
    assert len(list(any_store.quads(graph=str(G1)))) == 2
    assert len(list(any_store.quads())) == 3
    assert any_store.contains(found[0])
    assert len(any_store.named_graph(G1)) == 2
    assert len(any_store.graph_triples(str(G2))) == 1
    assert any_store.graph_triples(None) == []


def test_bulk_writes_fill_fresh_graphs(any_store: GraphStore, tmp_path: Path) -> None:
    name = ox.NamedNode(EX + "fresh")
    quads = [
        ox.Quad(ox.NamedNode(EX + f"s{i}"), ox.NamedNode(EX + "p"), ox.Literal(i), name)
        for i in range(50)
    ]
    any_store.bulk_extend(iter(quads))
    assert len(list(any_store.quads(graph=name.value))) == 50
    nquads = tmp_path / "more.nq"
    nquads.write_text(f'<{EX}x> <{EX}p> "y" <{EX}more> .\n', encoding="utf-8")
    with nquads.open("rb") as handle:
        any_store.bulk_load(handle, "nquads")
    assert any_store.has_graph(EX + "more")
    with pytest.raises(StoreError):
        any_store.bulk_load(io.BytesIO(b""), "docx")


def test_capabilities_are_asked_for_not_assumed(any_store: GraphStore) -> None:
    assert (snapshots(any_store) is None) == (Capability.SNAPSHOTS not in any_store.capabilities)
    assert (compaction(any_store) is None) == (Capability.COMPACTION not in any_store.capabilities)


def _names_oxigraph_store(tree: ast.AST, aliases: set[str]) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.alias) and "OxigraphStore" in (
            getattr(node, "id", None),
            getattr(node, "name", None),
        ):
            lines.append(getattr(node, "lineno", 0))
        if isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph":
            lines += [node.lineno for a in node.names if a.name == "Store"]
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "Store"
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            lines.append(node.lineno)
    return lines


def test_no_module_outside_the_factory_and_the_embedded_backend_names_its_store() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative in EMBEDDED_BACKEND:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {"pyoxigraph"} | {
            a.asname or a.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for a in node.names
            if a.name == "pyoxigraph"
        }
        offenders += [f"{relative}:{line}" for line in _names_oxigraph_store(tree, aliases)]
    assert offenders == [], "build stores with practicegraph.graph.factory"


def test_the_seam_check_sees_each_way_of_naming_the_store() -> None:
    """The check above must be able to fail."""
    for source in (
        "import pyoxigraph as ox\nox.Store()",
        "import pyoxigraph\npyoxigraph.Store.read_only('x')",
        "from pyoxigraph import Store",
        "from practicegraph.graph.oxigraph_store import OxigraphStore",
        "def f(s: OxigraphStore) -> None: ...",
    ):
        tree = ast.parse(source)
        aliases = {"pyoxigraph", "ox"}
        assert _names_oxigraph_store(tree, aliases), source


def test_an_update_that_fails_changes_nothing_and_says_where(any_store: GraphStore) -> None:
    any_store.replace_graph(G1, labelled("a"))
    with pytest.raises(QueryError, match="does not parse") as refused:
        any_store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}b> <{EX}label> }} }}")
    assert "1:" in str(refused.value), "the position is in the caller's own text"
    with pytest.raises(QueryError):
        any_store.update(f"DROP GRAPH <{EX}missing>")
    assert any_store.named_graphs() == [str(G1)]
    assert len(any_store.named_graph(G1)) == 1


def test_an_update_may_end_with_a_separator_or_a_comment(any_store: GraphStore) -> None:
    any_store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }} ;")
    any_store.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <{EX}a> <{EX}p> 2 }} }} # done")
    assert any_store.named_graphs() == sorted([str(G1), str(G2)])


def test_blank_nodes_keep_their_identity_through_a_bulk_load(any_store: GraphStore) -> None:
    graph = ox.NamedNode(EX + "annotations")
    node = ox.BlankNode()
    quads = [ox.Quad(node, ox.NamedNode(EX + f"p{i}"), ox.Literal(i), graph) for i in range(2_500)]
    any_store.bulk_extend(quads)
    subjects = {q.subject for q in any_store.quads(graph=graph.value)}
    assert len(subjects) == 1
