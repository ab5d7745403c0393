"""Turns one document's extraction into its named graph, in the shape of CONTRACT.md.

Everything a document asserts lives in that document's graph: the document
itself, the entities as this document names them, and the evidence
annotations. Replacing or removing a document is therefore dropping one
graph, and an entity named by two documents keeps the other's statements.
"""

from __future__ import annotations

import datetime
import re
from typing import Protocol
from urllib.parse import quote

import pycountry
from rdflib import Graph, Literal, URIRef

from practicegraph.graph.iris import IriMinter
from practicegraph.models import Extraction, TextSpan
from practicegraph.vocab import DCTERMS, OA, OWL, PG, PROV, RDF, SCHEMA, XSD


class DocumentRecord(Protocol):
    """What the graph needs to know of a read document (ingest's SourceDocument fits)."""

    @property
    def source_name(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def media_type(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...


_ISO_DATE = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?")
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


def date_literal(iso: str) -> Literal | None:
    """xsd:date, xsd:gYearMonth or xsd:gYear, as precise as the text; None if not ISO 8601.

    Why None rather than a plain string: the contract promises one of those
    three datatypes, so a date that is not one is better left out.
    """
    match = _ISO_DATE.fullmatch(iso)
    if match is None:
        return None
    year, month, day = int(match["y"]), match["m"], match["d"]
    try:
        if day is not None:
            datetime.date(year, int(month), int(day))
            return Literal(iso, datatype=XSD.date)
        if month is not None:
            datetime.date(year, int(month), 1)
            return Literal(iso, datatype=XSD.gYearMonth)
    except ValueError:
        return None
    return Literal(iso, datatype=XSD.gYear)


def web_address(url: str) -> URIRef:
    """An IRI for a stated web address; characters an IRI cannot hold are %-encoded.

    Why: a page's canonical link may contain a space or quote, and such an IRI
    would make the whole document's insert fail to parse.
    """
    return URIRef(_IRI_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url))


def country_name(code: str) -> str:
    """English short name of an ISO 3166-1 alpha-2 code (the extractor's own rule).

    Why here: an organisation, place or practice may point to a country that
    the document never names, and CONTRACT.md requires every country's name.
    """
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


class GraphBuilder:
    def __init__(self, minter: IriMinter) -> None:
        self.iris = minter

    def build(self, record: DocumentRecord, extraction: Extraction, run: URIRef) -> Graph:
        g = Graph()
        doc = self.iris.document(record.source_name)
        graph_iri = self.iris.document_graph(record.source_name)
        g.add((doc, RDF.type, SCHEMA.CreativeWork))
        g.add((doc, RDF.type, SCHEMA.Article))
        g.add((doc, SCHEMA.name, Literal(record.title or record.source_name)))
        g.add((doc, DCTERMS.source, Literal(record.source_name)))
        g.add((doc, PG.contentHash, Literal(record.content_hash)))
        g.add((doc, PG.mediaType, Literal(record.media_type)))
        g.add((doc, SCHEMA.encodingFormat, Literal(record.media_type)))
        g.add((doc, PG.wordCount, Literal(len(record.text.split()))))
        g.add((doc, PG.text, Literal(record.text)))
        if record.url:
            g.add((doc, SCHEMA.url, web_address(record.url)))
        published = date_literal(record.date) if record.date else None
        if published is not None:
            g.add((doc, SCHEMA.datePublished, published))
        if record.language:
            g.add((doc, SCHEMA.inLanguage, Literal(record.language)))
        g.add((graph_iri, PROV.wasGeneratedBy, run))
        g.add((graph_iri, PROV.wasDerivedFrom, doc))

        annotations = _Annotations(g, doc, record.text)
        org_iris = {}
        for org in extraction.organisations:
            iri = org_iris[org.key] = self.iris.organisation(org.key)
            g.add((doc, SCHEMA.mentions, iri))
            g.add((iri, RDF.type, SCHEMA.Organization))
            g.add((iri, SCHEMA.name, Literal(org.name)))
            for alias in sorted(org.aliases):
                g.add((iri, SCHEMA.alternateName, Literal(alias)))
            if org.country:
                g.add((iri, SCHEMA.location, self._country(g, org.country, None)))
            annotations.add(iri, org.spans[:1])
        for country in extraction.countries:
            iri = self._country(g, country.code, country.name, country.geonameid)
            g.add((doc, SCHEMA.mentions, iri))
            annotations.add(iri, country.spans[:1])
        place_iris = {}
        for place in extraction.places:
            iri = place_iris[place.key] = self.iris.place(place.key)
            g.add((doc, SCHEMA.mentions, iri))
            g.add((iri, RDF.type, SCHEMA.Place))
            g.add((iri, SCHEMA.name, Literal(place.name)))
            if place.canonical_name != place.name:
                g.add((iri, SCHEMA.alternateName, Literal(place.canonical_name)))
            if place.geonameid:
                g.add((iri, OWL.sameAs, URIRef(f"https://sws.geonames.org/{place.geonameid}/")))
            if place.country:
                g.add((iri, SCHEMA.containedInPlace, self._country(g, place.country, None)))
            annotations.add(iri, place.spans[:1])
        for event in extraction.events:
            start = date_literal(event.start_date) if event.start_date else None
            if start is None:  # CONTRACT.md: an event has a start date
                continue
            iri = self.iris.event(event.key)
            g.add((doc, SCHEMA.mentions, iri))
            g.add((iri, RDF.type, SCHEMA.Event))
            g.add((iri, SCHEMA.name, Literal(event.name)))
            g.add((iri, SCHEMA.startDate, start))
            end = date_literal(event.end_date) if event.end_date else None
            if end is not None:
                g.add((iri, SCHEMA.endDate, end))
            if event.place_key and event.place_key in place_iris:
                g.add((iri, SCHEMA.location, place_iris[event.place_key]))
            elif event.country:
                g.add((iri, SCHEMA.location, self._country(g, event.country, None)))
            for organiser in event.organisers:
                if organiser in org_iris:
                    g.add((iri, SCHEMA.organizer, org_iris[organiser]))
            annotations.add(iri, event.spans[:1])
        for theme in extraction.themes:
            iri = self.iris.theme(theme.theme_id)
            g.add((doc, SCHEMA.about, iri))
            annotations.add(iri, theme.spans[:1])
        for practice in extraction.practices:
            iri = self.iris.practice(record.source_name, practice.evidence.text)
            g.add((doc, SCHEMA.mentions, iri))
            g.add((iri, RDF.type, PG.Practice))
            g.add((iri, SCHEMA.name, Literal(practice.label)))
            g.add((iri, SCHEMA.description, Literal(practice.description)))
            confidence = min(max(practice.confidence, 0.0), 1.0)
            g.add((iri, PG.confidence, Literal(f"{confidence:.3f}", datatype=XSD.decimal)))
            g.add((iri, SCHEMA.subjectOf, doc))
            for theme_id in practice.themes:
                g.add((iri, SCHEMA.about, self.iris.theme(theme_id)))
            for provider in practice.providers:
                if provider in org_iris:
                    g.add((iri, SCHEMA.provider, org_iris[provider]))
            for code in practice.countries:
                g.add((iri, SCHEMA.spatialCoverage, self._country(g, code, None)))
            annotations.add(iri, [practice.evidence])
        return g

    def _country(
        self, g: Graph, code: str, name: str | None, geonameid: int | None = None
    ) -> URIRef:
        code = code.upper()
        iri = self.iris.country(code)
        g.add((iri, RDF.type, SCHEMA.Country))
        g.add((iri, SCHEMA.identifier, Literal(code)))
        # Each document graph names the countries it points to, so that the
        # country keeps its name when the document that spelled it out is removed.
        g.add((iri, SCHEMA.name, Literal(name or country_name(code))))
        if geonameid:
            g.add((iri, OWL.sameAs, URIRef(f"https://sws.geonames.org/{geonameid}/")))
        return iri


class _Annotations:
    """Web Annotation evidence: which words of the document an entity came from."""

    def __init__(self, g: Graph, doc: URIRef, text: str) -> None:
        self.g = g
        self.doc = doc
        #: the document's own text: quotes are taken from it, line breaks and all,
        #: where the extractors read a wrapped line as one (nlp.linebreaks)
        self.text = text
        self.count = 0

    def add(self, body: URIRef, spans: list[TextSpan]) -> None:
        for span in spans:
            self.count += 1
            ann = URIRef(f"{self.doc}#annotation-{self.count}")
            target = URIRef(f"{self.doc}#target-{self.count}")
            quote = URIRef(f"{self.doc}#quote-{self.count}")
            position = URIRef(f"{self.doc}#position-{self.count}")
            g = self.g
            g.add((ann, RDF.type, OA.Annotation))
            g.add((ann, OA.motivatedBy, OA.identifying if body != self.doc else OA.describing))
            g.add((ann, OA.hasBody, body))
            g.add((ann, OA.hasTarget, target))
            g.add((target, RDF.type, OA.SpecificResource))
            g.add((target, OA.hasSource, self.doc))
            g.add((target, OA.hasSelector, quote))
            g.add((target, OA.hasSelector, position))
            g.add((quote, RDF.type, OA.TextQuoteSelector))
            exact = self.text[span.start : span.end] if span.end <= len(self.text) else span.text
            g.add((quote, OA.exact, Literal(exact)))
            g.add((position, RDF.type, OA.TextPositionSelector))
            g.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
            g.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))


__all__ = ["DocumentRecord", "GraphBuilder", "country_name", "date_literal", "web_address"]
