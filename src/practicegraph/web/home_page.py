"""What the home page offers: ways in by theme and by country, with counts, and recent documents.

Counts come from the graph (distinct practices and documents per theme or
country), so they match what the theme or country page then lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from practicegraph.graph.store import GraphStore
from practicegraph.web.lookups import Item, select
from practicegraph.web.paths import LinkedDataPaths

RECENT = 8


@dataclass(frozen=True)
class Entry:
    """A way in: a theme or country with how many practices and documents it has."""

    item: Item
    practices: int
    documents: int


@dataclass
class HomeView:
    documents: int = 0
    practices: int = 0
    themes: list[Entry] = field(default_factory=list)
    countries: list[Entry] = field(default_factory=list)
    recent: list[Item] = field(default_factory=list)


def _entries(
    store: GraphStore,
    paths: LinkedDataPaths,
    kind_pattern: str,
    link: tuple[str, str],
    label: str,
) -> list[Entry]:
    """Entities of one kind with their practices (``link[0]``) and documents (``link[1]``)."""
    rows = select(
        store,
        f"""SELECT ?x (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?p) AS ?practices)
                   (COUNT(DISTINCT ?d) AS ?documents) WHERE {{
              {kind_pattern} ?x {label} ?l . FILTER (LANG(?l) IN ("", "en"))
              {{ ?p a pg:Practice ; {link[0]} ?x }}
              UNION {{ ?d a schema:CreativeWork ; {link[1]} ?x }}
            }} GROUP BY ?x""",
    )
    entries = [
        Entry(
            Item(row["x"], paths.href(row["x"]), row.get("label", row["x"])),
            int(row["practices"]),
            int(row["documents"]),
        )
        for row in rows
    ]
    return sorted(entries, key=lambda e: (-e.practices, -e.documents, e.item.label.lower()))


def home_view(store: GraphStore, paths: LinkedDataPaths) -> HomeView:
    view = HomeView()
    totals = select(
        store,
        """SELECT (COUNT(DISTINCT ?d) AS ?documents) (COUNT(DISTINCT ?p) AS ?practices) WHERE {
             { ?d a schema:CreativeWork } UNION { ?p a pg:Practice } }""",
    )
    if totals:
        view.documents = int(totals[0]["documents"])
        view.practices = int(totals[0]["practices"])
    view.themes = _entries(
        store,
        paths,
        "?x a skos:Concept ; skos:inScheme <https://w3id.org/practicegraph/themes> .",
        ("schema:about", "schema:about"),
        "skos:prefLabel",
    )
    view.countries = _entries(
        store,
        paths,
        "?x a schema:Country .",
        ("schema:spatialCoverage", "schema:mentions"),
        "schema:name",
    )
    rows = select(
        store,
        f"""SELECT ?d (SAMPLE(?n) AS ?name) (SAMPLE(?when) AS ?date) WHERE {{
              ?d a schema:CreativeWork ; schema:name ?n .
              OPTIONAL {{ ?d schema:datePublished ?when }}
            }} GROUP BY ?d ORDER BY DESC(?date) ?name LIMIT {RECENT}""",
    )
    view.recent = [
        Item(row["d"], paths.href(row["d"]), row.get("name", row["d"]), row.get("date", ""))
        for row in rows
    ]
    return view


__all__ = ["Entry", "HomeView", "home_view"]
