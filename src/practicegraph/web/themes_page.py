"""The themes page: the theme scheme for people, each theme once with what it covers.

The scheme's IRI (``https://w3id.org/practicegraph/themes``, served at
``/themes``) gets this page in a browser; its RDF stays at the same address
for RDF clients and ``?format=ttl`` (the footer links it). Each theme shows
its scope note, how many practices and documents are about it, a link to its
page and one to the search filtered by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from practicegraph.graph.store import GraphStore
from practicegraph.vocab import THEME_SCHEME
from practicegraph.web.lookups import Item, ref, select
from practicegraph.web.paths import LinkedDataPaths


@dataclass(frozen=True)
class ThemeEntry:
    item: Item
    description: str
    practices: int
    documents: int
    search_href: str  # the search filtered by this theme


@dataclass
class ThemesView:
    title: str
    description: str
    themes: list[ThemeEntry] = field(default_factory=list)


def theme_id(iri: str) -> str:
    """The theme's id, as the search filters by it: the last segment of its IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def themes_view(store: GraphStore, paths: LinkedDataPaths) -> ThemesView:
    scheme = ref(str(THEME_SCHEME))
    head = select(
        store,
        f"""SELECT ?label ?title ?description WHERE {{
              OPTIONAL {{ {scheme} skos:prefLabel ?label FILTER (LANG(?label) IN ("", "en")) }}
              OPTIONAL {{ {scheme} dcterms:title ?title FILTER (LANG(?title) IN ("", "en")) }}
              OPTIONAL {{ {scheme} dcterms:description ?description
                          FILTER (LANG(?description) IN ("", "en")) }} }} LIMIT 1""",
    )
    first = head[0] if head else {}
    view = ThemesView(
        title=first.get("title") or first.get("label") or "Themes",
        description=first.get("description", ""),
    )
    # Each theme once, however many graphs state it (the ontology graph, an import).
    rows = select(
        store,
        f"""SELECT ?x (SAMPLE(?l) AS ?label) (SAMPLE(?n) AS ?note) WHERE {{
              ?x skos:inScheme {scheme} ; skos:prefLabel ?l . FILTER (LANG(?l) IN ("", "en"))
              OPTIONAL {{ ?x skos:scopeNote|skos:definition ?n
                          FILTER (LANG(?n) IN ("", "en")) }}
            }} GROUP BY ?x""",
    )
    counts = {
        row["x"]: (int(row["practices"]), int(row["documents"]))
        for row in select(
            store,
            f"""SELECT ?x (COUNT(DISTINCT ?p) AS ?practices)
                       (COUNT(DISTINCT ?d) AS ?documents) WHERE {{
                  ?x skos:inScheme {scheme} .
                  {{ ?p a pg:Practice ; schema:about ?x }}
                  UNION {{ ?d a schema:CreativeWork ; schema:about ?x }}
                }} GROUP BY ?x""",
        )
    }
    for row in rows:
        practices, documents = counts.get(row["x"], (0, 0))
        view.themes.append(
            ThemeEntry(
                Item(row["x"], paths.href(row["x"]), row.get("label", row["x"])),
                row.get("note", ""),
                practices,
                documents,
                "/find?" + urlencode({"theme": theme_id(row["x"])}),
            )
        )
    view.themes.sort(key=lambda e: e.item.label.lower())
    return view


__all__ = ["ThemeEntry", "ThemesView", "theme_id", "themes_view"]
