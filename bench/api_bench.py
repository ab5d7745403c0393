"""HTTP API benchmark: the project's /sparql and /search next to bare pyoxigraph,
a bare FastAPI + pyoxigraph app and rdflib-endpoint, on the same synthetic graph.

What it does (see bench/README.md, "HTTP API benchmark", for the figures):

1. **Data.** Writes a seeded synthetic N-Quads file of about ``--triples``
   quads in the project's graph shape (one named graph per document: the
   document with schema:name, dcterms:source, pg:contentHash, pg:text, dates,
   schema:mentions of organisations, countries and events, schema:about themes,
   practices with descriptions, themes, providers and Web Annotation evidence).
   It is bulk-loaded (``Store.bulk_load``) into (a) ``WORK/project/store``, a
   fresh project data directory, which ``PracticeGraphService`` then opens
   (that installs the ontology graph and builds the keyword index of every
   document, the same ``sync_index`` that ``practicegraph reindex`` runs), and
   (b) ``WORK/bare/store``, a bare pyoxigraph store.
2. **Latency.** Five typical queries plus a trivial one (the fixed cost of a
   request), each timed ``--repeat`` times, interleaved, after one warm-up:
   bare ``store.query(q, use_default_graph_as_union=True)`` + pyoxigraph's SPARQL
   JSON serialiser, in-process; the project's ``/sparql`` (``python -m
   practicegraph serve`` as a subprocess on a free loopback port); the bare
   FastAPI app (``bench/api/bare_app.py``); and rdflib-endpoint
   (``bench/api/rdflib_app.py``, run by a separate venv's Python) on the first
   ``--rdflib-triples`` quads, next to bare pyoxigraph on that same subset.
   HTTP timings are client-side (httpx, keep-alive), until the body is read.
   The project runs with its result cache off here: the timed calls repeat
   each query, which the cache would answer from memory.
3. **Throughput.** wrk (``-t2 -c8 -d{--wrk-seconds}s --latency``) from its own
   process against the project's /search?q=probation and a 10-row SPARQL
   SELECT by GET on the project, the bare app and rdflib-endpoint.
4. Prints tables and writes ``bench/results/api_bench.json`` with machine info.

``--throughput-only`` skips the latency part and /search: the project (twice:
with its result cache, the default, and with it off, on a copy of its data
directory), the bare app and rdflib-endpoint are all started, then wrk runs on each in turn, for
``--rounds`` rounds, and the ratios are taken within each round (the machine's
other load drifts over minutes). It writes ``bench/results/api_throughput.json``.

    .venv/bin/python bench/api_bench.py                        # ~1M triples, ~15 min here
    .venv/bin/python bench/api_bench.py --triples 100000 --repeat 5 --wrk-seconds 10
    .venv/bin/python bench/api_bench.py --reuse --throughput-only --rounds 5 --wrk-seconds 10

The rdflib-endpoint side needs ``/tmp/rdflib-endpoint-venv`` (``python3 -m venv
/tmp/rdflib-endpoint-venv && /tmp/rdflib-endpoint-venv/bin/pip install
rdflib-endpoint uvicorn``); ``--rdflib-python`` points elsewhere, ``--no-rdflib``
skips it. wrk comes from Debian (``apt-get install wrk``). All traffic goes to
127.0.0.1; every load loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pycountry
import pyoxigraph as ox

from machine import cpu_model

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "api_bench.json"
THROUGHPUT_RESULTS = BENCH_DIR / "results" / "api_throughput.json"
PY = sys.executable
SEED = 20261122
HOST = "127.0.0.1"
DEFAULT_WORK = Path("/tmp/pg-api-bench")  # noqa: S108 - scratch data, not secrets
DEFAULT_RDFLIB_PYTHON = Path("/tmp/rdflib-endpoint-venv/bin/python")  # noqa: S108

BASE = "https://w3id.org/practicegraph/id/"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
PG = "https://w3id.org/practicegraph/ontology#"
THEMES = "https://w3id.org/practicegraph/themes/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"

COUNTRIES = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "NO",
    "CH",
    "GB",
    "IS",
    "RS",
    "ME",
    "AL",
    "MK",
    "BA",
    "MD",
    "UA",
    "GE",
    "AM",
    "TR",
    "US",
    "CA",
    "AU",
    "NZ",
]
ORG_KINDS = (
    "Probation Service",
    "Prison Service",
    "Ministry of Justice",
    "Correctional Academy",
    "Institute of Criminology",
    "Victim Support",
    "Prison Fellowship",
    "Directorate of Corrections",
    "Police Academy",
    "Rehabilitation Foundation",
    "Juvenile Justice Agency",
    "Inspectorate of Prisons",
)
EVENT_KINDS = ("Conference", "Seminar", "Workshop", "Study Visit", "Summer School", "Webinar")
PRACTICE_HEADS = ("Pilot", "National", "Regional", "Peer", "Community", "Restorative", "Digital")
PRACTICE_KINDS = ("programme", "scheme", "project", "network", "training course", "toolkit")
FILLER = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "with",
    "on",
    "by",
    "as",
    "is",
    "are",
    "was",
    "were",
    "that",
    "this",
    "from",
    "at",
    "be",
    "an",
    "which",
    "prison",
    "probation",
    "staff",
    "officers",
    "offenders",
    "service",
    "services",
    "programme",
    "project",
    "training",
    "support",
    "people",
    "justice",
    "system",
    "work",
    "community",
    "national",
    "new",
    "countries",
    "approach",
    "practice",
    "practices",
    "results",
    "year",
    "years",
    "development",
    "management",
    "public",
    "young",
    "women",
    "release",
    "risk",
    "needs",
    "European",
    "cooperation",
    "experience",
    "evidence",
    "police",
]

QUERY_PREFIXES = (
    f"PREFIX schema: <{SCHEMA}>\nPREFIX pg: <{PG}>\nPREFIX xsd: <{XSD}>\n"
    f"PREFIX themes: <{THEMES}>\nPREFIX dcterms: <{DCT}>\n"
)


# -- data ---------------------------------------------------------------------------
def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code


class Pools:
    """Entities shared by many documents, so joins meet the same resources."""

    def __init__(self, rng: random.Random, theme_labels: dict[str, list[str]]) -> None:
        self.themes = sorted(theme_labels)
        self.theme_labels = theme_labels
        self.countries = [(c, _country_name(c)) for c in COUNTRIES]
        self.orgs: list[tuple[str, str, str, str]] = []  # key, name, acronym, country
        for code, cname in self.countries:
            for kind in ORG_KINDS:
                for n in range(4):
                    name = f"{kind} of {cname}" + (f" ({n + 1})" if n else "")
                    acronym = "".join(w[0] for w in name.split() if w[0].isupper()) + code
                    self.orgs.append((_slug(name), name, acronym, code))
        self.events: list[tuple[str, str, str, str, int]] = []  # key, name, date, cc, org
        for i in range(3000):
            year = 2005 + i % 20
            theme = self.themes[i % len(self.themes)]
            label = theme_labels[theme][0]
            kind = EVENT_KINDS[i % len(EVENT_KINDS)]
            name = f"{kind} on {label} {i // len(self.themes)}"
            date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            cc = rng.choice(COUNTRIES)
            self.events.append(
                (f"{_slug(name)}-{year}", name, date, cc, rng.randrange(len(self.orgs)))
            )


def _words(rng: random.Random, pools: Pools, themes: list[str], n: int) -> str:
    out: list[str] = []
    while len(out) < n:
        if rng.random() < 0.15:
            cues = pools.theme_labels[rng.choice(themes)]
            out.extend(rng.choice(cues[1:] or cues).split())
        else:
            out.append(rng.choice(FILLER))
    return " ".join(out[:n])


def document_quads(i: int, rng: random.Random, pools: Pools) -> Iterator[str]:
    """One document's named graph as N-Quads lines (the builder's shape)."""
    source = f"doc-{i:06d}.txt"
    doc = f"<{BASE}document/{source}>"
    g = f"<{BASE}graph/{source}>"
    t = f"<{RDF_TYPE}>"

    def q(s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} {g} .\n"

    themes = rng.sample(pools.themes, rng.randint(1, 3))
    countries = rng.sample(pools.countries, rng.randint(1, 2))
    orgs = [pools.orgs[rng.randrange(len(pools.orgs))] for _ in range(rng.randint(1, 4))]
    events = [pools.events[rng.randrange(len(pools.events))] for _ in range(rng.randint(0, 2))]
    year = rng.randint(2005, 2025)
    title = f"{pools.theme_labels[themes[0]][0]} in {countries[0][1]}: report {i}"
    text = _words(rng, pools, themes, rng.randint(60, 110))
    yield q(doc, t, f"<{SCHEMA}CreativeWork>")
    yield q(doc, t, f"<{SCHEMA}Article>")
    yield q(doc, f"<{SCHEMA}name>", _lit(title))
    yield q(doc, f"<{DCT}source>", _lit(source))
    yield q(doc, f"<{PG}contentHash>", _lit(hashlib.sha256(text.encode()).hexdigest()))
    yield q(doc, f"<{PG}mediaType>", _lit("text/plain"))
    yield q(doc, f"<{SCHEMA}encodingFormat>", _lit("text/plain"))
    yield q(doc, f"<{PG}wordCount>", _typed(str(len(text.split())), "integer"))
    yield q(doc, f"<{PG}text>", _lit(text))
    yield q(doc, f"<{SCHEMA}inLanguage>", _lit("en"))
    if rng.random() < 0.85:
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        yield q(doc, f"<{SCHEMA}datePublished>", _typed(date, "date"))
    if rng.random() < 0.6:
        yield q(doc, f"<{SCHEMA}url>", f"<https://example.org/reports/{i}>")
    yield q(g, f"<{PROV}wasGeneratedBy>", f"<{BASE}run/2026-11-22T00:00:00Z>")
    yield q(g, f"<{PROV}wasDerivedFrom>", doc)

    named_countries: set[str] = set()

    def country(code: str) -> Iterator[str]:
        iri = f"<{BASE}country/{code}>"
        if code not in named_countries:
            named_countries.add(code)
            yield q(iri, t, f"<{SCHEMA}Country>")
            yield q(iri, f"<{SCHEMA}identifier>", _lit(code))
            yield q(iri, f"<{SCHEMA}name>", _lit(_country_name(code)))

    org_iris = []
    for key, name, acronym, cc in orgs:
        iri = f"<{BASE}organisation/{key}>"
        org_iris.append(iri)
        yield q(doc, f"<{SCHEMA}mentions>", iri)
        yield q(iri, t, f"<{SCHEMA}Organization>")
        yield q(iri, f"<{SCHEMA}name>", _lit(name))
        yield q(iri, f"<{SCHEMA}alternateName>", _lit(acronym))
        yield q(iri, f"<{SCHEMA}location>", f"<{BASE}country/{cc}>")
        yield from country(cc)
    for code, _name in countries:
        yield q(doc, f"<{SCHEMA}mentions>", f"<{BASE}country/{code}>")
        yield from country(code)
    for key, name, date, cc, org in events:
        iri = f"<{BASE}event/{key}>"
        yield q(doc, f"<{SCHEMA}mentions>", iri)
        yield q(iri, t, f"<{SCHEMA}Event>")
        yield q(iri, f"<{SCHEMA}name>", _lit(name))
        yield q(iri, f"<{SCHEMA}startDate>", _typed(date, "date"))
        yield q(iri, f"<{SCHEMA}location>", f"<{BASE}country/{cc}>")
        yield from country(cc)
        org_key = pools.orgs[org][0]
        yield q(iri, f"<{SCHEMA}organizer>", f"<{BASE}organisation/{org_key}>")
    for theme in themes:
        yield q(doc, f"<{SCHEMA}about>", f"<{THEMES}{theme}>")
    for n in range(rng.randint(0, 4)):
        p_themes = rng.sample(themes, min(len(themes), rng.randint(1, 2)))
        cue = rng.choice(pools.theme_labels[p_themes[0]][1:] or ["practice"])
        label = f"{rng.choice(PRACTICE_HEADS)} {cue} {rng.choice(PRACTICE_KINDS)}"
        description = f"The {label} of {orgs[0][1]} works on {cue} with " + _words(
            rng, pools, p_themes, rng.randint(15, 30)
        )
        iri = f"<{BASE}practice/{source}-{n:02d}{i % 97:02x}aa{n}>"
        yield q(doc, f"<{SCHEMA}mentions>", iri)
        yield q(iri, t, f"<{PG}Practice>")
        yield q(iri, f"<{SCHEMA}name>", _lit(label))
        yield q(iri, f"<{SCHEMA}description>", _lit(description))
        yield q(iri, f"<{PG}confidence>", _typed(f"{rng.uniform(0.4, 1):.3f}", "decimal"))
        yield q(iri, f"<{SCHEMA}subjectOf>", doc)
        for theme in p_themes:
            yield q(iri, f"<{SCHEMA}about>", f"<{THEMES}{theme}>")
        yield q(iri, f"<{SCHEMA}provider>", org_iris[0])
        yield q(iri, f"<{SCHEMA}spatialCoverage>", f"<{BASE}country/{countries[0][0]}>")
        # Web Annotation evidence, 13 triples, as the builder writes it
        base = doc[:-1]
        ann, target = f"{base}#annotation-{n + 1}>", f"{base}#target-{n + 1}>"
        quote_, pos = f"{base}#quote-{n + 1}>", f"{base}#position-{n + 1}>"
        start = rng.randint(0, 400)
        yield q(ann, t, f"<{OA}Annotation>")
        yield q(ann, f"<{OA}motivatedBy>", f"<{OA}identifying>")
        yield q(ann, f"<{OA}hasBody>", iri)
        yield q(ann, f"<{OA}hasTarget>", target)
        yield q(target, t, f"<{OA}SpecificResource>")
        yield q(target, f"<{OA}hasSource>", doc)
        yield q(target, f"<{OA}hasSelector>", quote_)
        yield q(target, f"<{OA}hasSelector>", pos)
        yield q(quote_, t, f"<{OA}TextQuoteSelector>")
        yield q(quote_, f"<{OA}exact>", _lit(description[:80]))
        yield q(pos, t, f"<{OA}TextPositionSelector>")
        yield q(pos, f"<{OA}start>", _typed(str(start), "nonNegativeInteger"))
        yield q(pos, f"<{OA}end>", _typed(str(start + 80), "nonNegativeInteger"))


def generate(path: Path, subset: Path, triples: int, subset_triples: int) -> dict[str, Any]:
    """Write documents until ``triples`` quads; the first ``subset_triples`` also to ``subset``."""
    from practicegraph.search import SearchVocabulary

    rng = random.Random(SEED)
    pools = Pools(rng, {k: list(v) for k, v in SearchVocabulary.load().theme_labels.items()})
    written = docs = subset_docs = subset_quads = 0
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as out, subset.open("w", encoding="utf-8") as sub:
        while written < triples:
            lines = list(document_quads(docs, rng, pools))
            out.writelines(lines)
            if subset_quads < subset_triples:
                sub.writelines(lines)
                subset_quads += len(lines)
                subset_docs += 1
            written += len(lines)
            docs += 1
    return {
        "quads": written,
        "documents": docs,
        "subset_quads": subset_quads,
        "subset_documents": subset_docs,
        "seconds": round(time.perf_counter() - started, 1),
        "bytes": path.stat().st_size,
    }


# -- queries --------------------------------------------------------------------------
def queries(lookup_doc: int) -> dict[str, str]:
    doc = f"{BASE}document/doc-{lookup_doc:06d}.txt"
    return {
        "trivial (fixed cost)": "SELECT ?x WHERE { VALUES ?x { 1 } }",
        "IRI lookup": f"SELECT ?p ?o WHERE {{ <{doc}> ?p ?o }}",
        "join + filter": QUERY_PREFIXES
        + f"""SELECT DISTINCT ?doc ?name ?orgName ?date WHERE {{
  ?org schema:location <{BASE}country/LV> ; schema:name ?orgName .
  ?doc schema:mentions ?org ; schema:name ?name ; schema:datePublished ?date .
  FILTER(?date >= "2020-01-01"^^xsd:date)
}}""",
        "GROUP BY count": QUERY_PREFIXES
        + """SELECT ?theme (COUNT(DISTINCT ?p) AS ?practices) WHERE {
  ?p a pg:Practice ; schema:about ?theme .
} GROUP BY ?theme ORDER BY DESC(?practices)""",
        "OPTIONAL + ORDER BY + LIMIT": QUERY_PREFIXES
        + """SELECT ?doc ?name ?date ?url WHERE {
  ?doc a schema:CreativeWork ; schema:name ?name .
  OPTIONAL { ?doc schema:datePublished ?date }
  OPTIONAL { ?doc schema:url ?url }
} ORDER BY DESC(?date) ?doc LIMIT 20 OFFSET 100""",
        "text filter": QUERY_PREFIXES
        + """SELECT ?p ?name WHERE {
  ?p a pg:Practice ; schema:name ?name ; schema:description ?d .
  FILTER(CONTAINS(LCASE(?d), "electronic monitoring")
         || REGEX(?name, "^restorative .*toolkit$", "i"))
} LIMIT 100""",
    }


#: The project's /sparql with its result cache (the default) and without: wrk sends
#: one query over and over, which the cache answers from memory after the first
#: time, so the evaluation path is measured with the cache off.
PROJECT = "project /sparql"
PROJECT_NO_CACHE = "project /sparql, cache off"
NO_CACHE = {"PRACTICEGRAPH_QUERY_CACHE_BYTES": "0"}

WRK_QUERY = (
    QUERY_PREFIXES
    + "SELECT ?doc ?name WHERE { ?doc schema:about themes:probation ; schema:name ?name } "
    + "LIMIT 10"
)


def bulk_load_store(data_nq: Path, target: Path) -> int:
    """A new pyoxigraph store at ``target`` holding the N-Quads file, compacted as ingest
    and import leave the project's store; returns its quad count."""
    target.mkdir(parents=True)
    store = ox.Store(str(target))
    store.bulk_load(path=str(data_nq), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    quads = len(store)
    del store
    return quads


def bare_run(store: ox.Store, query: str) -> tuple[bytes, int]:
    result = store.query(query, use_default_graph_as_union=True)
    payload = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
    return payload, len(payload)


def rows_of(payload: bytes) -> int:
    return len(json.loads(payload)["results"]["bindings"])


# -- servers --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """A server subprocess on a loopback port, its output in a log file."""

    def __init__(self, name: str, argv: list[str], port: int, log: Path, env: dict[str, str]):
        self.name, self.port, self.log = name, port, log
        self.base = f"http://{HOST}:{port}"
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            argv,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )

    def wait_ready(self, path: str, limit: float) -> float:
        started = time.perf_counter()
        deadline = started + limit
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log}")
            try:
                if httpx.get(self.base + path, timeout=5).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {limit:.0f} s: see {self.log}")

    def rss_mb(self) -> float:
        """RSS of the server and its children (query workers), from /proc."""
        total = 0
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            pids += [int(p) for p in children.split()]
        except OSError:
            pass
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return round(total / 1024, 1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def http_get(client: httpx.Client, base: str, query: str, timeout: float) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(
        base + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=timeout,
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{base}: HTTP {response.status_code}: {response.text[:300]}")
    return elapsed, response.content


# -- latency --------------------------------------------------------------------------
def latency(
    qs: dict[str, str],
    targets: dict[str, Any],
    repeat: int,
    per_query_budget: float,
) -> dict[str, dict[str, Any]]:
    """Median latency of every query on every target; rounds interleave the targets.

    A target is ``("bare", store)`` or ``("http", base_url)``. A query stops
    being repeated on a target once its timed calls there add up to
    ``per_query_budget`` seconds (slow engines get fewer, but at least one).
    """
    out: dict[str, dict[str, Any]] = {name: {} for name in qs}
    client = httpx.Client()
    spent: dict[tuple[str, str], float] = {}
    times: dict[tuple[str, str], list[float]] = {}
    info: dict[tuple[str, str], dict[str, Any]] = {}

    def once(qname: str, tname: str) -> tuple[float, bytes]:
        kind, handle = targets[tname]
        if kind == "bare":
            started = time.perf_counter()
            payload, _ = bare_run(handle, qs[qname])
            return time.perf_counter() - started, payload
        return http_get(client, handle, qs[qname], timeout=120)

    for qname in qs:  # warm-up, and the row counts
        for tname in targets:
            elapsed, payload = once(qname, tname)
            info[qname, tname] = {"rows": rows_of(payload), "bytes": len(payload)}
            spent[qname, tname] = elapsed
            times[qname, tname] = []
    for _ in range(repeat):
        for qname in qs:
            for tname in targets:
                if times[qname, tname] and spent[qname, tname] > per_query_budget:
                    continue
                elapsed, _ = once(qname, tname)
                times[qname, tname].append(elapsed)
                spent[qname, tname] += elapsed
    client.close()
    for (qname, tname), values in times.items():
        out[qname][tname] = {
            "median_ms": round(statistics.median(values) * 1000, 2),
            "min_ms": round(min(values) * 1000, 2),
            "runs": len(values),
            **info[qname, tname],
        }
    return out


# -- throughput -------------------------------------------------------------------------
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(text)
    return float(m[1]) * _UNITS[m[2]]


def wrk(url: str, seconds: int, accept: str) -> dict[str, Any]:
    argv = [
        "wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "--timeout", "10s",
        "-H", f"Accept: {accept}", url,
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=True)
    text = done.stdout
    result: dict[str, Any] = {"raw": text}
    result["requests_per_s"] = float(re.search(r"Requests/sec:\s+([\d.]+)", text)[1])
    result["requests"] = int(re.search(r"(\d+) requests in", text)[1])
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        result[f"p{pct}_ms"] = round(_ms(m[1]), 2) if m else None
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    result["non_2xx"] = int(bad[1]) if bad else 0
    errors = re.search(r"Socket errors: (.*)", text)
    result["socket_errors"] = errors[1] if errors else ""
    return result


def throughput_rounds(
    args: argparse.Namespace, work: Path, env: dict[str, str], use_rdflib: bool
) -> dict[str, Any]:
    """``--throughput-only``: all servers up at once, wrk on each in turn, ``--rounds`` times.

    On a shared machine the load from elsewhere drifts over minutes; interleaving
    the targets within each round and comparing within a round keeps the ratios
    honest. Reported: every round, the median per target and the ratios' range.
    """
    json_accept = "application/sparql-results+json"
    wrk_q = urlencode({"query": WRK_QUERY})
    servers: dict[str, Server] = {}
    # the same data directory cannot be opened twice (RocksDB's lock): the
    # cache-off server gets a fresh copy
    uncached_dir = work / "project-no-cache"
    shutil.rmtree(uncached_dir, ignore_errors=True)
    shutil.copytree(work / "project", uncached_dir, ignore=shutil.ignore_patterns("snapshots"))
    try:
        servers[PROJECT] = Server(
            "project",
            [PY, "-m", "practicegraph", "serve", "--port", str(port := free_port()),
             "--data", str(work / "project")],
            port, work / "project.log", env,
        )  # fmt: skip
        servers[PROJECT_NO_CACHE] = Server(
            "project, no cache",
            [PY, "-m", "practicegraph", "serve", "--port", str(port := free_port()),
             "--data", str(uncached_dir)],
            port, work / "project-no-cache.log", env | NO_CACHE,
        )  # fmt: skip
        servers["bare app /sparql"] = Server(
            "bare app",
            [PY, "-m", "uvicorn", "--app-dir", str(BENCH_DIR / "api"), "bare_app:app",
             "--host", HOST, "--port", str(port := free_port())],
            port, work / "bare_app.log", env | {"BARE_STORE": str(work / "bare" / "store")},
        )  # fmt: skip
        if use_rdflib:
            servers["rdflib-endpoint /sparql"] = Server(
                "rdflib-endpoint",
                [str(args.rdflib_python), str(BENCH_DIR / "api" / "rdflib_app.py"),
                 str(work / "subset.nq"), str(port := free_port())],
                port, work / "rdflib.log", env,
            )  # fmt: skip
        for server in servers.values():
            server.wait_ready("/sparql?query=" + quote("ASK {}"), 900)
        for server in servers.values():  # warm-up: workers, snapshots, caches
            wrk(f"{server.base}/sparql?{wrk_q}", 2, json_accept)
        rounds: list[dict[str, Any]] = []
        for n in range(args.rounds):
            row: dict[str, Any] = {"load_avg": os.getloadavg()}
            for name, server in servers.items():
                row[name] = wrk(f"{server.base}/sparql?{wrk_q}", args.wrk_seconds, json_accept)
                r = row[name]
                print(f"round {n + 1} {name:26} {r['requests_per_s']:8.1f} req/s  "
                      f"p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  non-2xx {r['non_2xx']} "
                      f"{r['socket_errors']}", flush=True)  # fmt: skip
            rounds.append(row)
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(uncached_dir, ignore_errors=True)
    summary: dict[str, Any] = {}
    for name in servers:
        rps = [r[name]["requests_per_s"] for r in rounds]
        summary[name] = {
            "median_rps": round(statistics.median(rps), 1),
            "min_rps": min(rps),
            "max_rps": max(rps),
            "median_p50_ms": statistics.median(r[name]["p50_ms"] for r in rounds),
            "median_p99_ms": statistics.median(r[name]["p99_ms"] for r in rounds),
        }

    def ratio(over: str, under: str) -> list[float]:
        return [round(r[over]["requests_per_s"] / r[under]["requests_per_s"], 2) for r in rounds]

    ratios = {
        "bare_app_over_project_no_cache": ratio("bare app /sparql", PROJECT_NO_CACHE),
        "project_over_project_no_cache": ratio(PROJECT, PROJECT_NO_CACHE),
    }
    if use_rdflib:
        ratios["project_over_rdflib"] = ratio(PROJECT, "rdflib-endpoint /sparql")
        ratios["project_no_cache_over_rdflib"] = ratio(PROJECT_NO_CACHE, "rdflib-endpoint /sparql")
    for key, values in ratios.items():
        summary[key] = {"median": statistics.median(values), "min": min(values),
                        "max": max(values), "rounds": values}  # fmt: skip
    print(json.dumps(summary, indent=1))
    return {"throughput_rounds": rounds, "throughput_summary": summary}


# -- machine ------------------------------------------------------------------------
def machine_info(rdflib_python: Path | None) -> dict[str, Any]:
    cpu = cpu_model() or ""
    import fastapi
    import uvicorn

    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "load_avg": os.getloadavg(),
        "python": platform.python_version(),
        "pyoxigraph": ox.__version__,
        "fastapi": fastapi.__version__,
        "uvicorn": uvicorn.__version__,
        "httpx": httpx.__version__,
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        info["wrk"] = (
            subprocess.run(
                ["wrk", "-v"],  # noqa: S607 - wrk from PATH, checked at start
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            .stdout.split("\n")[0]
            .strip()
        )
    except OSError:
        info["wrk"] = None
    git = ["git", "-C", str(ROOT)]
    info["git_commit"] = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    info["src_dirty"] = bool(
        subprocess.run(
            [*git, "status", "--porcelain", "src"], capture_output=True, text=True, check=False
        ).stdout.strip()
    )
    if rdflib_python is not None:
        info["rdflib_endpoint_versions"] = subprocess.run(
            [str(rdflib_python), "-c",
             "import importlib.metadata as m; print({p: m.version(p) for p in "
             "('rdflib-endpoint', 'rdflib', 'fastapi', 'uvicorn')})"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()  # fmt: skip
    return info


# -- main -----------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument(
        "--rdflib-triples",
        type=int,
        default=100_000,
        help="quads served by rdflib-endpoint (the first documents)",
    )
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse WORK's data, stores and index if they match --triples",
    )
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument(
        "--per-query-budget",
        type=float,
        default=20.0,
        help="seconds of timed calls per query and target, at most",
    )
    parser.add_argument("--wrk-seconds", type=int, default=15)
    parser.add_argument("--rdflib-python", type=Path, default=DEFAULT_RDFLIB_PYTHON)
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--throughput-only",
        action="store_true",
        help="only the /sparql wrk runs: project, bare app and rdflib-endpoint side by side, "
        f"interleaved for --rounds rounds (default output {THROUGHPUT_RESULTS.name})",
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of --throughput-only")
    args = parser.parse_args()  # fmt: skip
    if args.output is None:
        args.output = THROUGHPUT_RESULTS if args.throughput_only else RESULTS
    if not 1 <= args.wrk_seconds <= 60 or not 1 <= args.repeat <= 50 or not 1 <= args.rounds <= 20:
        parser.error(
            "--wrk-seconds must be 1..60, --repeat 1..50 and --rounds 1..20 (bounded load)"
        )
    use_rdflib = not args.no_rdflib and args.rdflib_python.exists()
    if not args.no_rdflib and not use_rdflib:
        print(f"! {args.rdflib_python} not found: rdflib-endpoint skipped", file=sys.stderr)
    if shutil.which("wrk") is None:
        parser.error("wrk not found: apt-get install -y wrk")

    work: Path = args.work
    data_nq, subset_nq = work / "data.nq", work / "subset.nq"
    project_dir, bare_dir = work / "project", work / "bare"
    stamp = work / "stamp.json"
    want = {"triples": args.triples, "rdflib_triples": args.rdflib_triples, "seed": SEED}
    report: dict[str, Any] = {"settings": vars(args) | {"output": str(args.output)}}
    report["settings"] = {k: str(v) for k, v in report["settings"].items()}
    report["machine"] = machine_info(args.rdflib_python if use_rdflib else None)
    phases: dict[str, float] = {}

    reuse = args.reuse and stamp.exists() and json.loads(stamp.read_text()).get("want") == want
    if reuse:
        saved = json.loads(stamp.read_text())
        report["data"], phases = saved["data"], saved["phases"]
        print(f"reusing {work} ({report['data']['quads']:,} quads)")
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        print(f"generating ~{args.triples:,} quads ...", flush=True)
        report["data"] = generate(data_nq, subset_nq, args.triples, args.rdflib_triples)
        phases["generate_s"] = report["data"]["seconds"]
        print(f"  {report['data']}", flush=True)
        for name, target in (("project", project_dir / "store"), ("bare", bare_dir / "store")):
            started = time.perf_counter()
            quads = bulk_load_store(data_nq, target)
            phases[f"bulk_load_{name}_s"] = round(time.perf_counter() - started, 1)
            print(f"  bulk_load {name}: {quads:,} quads, {phases[f'bulk_load_{name}_s']} s",
                  flush=True)  # fmt: skip
        # the service opens it: ontology graph + keyword index of every document
        from practicegraph.config import Settings
        from practicegraph.search import SearchRequest
        from practicegraph.service import PracticeGraphService

        started = time.perf_counter()
        settings = Settings.from_env(data_dir=project_dir)
        with PracticeGraphService(settings) as service:
            # the state an ingest or import leaves after a batch: compacted
            service.store.optimize()
            phases["service_open_and_index_s"] = round(time.perf_counter() - started, 1)
            stats = service.stats()
            hits = service.search(SearchRequest("probation")).to_dict()
        report["data"]["service_stats"] = stats
        report["data"]["indexed_documents"] = len(service.index_repair.reindexed)
        report["data"]["search_probation_total"] = hits.get("total")
        print(f"  service open + index: {phases['service_open_and_index_s']} s; stats {stats}",
              flush=True)  # fmt: skip
        stamp.write_text(json.dumps({"want": want, "data": report["data"], "phases": phases}))

    qs = queries(lookup_doc=42)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICEGRAPH_")}
    env["PYTHONUNBUFFERED"] = "1"
    if args.throughput_only:
        report["phases"] = phases
        report["queries"] = {"wrk 10-row query": WRK_QUERY}
        report |= throughput_rounds(args, work, env, use_rdflib)
        report["machine"]["load_avg_end"] = os.getloadavg()
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"\nwritten {args.output}")
        return
    servers: list[Server] = []
    try:
        # -- project + bare app, latency -------------------------------------------
        project = Server(
            "project",
            [PY, "-m", "practicegraph", "serve", "--port", str(port := free_port()),
             "--data", str(project_dir)],
            port, work / "project.log", env | NO_CACHE,  # timed calls repeat each query
        )  # fmt: skip
        servers.append(project)
        phases["project_startup_s"] = round(project.wait_ready("/search?q=probation", 600), 1)
        bare_env = env | {"BARE_STORE": str(bare_dir / "store")}
        bare_app = Server(
            "bare app",
            [PY, "-m", "uvicorn", "--app-dir", str(BENCH_DIR / "api"), "bare_app:app",
             "--host", HOST, "--port", str(port := free_port())],
            port, work / "bare_app.log", bare_env,
        )  # fmt: skip
        servers.append(bare_app)
        bare_app.wait_ready("/sparql?query=" + quote("ASK {}"), 120)
        bare_store = ox.Store.read_only(str(bare_dir / "store"))
        print("latency, 1M ...", flush=True)
        targets = {
            "bare pyoxigraph": ("bare", bare_store),
            "project HTTP": ("http", project.base),
            "bare app HTTP": ("http", bare_app.base),
        }
        report["latency"] = latency(qs, targets, args.repeat, args.per_query_budget)
        report["rss_mb"] = {"project (server + query workers)": project.rss_mb(),
                            "bare app": bare_app.rss_mb()}  # fmt: skip
        del bare_store

        # -- throughput on the project and the bare app -------------------------------
        print("throughput ...", flush=True)
        json_accept = "application/sparql-results+json"
        wrk_q = urlencode({"query": WRK_QUERY})
        report["throughput"] = {}
        report["throughput"]["project /search?q=probation"] = wrk(
            f"{project.base}/search?q=probation", args.wrk_seconds, "application/json"
        )
        report["throughput"][PROJECT_NO_CACHE] = wrk(
            f"{project.base}/sparql?{wrk_q}", args.wrk_seconds, json_accept
        )
        report["throughput"]["bare app /sparql"] = wrk(
            f"{bare_app.base}/sparql?{wrk_q}", args.wrk_seconds, json_accept
        )
        report["rss_mb"]["project after load"] = project.rss_mb()
        for server in (project, bare_app):
            server.stop()
        servers.clear()

        # -- rdflib-endpoint on the subset ----------------------------------------------
        if use_rdflib:
            print(f"rdflib-endpoint on {report['data']['subset_quads']:,} quads ...", flush=True)
            rdf = Server(
                "rdflib-endpoint",
                [str(args.rdflib_python), str(BENCH_DIR / "api" / "rdflib_app.py"),
                 str(subset_nq), str(port := free_port())],
                port, work / "rdflib.log", env,
            )  # fmt: skip
            servers.append(rdf)
            phases["rdflib_startup_s"] = round(
                rdf.wait_ready("/sparql?query=" + quote("ASK {}"), 900), 1
            )
            sub_store = ox.Store()
            sub_store.bulk_load(path=str(subset_nq), format=ox.RdfFormat.N_QUADS)
            report["latency_subset"] = latency(
                qs,
                {"bare pyoxigraph": ("bare", sub_store), "rdflib-endpoint": ("http", rdf.base)},
                args.repeat,
                args.per_query_budget,
            )
            report["rss_mb"]["rdflib-endpoint"] = rdf.rss_mb()
            report["throughput"]["rdflib-endpoint /sparql"] = wrk(
                f"{rdf.base}/sparql?{wrk_q}", args.wrk_seconds, json_accept
            )
            rdf.stop()
            servers.clear()
    finally:
        for server in servers:
            server.stop()

    report["phases"] = phases
    report["queries"] = qs | {"wrk 10-row query": WRK_QUERY}
    report["machine"]["load_avg_end"] = os.getloadavg()
    summarise(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten {args.output}")


def summarise(report: dict[str, Any]) -> None:
    lat = report["latency"]
    report["ratios"] = {}
    print(f"\nLatency, median ms ({report['data']['quads']:,} quads; rows in brackets)")
    print(f"{'query':30} {'bare':>9} {'project':>9} {'bare app':>9} {'proj/bare':>9} "
          f"{'proj/app':>9} {'proj-bare':>9}")  # fmt: skip
    for qname, row in lat.items():
        bare = row["bare pyoxigraph"]["median_ms"]
        proj = row["project HTTP"]["median_ms"]
        app = row["bare app HTTP"]["median_ms"]
        ratio = proj / bare if bare else float("inf")
        report["ratios"][qname] = {
            "project_over_bare": round(ratio, 2),
            "project_over_bare_app": round(proj / app, 2),
            "project_minus_bare_ms": round(proj - bare, 2),
            "bare_app_minus_bare_ms": round(app - bare, 2),
        }
        rows = row["bare pyoxigraph"]["rows"]
        print(f"{qname:30} {bare:9.2f} {proj:9.2f} {app:9.2f} {ratio:8.2f}x "
              f"{proj / app:8.2f}x {proj - bare:9.2f}   [{rows}]")  # fmt: skip
    if "latency_subset" in report:
        print(f"\nrdflib-endpoint, median ms ({report['data']['subset_quads']:,} quads)")
        for qname, row in report["latency_subset"].items():
            bare = row["bare pyoxigraph"]["median_ms"]
            rdf = row["rdflib-endpoint"]["median_ms"]
            report["ratios"][qname]["rdflib_over_bare_subset"] = round(rdf / bare, 1)
            print(
                f"{qname:30} {bare:9.2f} {rdf:10.2f} {rdf / bare:9.1f}x "
                f"[{row['bare pyoxigraph']['rows']} / {row['rdflib-endpoint']['rows']} rows]"
            )
    print("\nThroughput, wrk -t2 -c8")
    thr = report["throughput"]
    for name, r in thr.items():
        print(
            f"{name:32} {r['requests_per_s']:9.1f} req/s  p50 {r['p50_ms']} ms  "
            f"p99 {r['p99_ms']} ms  non-2xx {r['non_2xx']} {r['socket_errors']}"
        )
    proj, app = thr[PROJECT_NO_CACHE]["requests_per_s"], thr["bare app /sparql"]["requests_per_s"]
    report["ratios"]["throughput_bare_app_over_project"] = round(app / proj, 2)
    if "rdflib-endpoint /sparql" in thr:
        rdf = thr["rdflib-endpoint /sparql"]["requests_per_s"]
        report["ratios"]["throughput_project_over_rdflib"] = round(proj / rdf, 2)
    print(json.dumps({k: v for k, v in report["ratios"].items() if k.startswith("throughput")}))


if __name__ == "__main__":
    main()
