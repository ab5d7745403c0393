"""Linking the same real-world thing across sources, without overwriting either.

Two sources describe Latvia, or ICPA, under their own IRIs. Reconciliation
finds such pairs by rules that a person checking by hand would accept:

=============  =============================================================
countries      the same ISO 3166-1 code (``schema:identifier``)
organisations  an ``owl:sameAs`` to the same IRI; the same name (case and
               spacing aside); or one's name is the other's acronym
events         the same name and start date, and the same place or country
               (or no place given on one side)
practices      the same label and the same provider (by IRI or by name)
=============  =============================================================

Each cluster of equivalent IRIs gets one canonical member: this instance's own
IRI when there is one, else the smallest IRI. The links are written as
``owl:sameAs`` from every other member to the canonical one, in a graph of
their own, rebuilt after every import, rollback or removal; the sources' own
graphs are never changed. Search and entity pages read the canonical view.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from practicegraph import sparql_terms, vocab
from practicegraph.graph.store import GraphStore

SCHEMA = str(vocab.SCHEMA)
OWL_SAME_AS = str(vocab.OWL.sameAs)
PRACTICE = str(vocab.PG.Practice)
#: The predicates the rules read, fetched one at a time (see :func:`reconcile`).
PREDICATES = ("name", "alternateName", "identifier", "startDate", "location", "provider")


Key = tuple[str, ...]


def _norm(value: str) -> str:
    return " ".join(value.casefold().split())


@dataclass
class Reconciliation:
    """Clusters of equivalent IRIs and the canonical member of each."""

    canonical: dict[str, str] = field(default_factory=dict)  # member -> canonical (others only)
    rules: dict[str, int] = field(default_factory=dict)  # rule -> pairs found
    names: dict[str, str] = field(default_factory=dict)  # member -> the canonical's name


class _Facts:
    """Who has which value for the few predicates the rules read."""

    def __init__(self, store: GraphStore, links: str | None) -> None:
        self.store = store
        self.links = links
        self.values: dict[str, dict[str, list[str]]] = {}
        self.described: set[str] = set()  # resources typed with a class the rules read
        for local in PREDICATES:
            self.values[local] = self._pairs(SCHEMA + local)
        self.values["sameAs"] = self._pairs(OWL_SAME_AS, skip_graph=links)

    def _pairs(self, predicate: str, skip_graph: str | None = None) -> dict[str, list[str]]:
        # One triple pattern per query, DISTINCT: the union of the graphs repeats a
        # statement once per document graph that holds it, and a join of several
        # patterns would multiply those repeats (millions of rows at a million
        # statements) before any DISTINCT could remove them.
        found: dict[str, set[str]] = defaultdict(set)
        pattern = f"?s {sparql_terms.iri(predicate)} ?o"
        if skip_graph is not None:  # reconciliation's own links are not evidence for it
            pattern = f"GRAPH ?g {{ {pattern} }} FILTER(?g != {sparql_terms.iri(skip_graph)})"
        rows = self.store.select(f"SELECT DISTINCT ?s ?o WHERE {{ {pattern} }}")
        for row in rows:
            if isinstance(row["s"], ox.NamedNode):
                found[row["s"].value].add(row["o"].value)
        return {s: sorted(v) for s, v in found.items()}

    def instances(self, cls: str) -> list[str]:
        rows = self.store.select(f"SELECT DISTINCT ?s WHERE {{ ?s a {sparql_terms.iri(cls)} }}")
        found = sorted(row["s"].value for row in rows if isinstance(row["s"], ox.NamedNode))
        self.described.update(found)
        return found

    def get(self, local: str, subject: str) -> list[str]:
        return self.values[local].get(subject, [])

    def where(self, subject: str) -> list[str]:
        """Keys of the places a resource is at: a country's code, else a name, else the IRI."""
        keys = []
        for place in self.get("location", subject):
            codes = self.get("identifier", place)
            names = self.get("name", place)
            keys.append(codes[0].upper() if codes else _norm(names[0]) if names else place)
        return keys


def reconcile(store: GraphStore, own_base: str, links: str | None = None) -> Reconciliation:
    """Find equivalent resources in the store's union graph (see the table above).

    ``links`` names the graph of earlier links, which is not read as evidence.
    The facts are read one predicate at a time and grouped here by key in
    dictionaries: linear in the number of statements, where a self-join in
    SPARQL would compare every pair.
    """
    facts = _Facts(store, links)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def link_groups(groups: dict[tuple[str, ...], set[str]]) -> int:
        pairs = 0
        for iris in groups.values():
            ordered = sorted(iris)
            for other in ordered[1:]:
                ra, rb = find(ordered[0]), find(other)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
                    pairs += 1
        return pairs

    def placed(groups: dict[Key, dict[str, set[str]]]) -> dict[Key, set[str]]:
        """Split each group by place. A resource with no place joins the group when
        there is one place; with several it would join them all together, so then it
        is only linked to the other unplaced ones."""
        out: dict[Key, set[str]] = {}
        for key, by_place in groups.items():
            unplaced = by_place.pop("", set())
            for where, iris in by_place.items():
                out[(*key, where)] = iris | (unplaced if len(by_place) == 1 else set())
            if unplaced and len(by_place) != 1:
                out[key] = unplaced
        return out

    result = Reconciliation()
    countries: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for iri in facts.instances(SCHEMA + "Country"):
        for code in facts.get("identifier", iri):
            countries[(code.upper(),)].add(iri)
    result.rules["country"] = link_groups(countries)

    organisations = facts.instances(SCHEMA + "Organization")
    same: dict[tuple[str, ...], set[str]] = defaultdict(set)
    by_name: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    exact_names: dict[str, set[str]] = defaultdict(set)
    for iri in organisations:
        for target in facts.get("sameAs", iri):
            same[(target,)] |= {iri, target}  # a direct link counts as well as a shared one
        places = facts.where(iri) or [""]
        for name in facts.get("name", iri):
            exact_names[name].add(iri)
            for where in places:
                by_name[(_norm(name),)][where].add(iri)
    result.rules["organisation-sameas"] = link_groups(same)
    result.rules["organisation-name"] = link_groups(placed(by_name))
    acronyms: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for iri in organisations:
        for acronym in facts.get("alternateName", iri):
            named = exact_names.get(acronym, set()) - {iri}
            if named:
                acronyms[(acronym,)] |= named | {iri}
    result.rules["organisation-acronym"] = link_groups(acronyms)

    events: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for iri in facts.instances(SCHEMA + "Event"):
        places = facts.where(iri) or [""]
        for name in facts.get("name", iri):
            for start in facts.get("startDate", iri):
                for where in places:
                    events[(_norm(name), start)][where].add(iri)
    result.rules["event"] = link_groups(placed(events))

    practices: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for iri in facts.instances(PRACTICE):
        providers = facts.get("provider", iri)
        keys = [_norm(n) for p in providers for n in facts.get("name", p)] + providers
        for name in facts.get("name", iri):
            for key in keys:
                practices[(_norm(name), key)].add(iri)
    result.rules["practice"] = link_groups(practices)

    clusters: dict[str, list[str]] = defaultdict(list)
    for node in list(parent):
        clusters[find(node)].append(node)
    for members in clusters.values():
        if len(members) < 2:
            continue
        # This instance's own IRI if there is one, else the smallest IRI described
        # here (not, say, a Wikidata IRI that only owl:sameAs points to).
        # (not an imported source's relative or skolem IRIs, minted under own_base too)
        own = sorted(
            m for m in members if m.startswith(own_base) and not m.startswith(own_base + "source/")
        )
        described = [m for m in members if m in facts.described]
        canonical = own[0] if own else min(described or members)
        for member in members:
            if member != canonical:
                result.canonical[member] = canonical
                names = facts.get("name", canonical)
                if names:
                    result.names[member] = names[0]
    return result
