"""How IRIs are minted: one rule per kind, stable across runs and machines.

Every IRI starts with the ``base_iri`` setting (default
``https://w3id.org/practicegraph/id/``):

=============  ==============================================================
document       ``{base}document/{file key}``
named graph    ``{base}graph/{file key}`` (one per document)
organisation   ``{base}organisation/{gazetteer key, or slug of the fullest name}``
country        ``{base}country/{ISO 3166-1 alpha-2}``
place          ``{base}place/{geonames-ID | iso-SUBDIVISION | place-slug-cc}``
event          ``{base}event/{slug of the name}-{year}``
practice       ``{base}practice/{file key}-{sha1 of the evidence, 10 hex}``
annotation     ``{document IRI}#annotation-{n}``
ingest run     ``{base}run/{UTC timestamp}``
source         ``{base}source/{name}`` (an organisation whose dumps are imported)
import         ``{base}source/{name}/import/{UTC timestamp}``
source data    ``{base}source/{name}/data/`` (the default base of the source's dumps:
               their relative IRIs resolve under it)
skolem IRI     ``{base}source/{name}/genid/{blank node label}`` (a blank node that
               names a graph of the source's dump; see exchange.import_names)
import graph   ``{base}graph/_source/{name}/{UTC timestamp}/{n}`` (one per graph
               of the dump: imported data never lands in a graph of ours)
=============  ==============================================================

The *file key* is the file's base name itself (``000_111072d56bab84e1.txt``)
when it is made only of ASCII letters, digits, ``.``, ``_`` and ``-`` and starts
with a letter or digit; any other name becomes ``{slug}~{sha1 of the name, 10
hex}``. The rule is one-to-one: ``report.txt`` and ``report.md``, or ``A.txt``
and ``a.txt``, are two documents, and no file name can mint the reserved
graphs ``graph/_provenance`` and ``graph/_ontology``.

Themes keep the scheme's own IRIs (``https://w3id.org/practicegraph/themes/{id}``).
The same organisation, country, place or event in two documents is therefore
one resource; a document's identity is its file name, so ingesting a changed
file of the same name replaces the earlier version.
"""

from __future__ import annotations

import hashlib
import re

from rdflib import URIRef

from practicegraph.text import slug
from practicegraph.vocab import THEMES

_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")


def file_key(source_name: str) -> str:
    """The path segment naming a document: one-to-one with its file name (see above)."""
    if _PLAIN_NAME.fullmatch(source_name):
        return source_name
    digest = hashlib.sha1(source_name.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
    return f"{slug(source_name)[:60]}~{digest}"


class IriMinter:
    def __init__(self, base_iri: str) -> None:
        self.base = base_iri

    def _iri(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(parts))

    def document(self, source_name: str) -> URIRef:
        return self._iri("document", file_key(source_name))

    def document_graph(self, source_name: str) -> URIRef:
        return self._iri("graph", file_key(source_name))

    def organisation(self, key: str) -> URIRef:
        return self._iri("organisation", key)

    def country(self, code: str) -> URIRef:
        return self._iri("country", code.upper())

    def place(self, key: str) -> URIRef:
        return self._iri("place", key)

    def event(self, key: str) -> URIRef:
        return self._iri("event", key)

    def practice(self, source_name: str, evidence: str) -> URIRef:
        digest = hashlib.sha1(evidence.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
        return self._iri("practice", f"{file_key(source_name)}-{digest}")

    def run(self, timestamp: str) -> URIRef:
        return self._iri("run", timestamp)

    def source(self, name: str) -> URIRef:
        return self._iri("source", name)

    def source_import(self, name: str, stamp: str) -> URIRef:
        return self._iri("source", name, "import", stamp)

    def source_data(self, name: str) -> str:
        return str(self._iri("source", name, "data")) + "/"

    def source_genid(self, name: str, label: str) -> str:
        return str(self._iri("source", name, "genid", label))

    def import_graph(self, name: str, stamp: str, number: int) -> URIRef:
        return self._iri("graph", "_source", name, stamp, str(number))

    def import_graph_prefix(self, name: str | None = None, stamp: str | None = None) -> str:
        parts = ["graph", "_source"] + [p for p in (name, stamp) if p is not None]
        return str(self._iri(*parts)) + "/"

    @property
    def sources_graph(self) -> URIRef:
        """The sources, their imports and each imported graph's provenance."""
        return self._iri("graph", "_sources")

    @property
    def links_graph(self) -> URIRef:
        """owl:sameAs links between sources (rebuilt by reconciliation)."""
        return self._iri("graph", "_links")

    @property
    def provenance_graph(self) -> URIRef:
        return self._iri("graph", "_provenance")

    @property
    def ontology_graph(self) -> URIRef:
        return self._iri("graph", "_ontology")

    @staticmethod
    def theme(theme_id: str) -> URIRef:
        return THEMES[theme_id]
