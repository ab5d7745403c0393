"""The HTML face of a linked-data IRI: picks the page for the resource's kind.

``api.resources`` negotiates and caches; when a browser asks, it hands the
IRI and its description here. Practices, documents, organisations,
countries, places, events and themes get their own pages, and so does the
theme scheme (the themes page); anything else (a named graph, an ingest run,
the ontology) the generic one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from practicegraph.formats import media_type
from practicegraph.graph.store import GraphStore
from practicegraph.vocab import THEME_SCHEME
from practicegraph.web.document_page import document_view
from practicegraph.web.entity_page import KIND_LABELS, entity_view
from practicegraph.web.generic_page import generic_view
from practicegraph.web.paths import LinkedDataPaths
from practicegraph.web.practice_page import practice_view
from practicegraph.web.rendering import render
from practicegraph.web.themes_page import themes_view

#: (name, ?format= value, media type) of the RDF representations a page links to.
FORMAT_LINKS = tuple(
    (fmt.name, key, media_type(fmt))
    for key, fmt in (
        ("ttl", ox.RdfFormat.TURTLE),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("rdf", ox.RdfFormat.RDF_XML),
    )
)


@dataclass(frozen=True)
class Format:
    name: str
    media: str
    href: str


def formats(paths: LinkedDataPaths, iri: str) -> list[Format]:
    local = (paths.local(iri) or "").split("#")[0]
    if not local:
        return []
    return [Format(name, media, f"{local}?format={key}") for name, key, media in FORMAT_LINKS]


def resource_html(
    store: GraphStore,
    paths: LinkedDataPaths,
    iri: str,
    triples: Sequence[ox.Triple],
    *,
    incoming_truncated: bool = False,
    evidence_truncated: bool = False,
) -> str:
    """The page for ``iri``; ``triples`` is its description, for the generic page."""
    kind = paths.kind_of(iri)
    common = {"iri": iri, "formats": formats(paths, iri)}
    if kind == "practice":
        return render("practice.html", view=practice_view(store, paths, iri), **common)
    if kind == "document":
        return render("document.html", view=document_view(store, paths, iri), **common)
    if iri == str(THEME_SCHEME):
        return render("themes.html", view=themes_view(store, paths), page="themes", **common)
    if kind in KIND_LABELS:
        return render("entity.html", view=entity_view(store, paths, iri, kind), **common)
    view = generic_view(
        store,
        paths,
        iri,
        triples,
        incoming_truncated=incoming_truncated,
        evidence_truncated=evidence_truncated,
    )
    return render("resource.html", view=view, **common)


def not_found_html(iri: str) -> str:
    """The page a browser gets for an IRI the graph does not hold."""
    return render("not_found.html", iri=iri, formats=[])


__all__ = ["FORMAT_LINKS", "formats", "not_found_html", "resource_html"]
