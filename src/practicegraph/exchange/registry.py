"""The register of imported sources: who sent what, when, and which graphs hold it.

Everything about imports that the store itself records lives in one graph,
``{base}graph/_sources`` (:attr:`IriMinter.sources_graph`): each source (a
``pg:Source`` and ``prov:Agent``), each of its imports (a ``pg:Import`` and
``prov:Activity`` with the file's name, checksum, size, licence and status),
the import in force (``pg:currentImport``), the one it replaced
(``pg:replaces``), and for every imported graph the import that generated it
and, when the dump named it otherwise, its original name
(``pg:originalGraph``, ``pg:originalBlankNode``).

This module reads that graph and writes the one SPARQL Update that makes an
import take effect (:meth:`SourceRegistry.record_update`): recording the import
and dropping the graphs of the import it replaces happen in the same update, so
the source is never without data, nor with two imports' data at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from practicegraph.errors import StoreError, UnknownSourceError
from practicegraph.exchange.import_names import original_terms
from practicegraph.exchange.validation import ValidationReport
from practicegraph.graph.iris import IriMinter
from practicegraph.graph.store import GraphStore, nt_terms
from practicegraph.sparql_terms import iri
from practicegraph.vocab import DCTERMS, PG, PROV, RDF, RDFS, VOID, XSD, sparql_prefixes

STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"  # an import's time stamp: its IRI's last segment


@dataclass
class ImportReport:
    """What an import did; the CLI prints it and the API returns it."""

    source: str
    file: str
    sha256: str
    syntax: str
    status: str  # "current" | "quarantined" | "failed" (refused after validation)
    statements: int = 0
    own_copies: int = 0
    graphs: int = 0
    documents: int = 0
    practices: int = 0
    licence: str | None = None
    publisher: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    validation: ValidationReport = field(default_factory=ValidationReport)
    links: dict[str, int] = field(default_factory=dict)
    import_iri: str = ""
    base: str | None = None  # the base IRI relative IRIs were resolved against

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "validation"}
        data["validation"] = self.validation.to_dict()
        return data


@dataclass
class SourceInfo:
    """One source as ``practicegraph sources`` and ``GET /sources`` list it."""

    name: str
    iri: str
    import_iri: str | None
    file: str | None
    sha256: str | None
    imported: str | None
    statements: int
    licence: str | None
    publisher: str | None
    status: str
    imports: int
    restorable: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class SourceRegistry:
    """Reads and writes the sources graph of one store."""

    def __init__(self, store: GraphStore, iris: IriMinter) -> None:
        self.store = store
        self.iris = iris

    # -- reading ----------------------------------------------------------------------------
    def current_import(self, source: str) -> str | None:
        """The IRI of the source's import in force, if any."""
        rows = list(
            self.store.select(
                sparql_prefixes()
                + f"""SELECT ?i WHERE {{ GRAPH {iri(self.iris.sources_graph)} {{
                    {iri(self.iris.source(source))} pg:currentImport ?i }} }}"""
            )
        )
        return rows[0]["i"].value if rows else None

    def graphs_of(self, import_iri: str) -> list[str]:
        """The graphs one import generated, sorted."""
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?g WHERE {{ GRAPH {iri(self.iris.sources_graph)} {{
                ?g prov:wasGeneratedBy {iri(import_iri)} }} }}"""
        )
        return sorted(row["g"].value for row in rows)

    def current_graphs(self) -> dict[str, str]:
        """graph IRI -> source name, for every graph of every import in force."""
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?g ?name WHERE {{ GRAPH {iri(self.iris.sources_graph)} {{
                ?src pg:currentImport ?i ; rdfs:label ?name . ?g prov:wasGeneratedBy ?i }} }}"""
        )
        return {row["g"].value: row["name"].value for row in rows}

    def previous_stamp(self, source: str) -> str | None:
        """The time stamp of the import the one in force replaced, if any."""
        current = self.current_import(source)
        if current is None:
            return None
        rows = list(
            self.store.select(
                sparql_prefixes()
                + f"""SELECT ?old WHERE {{ GRAPH {iri(self.iris.sources_graph)} {{
                    {iri(current)} pg:replaces ?old }} }}"""
            )
        )
        return rows[0]["old"].value.rsplit("/", 1)[-1] if rows else None

    def infos(self, restorable: Callable[[str], bool] | None = None) -> list[SourceInfo]:
        """Every source with its import in force (or newest import), newest first.

        ``restorable(name) -> bool`` says whether an earlier import can be put back
        (that depends on the archives on disk, which this module does not read).
        """
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?src ?name ?imp ?file ?sha ?ended ?n ?lic ?pub ?status WHERE {{
                GRAPH {iri(self.iris.sources_graph)} {{
                  ?src a pg:Source ; rdfs:label ?name .
                  ?imp prov:wasAssociatedWith ?src ; pg:fileName ?file ; pg:sha256 ?sha ;
                       prov:endedAtTime ?ended ; void:triples ?n ; pg:importStatus ?status .
                  OPTIONAL {{ ?imp dcterms:license ?lic }}
                  OPTIONAL {{ ?imp dcterms:publisher ?pub }} }} }}
                ORDER BY ?name DESC(?ended)"""
        )
        by_name: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_name.setdefault(row["name"].value, []).append({k: v.value for k, v in row.items()})
        out = []
        for name, imports in by_name.items():
            current = self.current_import(name)
            shown = next((i for i in imports if i["imp"] == current), imports[0])
            out.append(
                SourceInfo(
                    name=name,
                    iri=shown["src"],
                    import_iri=shown["imp"],
                    file=shown["file"],
                    sha256=shown["sha"],
                    imported=shown["ended"],
                    statements=int(shown["n"]),
                    licence=shown.get("lic"),
                    publisher=shown.get("pub"),
                    status=shown["status"],
                    imports=len(imports),
                    restorable=restorable(name) if restorable is not None else False,
                )
            )
        return out

    def get(self, source: str, restorable: Callable[[str], bool] | None = None) -> SourceInfo:
        """One source, or :class:`UnknownSourceError`."""
        for info in self.infos(restorable):
            if info.name == source:
                return info
        raise UnknownSourceError(source)

    def original_names(
        self, source: str
    ) -> tuple[dict[str, ox.NamedNode | ox.BlankNode | None], dict[str, ox.BlankNode]]:
        """Each graph of the source's import in force -> its name in the dump (None:
        the default graph; a fresh blank node for one a blank node named), and each
        skolem IRI standing for such a blank node -> that blank node."""
        current = self.current_import(source)
        if current is None:
            raise StoreError(f"source {source!r} has no import in force (quarantined?)")
        rows = self.store.select(
            sparql_prefixes()
            + f"""SELECT ?g ?orig ?blank WHERE {{ GRAPH {iri(self.iris.sources_graph)} {{
                ?g prov:wasGeneratedBy {iri(current)}
                OPTIONAL {{ ?g pg:originalGraph ?orig }}
                OPTIONAL {{ ?g pg:originalBlankNode ?blank }} }} }}"""
        )
        names: dict[str, ox.NamedNode | ox.BlankNode | None] = {}
        skolems: dict[str, ox.BlankNode] = {}
        for row in rows:
            graph = row["g"].value
            if "blank" in row and "orig" in row:
                names[graph] = skolems.setdefault(row["orig"].value, ox.BlankNode())
            else:
                names[graph] = ox.NamedNode(row["orig"].value) if "orig" in row else None
        return names, skolems

    # -- writing ----------------------------------------------------------------------------
    def record_update(
        self,
        source: str,
        stamp: str,
        report: ImportReport,
        graphs: dict[str, str],
        status: str,
    ) -> str:
        """One SPARQL Update: the import's provenance, and (for a current import) the
        switch from the import in force, whose graphs it drops.

        ``graphs`` maps each graph's name in the dump to the graph it was copied to.
        """
        g = Graph()
        source_iri = self.iris.source(source)
        run = self.iris.source_import(source, stamp)
        g.add((source_iri, RDF.type, PG.Source))
        g.add((source_iri, RDF.type, PROV.Agent))
        g.add((source_iri, RDFS.label, Literal(source)))
        g.add((run, RDF.type, PG.Import))
        g.add((run, RDF.type, PROV.Activity))
        g.add((run, PROV.wasAssociatedWith, source_iri))
        g.add((run, PG.fileName, Literal(report.file)))
        g.add((run, PG.sha256, Literal(report.sha256)))
        g.add((run, VOID.triples, Literal(report.statements)))
        g.add((run, PG.importStatus, Literal(status)))
        now = datetime.now(UTC).isoformat()
        started = datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=UTC).isoformat()
        g.add((run, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)))
        g.add((run, PROV.endedAtTime, Literal(now, datatype=XSD.dateTime)))
        if report.licence:
            g.add((run, DCTERMS.license, iri_or_literal(report.licence)))
        if report.publisher:
            g.add((run, DCTERMS.publisher, iri_or_literal(report.publisher)))
        for original, ours in graphs.items():
            graph_iri = URIRef(ours)
            g.add((graph_iri, PROV.wasGeneratedBy, run))
            g.add((graph_iri, PROV.wasAttributedTo, source_iri))
            name, label = original_terms(self.iris, source, original)
            if name is not None:
                g.add((graph_iri, PG.originalGraph, URIRef(name)))
            if label is not None:
                g.add((graph_iri, PG.originalBlankNode, Literal(label)))
        sources_graph = self.iris.sources_graph
        # A restored import already has a record: it is rewritten, not duplicated.
        parts = [
            sparql_prefixes(),
            f"DELETE WHERE {{ GRAPH {iri(sources_graph)} {{ {iri(run)} ?p ?o }} }} ;",
        ]
        if status == "current":
            previous = self.current_import(source)
            if previous is not None:
                for graph in self.graphs_of(previous):
                    parts.append(f"DROP SILENT GRAPH {iri(graph)} ;")
            parts.append(
                f"""DELETE {{ GRAPH {iri(sources_graph)} {{
                        {iri(source_iri)} pg:currentImport ?old . ?old pg:importStatus ?s .
                        ?g ?gp ?go }} }}
                    INSERT {{ GRAPH {iri(sources_graph)} {{ ?old pg:importStatus "superseded" }} }}
                    WHERE {{ GRAPH {iri(sources_graph)} {{
                        {iri(source_iri)} pg:currentImport ?old . ?old pg:importStatus ?s .
                        OPTIONAL {{ ?g prov:wasGeneratedBy ?old ; ?gp ?go }} }} }} ;"""
            )
            g.add((source_iri, PG.currentImport, run))
            if previous is not None and previous != str(run):
                g.add((run, PG.replaces, URIRef(previous)))
        parts.append(f"INSERT DATA {{ GRAPH {iri(sources_graph)} {{\n{nt_terms(g)}\n}} }}")
        return "\n".join(parts)

    def removal_update(self, source: str, graphs: list[str]) -> str:
        """One SPARQL Update dropping ``graphs`` and every record about the source."""
        source_iri = self.iris.source(source)
        sources_graph = self.iris.sources_graph
        parts = [sparql_prefixes()] + [f"DROP SILENT GRAPH {iri(g)} ;" for g in graphs]
        parts.append(
            f"""DELETE {{ GRAPH {iri(sources_graph)} {{ ?x ?p ?o }} }}
                WHERE {{ GRAPH {iri(sources_graph)} {{ ?x ?p ?o .
                  {{ BIND({iri(source_iri)} AS ?x) }}
                  UNION {{ ?x prov:wasAssociatedWith {iri(source_iri)} }}
                  UNION {{ ?x prov:wasAttributedTo {iri(source_iri)} }} }} }}"""
        )
        return "\n".join(parts)


def iri_or_literal(value: str) -> URIRef | Literal:
    """An IRI when the value is one Oxigraph accepts, else a literal: a hostile dump's
    "licence" must not break the import record that is written after its data."""
    if re.match(r"https?://", value):
        try:
            ox.NamedNode(value)
        except ValueError:
            return Literal(value)
        if not re.search(r'[\s<>"{}|\\^`]', value):
            return URIRef(value)
    return Literal(value)
