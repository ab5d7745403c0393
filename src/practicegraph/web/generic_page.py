"""The page of any other described resource: a named graph, an ingest run, the ontology.

These are for researchers checking provenance, so the page lays out the
description itself (types, properties, links in, evidence) rather than a
curated view. The caller passes the triples it serves as RDF, so the HTML and
the Turtle of an IRI say the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from practicegraph import vocab
from practicegraph.graph.store import GraphStore
from practicegraph.vocab import PG
from practicegraph.web.lookups import Item, Linker, compact
from practicegraph.web.paths import LinkedDataPaths

RDF_TYPE = str(vocab.RDF.type)
OA = str(vocab.OA)
#: Incoming links the page leaves to its evidence section.
HIDDEN = frozenset({RDF_TYPE, OA + "hasBody", OA + "hasSource"})

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class Value:
    """A literal's text and the language tag or datatype shown beside it."""

    text: str
    note: str = ""


@dataclass(frozen=True)
class Quote:
    quote: str
    entity: Item
    document: Item
    start: str = ""
    end: str = ""


@dataclass
class GenericView:
    iri: str
    title: str
    types: list[Item] = field(default_factory=list)
    properties: list[tuple[Item, list[Item | Value]]] = field(default_factory=list)
    incoming: list[tuple[Item, Item]] = field(default_factory=list)  # (subject, predicate)
    incoming_truncated: bool = False
    evidence: list[Quote] = field(default_factory=list)
    evidence_truncated: bool = False


def _term(term: object) -> Term:
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    raise TypeError(f"unexpected RDF term {term!r}")


def _predicate(linker: Linker, iri: str) -> Item:
    return linker.item(iri, label=compact(iri))


def generic_view(
    store: GraphStore,
    paths: LinkedDataPaths,
    iri: str,
    triples: Iterable[ox.Triple],
    *,
    incoming_truncated: bool = False,
    evidence_truncated: bool = False,
) -> GenericView:
    rows = [(_term(t.subject).value, t.predicate.value, _term(t.object)) for t in triples]
    outgoing = [(p, o) for s, p, o in rows if s == iri]
    incoming = [(s, p) for s, p, o in rows if o.value == iri and s != iri and p not in HIDDEN]
    by_subject: dict[str, dict[str, list[Term]]] = {}
    for s, p, o in rows:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)

    def first(props: dict[str, list[Term]], predicate: str, default: str = "") -> str:
        values = props.get(predicate)
        return values[0].value if values else default

    quotes: list[tuple[str, str, str, str, str]] = []  # body, source, exact, start, end
    for props in by_subject.values():
        body = first(props, OA + "hasBody")
        for target in props.get(OA + "hasTarget", []) if body else []:
            tprops = by_subject.get(target.value, {})
            exact = start = end = ""
            for selector in tprops.get(OA + "hasSelector", []):
                sprops = by_subject.get(selector.value, {})
                exact = exact or first(sprops, OA + "exact")
                start = start or first(sprops, OA + "start")
                end = end or first(sprops, OA + "end")
            if exact:
                quotes.append((body, first(tprops, OA + "hasSource", iri), exact, start, end))
    quotes.sort(key=lambda q: (q[1], int(q[3]) if q[3].isdigit() else 0))

    linker = Linker(store, paths)
    linker.learn(
        {o.value for _p, o in outgoing if isinstance(o, ox.NamedNode)}
        | {s for s, _p in incoming}
        | {iri}
        | {q[0] for q in quotes}
        | {q[1] for q in quotes}
    )
    view = GenericView(iri, linker.item(iri).label)
    properties: dict[str, list[Item | Value]] = {}
    for predicate, obj in outgoing:
        if predicate == RDF_TYPE:
            view.types.append(_predicate(linker, obj.value))
        elif predicate != str(PG.text):
            properties.setdefault(predicate, []).append(_value(linker, obj))
    view.properties = [(_predicate(linker, p), v) for p, v in sorted(properties.items())]
    view.incoming = [(linker.item(s), _predicate(linker, p)) for s, p in incoming]
    view.incoming_truncated = incoming_truncated
    view.evidence = [
        Quote(exact, linker.item(body), linker.item(source), start, end)
        for body, source, exact, start, end in quotes
    ]
    view.evidence_truncated = evidence_truncated
    return view


def _value(linker: Linker, term: Term) -> Item | Value:
    if isinstance(term, ox.NamedNode):
        return linker.item(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Value(term.value, f"@{term.language}")
        datatype = term.datatype.value
        plain = datatype.endswith(("#string", "#langString"))
        return Value(term.value, "" if plain else compact(datatype))
    return Value(f"_:{term.value}")


__all__ = ["GenericView", "Quote", "Value", "generic_view"]
