"""The ontology data files: they parse, say what CONTRACT.md needs, and are consistent."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pycountry
import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"
PG = "https://w3id.org/practicegraph/ontology#"
THEME_NS = "https://w3id.org/practicegraph/themes/"
SCHEME = URIRef("https://w3id.org/practicegraph/themes")

# The stable theme ids of THEMES.md (not shipped with the project).
THEME_IDS = [
    "radicalisation",
    "leadership",
    "staff-training",
    "career-development",
    "recruitment-retention",
    "rehabilitation",
    "probation",
    "crime-prevention",
    "policing",
    "partnership",
    "knowledge-exchange",
    "evaluation",
    "research",
    "digital-technology",
    "human-rights-standards",
    "prison-population",
    "resources-funding",
    "restorative-justice",
    "prison-infrastructure",
    "policy-legislation",
    "offender-education-work",
    "health",
    "specific-groups",
    "security-violence",
]

PG_CLASSES = ["Practice", "IngestRun"]
PG_DATATYPE_PROPERTIES = [
    "contentHash",
    "mediaType",
    "wordCount",
    "modelName",
    "modelVersion",
    "softwareVersion",
    "text",
    "confidence",
]

ORG_KINDS = {"network", "international", "eu", "un", "coe", "national", "ngo", "union", "academic"}

PREFIXES = """
@prefix schema:  <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
@prefix ex:      <https://example.org/> .
"""


def _parse(name: str) -> Graph:
    return Graph().parse(ONTOLOGY / name, format="turtle")


def _tsv(name: str) -> list[dict[str, str]]:
    with (ONTOLOGY / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse("practicegraph.ttl")


@pytest.fixture(scope="module")
def themes() -> Graph:
    return _parse("themes.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _parse("shapes.ttl")


# ------------------------------------------------------------------ ontology


def test_ontology_header(ontology: Graph) -> None:
    heads = list(ontology.subjects(RDF.type, OWL.Ontology))
    assert len(heads) == 1
    assert ontology.value(heads[0], OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(heads[0], URIRef("http://purl.org/dc/terms/title")) is not None
    assert ontology.value(heads[0], RDFS.comment) is not None


@pytest.mark.parametrize("name", PG_CLASSES)
def test_class_declared(ontology: Graph, name: str) -> None:
    term = URIRef(PG + name)
    assert (term, RDF.type, OWL.Class) in ontology
    assert ontology.value(term, RDFS.label) is not None
    assert ontology.value(term, RDFS.comment) is not None


@pytest.mark.parametrize("name", PG_DATATYPE_PROPERTIES)
def test_datatype_property_declared(ontology: Graph, name: str) -> None:
    term = URIRef(PG + name)
    assert (term, RDF.type, OWL.DatatypeProperty) in ontology
    assert ontology.value(term, RDFS.label) is not None
    assert ontology.value(term, RDFS.comment) is not None
    assert ontology.value(term, RDFS.range) is not None


def test_class_alignment(ontology: Graph) -> None:
    prov = "http://www.w3.org/ns/prov#"
    assert (URIRef(PG + "IngestRun"), RDFS.subClassOf, URIRef(prov + "Activity")) in ontology
    assert (URIRef(PG + "Practice"), RDFS.subClassOf, URIRef(prov + "Entity")) in ontology


def test_every_pg_term_has_a_label(ontology: Graph) -> None:
    used = {t for t in ontology.all_nodes() if isinstance(t, URIRef) and str(t).startswith(PG)}
    assert used, "no pg: terms found"
    assert all(ontology.value(t, RDFS.label) is not None for t in used)


# -------------------------------------------------------------------- themes


def test_theme_ids(themes: Graph) -> None:
    concepts = set(themes.subjects(RDF.type, SKOS.Concept))
    notations = sorted(str(themes.value(c, SKOS.notation)) for c in concepts)
    assert notations == sorted(THEME_IDS)
    for c in concepts:
        assert str(c) == THEME_NS + str(themes.value(c, SKOS.notation))


@pytest.mark.parametrize("theme_id", THEME_IDS)
def test_theme_concept(themes: Graph, theme_id: str) -> None:
    c = URIRef(THEME_NS + theme_id)
    assert (c, SKOS.inScheme, SCHEME) in themes
    assert (c, SKOS.topConceptOf, SCHEME) in themes
    assert (SCHEME, SKOS.hasTopConcept, c) in themes
    notation = themes.value(c, SKOS.notation)
    assert isinstance(notation, Literal)
    assert notation.datatype is None
    assert notation.language is None
    pref = list(themes.objects(c, SKOS.prefLabel))
    assert len(pref) == 1
    assert isinstance(pref[0], Literal) and pref[0].language == "en"
    scope = themes.value(c, SKOS.scopeNote)
    assert isinstance(scope, Literal)
    assert scope.language == "en"
    alts = list(themes.objects(c, SKOS.altLabel))
    assert len(alts) >= 5
    assert all(isinstance(a, Literal) and a.language == "en" and str(a).strip() for a in alts)
    assert pref[0] not in alts  # SKOS: prefLabel and altLabel are disjoint


def test_theme_spelling_variants(themes: Graph) -> None:
    def alts(theme_id: str) -> set[str]:
        return {str(a) for a in themes.objects(URIRef(THEME_NS + theme_id), SKOS.altLabel)}

    assert {"radicalisation", "radicalization"} <= alts("radicalisation")
    assert {"reentry", "re-entry", "resettlement", "desistance"} <= alts("rehabilitation")
    assert {"electronic monitoring", "house arrest"} <= alts("probation")
    assert {"in-service training", "train the trainer"} <= alts("staff-training")
    assert {"organised crime", "organized crime"} <= alts("security-violence")


def test_theme_scheme(themes: Graph) -> None:
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in themes
    assert themes.value(SCHEME, SKOS.prefLabel) is not None
    assert themes.value(SCHEME, URIRef("http://purl.org/dc/terms/title")) is not None


# -------------------------------------------------------------------- shapes

CONFORMING = (
    PREFIXES
    + """
ex:doc a schema:CreativeWork ; schema:name "A title" ; dcterms:source "000_abc.txt" .
ex:lv a schema:Country ; schema:name "Latvia" ; schema:identifier "LV" .
ex:riga a schema:Place ; schema:name "Riga" ; schema:containedInPlace ex:lv .
ex:conf a schema:Event ; schema:name "18th Annual Conference" ;
    schema:startDate "2016"^^xsd:gYear ; schema:location ex:riga .
[] a oa:Annotation ; oa:hasBody ex:lv ;
   oa:hasTarget [ oa:hasSource ex:doc ;
                  oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Latvia" ] ,
                                 [ a oa:TextPositionSelector ; oa:start 10 ; oa:end 16 ] ] .
"""
)

NON_CONFORMING = (
    PREFIXES
    + """
ex:badCountry a schema:Country ; schema:name "Latvia" ; schema:identifier "Latvia" .
ex:badEvent a schema:Event ; schema:name "A seminar" .
"""
)


def _validate(shapes: Graph, data: str) -> tuple[bool, str, set[str]]:
    conforms, report, text = pyshacl.validate(
        Graph().parse(data=data, format="turtle"), shacl_graph=shapes
    )
    focus = URIRef("http://www.w3.org/ns/shacl#focusNode")
    return bool(conforms), str(text), {str(n) for n in report.objects(None, focus)}


def test_shapes_accept_conforming_data(shapes: Graph) -> None:
    conforms, text, _ = _validate(shapes, CONFORMING)
    assert conforms, text


def test_shapes_reject_nonconforming_data(shapes: Graph) -> None:
    conforms, text, focus = _validate(shapes, NON_CONFORMING)
    assert not conforms
    assert focus == {"https://example.org/badCountry", "https://example.org/badEvent"}
    # The readable report names the failing nodes (as prefixed names) and explains why.
    assert "badCountry" in text
    assert "badEvent" in text
    assert "ISO 3166-1 alpha-2" in text
    assert "schema:startDate" in text


def test_shapes_have_messages(shapes: Graph) -> None:
    sh = "http://www.w3.org/ns/shacl#"
    props = set(shapes.objects(None, URIRef(sh + "property")))
    assert props
    assert all(shapes.value(p, URIRef(sh + "message")) is not None for p in props)
    # schema:name may legitimately repeat (names from several documents).
    name = URIRef("https://schema.org/name")
    for p in props:
        if shapes.value(p, URIRef(sh + "path")) == name:
            assert shapes.value(p, URIRef(sh + "maxCount")) is None


# ------------------------------------------------------------- organisations


def test_organisations() -> None:
    rows = _tsv("organisations.tsv")
    assert len(rows) >= 100
    assert list(rows[0]) == ["key", "name", "aliases", "country", "kind"]
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]
    owner: dict[str, str] = {}
    for r in rows:
        assert r["key"] and r["key"] == r["key"].lower() and " " not in r["key"], r
        assert r["name"].strip() == r["name"] and r["name"], r
        assert r["kind"] in ORG_KINDS, r
        if r["country"]:
            assert pycountry.countries.get(alpha_2=r["country"]) is not None, r
        aliases = [a for a in r["aliases"].split("|") if a] if r["aliases"] else []
        assert all(a.strip() == a for a in aliases), r
        for form in {r["name"].casefold(), *(a.casefold() for a in aliases)}:
            assert form not in owner, f"{form!r} in both {owner.get(form)} and {r['key']}"
            owner[form] = r["key"]


# ----------------------------------------------------------------- demonyms


def test_demonyms() -> None:
    rows = _tsv("demonyms.tsv")
    assert list(rows[0]) == ["demonym", "country"]
    demonyms = [r["demonym"] for r in rows]
    assert len(demonyms) == len(set(demonyms)), [d for d, n in Counter(demonyms).items() if n > 1]
    for r in rows:
        assert r["demonym"] and r["demonym"][0].isupper(), r
        assert pycountry.countries.get(alpha_2=r["country"]) is not None, r
    by_name = {r["demonym"]: r["country"] for r in rows}
    assert by_name["Latvian"] == "LV"
    assert by_name["Scottish"] == "GB"
    assert by_name["Dutch"] == "NL"
    assert len({r["country"] for r in rows}) >= 200


def test_themes_conform_to_shapes(themes: Graph, shapes: Graph) -> None:
    conforms, _, text = pyshacl.validate(themes, shacl_graph=shapes)
    assert conforms, text
