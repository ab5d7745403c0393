"""What an export writes: the whole dataset, or one source as it was imported.

The bytes themselves come from exchange.export (canonical, one path for CLI and
API); this module chooses the statements. A source's export gives its graphs
back under the names the dump gave them (the default graph, its own graph
IRIs, blank nodes for graphs a blank node named), so a source can be sent on
as it came.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from practicegraph.exchange.export import ExportedFile
from practicegraph.exchange.import_names import unskolemised
from practicegraph.exchange.registry import SourceRegistry
from practicegraph.exchange.void import Dataset as VoidDataset
from practicegraph.exchange.void import file_distribution, void_triples, void_turtle
from practicegraph.graph.store import GraphStore


def export_quads(
    store: GraphStore, registry: SourceRegistry, source: str | None
) -> Iterable[ox.Quad]:
    """Every statement of the store (None), or those of one source's import in force
    under their original graph names."""
    if source is None:
        return store.quads()
    registry.get(source)
    originals, skolems = registry.original_names(source)
    return unskolemised(
        (
            ox.Quad(q.subject, q.predicate, q.object, originals[g] or ox.DefaultGraph())
            for g in sorted(originals)
            for q in store.quads(graph=g)
        ),
        skolems,
    )


def void_record(
    registry: SourceRegistry,
    exported: ExportedFile,
    source: str | None,
    licence: str,
) -> bytes:
    """VoID + DCAT about an exported file, as Turtle (exchange.void). Only facts about
    the data and the file, no time stamp: the same data gives the same record."""
    derived = None
    if source is not None:
        info = registry.get(source)
        derived = info.import_iri or info.iri
    return void_turtle(
        void_triples(
            VoidDataset(
                base_iri=registry.iris.base,
                licence=licence,
                triples=exported.statements,
                source=source,
                derived_from=derived,
                distributions=[file_distribution(exported)],
            )
        )
    )
