"""SHACL validation of a staged dump with pyshacl, a bounded slice at a time.

pyshacl is the reference implementation in Python and reads the shapes as they
are written (ontology/shapes.ttl), so we use it rather than translate the shapes
into queries of our own. It works on an in-memory rdflib graph, which at a million
statements costs gigabytes; so the staged dump is validated in slices.

**What the result is.** The data graph is the dump together with the ontology it
is read against (the ontology and theme scheme, which the dump points at without
describing; the theme scheme's concepts are checked with every dump). The result --
whether it conforms, and each result's focus node, path, value, source shape,
constraint component and severity -- is the one pyshacl gives for that whole graph
at once (``inference="none"``, warnings allowed), for any shapes: the tests check it
over generated data and shapes (tests/exchange/test_validation.py). The results
listed are pyshacl's top-level ones (``sh:result``); the nested details of an
``sh:node`` failure are summed up by that failure's own message.

**How a slice is made.** :mod:`practicegraph.exchange.shape_reach` reads the shapes
and works out what validating one focus node against a targeted shape reads from
the data: the statements its paths walk (inverse, sequence, alternative and
repeated paths followed to closure), the types and superclasses ``sh:class`` needs,
and the same again for every shape nested with ``sh:node``, ``sh:property``,
``sh:qualifiedValueShape`` or ``sh:and``/``sh:or``/``sh:xone``/``sh:not``. The focus
nodes themselves are found here over the whole data, as pyshacl finds them
(instances of subclasses too, subjects or objects of a predicate, literals
included). A slice holds up to ``SLICE`` (shape, focus node) pairs with everything
they reach and the statement that made each a focus node; the shapes graph given
to pyshacl names the slice's focus nodes with ``sh:targetNode`` in place of the
shapes' own targets. pyshacl then makes the lookups it would make over the whole
graph and gets the same answers, so it reports the same results. (pyshacl's own
``focus_nodes=`` and ``use_shapes=`` options are not used: with either of them it
skips the shapes nested under the ones it validates.)

**Memory.** A slice is closed when it holds ``SLICE`` pairs or ``SLICE_STATEMENTS``
statements, so for shapes like ours, which look a step or two from the focus node,
memory depends on the slice size, not on the dump. The bound is only as good as the
shapes: a ``sh:zeroOrMorePath`` along a long chain, or nested shapes that walk far,
bring into a single pair's slice everything they reach, however much that is. The
focus nodes of the shape being sliced are also remembered, to take each once.

**Whole graph instead.** Where the shapes use something :mod:`shape_reach` does not
model -- SPARQL-based or custom constraint components, SHACL-AF or JavaScript
features, a malformed or over-deep path, a blank node as a target -- the dump is
validated at once, in one graph held in memory, and the report says why
(``whole_graph``). Our shapes never need this.

**Limits of "the same".** Messages are pyshacl's: a shape's ``sh:message``, the same
in a slice, or a text pyshacl writes, which describes a blank node from the
statements at hand (fewer in a slice). A literal the store keeps as written but
rdflib rewrites (``" 1"^^xsd:integer``, which Oxigraph does not take for an integer)
is one term for pyshacl and two for the store: an inverse path from that literal
may find fewer subjects in a slice than in the whole graph.

pyshacl is pure Python, one core per process: a large dump's slices go to worker
processes (the slices are plain strings and tuples; blank nodes keep their labels).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from practicegraph.errors import ValidationError
from practicegraph.exchange.shape_reach import Reach, ShapePlan, Statement, Term, to_ox, to_rdflib
from practicegraph.graph.factory import open_local_store
from practicegraph.graph.store import GraphStore
from practicegraph.vocab import RDF, SH

SLICE = 2000  # (shape, focus node) pairs per pyshacl call
SLICE_STATEMENTS = 100_000  # statements per pyshacl call, however few the pairs
PARALLEL_MIN = 20_000  # pairs; fewer validate faster than worker processes start

#: A term as plain data: an IRI is a str, a blank node a 1-tuple (its label), a
#: literal a 3-tuple (text, datatype or None, language or None).
Plain = str | tuple[str] | tuple[str, str | None, str | None]


@dataclass(frozen=True)
class Violation:
    focus_node: str
    path: str
    message: str
    severity: str
    value: str | None = None
    source_shape: str = ""
    component: str = ""  # the constraint component, e.g. sh:MinCountConstraintComponent

    def line(self) -> str:
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.focus_node} {self.path}: {self.message}{value}"


@dataclass
class ValidationReport:
    conforms: bool = True
    focus_nodes: int = 0  # (shape, focus node) pairs checked
    violations: list[Violation] = field(default_factory=list)  # warnings too (severity)
    more: int = 0  # violations found beyond the ones listed
    whole_graph: str | None = None  # why the dump was validated at once, not in slices

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "focus_nodes": self.focus_nodes,
            "violations": [asdict(v) for v in self.violations],
            "more_violations": self.more,
            "whole_graph": self.whole_graph,
        }

    def text(self) -> str:
        found = len(self.violations) + self.more
        if self.conforms:
            text = f"conforms: {self.focus_nodes} resources checked against the shapes"
            if not found:
                return text
            lines = [f"{text}, with {found} warning(s):"]
        else:
            lines = [f"{found} violation(s):"]
        lines += [f"  - {v.line()}" for v in self.violations]
        if self.more:
            lines.append(f"  ... and {self.more} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Slice:
    """One pyshacl run's input, as plain data that can cross to a worker process."""

    statements: list[tuple[Plain, str, Plain]]  # what the pairs reach (see shape_reach)
    targets: list[tuple[Plain, Plain]]  # (shape, focus node) pairs


#: The scratch store's graph holding the ontology.
BACKGROUND = ox.NamedNode("urn:x-practicegraph:validation-background")


class ShapesValidator:
    """Validates the data of a store, with an ontology beside it, against SHACL shapes."""

    def __init__(self, shapes: Path | Graph, ontology: Graph, *, max_listed: int = 50) -> None:
        self.shapes = (
            shapes if isinstance(shapes, Graph) else Graph().parse(shapes, format="turtle")
        )
        self.plan = ShapePlan(self.shapes)
        self.max_listed = max_listed
        # the ontology, matched beside the dump: a scratch store, as staging stores are
        self.background = open_local_store(None)
        self.background.bulk_extend(
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), BACKGROUND) for s, p, o in ontology
        )

    def validate(self, store: GraphStore, workers: int = 1) -> ValidationReport:
        """Validate every targeted resource, in ``workers`` processes when the dump is
        large enough to repay starting them."""
        report = ValidationReport(whole_graph=self.plan.reason)
        match = partial(_match, store, self.background)
        if self.plan.reason is not None:
            report.focus_nodes = sum(
                1 for shape in self.plan.targets for _ in self.plan.focus_nodes(shape, match)
            )
            self._collect(report, [self._whole_graph(store)])
            return report
        stripped = self.plan.stripped
        results: Iterable[tuple[bool, list[Violation]]]
        if workers > 1 and self._more_pairs_than(PARALLEL_MIN, match):
            results = _in_processes(self._jobs(match, report), _plain_graph(stripped), workers)
        else:
            results = map(partial(_check_slice, shapes=stripped), self._jobs(match, report))
        self._collect(report, results)
        return report

    def _collect(
        self, report: ValidationReport, results: Iterable[tuple[bool, list[Violation]]]
    ) -> None:
        for conforms, violations in results:
            report.conforms = report.conforms and conforms
            if violations:
                room = max(0, self.max_listed - len(report.violations))
                report.violations += violations[:room]
                report.more += len(violations[room:])

    def _more_pairs_than(self, limit: int, match: Any) -> bool:
        pairs = (1 for shape in self.plan.targets for _ in self.plan.focus_nodes(shape, match))
        return any(n > limit for n, _ in enumerate(pairs, 1))

    def _jobs(self, match: Any, report: ValidationReport) -> Iterator[_Slice]:
        reach = Reach(self.plan, match)
        targets: list[tuple[Plain, Plain]] = []
        for shape in self.plan.ordered():
            for focus, evidence in self.plan.focus_nodes(shape, match):
                report.focus_nodes += 1
                reach.add(shape, focus, evidence)
                targets.append((_plain(shape), _plain_term(focus)))
                if len(targets) >= SLICE or len(reach.statements) >= SLICE_STATEMENTS:
                    yield _Slice(_plain_statements(reach.statements), targets)
                    reach, targets = Reach(self.plan, match), []
        if targets:
            yield _Slice(_plain_statements(reach.statements), targets)

    def _whole_graph(self, store: GraphStore) -> tuple[bool, list[Violation]]:
        """pyshacl over the dump and the ontology at once (shapes we cannot slice)."""
        data = Graph()
        for s, p, o in _match(store, self.background, None, None, None):
            data.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
        return _pyshacl(data, self.shapes)


def _match(
    store: GraphStore, background: GraphStore, s: Term | None, p: Term | None, o: Term | None
) -> Iterator[Statement]:
    """The statements of the dump and of the ontology matching a pattern (RDF-star
    quoted triples left out: rdflib and the shapes know nothing of them)."""
    if isinstance(s, ox.Literal):
        return
    for quad in chain(store.quads(s, p, o), background.quads(s, p, o)):
        subject, obj = quad.subject, quad.object
        if not isinstance(subject, ox.Triple) and not isinstance(obj, ox.Triple):
            yield subject, quad.predicate, obj


def _check_slice(job: _Slice, shapes: Graph | None = None) -> tuple[bool, list[Violation]]:
    """pyshacl over one slice: whether it conforms, and the results, sorted."""
    data = Graph()
    for s, p, o in job.statements:
        data.add((_node(s), URIRef(p), _node(o)))
    named = Graph()
    named += shapes if shapes is not None else _SHAPES["graph"]
    for shape, focus in job.targets:
        named.add((_node(shape), SH.targetNode, _node(focus)))
    return _pyshacl(data, named)


def _pyshacl(data: Graph, shapes: Graph) -> tuple[bool, list[Violation]]:
    from pyshacl import validate  # imported here: pyshacl takes a second to import

    try:
        conforms, results, _text = validate(
            data, shacl_graph=shapes, inference="none", allow_warnings=True
        )
    except Exception as exc:  # pyshacl raises bare exceptions for broken input
        raise ValidationError(f"SHACL validation could not run: {exc}") from exc
    return bool(conforms), sorted(
        (
            Violation(
                focus_node=_show(results.value(r, SH.focusNode)),
                path=_show(results.value(r, SH.resultPath)),
                message=str(results.value(r, SH.resultMessage) or ""),
                severity=_show(results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                value=_show(v) if (v := results.value(r, SH.value)) is not None else None,
                source_shape=_show(results.value(r, SH.sourceShape)),
                component=_show(results.value(r, SH.sourceConstraintComponent)),
            )
            for report in results.subjects(RDF.type, SH.ValidationReport)
            for r in results.objects(report, SH.result)
        ),
        key=lambda v: (v.focus_node, v.path, v.source_shape, v.component, v.value or "", v.message),
    )


_SHAPES: dict[str, Graph] = {}  # a worker process's shapes graph, without targets


def _load_shapes(triples: list[tuple[Plain, Plain, Plain]]) -> None:
    graph = Graph()
    for s, p, o in triples:
        graph.add((_node(s), _node(p), _node(o)))
    _SHAPES["graph"] = graph


def _in_processes(
    jobs: Iterator[_Slice], shapes: list[tuple[Plain, Plain, Plain]], workers: int
) -> Iterator[tuple[bool, list[Violation]]]:
    """Results in slice order, with at most two slices per worker in flight (memory)."""
    context = multiprocessing.get_context("spawn")  # never fork a process holding RocksDB
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_load_shapes, initargs=(shapes,)
    ) as pool:
        pending: deque[Future[tuple[bool, list[Violation]]]] = deque()
        for job in jobs:
            pending.append(pool.submit(_check_slice, job))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# -- terms as plain data -----------------------------------------------------------------


def _plain(node: Node) -> Plain:
    """An rdflib term as plain data (blank nodes keep their labels)."""
    if isinstance(node, BNode):
        return (str(node),)
    if isinstance(node, Literal):
        datatype = None if node.datatype is None else str(node.datatype)
        return (str(node), datatype, node.language)
    return str(node)


def _plain_term(term: Term) -> Plain:
    return _plain(to_rdflib(term))


def _plain_statements(statements: set[Statement]) -> list[tuple[Plain, str, Plain]]:
    return [(_plain_term(s), p.value, _plain_term(o)) for s, p, o in statements]


def _plain_graph(graph: Graph) -> list[tuple[Plain, Plain, Plain]]:
    return [(_plain(s), _plain(p), _plain(o)) for s, p, o in graph]


def _node(plain: Plain) -> Node:
    if isinstance(plain, str):
        return URIRef(plain)
    if len(plain) == 1:
        return BNode(plain[0])
    text, datatype, language = plain
    return Literal(text, lang=language, datatype=datatype)


def _show(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)
