"""The VoID + DCAT description of the dataset and its dumps: one builder, one dataset IRI.

``GET /.well-known/void`` describes the dataset as served (entities per class,
last change, the SPARQL endpoint, the four dumps), ``practicegraph export -o
FILE`` writes ``FILE.void.ttl`` about the one file it wrote (size, checksums).
Both are built here, about the same dataset IRI, ``{base_iri}dataset`` (an
exported source: ``{base_iri}dataset/source/NAME``): it is in the instance's
own IRI space, so it is the same whichever host serves the description.

A distribution carries two checksums when it is compressed: ``pg:sha256`` of
the file (what ``sha256sum -c FILE.sha256`` checks) and an ``spdx:checksum`` of
the uncompressed content, the canonical N-Quads any RDFC-1.0 implementation
reproduces (see exchange.canonical). Uncompressed, the two are the same.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

import pyoxigraph as ox

from practicegraph import formats, vocab
from practicegraph.exchange.export import ExportedFile
from practicegraph.vocab import PREFIXES

VOID = str(vocab.VOID)
DCAT = str(vocab.DCAT)
FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
DCTERMS = PREFIXES["dcterms"]
XSD = PREFIXES["xsd"]
PG = PREFIXES["pg"]
RDF_TYPE = PREFIXES["rdf"] + "type"
#: The prefixes a description is written with (besides the project's own).
VOID_PREFIXES = {"void": VOID, "dcat": DCAT, "foaf": FOAF, "spdx": SPDX}

#: Media type of each export format.
MEDIA_TYPES = {
    name: formats.media_type(formats.RDF_SYNTAXES[name])
    for name in ("nquads", "trig", "turtle", "nt", "jsonld")
}

_SYNTAX = {
    "nquads": ("N-Quads", True),
    "trig": ("TriG", True),
    "turtle": ("Turtle", False),
    "nt": ("N-Triples", False),
    "jsonld": ("JSON-LD", False),
}

DESCRIPTION = (
    "Good practices in corrections (prisons, probation, crime prevention) and the "
    "organisations, countries, places, events and themes they involve, extracted "
    "from documents, with the quoted evidence for each."
)


def dataset_iri(base_iri: str, source: str | None = None) -> str:
    """The dataset's IRI, or the IRI of one imported source's part of it."""
    return f"{base_iri}dataset" + (f"/source/{source}" if source else "")


@dataclass(frozen=True)
class Distribution:
    """One dump file: where it is (a URL, else only its file name) and what it holds."""

    name: str  # file name, e.g. practicegraph.nq.gz
    fmt: str  # export format (MEDIA_TYPES)
    title: str
    compressed: bool
    url: str | None = None  # absolute download URL
    byte_size: int | None = None
    sha256: str | None = None  # of the file
    content_sha256: str | None = None  # of the uncompressed content
    statements: int | None = None


@dataclass(frozen=True)
class Dataset:
    """The facts a description states; what is None (or empty) is left out."""

    base_iri: str
    licence: str
    triples: int
    source: str | None = None
    version: str | None = None
    modified: datetime | None = None
    derived_from: str | None = None  # an imported source's import activity
    entities: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # name -> class, count
    sparql_endpoint: str | None = None
    document: str | None = None  # the description's own URL (foaf:primaryTopic)
    distributions: Sequence[Distribution] = ()


def dump_title(fmt: str, compressed: bool) -> str:
    """What a dump in ``fmt`` holds, e.g. "N-Quads, gzip-compressed: every named graph"."""
    syntax, graphs = _SYNTAX[fmt]
    zipped = ", gzip-compressed" if compressed else ""
    return f"{syntax}{zipped}: " + ("every named graph" if graphs else "the union of all graphs")


def file_distribution(exported: ExportedFile, url: str | None = None) -> Distribution:
    """The distribution an exported file is: its name, format, size and checksums."""
    return Distribution(
        name=exported.path.name,
        fmt=exported.fmt,
        title=dump_title(exported.fmt, exported.compressed),
        compressed=exported.compressed,
        url=url,
        byte_size=exported.size,
        sha256=exported.sha256,
        content_sha256=exported.content.sha256,
        statements=exported.statements,
    )


def void_triples(dataset: Dataset) -> list[ox.Triple]:
    """The VoID + DCAT description of ``dataset``, in a stable order."""
    iri = dataset_iri(dataset.base_iri, dataset.source)
    node = ox.NamedNode(iri)
    licence = ox.NamedNode(dataset.licence)
    triples: list[ox.Triple] = []
    add = functools.partial(_add, triples)

    if dataset.document is not None:
        doc = ox.NamedNode(dataset.document)
        add(doc, RDF_TYPE, VOID + "DatasetDescription")
        add(doc, DCTERMS + "title", _en("VoID description of PracticeGraph"))
        add(doc, FOAF + "primaryTopic", node)

    add(node, RDF_TYPE, VOID + "Dataset")
    add(node, RDF_TYPE, DCAT + "Dataset")
    title = f"PracticeGraph: source {dataset.source}" if dataset.source else "PracticeGraph"
    add(node, DCTERMS + "title", _en(title))
    add(node, DCTERMS + "description", _en(DESCRIPTION))
    add(node, DCTERMS + "license", licence)
    if dataset.version is not None:
        add(node, PREFIXES["owl"] + "versionInfo", ox.Literal(dataset.version))
    if dataset.modified is not None:
        add(node, DCTERMS + "modified", _typed(dataset.modified.isoformat(), "dateTime"))
    add(node, VOID + "triples", _typed(dataset.triples, "integer"))
    add(node, VOID + "uriSpace", ox.Literal(dataset.base_iri))
    for prefix in ("schema", "skos", "dcterms", "oa", "prov", "pg"):
        add(node, VOID + "vocabulary", PREFIXES[prefix])
    if dataset.derived_from is not None:
        add(node, PREFIXES["prov"] + "wasDerivedFrom", dataset.derived_from)

    for name, (cls, count) in dataset.entities.items():
        partition = _part(iri, f"class-{quote(name)}")
        add(node, VOID + "classPartition", partition)
        add(partition, VOID + "class", cls)
        add(partition, VOID + "entities", _typed(count, "integer"))

    for dump in dataset.distributions:
        triples += _distribution(node, dump, licence)

    if dataset.sparql_endpoint is not None:
        service = _part(iri, "sparql-service")
        add(node, VOID + "sparqlEndpoint", dataset.sparql_endpoint)
        add(node, DCAT + "accessService", service)
        add(service, RDF_TYPE, DCAT + "DataService")
        add(service, DCTERMS + "title", _en("PracticeGraph SPARQL endpoint"))
        add(service, DCAT + "endpointURL", dataset.sparql_endpoint)
        add(service, DCAT + "endpointDescription", dataset.sparql_endpoint)
        add(service, DCTERMS + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
        add(service, DCAT + "servesDataset", node)
    return triples


def void_turtle(triples: Sequence[ox.Triple]) -> bytes:
    """A description as Turtle, the same bytes for the same triples."""
    return (
        ox.serialize(
            sorted(triples, key=str),
            format=ox.RdfFormat.TURTLE,
            prefixes=dict(PREFIXES) | VOID_PREFIXES,
        )
        or b""
    )


def _distribution(
    dataset: ox.NamedNode, dump: Distribution, licence: ox.NamedNode
) -> list[ox.Triple]:
    node = _part(dataset.value, f"dump-{quote(dump.name)}")
    triples: list[ox.Triple] = []
    add = functools.partial(_add, triples)

    add(dataset, DCAT + "distribution", node)
    add(node, RDF_TYPE, DCAT + "Distribution")
    add(node, DCTERMS + "title", _en(dump.title))
    add(node, PG + "fileName", ox.Literal(dump.name))
    if dump.url is not None:
        add(dataset, VOID + "dataDump", dump.url)
        add(node, DCAT + "downloadURL", dump.url)
        add(node, DCAT + "accessURL", dump.url)
    add(node, DCAT + "mediaType", IANA + MEDIA_TYPES[dump.fmt])
    if dump.compressed:
        add(node, DCAT + "compressFormat", IANA + formats.GZIP)
    add(node, DCTERMS + "license", licence)
    if dump.byte_size is not None:
        add(node, DCAT + "byteSize", _typed(dump.byte_size, "nonNegativeInteger"))
    if dump.statements is not None:
        add(node, VOID + "triples", _typed(dump.statements, "integer"))
    if dump.sha256 is not None:
        add(node, PG + "sha256", ox.Literal(dump.sha256))
    if dump.content_sha256 is not None:
        checksum = ox.NamedNode(f"{node.value}-content-sha256")
        add(node, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, SPDX + "Checksum")
        add(checksum, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        add(checksum, SPDX + "checksumValue", _typed(dump.content_sha256, "hexBinary"))
        add(
            checksum,
            PREFIXES["rdfs"] + "comment",
            _en(
                "SHA-256 of the uncompressed content"
                + (
                    ": RDFC-1.0 canonical N-Quads, reproducible by any implementation"
                    if dump.fmt in ("nquads", "nt")
                    else ""
                )
            ),
        )
    return triples


def _part(iri: str, local: str) -> ox.NamedNode:
    """A node of the description named after ``iri`` (a fragment, unless ``iri`` has
    one already: a base IRI may end in #)."""
    return ox.NamedNode(f"{iri}{'-' if '#' in iri else '#'}{local}")


def _add(
    triples: list[ox.Triple], s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal | str
) -> None:
    """Append (s, p, o); a str object is an IRI."""
    triples.append(ox.Triple(s, ox.NamedNode(p), ox.NamedNode(o) if isinstance(o, str) else o))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _typed(value: str | int, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


__all__ = [
    "MEDIA_TYPES",
    "VOID_PREFIXES",
    "Dataset",
    "Distribution",
    "dataset_iri",
    "dump_title",
    "file_distribution",
    "void_triples",
    "void_turtle",
]
