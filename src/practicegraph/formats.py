"""The project's names for RDF syntaxes and SPARQL results formats, and their media types.

pyoxigraph's :class:`~pyoxigraph.RdfFormat` and :class:`~pyoxigraph.QueryResultsFormat`
are the table of syntaxes (media type, file extension, parser, serialiser). This
module adds only what pyoxigraph does not know: the short names the CLI,
the exports and ``format=`` accept; the aliases clients send for those syntaxes
(``application/x-turtle``, ``text/plain`` for N-Triples, plain JSON or XML for
SPARQL results); the media types of the SPARQL protocol's request bodies and of
HTML; and the Content-Type an answer carries. Every other module takes its media
types from here or from ``fmt.media_type``; tests/test_formats.py fails when an
RDF or SPARQL media type is spelled anywhere else (content negotiation in
:mod:`practicegraph.api.conneg` included: it reads its ``?format=`` names here),
apart from the few modules that test lists as not yet converted.

Two spellings of RDF/XML remain, each where it cannot be ambiguous: ``xml`` in
the CLI's and the store's syntax names (:data:`RDF_SYNTAXES`, which have no
results format called ``xml``), ``rdfxml`` in the SPARQL protocol's ``format=``
(:data:`GRAPH_SYNTAXES`), where ``xml`` is SPARQL results in XML.
"""

from __future__ import annotations

import pyoxigraph as ox

RdfFormat = ox.RdfFormat
QueryResultsFormat = ox.QueryResultsFormat

#: RDF syntaxes by the names the CLI, the store and the exports use.
RDF_SYNTAXES: dict[str, ox.RdfFormat] = {
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "turtle": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "xml": RdfFormat.RDF_XML,
}
#: The syntaxes of :data:`RDF_SYNTAXES` that carry named graphs.
DATASET_SYNTAXES = frozenset({"nquads", "trig"})
#: SPARQL results formats (SELECT, ASK) by name.
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
#: RDF syntaxes of a query's graph (CONSTRUCT, DESCRIBE) by their SPARQL protocol names.
GRAPH_SYNTAXES: dict[str, ox.RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}


def media_type(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """``fmt``'s media type without parameters (``text/csv``, not ``text/csv; charset=utf-8``)."""
    return fmt.media_type.partition(";")[0].strip()


#: Graph syntaxes whose answers say ``charset=utf-8`` (the others are UTF-8 by definition).
_CHARSET = frozenset({RdfFormat.TURTLE, RdfFormat.N_TRIPLES})


def content_type(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The Content-Type of a SPARQL answer in ``fmt`` (a charset for the text syntaxes)."""
    if isinstance(fmt, ox.RdfFormat) and fmt in _CHARSET:
        return f"{fmt.media_type}; charset=utf-8"
    return fmt.media_type


# -- media types pyoxigraph has no format for -------------------------------------------
HTML = "text/html"
JSON = "application/json"
GZIP = "application/gzip"
FORM = "application/x-www-form-urlencoded"
MULTIPART_FORM = "multipart/form-data"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

#: What a client may ask SPARQL results in (Accept), to :data:`RESULTS_FORMATS`
#: names; plain JSON and XML are accepted as aliases.
RESULTS_MEDIA: dict[str, str] = {
    media_type(QueryResultsFormat.JSON): "json",
    JSON: "json",
    media_type(QueryResultsFormat.XML): "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    media_type(QueryResultsFormat.CSV): "csv",
    media_type(QueryResultsFormat.TSV): "tsv",
}
#: What a client may ask a graph in (Accept) or send one as (Content-Type), to
#: :data:`GRAPH_SYNTAXES` names; ``application/x-turtle`` and ``text/plain`` (the
#: old N-Triples type) are aliases.
GRAPH_MEDIA: dict[str, str] = {
    media_type(RdfFormat.TURTLE): "turtle",
    "application/x-turtle": "turtle",
    media_type(RdfFormat.N_TRIPLES): "nt",
    "text/plain": "nt",
    media_type(RdfFormat.JSON_LD): "jsonld",
    media_type(RdfFormat.RDF_XML): "rdfxml",
}

#: Short names accepted by ``?format=`` on the linked-data routes (for browsers
#: and links), to media types; content negotiation (api.conneg) reads them here.
FORMAT_NAMES: dict[str, str] = {
    "html": HTML,
    "ttl": media_type(RdfFormat.TURTLE),
    "turtle": media_type(RdfFormat.TURTLE),
    "jsonld": media_type(RdfFormat.JSON_LD),
    "json-ld": media_type(RdfFormat.JSON_LD),
    "nt": media_type(RdfFormat.N_TRIPLES),
    "ntriples": media_type(RdfFormat.N_TRIPLES),
    "n-triples": media_type(RdfFormat.N_TRIPLES),
    "rdf": media_type(RdfFormat.RDF_XML),
    "rdfxml": media_type(RdfFormat.RDF_XML),
    "xml": media_type(RdfFormat.RDF_XML),
    "nq": media_type(RdfFormat.N_QUADS),
    "nquads": media_type(RdfFormat.N_QUADS),
    "trig": media_type(RdfFormat.TRIG),
    "json": JSON,
    "csv": media_type(QueryResultsFormat.CSV),
    "tsv": media_type(QueryResultsFormat.TSV),
}

__all__ = [
    "DATASET_SYNTAXES",
    "FORM",
    "FORMAT_NAMES",
    "GRAPH_MEDIA",
    "GRAPH_SYNTAXES",
    "GZIP",
    "HTML",
    "JSON",
    "MULTIPART_FORM",
    "RDF_SYNTAXES",
    "RESULTS_FORMATS",
    "RESULTS_MEDIA",
    "SPARQL_QUERY",
    "SPARQL_UPDATE",
    "QueryResultsFormat",
    "RdfFormat",
    "content_type",
    "media_type",
]
