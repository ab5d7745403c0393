"""Small random data graphs and SHACL shapes graphs (hypothesis strategies), and
pyshacl's verdict over a whole graph, to compare the sliced validator with.

The shapes nest (``sh:node``, ``sh:property`` inside property shapes,
``sh:qualifiedValueShape``, ``sh:and``/``sh:or``/``sh:xone``/``sh:not``) and walk
paths of every SHACL kind (inverse, sequence, alternative, zero-or-more, one-or-more,
zero-or-one), over a handful of nodes, so that a violation often sits two or three
steps away from its focus node. Nesting only ever points deeper, so no shape refers
to itself (pyshacl warns on recursion, and SHACL leaves it undefined).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

EX = Namespace("https://gen.example/")
PREDICATES = [EX.p, EX.q, EX.r]
CLASSES = [EX.A, EX.B, EX.C]
NODES: list[Node] = [EX[f"n{i}"] for i in range(5)] + [BNode(f"gb{i}") for i in range(3)]
LITERALS: list[Node] = [Literal("x"), Literal("y", lang="en"), Literal(1), Literal(2)]
GRAPHS = [ox.NamedNode(str(EX.g1)), ox.NamedNode(str(EX.g2))]

Triple = tuple[Node, Node, Node]
#: (focus node, result path, source shape, constraint component, value, severity)
Result = tuple[str, str, str, str, str, str]


def shown(term: Node | None) -> str:
    """How the validator's report spells a term (validation._show)."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def results(report: Graph) -> Counter[Result]:
    """The top-level results of a pyshacl report (not the nested sh:detail ones)."""
    found: Counter[Result] = Counter()
    for top in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(top, SH.result):
            severity = shown(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
            found[
                (
                    shown(report.value(r, SH.focusNode)),
                    shown(report.value(r, SH.resultPath)),
                    shown(report.value(r, SH.sourceShape)),
                    shown(report.value(r, SH.sourceConstraintComponent)),
                    shown(report.value(r, SH.value)),
                    severity,
                )
            ] += 1
    return found


def whole_graph_verdict(
    triples: Iterable[Triple], background: Graph, shapes: Graph
) -> tuple[bool, Counter[Result]]:
    """pyshacl over the dump and the background at once: the reference."""
    from pyshacl import validate

    data = Graph()
    for triple in triples:
        data.add(triple)
    data += background
    conforms, report, _text = validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    return bool(conforms), results(report)


def to_ox(term: Node) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def quads(triples: Iterable[Triple]) -> list[ox.Quad]:
    """The dump's statements in two named graphs, some in both (a union, as an import)."""
    found = []
    for i, (s, p, o) in enumerate(triples):
        for graph in GRAPHS[: 1 + (i % 3 == 0)]:
            found.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph))
    return found


# -- data --------------------------------------------------------------------------------

_statement = st.tuples(
    st.sampled_from(NODES), st.sampled_from(PREDICATES), st.sampled_from(NODES + LITERALS)
)
_typing = st.tuples(st.sampled_from(NODES), st.just(RDF.type), st.sampled_from(CLASSES))
_subclass = st.tuples(st.sampled_from(CLASSES), st.just(RDFS.subClassOf), st.sampled_from(CLASSES))


@st.composite
def datasets(draw: Callable[..., Any]) -> tuple[list[Triple], Graph]:
    """A dump (statements, types, a class hierarchy) and a background graph (the
    ontology: types and subclasses the dump relies on without stating them)."""
    dump = draw(st.lists(st.one_of(_statement, _statement, _typing, _subclass), max_size=24))
    background = Graph()
    for triple in draw(st.lists(st.one_of(_typing, _subclass), max_size=3)):
        background.add(triple)
    return dump, background


# -- shapes ------------------------------------------------------------------------------

MAX_LEVEL = 2  # nesting depth of shapes below a targeted one


@st.composite
def shapes_graphs(draw: Callable[..., Any]) -> Graph:
    """One to three targeted shapes (every kind of target, an implicit class target
    included), with property shapes and nested shapes below them."""
    g = Graph()
    g.bind("sh", SH)
    g.bind("ex", EX)
    counter = itertools.count()

    def new(kind: str) -> URIRef:
        return EX[f"{kind}{next(counter)}"]

    def rdf_list(items: list[Node]) -> BNode:
        head = BNode()
        Collection(g, head, items)
        return head

    def path(depth: int) -> Node:
        kinds = ["pred", "pred", "inverse", "sequence", "alternative", "zom", "oom", "zoo"]
        kind = draw(st.sampled_from(kinds if depth < 2 else ["pred"]))
        if kind == "pred":
            return draw(st.sampled_from(PREDICATES))  # type: ignore[no-any-return]
        if kind == "sequence":
            return rdf_list([path(depth + 1) for _ in range(draw(st.integers(2, 3)))])
        node = BNode()
        if kind == "alternative":
            g.add((node, SH.alternativePath, rdf_list([path(depth + 1), path(depth + 1)])))
        else:
            predicate = {
                "inverse": SH.inversePath,
                "zom": SH.zeroOrMorePath,
                "oom": SH.oneOrMorePath,
                "zoo": SH.zeroOrOnePath,
            }[kind]
            g.add((node, predicate, path(depth + 1)))
        return node

    def value_constraints(shape: URIRef, level: int) -> None:
        """Constraints on the value nodes (of a node shape: the focus node itself)."""
        options = ["class", "datatype", "nodeKind", "hasValue", "in", "equals", "disjoint"]
        if level < MAX_LEVEL:
            options += ["node", "node", "not", "or", "and", "xone"]
        for option in draw(st.lists(st.sampled_from(options), max_size=2, unique=True)):
            if option == "class":
                g.add((shape, SH["class"], draw(st.sampled_from(CLASSES))))
            elif option == "datatype":
                g.add((shape, SH.datatype, draw(st.sampled_from([XSD.string, XSD.integer]))))
            elif option == "nodeKind":
                kinds = [SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI]
                g.add((shape, SH.nodeKind, draw(st.sampled_from(kinds))))
            elif option == "hasValue":
                g.add((shape, SH.hasValue, draw(st.sampled_from(NODES[:5] + LITERALS))))
            elif option == "in":
                members = draw(st.lists(st.sampled_from(NODES[:5] + LITERALS), min_size=1))
                g.add((shape, SH["in"], rdf_list(members)))
            elif option in ("equals", "disjoint"):
                g.add((shape, SH[option], draw(st.sampled_from(PREDICATES))))
            elif option in ("node", "not"):
                g.add((shape, SH[option], node_shape(level + 1)))
            else:  # and, or, xone
                members = [node_shape(level + 1) for _ in range(draw(st.integers(1, 2)))]
                g.add((shape, SH[option], rdf_list(members)))

    def decorate(shape: URIRef) -> None:
        if draw(st.integers(0, 5)) == 0:
            g.add((shape, SH.severity, SH.Warning))
        if draw(st.booleans()):
            g.add((shape, SH.message, Literal(f"{shape} is not met")))

    def property_shape(level: int) -> URIRef:
        shape = new("P")
        g.add((shape, RDF.type, SH.PropertyShape))
        g.add((shape, SH.path, path(0)))
        for option in draw(st.lists(st.sampled_from(["min", "max"]), max_size=2, unique=True)):
            count = SH.minCount if option == "min" else SH.maxCount
            g.add((shape, count, Literal(draw(st.integers(0, 2)))))
        value_constraints(shape, level)
        if level < MAX_LEVEL and draw(st.integers(0, 3)) == 0:
            g.add((shape, SH.property, property_shape(level + 1)))  # focus: each value node
        decorate(shape)
        return shape

    def node_shape(level: int) -> URIRef:
        shape = new("N")
        g.add((shape, RDF.type, SH.NodeShape))
        properties = [property_shape(level) for _ in range(draw(st.integers(0, 2)))]
        for prop in properties:
            g.add((shape, SH.property, prop))
        value_constraints(shape, level)
        if level < MAX_LEVEL and properties and draw(st.integers(0, 3)) == 0:
            qualified(shape, properties, level)
        if draw(st.integers(0, 5)) == 0:
            g.add((shape, SH.closed, Literal(True)))
            g.add((shape, SH.ignoredProperties, rdf_list([RDF.type])))
        if level > 0 and draw(st.integers(0, 5)) == 0:  # nested and targeted too
            g.add((shape, SH.targetClass, draw(st.sampled_from(CLASSES))))
        decorate(shape)
        return shape

    def qualified(parent: URIRef, properties: list[URIRef], level: int) -> None:
        """Qualified value shapes on one or two sibling property shapes of ``parent``."""
        disjoint = draw(st.booleans())
        for prop in properties[: draw(st.integers(1, 2))]:
            g.add((prop, SH.qualifiedValueShape, node_shape(level + 1)))
            count = draw(st.sampled_from([SH.qualifiedMinCount, SH.qualifiedMaxCount]))
            g.add((prop, count, Literal(draw(st.integers(0, 2)))))
            if disjoint:
                g.add((prop, SH.qualifiedValueShapesDisjoint, Literal(True)))

    def target(shape: URIRef) -> None:
        kind = draw(st.sampled_from(["class", "class", "subjectsOf", "objectsOf", "node"]))
        if kind == "class":
            g.add((shape, SH.targetClass, draw(st.sampled_from(CLASSES))))
        elif kind == "subjectsOf":
            g.add((shape, SH.targetSubjectsOf, draw(st.sampled_from(PREDICATES))))
        elif kind == "objectsOf":
            g.add((shape, SH.targetObjectsOf, draw(st.sampled_from(PREDICATES))))
        else:
            g.add((shape, SH.targetNode, draw(st.sampled_from(NODES[:5] + LITERALS))))

    for _ in range(draw(st.integers(1, 3))):
        top = property_shape(0) if draw(st.integers(0, 3)) == 0 else node_shape(0)
        target(top)
    if draw(st.integers(0, 4)) == 0:  # an implicit class target: the class is the shape
        implicit = CLASSES[2]
        g.add((implicit, RDF.type, RDFS.Class))
        g.add((implicit, RDF.type, SH.NodeShape))
        g.add((implicit, SH.property, property_shape(1)))
    return g
