"""What an organisation, country, place, event or theme page shows.

Each page is facts (the entity's own properties, in words a practitioner
reads) and sections of linked practices, documents and events. The sections
are SPARQL patterns binding ``?x`` (and optionally a ``?note`` shown beside
it), one table per kind, so a new kind of link is one line here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from practicegraph.graph.store import GraphStore
from practicegraph.web.lookups import Item, Linker, compact, described_by, ref, select
from practicegraph.web.paths import LinkedDataPaths

SECTION_LIMIT = 200
ORGANISED = "Events it organised"
KIND_LABELS = {
    "organisation": "Organisation",
    "country": "Country",
    "place": "Place",
    "event": "Event",
    "theme": "Theme",
}
#: Properties shown as facts, in this order, with their names on the page.
FACTS = (
    ("schema:alternateName", "Also known as"),
    ("skos:altLabel", "Also called"),
    ("schema:identifier", "Code"),
    ("skos:notation", "Identifier"),
    ("skos:definition", "Definition"),
    ("skos:scopeNote", "Scope"),
    ("schema:startDate", "Starts"),
    ("schema:endDate", "Ends"),
    ("schema:location", "Where"),
    ("schema:containedInPlace", "In"),
    ("schema:organizer", "Organised by"),
    ("skos:broader", "Broader theme"),
    ("skos:exactMatch", "Same as"),
    ("skos:closeMatch", "Close to"),
    ("owl:sameAs", "Same as"),
)
_PRACTICE = "?x a pg:Practice ."
_EVENT = "?x a schema:Event . OPTIONAL { ?x schema:startDate ?note }"
_DOCUMENT = "?x a schema:CreativeWork . OPTIONAL { ?x schema:datePublished ?note }"
_IN_SAME_DOCUMENTS = "?d schema:mentions $node , ?x . " + _PRACTICE
#: kind -> (heading, pattern) sections; $node is the entity.
SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "organisation": (
        ("Practices it provides", "?x schema:provider $node . " + _PRACTICE),
        (ORGANISED, "?x schema:organizer $node . " + _EVENT),
        ("Documents that mention it", "?x schema:mentions $node . " + _DOCUMENT),
    ),
    "country": (
        ("Practices in this country", "?x schema:spatialCoverage $node . " + _PRACTICE),
        (
            "Events here",
            "{ ?x schema:location $node } UNION "
            "{ ?x schema:location ?at . ?at schema:containedInPlace $node } " + _EVENT,
        ),
        (
            "Organisations based here",
            "?x schema:location $node ; a schema:Organization .",
        ),
        ("Places", "?x schema:containedInPlace $node ; a schema:Place ."),
        ("Documents that mention it", "?x schema:mentions $node . " + _DOCUMENT),
    ),
    "place": (
        ("Events here", "?x schema:location $node . " + _EVENT),
        ("Practices in the documents that mention it", _IN_SAME_DOCUMENTS),
        ("Documents that mention it", "?x schema:mentions $node . " + _DOCUMENT),
    ),
    "event": (
        ("Practices in the documents that mention it", _IN_SAME_DOCUMENTS),
        ("Documents that mention it", "?x schema:mentions $node . " + _DOCUMENT),
    ),
    "theme": (
        ("Practices about this theme", "?x schema:about $node . " + _PRACTICE),
        (
            "Events in documents about this theme",
            "?d schema:about $node ; schema:mentions ?x . " + _EVENT,
        ),
        ("Documents about this theme", "?x schema:about $node . " + _DOCUMENT),
        ("Narrower themes", "?x skos:broader $node ."),
    ),
}


@dataclass
class Section:
    heading: str
    items: list[Item]
    truncated: bool = False


@dataclass
class EntityView:
    iri: str
    kind: str
    kind_label: str
    title: str
    facts: list[tuple[str, list[Item | str]]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    search_href: str = ""  # the keyword search filtered to this entity


def entity_view(store: GraphStore, paths: LinkedDataPaths, iri: str, kind: str) -> EntityView:
    # The canonical view: the same thing as other sources describe it (linked by
    # reconciliation with owl:sameAs) is one page, with every source named.
    members = cluster(store, iri)
    node = "?node"
    values = "VALUES ?node { " + " ".join(ref(m) for m in members) + " } "
    linker = Linker(store, paths)
    linker.learn([iri])
    view = EntityView(iri, kind, KIND_LABELS.get(kind, kind), linker.item(iri).label)
    view.facts = _facts(store, linker, values, node)
    view.facts += _sources(store, linker, members, iri)
    for heading, pattern in SECTIONS.get(kind, ()):
        rows = select(
            store,
            f"""SELECT ?x (SAMPLE(?note) AS ?n) WHERE {{
                  {values} {pattern.replace("$node", node)} }}
                GROUP BY ?x LIMIT {SECTION_LIMIT + 1}""",
        )
        if heading == ORGANISED:
            # The extractor links an organiser only where a sentence says who organised
            # the event; "the 18th Annual ICPA Conference" says it with its name.
            known = {row["x"] for row in rows}
            rows += [row for row in _named_events(store, values, node) if row["x"] not in known]
        linker.learn(row["x"] for row in rows)
        items = [linker.item(row["x"], note=row.get("n", "")) for row in rows[:SECTION_LIMIT]]
        items.sort(key=lambda it: (it.note, it.label.lower()))  # dated ones in date order
        view.sections.append(Section(heading, items, truncated=len(rows) > SECTION_LIMIT))
    view.search_href = _search_href(store, ref(iri), kind, iri)
    return view


def cluster(store: GraphStore, iri: str) -> list[str]:
    """``iri`` and the IRIs reconciliation linked it to (the ``graph/_links`` graph)."""
    node = ref(iri)
    rows = select(
        store,
        f"""SELECT DISTINCT ?m WHERE {{ GRAPH ?links {{
              {{ {node} owl:sameAs ?m }} UNION {{ ?m owl:sameAs {node} }}
              UNION {{ {node} owl:sameAs ?c . ?m owl:sameAs ?c }} }}
              FILTER(STRENDS(STR(?links), "/graph/_links")) }}""",
    )
    return [iri, *sorted({row["m"] for row in rows} - {iri})]


def _sources(
    store: GraphStore, linker: Linker, members: list[str], iri: str
) -> list[tuple[str, list[Item | str]]]:
    """Who describes this thing: this instance's documents, imported sources by name."""
    names = described_by(store, members)
    facts: list[tuple[str, list[Item | str]]] = [("Described by", list(names))] if names else []
    others = [m for m in members if m != iri]
    if others:
        linker.learn(others)
        facts.append(("Also described as", [linker.item(m) for m in others]))
    return facts


def _named_events(store: GraphStore, values: str, node: str) -> list[dict[str, str]]:
    """Events whose name holds one of the organisation's names as whole words."""
    rows = select(
        store,
        f"""SELECT ?x ?name ?org (SAMPLE(?note) AS ?n) WHERE {{
              {values} {node} schema:name|schema:alternateName ?org .
              FILTER (STRLEN(?org) > 1)
              ?x a schema:Event ; schema:name ?name . FILTER (CONTAINS(?name, ?org))
              OPTIONAL {{ ?x schema:startDate ?note }}
            }} GROUP BY ?x ?name ?org LIMIT {SECTION_LIMIT + 1}""",
    )
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        if re.search(rf"(?<!\w){re.escape(row['org'])}(?!\w)", row["name"]):
            found.setdefault(row["x"], row)
    return list(found.values())


def _facts(
    store: GraphStore, linker: Linker, values: str, node: str
) -> list[tuple[str, list[Item | str]]]:
    predicates = " ".join(predicate for predicate, _name in FACTS)
    rows = select(
        store,
        f"SELECT DISTINCT ?p ?o ?lang WHERE {{ {values} VALUES ?p {{ {predicates} }} "
        f"{node} ?p ?o BIND (LANG(?o) AS ?lang) }}",
    )
    linker.learn(row["o"] for row in rows)
    wanted = {compact(row["p"]) for row in rows}
    facts: list[tuple[str, list[Item | str]]] = []
    for predicate, name in FACTS:
        if predicate not in wanted:
            continue
        found: list[Item | str] = []
        for row in rows:
            if compact(row["p"]) != predicate or row.get("lang") not in ("", "en", None):
                continue
            is_iri = row["o"].startswith(("http://", "https://"))
            found.append(linker.item(row["o"]) if is_iri else row["o"])
        if found:
            facts.append((name, sorted(found, key=lambda v: str(getattr(v, "label", v)).lower())))
    return facts


def _search_href(store: GraphStore, node: str, kind: str, iri: str) -> str:
    """The search page filtered to this entity, where the keyword index has a facet for it."""
    if kind == "theme":
        return "/find?" + urlencode({"theme": iri.rstrip("/").rsplit("/", 1)[-1]})
    if kind == "country":
        rows = select(store, f"SELECT ?code WHERE {{ {node} schema:identifier ?code }} LIMIT 1")
        return "/find?" + urlencode({"country": rows[0]["code"]}) if rows else ""
    if kind == "organisation":
        rows = select(store, f"SELECT ?name WHERE {{ {node} schema:name ?name }} LIMIT 1")
        return "/find?" + urlencode({"org": rows[0]["name"]}) if rows else ""
    return ""


__all__ = ["KIND_LABELS", "SECTIONS", "EntityView", "Section", "entity_view"]
