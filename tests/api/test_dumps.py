"""Dumps (N-Quads gzip, TriG, Turtle, JSON-LD) and the VoID + DCAT description."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef

from conftest import quiet_rdflib
from practicegraph.config import Settings
from practicegraph.service import PracticeGraphService
from practicegraph.vocab import DCTERMS, SCHEMA

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
IANA = "https://www.iana.org/assignments/media-types/"


def service_of(client: TestClient) -> PracticeGraphService:
    return client.app.state.service  # type: ignore[attr-defined,no-any-return]


def test_dumps_are_listed_and_each_parses(client: TestClient, api_settings: Settings) -> None:
    listing = client.get("/dumps").json()
    names = [d["name"] for d in listing["dumps"]]
    assert names == [
        "practicegraph.nq.gz",
        "practicegraph.trig",
        "practicegraph.ttl",
        "practicegraph.jsonld",
    ]
    quads = service_of(client).store.quad_count()
    formats = {
        "practicegraph.nq.gz": ox.RdfFormat.N_QUADS,
        "practicegraph.trig": ox.RdfFormat.TRIG,
        "practicegraph.ttl": ox.RdfFormat.TURTLE,
        "practicegraph.jsonld": ox.RdfFormat.JSON_LD,
    }
    for dump in listing["dumps"]:
        response = client.get(dump["url"])
        assert response.status_code == 200, dump
        assert response.headers["content-type"].startswith(dump["content_type"])
        assert response.headers["content-disposition"] == f'attachment; filename="{dump["name"]}"'
        data = gzip.decompress(response.content) if dump["compressed"] else response.content
        parsed = list(ox.parse(data, format=formats[dump["name"]]))
        if dump["name"] in ("practicegraph.nq.gz", "practicegraph.trig"):
            assert len(parsed) == quads, "datasets keep every quad"
            assert all(isinstance(q.graph_name, ox.NamedNode) for q in parsed)
        else:
            assert 0 < len(parsed) <= quads
    assert client.head("/dumps/practicegraph.ttl").status_code == 200
    cache = api_settings.data_dir / "dumps-cache"
    assert not list(cache.glob("*/*.partial")), "no half-written dump left behind"
    assert len(list(cache.iterdir())) == 1, "one cached state"
    missing = client.get("/dumps/practicegraph.xlsx")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404


def test_void_describes_counts_licence_endpoint_and_dumps(
    client: TestClient, api_settings: Settings
) -> None:
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/turtle"
    )
    g = Graph().parse(data=response.text, format="turtle")
    dataset = URIRef(f"{api_settings.base_iri}dataset")
    assert (dataset, DCTERMS.license, URIRef(api_settings.licence)) in g
    assert g.value(dataset, VOID.triples) == Literal(service_of(client).store.quad_count())
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert str(g.value(dataset, VOID.uriSpace)) == api_settings.base_iri
    assert g.value(dataset, DCTERMS.modified) is not None
    partitions = {
        g.value(p, VOID["class"]): int(str(g.value(p, VOID.entities)))
        for p in g.objects(dataset, VOID.classPartition)
    }
    stats = service_of(client).stats()
    assert partitions[SCHEMA.Organization] == stats["organisations"] > 0
    assert partitions[SCHEMA.CreativeWork] == stats["documents"] == 5
    dumps = set(g.objects(dataset, VOID.dataDump))
    assert URIRef("http://testserver/dumps/practicegraph.nq.gz") in dumps and len(dumps) == 4
    media = {
        g.value(d, DCAT.downloadURL): g.value(d, DCAT.mediaType)
        for d in g.objects(dataset, DCAT.distribution)
    }
    assert media[URIRef("http://testserver/dumps/practicegraph.trig")] == URIRef(
        IANA + "application/trig"
    )
    assert set(media) == dumps

    as_jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    with quiet_rdflib():
        assert len(Graph().parse(data=as_jsonld.text, format="json-ld")) == len(g)
    cached = client.get("/.well-known/void", headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304


def test_dumps_are_cached_until_the_store_changes(
    client: TestClient, api_settings: Settings, auth: dict[str, str]
) -> None:
    first = client.get("/dumps/practicegraph.ttl").content
    cached = list((api_settings.data_dir / "dumps-cache").glob("*/practicegraph.ttl"))
    assert len(cached) == 1
    assert client.get("/dumps/practicegraph.ttl").content == first
    update = (
        "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/s> "
        '<https://schema.org/name> "cache test" } }'
    )
    response = client.post("/sparql", data={"update": update}, headers=auth)
    assert response.status_code == 204
    after = client.get("/dumps/practicegraph.ttl").content
    assert b"cache test" in after and b"cache test" not in first
    states = list((api_settings.data_dir / "dumps-cache").iterdir())
    assert len(states) == 1, "the previous state's files are gone"
