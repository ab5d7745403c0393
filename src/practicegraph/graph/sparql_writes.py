"""How statements are written to a SPARQL server in pieces every server takes.

The standard lets one ``INSERT DATA`` carry any number of statements and any
blank nodes; real servers do not. Measured on Virtuoso 7.2.5 (Debian 12):

- one ``INSERT DATA`` of more than about 1,000 statements is refused ("The
  length of generated SQL text has exceeded 10000 lines", SP031), and a request
  of more than about 5,000 statements in several operations as well ("Maximum
  size (32767) of a code vector exceeded", SQ199); a request of 5,000 takes
  about 7 s to compile;
- a blank node in ``INSERT DATA`` is refused ("Blank node is not allowed in a
  constant clause"), although SPARQL 1.1 allows it;
- the Graph Store Protocol's POST takes the same statements as N-Triples at
  about 50,000 per second, blank nodes included.

So writes are cut here into operations of at most :data:`OPERATION_STATEMENTS`
statements and requests of at most :data:`REQUEST_STATEMENTS`, and statements
with blank nodes are written with ``INSERT { ... } WHERE {}`` (standard SPARQL:
it makes fresh blank nodes once, for the one empty solution), each blank node's
statements together in one operation so that the node stays one node. Through
the Graph Store Protocol a request carries :data:`GRAPH_STORE_STATEMENTS`; a
blank node's statements all go in one request (blank node labels are scoped to
a request), or through SPARQL when they span several graphs.

One thing no piece can carry on Virtuoso: a blank node in two graphs (one
operation writing it into two ``GRAPH`` blocks fails with "Function
string_output_string needs a string output", and ``BNODE()`` is not
implemented). Such a node is skolemised, as RDF 1.1 (section 3.5) allows:
replaced by a fresh IRI under :data:`GENID_PREFIX`, the same in every graph,
on every server so that they all hold the same data. A node within one graph
stays a blank node.

Everything here is standard SPARQL 1.1 and N-Triples; nothing is specific to
one server, and Oxigraph takes the same pieces.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox

#: Statements per SPARQL Update operation (Virtuoso refuses more than about 1,000).
OPERATION_STATEMENTS = 1_000
#: Statements per SPARQL Update request (Virtuoso refuses more than about 5,000).
REQUEST_STATEMENTS = 4_000
#: Statements per Graph Store Protocol request (bounded so that memory stays so).
GRAPH_STORE_STATEMENTS = 50_000
#: Where the IRIs of skolemised blank nodes live (RDF 1.1 section 3.5).
GENID_PREFIX = "urn:x-practicegraph:genid:"

__all__ = [
    "GENID_PREFIX",
    "GRAPH_STORE_STATEMENTS",
    "OPERATION_STATEMENTS",
    "REQUEST_STATEMENTS",
    "blank_components",
    "has_blank",
    "insert_operations",
    "ntriples",
    "requests",
    "skolemised",
]


def has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def blank_components(quads: Iterable[ox.Quad]) -> list[list[ox.Quad]]:
    """Statements grouped so that every blank node's statements are in one group.

    Two statements share a group when they share a blank node, directly or
    through others (union-find over the nodes), so that a group written in one
    operation keeps every node whole.
    """
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    listed = list(quads)
    for quad in listed:
        blanks = [t for t in (quad.subject, quad.object) if isinstance(t, ox.BlankNode)]
        if len(blanks) == 2:
            parent[root(blanks[0])] = root(blanks[1])
        elif blanks:
            root(blanks[0])
    groups: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    for quad in listed:
        node = quad.subject if isinstance(quad.subject, ox.BlankNode) else quad.object
        assert isinstance(node, ox.BlankNode)  # noqa: S101 - only statements with blanks come here
        groups[root(node)].append(quad)
    return list(groups.values())


def _graph_blocks(quads: list[ox.Quad]) -> str:
    """The statements as ``GRAPH <g> { ... }`` blocks (the default graph's bare)."""
    by_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[str]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name].append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    parts = []
    for graph, lines in by_graph.items():
        body = "".join(lines)
        parts.append(
            body if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{\n{body}}}\n"
        )
    return "".join(parts)


def skolemised(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The statements with each blank node that occurs in more than one graph replaced
    by a fresh IRI (the same for all its statements); other blank nodes untouched."""
    graphs: dict[ox.BlankNode, set[object]] = defaultdict(set)
    for quad in quads:
        for node in (quad.subject, quad.object):
            if isinstance(node, ox.BlankNode):
                graphs[node].add(quad.graph_name)
    names = {
        node: ox.NamedNode(f"{GENID_PREFIX}{uuid.uuid4()}")
        for node, where in graphs.items()
        if len(where) > 1
    }
    if not names:
        return quads

    def term(
        node: ox.NamedNode | ox.BlankNode | ox.Literal,
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        return names.get(node, node) if isinstance(node, ox.BlankNode) else node

    return [
        ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name)  # type: ignore[arg-type]
        for q in quads
    ]


def insert_operations(
    quads: Iterable[ox.Quad],
    limit: int = OPERATION_STATEMENTS,
    across_graphs: Callable[[list[ox.Quad]], list[ox.Quad]] | None = None,
) -> Iterator[tuple[str, int]]:
    """SPARQL Update operations that add ``quads``, each with its statement count.

    Statements without blank nodes stream into ``INSERT DATA`` operations of at
    most ``limit``; those with blank nodes are kept aside and come last, whole
    groups (:func:`blank_components`) packed into ``INSERT {...} WHERE {}``
    operations of at most ``limit`` and one graph each (a group larger than that
    goes alone; one spanning graphs too), after
    ``across_graphs`` (e.g. :func:`skolemised`) has had its say on them.
    """
    blank: list[ox.Quad] = []
    chunk: list[ox.Quad] = []
    for quad in quads:
        if has_blank(quad):
            blank.append(quad)
            continue
        chunk.append(quad)
        if len(chunk) >= limit:
            yield f"INSERT DATA {{\n{_graph_blocks(chunk)}}}", len(chunk)
            chunk = []
    if chunk:
        yield f"INSERT DATA {{\n{_graph_blocks(chunk)}}}", len(chunk)
    if across_graphs is not None:
        blank = across_graphs(blank)
        yield from insert_operations((q for q in blank if not has_blank(q)), limit)
        blank = [q for q in blank if has_blank(q)]
    packed: list[ox.Quad] = []
    # one graph per operation: Virtuoso fails on blank nodes in two GRAPH blocks
    # of one template even when they are different nodes
    groups = sorted(blank_components(blank), key=lambda group: str(group[0].graph_name))
    for group in groups:
        if packed and (
            len(packed) + len(group) > limit or group[0].graph_name != packed[0].graph_name
        ):
            yield f"INSERT {{\n{_graph_blocks(packed)}}} WHERE {{}}", len(packed)
            packed = []
        packed.extend(group)
    if packed:
        yield f"INSERT {{\n{_graph_blocks(packed)}}} WHERE {{}}", len(packed)


def requests(
    operations: Iterable[tuple[str, int]], limit: int = REQUEST_STATEMENTS
) -> Iterator[str]:
    """Operations joined into update requests of at most ``limit`` statements each."""
    batch: list[str] = []
    size = 0
    for text, count in operations:
        if batch and size + count > limit:
            yield " ;\n".join(batch)
            batch, size = [], 0
        batch.append(text)
        size += count
    if batch:
        yield " ;\n".join(batch)


def ntriples(triples: Iterable[ox.Triple | ox.Quad]) -> bytes:
    """N-Triples of the statements (graph names dropped), for a Graph Store request."""
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples).encode()
