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

from practicegraph.graph.store import OxigraphStore
from practicegraph.vocab import sparql_prefixes

#: rule -> query giving each resource ?a with its key ?k1 (and ?k2); ?k3, where
#: selected, is where it is (a country code or place), which must not differ.
QUERIES: dict[str, str] = {
    "country": "SELECT ?a ?k1 WHERE { ?a a schema:Country ; schema:identifier ?k1 }",
    "organisation-sameas": """SELECT ?a ?k1 WHERE { ?a a schema:Organization ; owl:sameAs ?k1 }""",
    "organisation-name": """SELECT ?a ?k1 ?k3 WHERE {
        ?a a schema:Organization ; schema:name ?k1 .
        OPTIONAL { ?a schema:location ?l . OPTIONAL { ?l schema:identifier ?code }
                   BIND(COALESCE(?code, STR(?l)) AS ?k3) } }""",
    "event": """SELECT ?a ?k1 ?k2 ?k3 WHERE {
        ?a a schema:Event ; schema:name ?k1 ; schema:startDate ?k2 .
        OPTIONAL { ?a schema:location ?l .
                   OPTIONAL { ?l schema:identifier ?code } OPTIONAL { ?l schema:name ?ln }
                   BIND(COALESCE(?code, ?ln, STR(?l)) AS ?k3) } }""",
    "practice": """SELECT ?a ?k1 ?k2 WHERE {
        ?a a pg:Practice ; schema:name ?k1 ; schema:provider ?p .
        OPTIONAL { ?p schema:name ?pn }
        BIND(COALESCE(?pn, STR(?p)) AS ?k2) }""",
}
PLACED = frozenset({"organisation-name", "event"})
ACRONYMS = "SELECT ?a ?k1 WHERE { ?a a schema:Organization ; schema:alternateName ?k1 }"


def _norm(value: str) -> str:
    return " ".join(value.casefold().split())


@dataclass
class Reconciliation:
    """Clusters of equivalent IRIs and the canonical member of each."""

    canonical: dict[str, str] = field(default_factory=dict)  # member -> canonical (others only)
    rules: dict[str, int] = field(default_factory=dict)  # rule -> pairs found

    def of(self, iri: str) -> str:
        return self.canonical.get(iri, iri)

    def members(self) -> dict[str, list[str]]:
        clusters: dict[str, list[str]] = {}
        for member, canonical in self.canonical.items():
            clusters.setdefault(canonical, [canonical]).append(member)
        return {c: sorted(m) for c, m in clusters.items()}


def reconcile(store: OxigraphStore, own_base: str) -> Reconciliation:
    """Find equivalent resources in the store's union graph (see the table above).

    Each rule is one query listing resources with their keys, grouped here in a
    dictionary: linear in the number of resources, where a self-join in SPARQL
    would compare every pair.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def link(a: str, b: str) -> bool:
        ra, rb = find(a), find(b)
        if ra == rb:
            return False
        parent[max(ra, rb)] = min(ra, rb)
        return True

    result = Reconciliation()
    names: dict[str, set[str]] = defaultdict(set)  # exact organisation name -> IRIs
    for rule, query in QUERIES.items():
        groups: dict[tuple[str, ...], set[str]] = defaultdict(set)
        key: tuple[str, ...]
        places: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in store.select(sparql_prefixes() + query):
            iri = row["a"].value
            if not isinstance(row["a"], ox.NamedNode):
                continue
            if rule == "organisation-name":
                names[row["k1"].value].add(iri)
            if rule in PLACED:
                key = (_norm(row["k1"].value), row["k2"].value if "k2" in row else "")
                where = row.get("k3")
                places[key][_norm(where.value) if where is not None else ""].add(iri)
                continue
            key = tuple(
                row[k].value.upper() if rule == "country" else _norm(row[k].value)
                for k in ("k1", "k2")
                if k in row
            )
            groups[key].add(iri)
        for key, by_place in places.items():
            # A resource with no place given joins the group of any place.
            unplaced = by_place.pop("", set())
            for iris in by_place.values():
                groups[(*key, "placed", str(len(groups)))] = iris | unplaced
            if not by_place:
                groups[key] = unplaced
        pairs = 0
        for iris in groups.values():
            ordered = sorted(iris)
            pairs += sum(link(ordered[0], other) for other in ordered[1:])
        result.rules[rule] = pairs
    pairs = 0
    for row in store.select(sparql_prefixes() + ACRONYMS):
        for other in sorted(names.get(row["k1"].value, ())):
            if isinstance(row["a"], ox.NamedNode) and other != row["a"].value:
                pairs += link(other, row["a"].value)
    result.rules["organisation-acronym"] = pairs

    clusters: dict[str, list[str]] = defaultdict(list)
    for node in list(parent):
        clusters[find(node)].append(node)
    for members in clusters.values():
        if len(members) < 2:
            continue
        own = sorted(m for m in members if m.startswith(own_base))
        canonical = own[0] if own else min(members)
        for member in members:
            if member != canonical:
                result.canonical[member] = canonical
    return result
