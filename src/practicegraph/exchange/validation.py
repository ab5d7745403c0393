"""SHACL validation of a staged dump with pyshacl, a bounded slice at a time.

pyshacl is the reference implementation in Python and reads the shapes as they
are written (ontology/shapes.ttl), so we use it rather than translate the
shapes into queries of our own. It works on an in-memory rdflib graph, which at
a million statements costs gigabytes; so the staged dump is validated in
slices: for each class a shape targets, a few thousand of its instances at a
time, each with its own statements and the types of what they point to (what
``sh:class`` needs), and the types the ontology gives (the theme scheme's concepts).
Memory then depends on the slice size, not on the dump, and the result is the
same as validating the whole graph at once for shapes like ours, which only
look one step away from the focus node.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from practicegraph.errors import ValidationError
from practicegraph.vocab import RDF, SH

SLICE = 2000  # focus nodes per pyshacl call
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


class ShapesValidator:
    """Validates the data of an Oxigraph store against a SHACL shapes file."""

    def __init__(self, shapes_path: Path, ontology: Graph, *, max_listed: int = 50) -> None:
        self.shapes = Graph().parse(shapes_path, format="turtle")
        # Types the ontology and theme scheme give (e.g. each theme is a skos:Concept):
        # a dump points at our themes without describing them.
        self.known_types: dict[str, list[Node]] = {}
        for subject, cls in ontology.subject_objects(RDF.type):
            self.known_types.setdefault(str(subject), []).append(cls)
        self.max_listed = max_listed
        self.targets: dict[str, list[str | URIRef]] = {}
        for shape, cls in self.shapes.subject_objects(SH.targetClass):
            self.targets.setdefault(str(cls), []).append(URIRef(str(shape)))

    def validate(self, store: ox.Store) -> ValidationReport:
        from pyshacl import validate  # imported here: pyshacl takes a second to import

        report = ValidationReport()
        for cls, shapes in sorted(self.targets.items()):
            for nodes in _slices(_instances(store, cls), SLICE):
                report.focus_nodes += len(nodes)
                data = _neighbourhood(store, nodes, self.known_types)
                try:
                    conforms, results, _text = validate(
                        data,
                        shacl_graph=self.shapes,
                        inference="none",
                        allow_warnings=True,
                        focus_nodes=[_to_rdflib(n) for n in nodes],  # type: ignore[misc]
                        use_shapes=shapes,
                    )
                except Exception as exc:  # pyshacl raises bare exceptions for broken input
                    raise ValidationError(f"SHACL validation could not run: {exc}") from exc
                if not conforms:
                    report.conforms = False
                    self._collect(results, report)
        return report

    def _collect(self, results: Graph, report: ValidationReport) -> None:
        found = sorted(
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
        room = max(0, self.max_listed - len(report.violations))
        report.violations += found[:room]
        report.more += len(found[room:])


def _instances(store: ox.Store, cls: str) -> Iterator[ox.NamedNode | ox.BlankNode]:
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    for quad in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls), None):
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
    store: ox.Store,
    nodes: list[ox.NamedNode | ox.BlankNode],
    known_types: dict[str, list[Node]],
) -> Graph:
    """The nodes' own statements plus the types of the resources they point to."""
    graph = Graph()
    for node in nodes:
        for quad in store.quads_for_pattern(node, None, None, None):
            target = _to_rdflib(quad.object)
            graph.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), target))
            if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                for typed in store.quads_for_pattern(quad.object, RDF_TYPE, None, None):
                    graph.add((_to_rdflib(typed.subject), RDF.type, _to_rdflib(typed.object)))
                for cls in known_types.get(quad.object.value, ()):
                    graph.add((target, RDF.type, cls))
    return graph


def _to_rdflib(term: Any) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise ValidationError(f"unexpected RDF term {term!r}")


def _show(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)
