"""What the keyword index holds, read from a document's named graph.

The graph feeds the index: a document's record carries the names and
acronyms of every organisation, country, place and event it mentions and the
labels of its themes, so "Latvia" finds the Riga conference and "EuroPris"
finds a document that only writes the organisation's full name. Each
practice is a record of its own, linked to its document.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from practicegraph.vocab import DCTERMS, OA, PG, RDF, SCHEMA

KINDS = ("document", "practice")
LOCAL_SOURCE = "local"  # the source facet's value for documents ingested here


@dataclass
class IndexRecord:
    id: str  # the IRI of the document or practice
    kind: str  # "document" | "practice"
    source: str  # the index key of the document: its file name, "{source}/{file}" if imported
    doc_iri: str
    title: str
    body: str
    content_hash: str
    evidence: str = ""
    entities: str = ""  # names of linked organisations, countries, places, events, themes
    themes: list[str] = field(default_factory=list)  # theme ids
    countries: list[str] = field(default_factory=list)  # ISO codes, most relevant first
    organisations: list[str] = field(default_factory=list)  # names
    year: str | None = None
    date: str | None = None  # ISO date, for sorting
    url: str | None = None
    dataset: str = LOCAL_SOURCE  # where it came from: "local" or an imported source's name


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str:
    value = graph.value(subject, predicate)
    return str(value) if value is not None else ""


def _names(graph: Graph, node: Node) -> list[str]:
    names = [str(o) for o in graph.objects(node, SCHEMA.name)]
    names += [str(o) for o in graph.objects(node, SCHEMA.alternateName)]
    return list(dict.fromkeys(names))


def _theme_id(iri: Node) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1]


def records_from_graph(
    graph: Graph,
    theme_labels: Mapping[str, Sequence[str]],
    dataset: str = LOCAL_SOURCE,
    canonical_names: Mapping[str, str] | None = None,
) -> list[IndexRecord]:
    """The document record and one record per practice, from one document's graph.

    ``dataset`` names an imported source (its records are keyed "{source}/{file}"
    so they never replace a local document of the same file name);
    ``canonical_names`` maps organisation IRIs reconciled with another source's
    to the canonical resource's name, so the facet shows one ICPA, not two.
    """
    documents = sorted(
        {s for s, o in graph.subject_objects(DCTERMS.source) if isinstance(o, Literal)}, key=str
    )
    # A document ingested here has a graph of its own; a dump in a single-graph
    # syntax (Turtle, JSON-LD, ...) puts all its documents in one.
    return [
        record
        for doc in documents
        for record in _document_records(graph, doc, theme_labels, dataset, canonical_names or {})
    ]


def _document_records(
    graph: Graph,
    doc: Node,
    theme_labels: Mapping[str, Sequence[str]],
    dataset: str,
    canonical_names: Mapping[str, str],
) -> list[IndexRecord]:
    source = _text(graph, doc, DCTERMS.source)
    if dataset != LOCAL_SOURCE:
        source = f"{dataset}/{source}"
    doc_iri = str(doc)
    content_hash = _text(graph, doc, PG.contentHash)
    date = _text(graph, doc, SCHEMA.datePublished) or None

    entity_names: list[str] = []
    organisations: list[str] = []
    countries: list[str] = []
    country_nodes: dict[str, Node] = {}
    event_years: list[str] = []
    for mentioned in graph.objects(doc, SCHEMA.mentions):
        types = set(graph.objects(mentioned, RDF.type))
        if PG.Practice in types:
            continue
        names = _names(graph, mentioned)
        entity_names += names
        if SCHEMA.Organization in types and names:
            organisations.append(canonical_names.get(str(mentioned), names[0]))
        if SCHEMA.Country in types:
            code = _text(graph, mentioned, SCHEMA.identifier)
            if code:
                countries.append(code)
                country_nodes.setdefault(code, mentioned)
                entity_names.append(code)
        if SCHEMA.Place in types:
            country = graph.value(mentioned, SCHEMA.containedInPlace)
            if country is not None:
                entity_names += _names(graph, country)
        if SCHEMA.Event in types:
            start = _text(graph, mentioned, SCHEMA.startDate)
            if start[:4].isdigit():
                event_years.append(start[:4])
    themes = sorted(_theme_id(t) for t in graph.objects(doc, SCHEMA.about))
    # Only the preferred label: the cue terms (altLabels) would let every word of a
    # theme's vocabulary match documents that never use it.
    theme_text = [labels[0] for t in themes if (labels := theme_labels.get(t))]
    year = (
        date[:4] if date else (Counter(event_years).most_common(1)[0][0] if event_years else None)
    )
    body = _text(graph, doc, PG.text)
    rank = _country_ranks(graph, doc, body, country_nodes)

    document = IndexRecord(
        id=doc_iri,
        kind="document",
        source=source,
        doc_iri=doc_iri,
        title=_text(graph, doc, SCHEMA.name),
        body=body,
        content_hash=content_hash,
        entities=" ; ".join(dict.fromkeys(entity_names + theme_text)),
        themes=themes,
        countries=sorted(set(countries), key=rank),
        organisations=sorted(set(organisations)),
        year=year,
        date=date or year,
        url=_text(graph, doc, SCHEMA.url) or None,
        dataset=dataset,
    )
    records = [document]
    for practice in graph.objects(doc, SCHEMA.mentions):
        if (practice, RDF.type, PG.Practice) not in graph:
            continue
        p_themes = sorted(_theme_id(t) for t in graph.objects(practice, SCHEMA.about))
        providers = [
            n for org in graph.objects(practice, SCHEMA.provider) for n in _names(graph, org)
        ]
        p_countries = sorted(
            _text(graph, c, SCHEMA.identifier)
            for c in graph.objects(practice, SCHEMA.spatialCoverage)
        )
        country_names = [
            n for c in graph.objects(practice, SCHEMA.spatialCoverage) for n in _names(graph, c)
        ]
        labels = [found[0] for t in p_themes if (found := theme_labels.get(t))]
        description = _text(graph, practice, SCHEMA.description)
        records.append(
            IndexRecord(
                id=str(practice),
                kind="practice",
                source=source,
                doc_iri=doc_iri,
                title=_text(graph, practice, SCHEMA.name),
                body=description,
                evidence=description,
                content_hash=content_hash,
                entities=" ; ".join(
                    dict.fromkeys(
                        providers + country_names + p_countries + labels + [document.title]
                    )
                ),
                themes=p_themes,
                countries=sorted({c for c in p_countries if c}, key=rank),
                organisations=sorted(
                    {
                        canonical_names.get(str(org), names[0])
                        for org in graph.objects(practice, SCHEMA.provider)
                        if (names := _names(graph, org))
                    }
                ),
                year=year,
                date=document.date,
                url=document.url,
                dataset=dataset,
            )
        )
    return records


def _country_ranks(
    graph: Graph, doc: Node, text: str, countries: Mapping[str, Node]
) -> Callable[[str], tuple[int, int, str]]:
    """A sort key putting the countries a document is most about first.

    A country counts as often as the document writes it, in any of the words
    its evidence annotations quote for it or for a place in it ("Latvian",
    "Riga") or by name; ties go to the country named first. So the Riga
    conference attended by five neighbours is about Latvia before Estonia.
    """
    first: dict[str, int] = {}
    forms: dict[str, set[str]] = {
        code: set(_names(graph, node)) for code, node in countries.items()
    }
    bodies: dict[Node, str] = {node: code for code, node in countries.items()}
    for code, node in countries.items():
        for place in graph.subjects(SCHEMA.containedInPlace, node):
            bodies.setdefault(place, code)
    for body, code in bodies.items():
        for annotation in graph.subjects(OA.hasBody, body):
            for target in graph.objects(annotation, OA.hasTarget):
                if graph.value(target, OA.hasSource) != doc:
                    continue
                for selector in graph.objects(target, OA.hasSelector):
                    exact, start = graph.value(selector, OA.exact), graph.value(selector, OA.start)
                    if exact is not None:
                        forms[code].add(str(exact))
                    if start is not None and str(start).isdigit():
                        first[code] = min(first.get(code, len(text)), int(str(start)))
    counts = {code: _occurrences(text, words) for code, words in forms.items()}
    for code, words in forms.items():
        if code not in first:
            found = [text.find(w) for w in words if w and w in text]
            first[code] = min(found, default=len(text))

    def key(code: str) -> tuple[int, int, str]:
        return (-counts.get(code, 0), first.get(code, len(text) + 1), code)

    return key


def _occurrences(text: str, words: set[str]) -> int:
    """How often ``text`` writes any of ``words`` as a whole word (longest first, no overlaps)."""
    usable = sorted((w for w in words if w.strip()), key=len, reverse=True)
    if not usable or not text:
        return 0
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in usable) + r")(?!\w)"
    return sum(1 for _ in re.finditer(pattern, text))
