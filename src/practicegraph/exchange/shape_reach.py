"""What validating a focus node against a SHACL shape reads from the data graph.

:mod:`practicegraph.exchange.validation` validates a large dump a slice at a time;
a slice gives the same results as the whole graph only if it holds every statement
the validator looks at for the slice's focus nodes. :class:`ShapePlan` works that
out from the shapes graph, once; :class:`Reach` then follows it through the data
for each (shape, focus node) pair, collecting the statements read:

- the statements each property shape's path walks (``sh:path``: a predicate,
  ``sh:inversePath``, a sequence, ``sh:alternativePath``, ``sh:zeroOrMorePath``,
  ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``, nested any way), followed to closure;
- for ``sh:class``, the value nodes' types and their superclasses;
- for ``sh:equals``/``sh:disjoint``/``sh:lessThan``/``sh:lessThanOrEquals``, the
  focus node's values of the other predicate; for ``sh:closed``, every statement
  about the value nodes;
- and, recursively, all of the above for the shapes each value node is checked
  against: ``sh:node``, ``sh:property``, ``sh:and``/``sh:or``/``sh:xone``/``sh:not``,
  ``sh:qualifiedValueShape`` (its disjoint siblings included).

Paths are walked the way pyshacl walks them (its inverse of a sequence inverts each
step in order), since the result must equal pyshacl's. The reach is a superset of
what pyshacl reads: it follows every branch, where pyshacl may stop at the first
type that matches or skip a recursive shape; reading more cannot change a result.

Every other constraint (``sh:datatype``, ``sh:minCount``, ``sh:pattern``, ``sh:in``...)
looks only at the value nodes themselves. Anything this module does not model --
SPARQL-based or custom constraint components, SHACL-AF targets, JavaScript, a
malformed or over-deep path, a blank node of the shapes graph as a target node, a
target class or predicate that is not an IRI -- makes :attr:`ShapePlan.reason` say
why, and the caller validates the whole graph instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

#: A data term as pyoxigraph gives it (NamedNode, BlankNode or Literal).
Term: TypeAlias = Any
#: (subject, predicate, object) of the data, pyoxigraph terms.
Statement: TypeAlias = tuple[Any, Any, Any]
#: Statements matching a pattern (None: anything).
Match: TypeAlias = Callable[[Term | None, Term | None, Term | None], Iterable[Statement]]

PYSHACL_PATH_DEPTH = 10  # pyshacl refuses paths nested this deep
RDF_TYPE = ox.NamedNode(str(RDF.type))
SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))
TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
SHAPE_VALUED = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)
PAIRS = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
PATH_STEPS = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath)
#: Constraint parameters that read nothing but the value nodes themselves, and what
#: describes shapes without checking anything.
# fmt: off
LOCAL = frozenset(SH[name] for name in (
    "datatype", "nodeKind", "minCount", "maxCount", "minLength", "maxLength", "pattern",
    "flags", "languageIn", "uniqueLang", "in", "hasValue", "minExclusive", "minInclusive",
    "maxExclusive", "maxInclusive", "qualifiedMinCount", "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint", "ignoredProperties",
    "message", "severity", "deactivated", "name", "description", "order", "group",
    "defaultValue",
))
# fmt: on
MODELLED = (
    LOCAL
    | {SH.path, SH["class"], SH.closed, SH.zeroOrOnePath}
    | set(TARGETS + SHAPE_VALUED + SHAPE_LISTS + PAIRS + PATH_STEPS)
)
SHAPE_TYPES = frozenset({SH.NodeShape, SH.PropertyShape, SH.Shape})


class NotSliceableError(Exception):
    """The shapes do something a slice cannot be shown to reproduce."""


# -- terms -------------------------------------------------------------------------------


def to_ox(node: Node) -> Term:
    """An rdflib term as pyoxigraph's."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise NotSliceableError(f"{node!r} is not an RDF term a store holds")


def to_rdflib(term: Term) -> Node:
    """A pyoxigraph term as rdflib's; blank nodes keep their labels, and a plain string
    stays plain (as N-Triples gives it to rdflib, and as shapes write it)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)


# -- the plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """A SHACL path: ``kind`` is iri, sequence, alternative, inverse, zeroOrMore,
    oneOrMore or zeroOrOne; an iri has a ``predicate``, the others ``parts``."""

    kind: str
    predicate: Term = None
    parts: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Reads:
    """What validating a node against one shape reads, besides its nested shapes'."""

    path: Path | None  # None: a node shape, whose one value node is the focus node
    nested: tuple[Node, ...]  # shapes each value node is validated against
    classes: bool  # sh:class: the value nodes' types and superclasses
    pairs: tuple[Term, ...]  # sh:equals and co.: the focus node's values of these
    closed: bool  # sh:closed: everything about the value nodes


@dataclass(frozen=True)
class Targets:
    nodes: tuple[Term, ...] = ()
    classes: tuple[Term, ...] = ()
    subjects_of: tuple[Term, ...] = ()
    objects_of: tuple[Term, ...] = ()


class ShapePlan:
    """The targeted shapes, their targets, and what each reachable shape reads.

    ``stripped`` is the shapes graph without its target declarations (nor the class
    typing of implicitly targeted shapes): a slice names its focus nodes itself.
    """

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.reason: str | None = None
        self.targets: dict[Node, Targets] = {}
        self.reads: dict[Node, Reads] = {}
        implicit: list[tuple[Node, Node]] = []
        try:
            self._check_vocabulary()
        except NotSliceableError as exc:
            self.reason = str(exc)
        try:  # the targets, which count the focus nodes even when not sliceable
            implicit = self._collect_targets()
        except NotSliceableError as exc:
            self.reason = self.reason or str(exc)
            self.targets = {}  # unknown: none counted
        if self.reason is None:
            try:
                self._compile(list(self.targets))
            except NotSliceableError as exc:
                self.reason = str(exc)
        self.stripped = Graph()
        for triple in shapes:
            if triple[1] not in TARGETS:
                self.stripped.add(triple)
        for shape, cls in implicit:
            self.stripped.remove((shape, RDF.type, cls))

    def ordered(self) -> list[Node]:
        """The targeted shapes, in a stable order."""
        return sorted(self.targets, key=lambda shape: (isinstance(shape, BNode), str(shape)))

    def focus_nodes(self, shape: Node, match: Match) -> Iterator[tuple[Term, Statement | None]]:
        """The focus nodes of a targeted shape in the data, each once (as pyshacl finds
        them: instances of the target classes and of their subclasses, and so on), each
        with the statement that makes it one (None for sh:targetNode). A slice carries
        that statement: pyshacl cannot name a blank node that is in no statement."""
        targets = self.targets[shape]
        seen: set[Any] = set()

        def first(node: Term) -> bool:
            # rdflib writes a literal canonically ("01"^^xsd:integer is "1"): one focus node
            key = to_rdflib(node) if isinstance(node, ox.Literal) else node
            if key in seen:
                return False
            seen.add(key)
            return True

        def new(found: Iterable[Statement], end: int) -> Iterator[tuple[Term, Statement | None]]:
            for statement in found:
                if first(statement[end]):
                    yield statement[end], statement

        for node in targets.nodes:
            if first(node):
                yield node, None
        for cls in targets.classes:
            for sub in _closure(cls, lambda c: (s for s, _, _ in match(None, SUBCLASS_OF, c))):
                yield from new(match(None, RDF_TYPE, sub), 0)
        for predicate in targets.subjects_of:
            yield from new(match(None, predicate, None), 0)
        for predicate in targets.objects_of:
            yield from new(match(None, predicate, None), 2)

    # -- building ----------------------------------------------------------------------
    def _check_vocabulary(self) -> None:
        unknown = {
            term
            for _s, p, o in self.shapes
            for term in (p, o if p == RDF.type and o not in SHAPE_TYPES else None)
            if isinstance(term, URIRef) and term.startswith(str(SH)) and term not in MODELLED
        }
        if unknown:
            names = ", ".join(sorted("sh:" + t.removeprefix(str(SH)) for t in unknown))
            raise NotSliceableError(f"the shapes use {names}, which no slice is shown to reproduce")

    def _collect_targets(self) -> list[tuple[Node, Node]]:
        """Each shape's targets; returns the (shape, class) typings that make implicit
        class targets, which the stripped graph drops."""
        g = self.shapes
        class_types = {RDFS.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
        implicit = [
            (shape, cls)
            for shape in _harvested(g)
            for cls in g.objects(shape, RDF.type)
            if cls in class_types
        ]
        shapes = {s for predicate in TARGETS for s in g.subjects(predicate, None)}
        shapes |= {shape for shape, _ in implicit}
        for shape in shapes:
            nodes = [
                _term(n, "sh:targetNode", literal=True) for n in g.objects(shape, SH.targetNode)
            ]
            classes = [_iri(c, "sh:targetClass") for c in g.objects(shape, SH.targetClass)]
            if any(s == shape for s, _ in implicit):
                classes.append(_iri(shape, "an implicitly targeted class"))
            self.targets[shape] = Targets(
                tuple(nodes),
                tuple(dict.fromkeys(classes)),
                tuple(
                    _iri(p, "sh:targetSubjectsOf") for p in g.objects(shape, SH.targetSubjectsOf)
                ),
                tuple(_iri(p, "sh:targetObjectsOf") for p in g.objects(shape, SH.targetObjectsOf)),
            )
        return implicit

    def _compile(self, shapes: list[Node]) -> None:
        g = self.shapes
        work = list(shapes)
        while work:
            shape = work.pop()
            if shape in self.reads:
                continue
            if isinstance(shape, Literal):
                raise NotSliceableError(f"a literal ({shape}) stands where a shape should")
            paths = list(g.objects(shape, SH.path))
            if len(paths) > 1:
                raise NotSliceableError(f"shape {shape} has more than one sh:path")
            nested = [n for predicate in SHAPE_VALUED for n in g.objects(shape, predicate)]
            for predicate in SHAPE_LISTS:
                for head in g.objects(shape, predicate):
                    nested += _items(g, head)
            disjoint = g.objects(shape, SH.qualifiedValueShapesDisjoint)
            if any(isinstance(v, Literal) and v.toPython() is True for v in disjoint):
                nested += [
                    q
                    for parent in g.subjects(SH.property, shape)
                    for sibling in g.objects(parent, SH.property)
                    for q in g.objects(sibling, SH.qualifiedValueShape)
                ]
            nested = list(dict.fromkeys(nested))
            self.reads[shape] = Reads(
                path=_path(g, paths[0], 0) if paths else None,
                nested=tuple(nested),
                classes=(shape, SH["class"], None) in g,
                pairs=tuple(_iri(p, "a property pair") for k in PAIRS for p in g.objects(shape, k)),
                closed=(shape, SH.closed, None) in g,
            )
            work += nested


def _harvested(g: Graph) -> set[Node]:
    """The nodes pyshacl takes for shapes (ShapesGraph._build_node_shape_cache)."""
    found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    for predicate in (*TARGETS, SH.property, SH.node):
        found |= set(g.subjects(predicate, None))
    for predicate in SHAPE_VALUED:
        found |= set(g.objects(None, predicate))
    for predicate in SHAPE_LISTS:
        for head in g.objects(None, predicate):
            found |= set(g.items(head))
    return found


def _iri(node: Node, what: str) -> Term:
    if not isinstance(node, URIRef):
        raise NotSliceableError(f"{what} is not an IRI: {node!r}")
    return ox.NamedNode(str(node))


def _term(node: Node, what: str, *, literal: bool) -> Term:
    if isinstance(node, BNode) or (isinstance(node, Literal) and not literal):
        raise NotSliceableError(f"{what} is a blank node of the shapes graph: {node!r}")
    return to_ox(node)


def _items(g: Graph, head: Node) -> list[Node]:
    """A well-formed RDF list's members (one rdf:first and rdf:rest a cell, ending in
    rdf:nil, no cycle), or NotSliceableError."""
    items: list[Node] = []
    seen: set[Node] = set()
    while head != RDF.nil:
        firsts, rests = list(g.objects(head, RDF.first)), list(g.objects(head, RDF.rest))
        if head in seen or len(firsts) != 1 or len(rests) != 1:
            raise NotSliceableError(f"{head!r} is not a well-formed RDF list")
        seen.add(head)
        items.append(firsts[0])
        head = rests[0]
    return items


def _path(g: Graph, node: Node, depth: int) -> Path:
    """A path as pyshacl reads it, or NotSliceableError where pyshacl would raise (or pick
    one of several readings)."""
    if isinstance(node, URIRef):
        return Path("iri", predicate=ox.NamedNode(str(node)))
    if isinstance(node, Literal) or depth >= PYSHACL_PATH_DEPTH:
        raise NotSliceableError(f"a path pyshacl cannot follow: {node!r}")
    kinds = [p for p in (RDF.first, *PATH_STEPS, SH.zeroOrOnePath) if (node, p, None) in g]
    if len(kinds) != 1:
        raise NotSliceableError(f"{node!r} is not one SHACL path")
    kind = kinds[0]
    if kind == RDF.first:  # a sequence; pyshacl descends one level per cell
        items = _items(g, node)
        if len(items) < 2 or depth + len(items) - 1 >= PYSHACL_PATH_DEPTH:
            raise NotSliceableError(f"a sequence path pyshacl cannot follow: {node!r}")
        return Path(
            "sequence", parts=tuple(_path(g, n, depth + 1 + i) for i, n in enumerate(items))
        )
    values = list(g.objects(node, kind))
    if len(values) != 1:
        raise NotSliceableError(f"{node!r} has {len(values)} values of {kind}")
    if kind == SH.alternativePath:
        items = _items(g, values[0])
        if len(items) < 2:
            raise NotSliceableError(f"an alternative path of fewer than two: {node!r}")
        return Path("alternative", parts=tuple(_path(g, n, depth + 1) for n in items))
    name = str(kind).removeprefix(str(SH)).removesuffix("Path")
    return Path(name, parts=(_path(g, values[0], depth + 1),))


def _closure(start: Term, step: Callable[[Term], Iterable[Term]]) -> list[Term]:
    """``start`` and everything ``step`` reaches from it, each once."""
    found, todo = [start], [start]
    seen = {start}
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                found.append(nxt)
                todo.append(nxt)
    return found


# -- the reach ---------------------------------------------------------------------------


class Reach:
    """The statements validating some (shape, focus node) pairs reads: add the pairs,
    then take :attr:`statements`."""

    def __init__(self, plan: ShapePlan, match: Match) -> None:
        self.plan = plan
        self.match = match
        self.statements: set[Statement] = set()
        self._done: set[tuple[Node, Term]] = set()
        self._typed: set[Term] = set()
        self._classes: set[Term] = set()

    def add(self, shape: Node, focus: Term, evidence: Statement | None = None) -> None:
        """Validating ``focus`` against ``shape``, found a focus node by ``evidence``."""
        if evidence is not None:
            self.statements.add(evidence)
        work = [(shape, focus)]
        while work:
            pair = work.pop()
            if pair in self._done:
                continue
            self._done.add(pair)
            shape, node = pair
            reads = self.plan.reads[shape]
            values = {node} if reads.path is None else self._walk(reads.path, node, False)
            for predicate in reads.pairs:
                self._read(node, predicate, None)
            for value in values:
                if reads.closed:
                    self._read(value, None, None)
                if reads.classes:
                    self._types(value)
                work += [(nested, value) for nested in reads.nested]

    def _read(self, subject: Term | None, predicate: Term, obj: Term | None) -> list[Statement]:
        if isinstance(subject, ox.Literal):
            return []  # nothing is said about a literal
        found = list(self.match(subject, predicate, obj))
        self.statements.update(found)
        return found

    def _walk(self, path: Path, node: Term, inverse: bool) -> set[Term]:
        """The path's value nodes from ``node``, reading what pyshacl's
        value_nodes_from_path reads (the inverse flag carried down as it does)."""
        if path.kind == "iri":
            if inverse:
                return {s for s, _, _ in self._read(None, path.predicate, node)}
            return {o for _, _, o in self._read(node, path.predicate, None)}
        if path.kind == "inverse":
            return self._walk(path.parts[0], node, not inverse)
        if path.kind == "sequence":
            current = {node}
            for part in path.parts:
                current = {v for n in current for v in self._walk(part, n, inverse)}
            return current
        if path.kind == "alternative":
            return {v for part in path.parts for v in self._walk(part, node, inverse)}
        part = path.parts[0]
        first = self._walk(part, node, inverse)
        if path.kind == "zeroOrOne":
            return {node} | first
        found = {node} if path.kind == "zeroOrMore" else set()
        todo = list(first)
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo += self._walk(part, current, inverse)
        return found

    def _types(self, node: Term) -> None:
        """A value node's types and, up the hierarchy, their superclasses (sh:class)."""
        if isinstance(node, ox.Literal) or node in self._typed:
            return
        self._typed.add(node)
        for _, _, cls in self._read(node, RDF_TYPE, None):
            _closure(cls, self._superclasses)

    def _superclasses(self, cls: Term) -> list[Term]:
        if cls in self._classes or isinstance(cls, ox.Literal):
            return []  # read already, its superclasses with it
        self._classes.add(cls)
        return [o for _, _, o in self._read(cls, SUBCLASS_OF, None)]
