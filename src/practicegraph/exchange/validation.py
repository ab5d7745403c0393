"""SHACL validation of a staged dump with pyshacl, a bounded slice at a time.

pyshacl is the reference implementation in Python and reads the shapes as they
are written (ontology/shapes.ttl), so we use it rather than translate the
shapes into queries of our own. It works on an in-memory rdflib graph, which at
a million statements costs gigabytes; so the staged dump is validated in
slices: for each class a shape targets, a few thousand of its instances at a
time, each with the statements the shapes look at and the types of what they
point to (what ``sh:class`` needs, the theme scheme's concepts included).
Memory then depends on the slice size, not on the dump, and the result is the
same as validating the whole graph at once for shapes like ours, which only
look one step away from the focus node.

pyshacl is pure Python, one core per process: a large dump's slices go to
worker processes (the slices are plain strings and tuples, blank nodes written
as skolem IRIs so that focus nodes survive the trip).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from practicegraph.errors import ValidationError
from practicegraph.graph.store import GraphStore
from practicegraph.vocab import RDF, SH

SLICE = 2000  # focus nodes per pyshacl call
PARALLEL_MIN = 20_000  # focus nodes; fewer validate faster than worker processes start
SKOLEM = "urn:x-practicegraph:bnode:"
RDF_TYPE = ox.NamedNode(str(RDF.type))


@dataclass(frozen=True)
class Violation:
    focus_node: str
    path: str
    message: str
    severity: str
    value: str | None = None

    def line(self) -> str:
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.focus_node} {self.path}: {self.message}{value}"


@dataclass
class ValidationReport:
    conforms: bool = True
    focus_nodes: int = 0
    violations: list[Violation] = field(default_factory=list)
    more: int = 0  # violations found beyond the ones listed

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "focus_nodes": self.focus_nodes,
            "violations": [asdict(v) for v in self.violations],
            "more_violations": self.more,
        }

    def text(self) -> str:
        if self.conforms:
            return f"conforms: {self.focus_nodes} resources checked against the shapes"
        lines = [f"{len(self.violations) + self.more} violation(s):"]
        lines += [f"  - {v.line()}" for v in self.violations]
        if self.more:
            lines.append(f"  ... and {self.more} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Slice:
    """One pyshacl run's input, as plain data that can cross to a worker process."""

    triples: list[tuple[str, str, Any]]  # the focus nodes' neighbourhood (see _neighbourhood)
    focus: list[str]  # focus node IRIs (skolem IRIs for blank nodes)
    shapes: list[str]


class ShapesValidator:
    """Validates the data of an Oxigraph store against a SHACL shapes file."""

    def __init__(self, shapes_path: Path, ontology: Graph, *, max_listed: int = 50) -> None:
        self.shapes_path = shapes_path
        self.shapes = Graph().parse(shapes_path, format="turtle")
        self.max_listed = max_listed
        # Types the ontology and theme scheme give (each theme is a skos:Concept): a
        # dump points at our themes without describing them.
        self.known_types: dict[str, list[str]] = {}
        for subject, cls in ontology.subject_objects(RDF.type):
            self.known_types.setdefault(str(subject), []).append(str(cls))
        self.targets: dict[str, list[str]] = {}
        for shape, cls in self.shapes.subject_objects(SH.targetClass):
            self.targets.setdefault(str(cls), []).append(str(shape))
        # The predicates the shapes look at: a focus node's other statements (a
        # document's text, its mentions) cannot change the result, as long as every
        # path is a plain predicate and no shape is sh:closed.
        paths = set(self.shapes.objects(None, SH.path))
        plain = all(isinstance(p, URIRef) for p in paths)
        closed = any(True for _ in self.shapes.subjects(SH.closed, None))
        self.predicates: frozenset[str] | None = (
            frozenset(str(p) for p in paths) | {str(RDF.type)} if plain and not closed else None
        )

    def validate(self, store: GraphStore, workers: int = 1) -> ValidationReport:
        """Validate every targeted resource, in ``workers`` processes when the dump is
        large enough to repay starting them."""
        report = ValidationReport()
        expected = sum(1 for cls in self.targets for _ in _instances(store, cls))
        jobs = self._jobs(store, report)
        results: Iterable[list[Violation]]
        if workers > 1 and expected > PARALLEL_MIN:
            results = _in_processes(jobs, self.shapes_path, workers)
        else:
            _load_shapes(self.shapes_path)
            results = map(_check_slice, jobs)
        for violations in results:
            if violations:
                report.conforms = False
                room = max(0, self.max_listed - len(report.violations))
                report.violations += violations[:room]
                report.more += len(violations[room:])
        return report

    def _jobs(self, store: GraphStore, report: ValidationReport) -> Iterator[_Slice]:
        for cls, shapes in sorted(self.targets.items()):
            for nodes in _slices(_instances(store, cls), SLICE):
                report.focus_nodes += len(nodes)
                triples = _neighbourhood(store, nodes, self.known_types, self.predicates)
                yield _Slice(triples, [_skolem(n) for n in nodes], shapes)


_SHAPES: dict[str, Graph] = {}  # the shapes graph, parsed once per process


def _load_shapes(path: Path) -> None:
    if "graph" not in _SHAPES:
        _SHAPES["graph"] = Graph().parse(path, format="turtle")


def _check_slice(job: _Slice) -> list[Violation]:
    """pyshacl over one slice: the violations found, sorted (none: it conforms)."""
    from pyshacl import validate  # imported here: pyshacl takes a second to import

    data = Graph()
    data.addN(
        (
            URIRef(s),
            URIRef(p),
            URIRef(o) if isinstance(o, str) else Literal(o[0], lang=o[2], datatype=o[1]),
            data,
        )
        for s, p, o in job.triples
    )
    try:
        conforms, results, _text = validate(
            data,
            shacl_graph=_SHAPES["graph"],
            inference="none",
            allow_warnings=True,
            focus_nodes=[URIRef(f) for f in job.focus],
            use_shapes=[URIRef(s) for s in job.shapes],
        )
    except Exception as exc:  # pyshacl raises bare exceptions for broken input
        raise ValidationError(f"SHACL validation could not run: {exc}") from exc
    if conforms:
        return []
    return sorted(
        (
            Violation(
                focus_node=_show(results.value(r, SH.focusNode)),
                path=_show(results.value(r, SH.resultPath)),
                message=str(results.value(r, SH.resultMessage) or ""),
                severity=_show(results.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                value=_show(v) if (v := results.value(r, SH.value)) is not None else None,
            )
            for r in results.subjects(RDF.type, SH.ValidationResult)
        ),
        key=lambda v: (v.focus_node, v.path, v.message),
    )


def _in_processes(jobs: Iterator[_Slice], shapes: Path, workers: int) -> Iterator[list[Violation]]:
    """Results in slice order, with at most two slices per worker in flight (memory)."""
    context = multiprocessing.get_context("spawn")  # never fork a process holding RocksDB
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_load_shapes, initargs=(shapes,)
    ) as pool:
        pending: deque[Future[list[Violation]]] = deque()
        for job in jobs:
            pending.append(pool.submit(_check_slice, job))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _instances(store: GraphStore, cls: str) -> Iterator[ox.NamedNode | ox.BlankNode]:
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    for quad in store.quads(None, RDF_TYPE, ox.NamedNode(cls)):
        node = quad.subject
        if isinstance(node, ox.NamedNode | ox.BlankNode) and node not in seen:
            seen.add(node)
            yield node


def _slices(nodes: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for node in nodes:
        chunk.append(node)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _neighbourhood(
    store: GraphStore,
    nodes: list[ox.NamedNode | ox.BlankNode],
    known_types: dict[str, list[str]],
    predicates: frozenset[str] | None,
) -> list[tuple[str, str, Any]]:
    """The nodes' statements the shapes look at, plus the types of what they point to,
    as plain values: an IRI is a str (blank nodes as skolem IRIs), a literal a tuple
    (text, datatype or None, language or None)."""
    types_of: dict[Any, list[str]] = {}  # many nodes point to the same few themes, countries
    rdf_type = str(RDF.type)
    triples: list[tuple[str, str, Any]] = []
    for node in nodes:
        subject = _skolem(node)
        for quad in store.quads(node):
            predicate = quad.predicate.value
            if predicates is not None and predicate not in predicates:
                continue
            target = quad.object
            if isinstance(target, ox.NamedNode | ox.BlankNode):
                shown: Any = _skolem(target)
                if target not in types_of:
                    found = [
                        t.object.value
                        for t in store.quads(target, RDF_TYPE)
                        if isinstance(t.object, ox.NamedNode)
                    ]
                    types_of[target] = found + known_types.get(target.value, [])
                triples += [(shown, rdf_type, cls) for cls in types_of[target]]
            elif isinstance(target, ox.Literal):
                language = target.language
                shown = (target.value, None if language else target.datatype.value, language)
            else:
                continue  # RDF-star quoted triples: no shape of ours looks at them
            triples.append((subject, predicate, shown))
    return triples


def _skolem(node: ox.NamedNode | ox.BlankNode) -> str:
    return node.value if isinstance(node, ox.NamedNode) else SKOLEM + node.value


def _show(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    return "_:" + text.removeprefix(SKOLEM) if text.startswith(SKOLEM) else text
