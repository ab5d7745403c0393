"""Deterministic dumps: the same data gives the same bytes, every time.

Two things make an ordinary dump vary between runs: the order the store
returns statements in, and blank-node labels, which are arbitrary. Here every
statement is written as one N-Quads line, blank nodes are relabelled from a
hash of what surrounds them, and the lines are sorted. The other syntaxes are
serialised from that sorted stream, so they are stable too.

A blank node's label hashes its outgoing statements, with nested blank nodes
replaced by their own hashes (recursively: annotation -> target -> selectors),
and its incoming statements. Blank nodes that still tie are interchangeable in
every statement the hash looked at; their order then falls back to their
labels in the store, which are themselves stable for stored data. This is not
full RDF canonicalisation (RDFC-1.0, exponential in the worst case), and it
does not need to be: it makes repeated exports of one store byte-identical and
labels independent of load order for tree-shaped blank nodes like ours.
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

import pyoxigraph as ox

from practicegraph.graph.store import RDF_FORMATS

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class DumpSummary:
    statements: int
    sha256: str
    size: int


def canonical_lines(quads: Iterable[ox.Quad], *, triples: bool = False) -> list[str]:
    """Sorted N-Quads (or N-Triples) lines with content-derived blank-node labels."""
    quads = list(quads)
    labels = _blank_labels(quads)

    def show(term: Term | ox.DefaultGraph | ox.Triple) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{labels[term.value]}"
        return str(term)

    lines = set()
    for quad in quads:
        parts = [show(quad.subject), show(quad.predicate), show(quad.object)]
        if not triples and not isinstance(quad.graph_name, ox.DefaultGraph):
            parts.append(show(quad.graph_name))
        lines.add(" ".join(parts) + " .\n")
    return sorted(lines)


def write_canonical(
    quads: Iterable[ox.Quad],
    output: IO[bytes] | Any,
    fmt: str,
    prefixes: dict[str, str] | None = None,
) -> DumpSummary:
    """Write ``quads`` deterministically in ``fmt``; returns the count and checksum."""
    triples_only = fmt not in ("nquads", "trig")
    lines = canonical_lines(quads, triples=triples_only)
    digest = hashlib.sha256()
    counting = _Counting(output, digest)
    if fmt in ("nquads", "nt"):
        for line in lines:
            counting.write(line.encode("utf-8"))
    else:
        parsed = ox.parse(
            io.BytesIO("".join(lines).encode("utf-8")),
            ox.RdfFormat.N_TRIPLES if triples_only else ox.RdfFormat.N_QUADS,
        )
        kept = ox.serialize(
            parsed
            if not triples_only
            else (ox.Triple(q.subject, q.predicate, q.object) for q in parsed),
            None,
            RDF_FORMATS[fmt],
            prefixes=prefixes if fmt in ("turtle", "trig") else None,
        )
        counting.write(kept or b"")
    return DumpSummary(len(lines), digest.hexdigest(), counting.size)


class _Counting:
    def __init__(self, output: IO[bytes], digest: Any) -> None:
        self.output = output
        self.digest = digest
        self.size = 0

    def write(self, data: bytes) -> None:
        self.output.write(data)
        self.digest.update(data)
        self.size += len(data)


def _blank_labels(quads: list[ox.Quad]) -> dict[str, str]:
    outgoing: dict[str, list[ox.Quad]] = defaultdict(list)
    incoming: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode):
            outgoing[quad.subject.value].append(quad)
        if isinstance(quad.object, ox.BlankNode):
            incoming[quad.object.value].append(quad)
    nodes = set(outgoing) | set(incoming)
    if not nodes:
        return {}
    memo: dict[str, str] = {}
    visiting: set[str] = set()

    def graph_of(quad: ox.Quad) -> str:
        return "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)

    def shallow(term: Term | ox.Triple) -> str:
        return "_:" if isinstance(term, ox.BlankNode) else str(term)

    def deep(root: str) -> str:
        """The hash of ``root``, its nested blank nodes first (depth-first, with an
        explicit stack: an RDF list is a chain of thousands of blank nodes)."""
        stack = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if node in memo:
                continue
            if not children_done:
                visiting.add(node)
                stack.append((node, True))
                for q in outgoing.get(node, ()):
                    child = q.object
                    # (a child still being visited is a cycle of blank nodes: it stops here)
                    if (
                        isinstance(child, ox.BlankNode)
                        and child.value not in memo
                        and child.value not in visiting
                    ):
                        stack.append((child.value, False))
                continue
            parts = sorted(
                f"> {q.predicate} "
                + (
                    memo.get(q.object.value, "_:cycle")
                    if isinstance(q.object, ox.BlankNode)
                    else str(q.object)
                )
                + f" {graph_of(q)}"
                for q in outgoing.get(node, ())
            )
            parts += sorted(
                f"< {shallow(q.subject)} {q.predicate} {graph_of(q)}"
                for q in incoming.get(node, ())
            )
            visiting.discard(node)
            memo[node] = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
        return memo[root]

    ranked: dict[str, list[str]] = defaultdict(list)
    for node in sorted(nodes):
        ranked[deep(node)].append(node)
    labels: dict[str, str] = {}
    for digest, members in ranked.items():
        for n, node in enumerate(members):
            labels[node] = f"b{digest[:16]}" + (f"x{n}" if n else "")
    return labels
