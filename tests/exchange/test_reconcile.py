"""Reconciliation rules, one case each: what is linked, what is not, which IRI leads."""

from __future__ import annotations

import pyoxigraph as ox

from practicegraph.exchange.reconcile import reconcile
from practicegraph.graph.oxigraph_store import OxigraphStore

OWN = "https://b.example.org/id/"
PREFIXES = """@prefix schema: <https://schema.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix pg: <https://w3id.org/practicegraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _reconciled(turtle: str) -> dict[str, str]:
    store = OxigraphStore(None)
    graph = ox.NamedNode("https://g/1")
    parsed = ox.parse((PREFIXES + turtle).encode(), ox.RdfFormat.TURTLE)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)
    return reconcile(store, OWN).canonical


def test_countries_by_iso_code_with_our_own_iri_leading() -> None:
    links = _reconciled(
        f"""<https://a.example/lv> a schema:Country ; schema:name "Latvia" ;
               schema:identifier "LV" .
        <{OWN}country/LV> a schema:Country ; schema:name "Latvija" ; schema:identifier "lv" .
        <https://a.example/lt> a schema:Country ; schema:name "Lithuania" ;
               schema:identifier "LT" ."""
    )
    assert links == {"https://a.example/lv": f"{OWN}country/LV"}


def test_organisations_by_a_direct_or_shared_same_as() -> None:
    links = _reconciled(
        """<https://a.example/icpa> a schema:Organization ; schema:name "ICPA" ;
               owl:sameAs <https://c.example/icpa> .
        <https://c.example/icpa> a schema:Organization ; schema:name "Int. Corrections" .
        <https://d.example/icpa> a schema:Organization ; schema:name "I.C.P.A." ;
               owl:sameAs <http://www.wikidata.org/entity/Q1> .
        <https://e.example/icpa> a schema:Organization ; schema:name "International C." ;
               owl:sameAs <http://www.wikidata.org/entity/Q1> ."""
    )
    assert links["https://c.example/icpa"] == "https://a.example/icpa"
    assert links["https://e.example/icpa"] == "https://d.example/icpa"
    assert "http://www.wikidata.org/entity/Q1" in links, "the shared target joins the cluster"
    assert "https://a.example/icpa" not in links


def test_organisations_by_name_unless_their_countries_differ_and_by_acronym() -> None:
    links = _reconciled(
        """<https://a.example/moj-lv> a schema:Organization ; schema:name "Ministry of Justice" ;
               schema:location <https://a.example/lv> .
        <https://a.example/lv> schema:identifier "LV" .
        <https://c.example/moj-ro> a schema:Organization ; schema:name "Ministry of  justice" ;
               schema:location <https://c.example/ro> .
        <https://c.example/ro> schema:identifier "RO" .
        <https://c.example/moj> a schema:Organization ; schema:name "ministry of justice" .
        <https://a.example/cep> a schema:Organization ;
               schema:name "Confederation of European Probation" ; schema:alternateName "CEP" .
        <https://c.example/cep> a schema:Organization ; schema:name "CEP" .
        <https://d.example/cep> a schema:Organization ; schema:name "CEP" ;
               schema:location <https://a.example/lv> ."""
    )
    assert links["https://c.example/cep"] == "https://a.example/cep"
    assert links["https://d.example/cep"] == "https://a.example/cep", "one place: unplaced join"
    ministries = {"https://a.example/moj-lv", "https://c.example/moj-ro", "https://c.example/moj"}
    assert not ministries & set(links), "two countries' ministries (and one of either) stay apart"


def test_events_by_name_date_and_place_and_practices_by_label_and_provider() -> None:
    links = _reconciled(
        """<https://a.example/e1> a schema:Event ; schema:name "ICPA Conference" ;
               schema:startDate "2023-05-25"^^xsd:date ; schema:location <https://a.example/riga> .
        <https://a.example/riga> schema:name "Riga" .
        <https://c.example/e1> a schema:Event ; schema:name "icpa conference" ;
               schema:startDate "2023-05-25"^^xsd:date ; schema:location <https://c.example/riga> .
        <https://c.example/riga> schema:name "Riga" .
        <https://c.example/e2> a schema:Event ; schema:name "ICPA Conference" ;
               schema:startDate "2024-05-25"^^xsd:date .
        <https://a.example/p> a pg:Practice ; schema:name "DACUM workshop" ;
               schema:provider <https://a.example/icpa> .
        <https://a.example/icpa> schema:name "ICPA" .
        <https://c.example/p> a pg:Practice ; schema:name "DACUM Workshop" ;
               schema:provider <https://c.example/icpa> .
        <https://c.example/icpa> schema:name "ICPA" .
        <https://c.example/q> a pg:Practice ; schema:name "DACUM workshop" ;
               schema:provider <https://c.example/other> .
        <https://c.example/other> schema:name "EuroPris" ."""
    )
    assert links["https://c.example/e1"] == "https://a.example/e1"
    assert "https://c.example/e2" not in links, "another year is another event"
    assert links["https://c.example/p"] == "https://a.example/p"
    assert "https://c.example/q" not in links, "another provider is another practice"


def test_a_sources_own_namespace_does_not_make_its_iris_ours() -> None:
    """An imported source's relative IRIs resolve under this instance's base
    (source/NAME/data/); they do not lead a cluster as this instance's own would."""
    links = _reconciled(
        f"""<{OWN}source/partner/data/estonia> a schema:Country ; schema:name "Estonia" ;
               schema:identifier "EE" .
        <https://a.example/ee> a schema:Country ; schema:name "Eesti" ; schema:identifier "ee" ."""
    )
    assert links == {f"{OWN}source/partner/data/estonia": "https://a.example/ee"}
