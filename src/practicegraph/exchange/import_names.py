"""What an imported dump's names become here: its base IRI and its graph names.

**Base IRI.** Turtle, TriG and RDF/XML (and JSON-LD) may write IRIs relative to
the document's own address, which a dump read from a file or a request body does
not have. An import resolves them against the base it is given (``--base``,
``?base=``), by default ``{base_iri}source/{name}/data/``: a namespace of the
source's own, so that the same file gives the same IRIs at every import, and two
sources never share one. A base must be an absolute IRI; one inside this
instance's namespace (``base_iri``) is refused unless it lies in the source's
own, since relative IRIs would then name this instance's resources. A relative
IRI that climbs out of the source's namespace (``<../import/x>``) lands in this
instance's and meets the gate's rule on own resources like any other.

**Graph names.** Each graph of a dump is stored under a graph of this instance
(``{base}graph/_source/NAME/STAMP/n``), its original name recorded in the
sources registry (``pg:originalGraph``). A graph named by a blank node (TriG's
``_:g { ... }``, N-Quads' fourth term) is a graph like any other: it gets a
graph of its own, and the blank node is skolemised (RDF 1.1, section 3.5) to
``{base_iri}source/{name}/genid/{label}`` wherever it occurs, so that a
statement about the graph (``_:g ex:p ...``) still names it, on every store
backend. The registry records that IRI as ``pg:originalGraph`` and the label as
``pg:originalBlankNode``; a source exported "as it was imported" gives back a
blank-node graph name (and a blank node wherever the skolem IRI occurs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from practicegraph.graph.iris import IriMinter
from practicegraph.graph.store import GraphStore

#: the key of a graph named by a blank node, in :attr:`GraphNames.names`
BLANK = "_:"


def default_base(iris: IriMinter, source: str) -> str:
    """Where a source's relative IRIs resolve unless the import is given a base."""
    return iris.source_data(source)


def base_problem(base: str, iris: IriMinter, source: str) -> str | None:
    """Why ``base`` cannot be an import's base IRI, or None when it can."""
    try:
        ox.NamedNode(base)
    except ValueError as exc:
        return f"{base!r} is not an absolute IRI ({exc})"
    if base.startswith(iris.base) and not base.startswith(default_base(iris, source)):
        return (
            f"{base!r} is in this instance's namespace ({iris.base}, the base_iri setting): "
            "relative IRIs would name this instance's own resources. Give a base outside "
            f"it, or none ({default_base(iris, source)})"
        )
    return None


def skolem_iri(iris: IriMinter, source: str, label: str) -> str:
    """The IRI standing for a blank node that names a graph of the source's dump."""
    return iris.source_genid(source, quote(label, safe=""))


class GraphNames:
    """Maps one import's graph names to this instance's graphs (see the module doc).

    ``names`` maps each original name (``""`` the default graph, an IRI, or
    ``"_:label"`` a blank node) to the graph that holds its statements here.
    """

    def __init__(self, iris: IriMinter, source: str, stamp: str) -> None:
        self.iris = iris
        self.source = source
        self.stamp = stamp
        self.names: dict[str, str] = {}

    def _ours(self, key: str) -> ox.NamedNode:
        ours = self.names.get(key)
        if ours is None:
            ours = str(self.iris.import_graph(self.source, self.stamp, len(self.names)))
            self.names[key] = ours
        return ox.NamedNode(ours)

    def renamed(self, staged: GraphStore) -> Iterator[ox.Quad]:
        """The staged quads in our graphs: blank nodes naming graphs skolemised, others
        prefixed with the import's stamp (blank nodes are store-wide in Oxigraph: two
        imports must not share one)."""
        token = "i" + re.sub(r"[^0-9A-Za-z]", "", self.stamp)
        skolem: dict[ox.BlankNode, ox.NamedNode] = {}
        for row in staged.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER(isBlank(?g)) }"):
            node = row["g"]
            if isinstance(node, ox.BlankNode):  # as the FILTER says
                skolem[node] = ox.NamedNode(skolem_iri(self.iris, self.source, node.value))

        def term(node: Any) -> Any:
            if isinstance(node, ox.BlankNode):
                return skolem.get(node) or ox.BlankNode(f"{token}{node.value}")
            return node

        for quad in staged.quads():
            graph = quad.graph_name
            if isinstance(graph, ox.DefaultGraph):
                key = ""
            elif isinstance(graph, ox.BlankNode):
                key = BLANK + graph.value
            else:
                key = graph.value
            yield ox.Quad(term(quad.subject), quad.predicate, term(quad.object), self._ours(key))


def original_terms(iris: IriMinter, source: str, original: str) -> tuple[str | None, str | None]:
    """For a key of :attr:`GraphNames.names`: the IRI recorded as ``pg:originalGraph``
    and the blank node label recorded as ``pg:originalBlankNode`` (None: none)."""
    if not original:
        return None, None
    if original.startswith(BLANK):
        label = original[len(BLANK) :]
        return skolem_iri(iris, source, label), label
    return original, None


def unskolemised(quads: Iterator[ox.Quad], skolems: dict[str, ox.BlankNode]) -> Iterator[ox.Quad]:
    """Quads with each skolem IRI of ``skolems`` turned back into its blank node."""
    if not skolems:
        yield from quads
        return

    def term(node: Any) -> Any:
        if isinstance(node, ox.NamedNode):
            return skolems.get(node.value, node)
        return node

    for quad in quads:
        yield ox.Quad(term(quad.subject), quad.predicate, term(quad.object), quad.graph_name)
