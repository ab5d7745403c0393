"""Canonical dumps: W3C RDFC-1.0, streamed, byte for byte what other implementations give."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF as RDF_NS
from rdflib import Graph, Namespace

from practicegraph.errors import CanonicalizationError
from practicegraph.exchange import canonical
from practicegraph.exchange.canonical import canonical_lines, write_canonical

W3C = Path(__file__).resolve().parents[1] / "data" / "w3c" / "rdf-canon"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFC = Namespace("https://w3c.github.io/rdf-canon/tests/vocab#")
P = "<https://x.example/p>"

#: Blank nodes (in the default graph, in named graphs, naming a graph), literals with
#: language tags, datatypes and every kind of escape, several graphs, the default graph.
MIXED = r"""
<ex:s> <ex:p> "plain" .
<ex:s> <ex:p> "Kärnten"@de-AT <ex:g1> .
<ex:s> <ex:p> "42"^^<http://www.w3.org/2001/XMLSchema#integer> <ex:g1> .
<ex:s> <ex:p> "tab\tnew\nline\rcr \"q\" \\ \u0001\u007F\b\f" <ex:g2> .
<ex:s> <ex:p> "sep\u2028para\u2029nel\u0085 astral \U0001F600" <ex:g2> .
<ex:s> <ex:q> <ex:o> <ex:g2> .
<ex:s> <ex:q> <ex:o> <ex:g1> .
<ex:s> <ex:q> <ex:o> .
_:ann <http://www.w3.org/ns/oa#hasTarget> _:t1 <ex:g1> .
_:t1 <http://www.w3.org/ns/oa#hasSelector> _:sel1 <ex:g1> .
_:sel1 <http://www.w3.org/ns/oa#exact> "ICPA"@en <ex:g1> .
_:ann2 <http://www.w3.org/ns/oa#hasTarget> _:t2 <ex:g1> .
_:t2 <http://www.w3.org/ns/oa#hasSelector> _:sel2 <ex:g1> .
_:sel2 <http://www.w3.org/ns/oa#exact> "ICPA"@en <ex:g1> .
_:x <ex:p> _:y .
_:y <ex:p> _:x .
_:list <ex:first> "1"^^<http://www.w3.org/2001/XMLSchema#integer> _:bg .
_:list <ex:rest> <ex:nil> _:bg .
<ex:s> <ex:p> _:list _:bg .
"""


def _parse(text: str | bytes, rename: bool = True) -> list[ox.Quad]:
    return list(ox.parse(text, ox.RdfFormat.N_QUADS, rename_blank_nodes=rename))


def _nquads(
    quads: list[ox.Quad], workdir: Path | None = None, run_chars: int | None = None
) -> bytes:
    out = io.BytesIO()
    write_canonical(quads, out, "nquads", workdir=workdir, run_chars=run_chars)
    return out.getvalue()


def _in_memory(quads: list[ox.Quad]) -> bytes:
    """pyoxigraph's RDFC-1.0 over the whole dataset in memory, lines sorted."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "".join(sorted(f"{quad} .\n" for quad in dataset)).encode("utf-8")


def test_swapped_leaves_give_the_same_bytes() -> None:
    """Two isomorphic datasets whose tied blank nodes come with different labels.

    The hash-of-surroundings labelling this replaced broke the tie between _:a
    and _:b (and _:c and _:d) by the labels they came with, so swapping the
    leaves gave different bytes.
    """
    one = _nquads(_parse(f"_:a {P} _:c .\n_:b {P} _:d .\n", rename=False))
    two = _nquads(_parse(f"_:a {P} _:d .\n_:b {P} _:c .\n", rename=False))
    assert one == two
    # what rdf-canonize (jsonld.js's RDFC-1.0) gives as well
    assert one == f"_:c14n0 {P} _:c14n1 .\n_:c14n2 {P} _:c14n3 .\n".encode()


def test_labels_do_not_depend_on_the_labels_or_order_they_came_with() -> None:
    quads = _parse(MIXED)
    again = _parse(MIXED)  # fresh random labels
    assert _nquads(quads) == _nquads(list(reversed(again)))


@pytest.mark.parametrize("run_chars", [1 << 30, 300, 1])
def test_streaming_gives_the_bytes_of_canonicalising_in_memory(
    run_chars: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Whatever the runs (none spilled, several, one per line, merged in two levels)."""
    monkeypatch.setattr(canonical, "MAX_RUNS", 3)
    quads = _parse(MIXED)
    streamed = _nquads(quads, workdir=tmp_path, run_chars=run_chars)
    assert streamed == _in_memory(quads)
    lines = streamed.decode("utf-8").split("\n")[:-1]  # (U+2028 and U+0085 are not ends)
    assert lines == sorted(set(lines)) and len(lines) == len(quads)
    assert not list(tmp_path.iterdir()), "the sorted runs are removed"


def test_the_union_graph_is_canonicalised_for_triple_syntaxes() -> None:
    quads = _parse(MIXED)
    union = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    out = io.BytesIO()
    summary = write_canonical(quads, out, "nt", run_chars=1)
    assert out.getvalue() == _in_memory(union)
    assert summary.statements == len(quads) - 2, "the same triple in three graphs, once"


def test_an_unfinished_iteration_leaves_no_runs_behind(tmp_path: Path) -> None:
    lines = canonical_lines(_parse(MIXED), workdir=tmp_path, run_chars=1)
    assert next(lines).startswith("<")
    assert list(tmp_path.iterdir())
    lines.close()
    assert not list(tmp_path.iterdir())


def _w3c_cases() -> list[tuple[str, Path, Path]]:
    manifest = Graph().parse(W3C / "manifest.ttl", format="turtle")
    cases = []
    for test in manifest.subjects(RDF_NS.type, RDFC.RDFC10EvalTest):
        if manifest.value(test, RDFC.hashAlgorithm) is not None:
            continue  # SHA-384: not what a dump uses
        name = str(test).rsplit("#", 1)[-1]
        action, result = (
            W3C / "rdfc10" / str(manifest.value(test, term)).rsplit("/", 1)[-1]
            for term in (MF.action, MF.result)
        )
        cases.append((name, action, result))
    return sorted(cases)


def test_the_w3c_rdfc10_test_suite_passes(tmp_path: Path) -> None:
    """Every RDFC-1.0 evaluation test (SHA-256) of the W3C suite, through the streaming
    exporter with tiny runs: the expected bytes are the W3C's, not pyoxigraph's."""
    cases = _w3c_cases()
    assert len(cases) == 63
    failed = []
    for name, action, result in cases:
        got = _nquads(_parse(action.read_bytes()), workdir=tmp_path, run_chars=64)
        if got != result.read_bytes():
            failed.append(name)
    assert not failed


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [
        ("nquads", ox.RdfFormat.N_QUADS),
        ("trig", ox.RdfFormat.TRIG),
        ("turtle", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_every_syntax_holds_the_same_statements(fmt: str, rdf_format: ox.RdfFormat) -> None:
    """Compared by meaning: the canonical form of what was written and of what went in
    (the dataset, or its union graph for the triple syntaxes) are the same."""
    quads = _parse(MIXED)
    out = io.BytesIO()
    summary = write_canonical(quads, out, fmt, {"ex": "ex:"})
    assert summary.size == len(out.getvalue())
    again = io.BytesIO()
    write_canonical(list(reversed(_parse(MIXED))), again, fmt, {"ex": "ex:"})
    assert again.getvalue() == out.getvalue(), "stable in every syntax"
    triples = fmt not in ("nquads", "trig")
    read = list(ox.parse(out.getvalue(), rdf_format))
    want = list(canonical_lines(quads, triples=triples))
    have = list(canonical_lines(read, triples=triples))
    assert summary.statements == len(want)
    if have != want:
        missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
        pytest.fail(f"{fmt}: missing {missing}, extra {extra}")


# -- the worst case: blank nodes that nothing tells apart -------------------------------


def clique(size: int, graph: str | None = None) -> str:
    """N-Quads of ``size`` blank nodes each linked to every other: RDFC-1.0's worst case
    (eight take seconds, ten take minutes)."""
    where = f" <{graph}>" if graph else ""
    return "".join(
        f"_:n{i} {P} _:n{j}{where} .\n" for i in range(size) for j in range(size) if i != j
    )


def test_labelling_in_a_child_process_gives_the_same_lines() -> None:
    quads = _parse(MIXED)
    assert list(canonical_lines(quads, time_limit=60)) == list(canonical_lines(quads))


def test_a_clique_of_blank_nodes_stops_at_the_time_limit_instead_of_hanging() -> None:
    with pytest.raises(CanonicalizationError, match="max_canonical_seconds") as caught:
        list(canonical_lines(_parse(clique(10)), time_limit=1))
    assert caught.value.blank_statements == 90


def test_an_import_check_passes_ordinary_blank_nodes_and_refuses_a_clique() -> None:
    canonical.check_canonicalizable(_parse(MIXED), time_limit=60)
    with pytest.raises(CanonicalizationError):
        canonical.check_canonicalizable(_parse(clique(10)), time_limit=1)
