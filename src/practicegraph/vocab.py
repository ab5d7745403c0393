"""The RDF vocabularies the graph is written in (see CONTRACT.md).

Standard vocabularies come from rdflib's own namespaces; the project's terms
are a ``DefinedNamespace`` so that a misspelt term fails at import time
instead of silently minting a new IRI.
"""

from __future__ import annotations

from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from practicegraph.sparql_terms import iri

SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
THEMES = Namespace("https://w3id.org/practicegraph/themes/")
THEME_SCHEME = URIRef("https://w3id.org/practicegraph/themes")


class PG(DefinedNamespace):
    """The project's own terms (ontology/practicegraph.ttl)."""

    _NS = Namespace("https://w3id.org/practicegraph/ontology#")
    _fail = True

    Practice: URIRef  # a method, programme, tool or arrangement worth sharing
    IngestRun: URIRef  # one run of the ingest pipeline (a prov:Activity)
    contentHash: URIRef  # sha256 of the stored text, to skip unchanged files
    mediaType: URIRef  # the media type the document was read as
    wordCount: URIRef  # words in the stored text
    modelName: URIRef  # spaCy pipeline used by an ingest run
    modelVersion: URIRef
    softwareVersion: URIRef
    text: URIRef  # the document's text as stored: the offsets' reference
    confidence: URIRef  # extractor's confidence in a practice
    Source: URIRef  # an organisation whose dumps are imported (a prov:Agent)
    Import: URIRef  # one import of a dump (a prov:Activity)
    currentImport: URIRef  # the import of a source in force
    replaces: URIRef  # the import in force before this one (what rollback restores)
    originalGraph: URIRef  # a graph's name in the imported dump
    originalBlankNode: URIRef  # the label of the blank node that named it there
    fileName: URIRef  # the dump file's base name
    sha256: URIRef  # checksum of the dump file
    importStatus: URIRef  # "current" | "superseded" | "quarantined"


PREFIXES: dict[str, str] = {
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "oa": str(OA),
    "prov": str(PROV),
    "pg": str(PG._NS),
    "themes": str(THEMES),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "void": str(VOID),
    "dcat": str(DCAT),
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for queries written in code."""
    return "".join(f"PREFIX {p}: {iri(ns)}\n" for p, ns in PREFIXES.items())


__all__ = [
    "DCAT",
    "DCTERMS",
    "OA",
    "OWL",
    "PG",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SH",
    "SKOS",
    "THEMES",
    "THEME_SCHEME",
    "VOID",
    "XSD",
    "sparql_prefixes",
]
