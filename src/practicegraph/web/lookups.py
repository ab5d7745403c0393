"""Small read helpers the pages share: rows as strings, labels, links.

Pages read the store with SPARQL SELECTs over the union of the graphs (the
same view a researcher's query has). The union repeats a triple that two
document graphs both hold, so the queries here use DISTINCT and the helpers
de-duplicate links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from practicegraph import sparql_terms, vocab
from practicegraph.graph.store import GraphStore
from practicegraph.vocab import PREFIXES, sparql_prefixes
from practicegraph.web.paths import LinkedDataPaths

#: Label predicates, best first.
LABELS = tuple(
    str(term)
    for term in (vocab.SCHEMA.name, vocab.SKOS.prefLabel, vocab.RDFS.label, vocab.DCTERMS.title)
)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


@dataclass(frozen=True)
class Item:
    """A link to a resource: where to go, what to call it, and a short note beside it."""

    iri: str
    href: str
    label: str
    note: str = ""


def usable_iri(iri: str) -> bool:
    """True when ``iri`` can be written into a query as ``<iri>``."""
    if _IRI_FORBIDDEN.search(iri):
        return False
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def ref(iri: str) -> str:
    """``<iri>`` for a query (:func:`practicegraph.sparql_terms.iri`: ValueError if it
    is not an IRI); callers pass IRIs read from the store or checked first."""
    return sparql_terms.iri(iri)


def select(store: GraphStore, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT (with the project's prefixes) as variable -> lexical value."""
    return [
        {name: term.value for name, term in row.items()}
        for row in store.select(sparql_prefixes() + sparql)
    ]


def compact(iri: str) -> str:
    """``schema:name`` for a known namespace, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def labels(store: GraphStore, iris: Iterable[str]) -> dict[str, str]:
    """A label per IRI (English or untagged first, then by predicate rank), in one query."""
    wanted = sorted({i for i in iris if usable_iri(i)})
    if not wanted:
        return {}
    values = sparql_terms.iris(wanted)
    preds = sparql_terms.iris(LABELS)
    rows = store.select(
        f"SELECT ?x ?p ?label WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ {preds} }} "
        f"?x ?p ?label }}"
    )
    best: dict[str, tuple[int, int, str]] = {}
    for row in rows:
        label = row["label"]
        rank = 0 if isinstance(label, ox.Literal) and label.language in (None, "en") else 1
        key = (rank, LABELS.index(row["p"].value), label.value)
        iri = row["x"].value
        if iri not in best or key < best[iri]:
            best[iri] = key
    return {iri: text for iri, (_r, _p, text) in best.items()}


#: What a page calls the documents ingested here, as against an imported source's.
OWN_DOCUMENTS = "this instance's own documents"


def described_by(store: GraphStore, iris: Iterable[str]) -> list[str]:
    """Who describes these resources, in words: this instance's own documents (graphs with
    no attributed source), "imported from <source>" for each imported organisation's."""
    values = " ".join(ref(i) for i in sorted(set(iris)) if usable_iri(i))
    if not values:
        return []
    rows = select(
        store,
        f"""SELECT DISTINCT ?src WHERE {{ VALUES ?m {{ {values} }}
              GRAPH ?g {{ ?m ?p ?o }}
              FILTER(!STRENDS(STR(?g), "/graph/_links"))
              OPTIONAL {{ ?g prov:wasAttributedTo ?agent . ?agent rdfs:label ?src }} }}""",
    )
    sources = {row.get("src", "") for row in rows}
    own = [OWN_DOCUMENTS] if "" in sources else []
    return own + [f"imported from {name}" for name in sorted(sources - {""}, key=str.lower)]


class Linker:
    """Turns IRIs into :class:`Item` links with labels looked up once per page."""

    def __init__(self, store: GraphStore, paths: LinkedDataPaths) -> None:
        self.store = store
        self.paths = paths
        self.known: dict[str, str] = {}

    def learn(self, iris: Iterable[str]) -> None:
        """Look up the labels of ``iris`` not yet known (one query)."""
        missing = {i for i in iris if i not in self.known}
        if missing:
            self.known.update(labels(self.store, missing))

    def item(self, iri: str, note: str = "", label: str | None = None) -> Item:
        name = label or self.known.get(iri) or compact(iri)
        return Item(iri, self.paths.href(iri), name, note)

    def items(self, iris: Iterable[str]) -> list[Item]:
        unique = list(dict.fromkeys(iris))
        self.learn(unique)
        return sorted((self.item(i) for i in unique), key=lambda it: it.label.lower())


__all__ = [
    "LABELS",
    "OWN_DOCUMENTS",
    "Item",
    "Linker",
    "compact",
    "described_by",
    "labels",
    "ref",
    "select",
    "usable_iri",
]
