"""What a document page shows: its text with every mention marked by kind, and what it names.

Each mark links to its entity, so a reader can check any extraction against
the words and move on through the graph from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from practicegraph.graph.store import GraphStore
from practicegraph.web.document_text import document_text
from practicegraph.web.lookups import Item, Linker, ref, select
from practicegraph.web.marks import MarkedText, Span
from practicegraph.web.paths import LinkedDataPaths, web_address

#: Kinds of mention, in the order the page lists them, with their headings.
MENTION_KINDS = {
    "practice": "Practices",
    "organisation": "Organisations",
    "country": "Countries",
    "place": "Places",
    "event": "Events",
    "theme": "Themes",
}


@dataclass
class Group:
    kind: str
    heading: str
    items: list[Item]
    marks: int  # how many times the text marks this kind


@dataclass
class DocumentView:
    iri: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    #: ``url`` when it is a web address (only those become links), else ""
    url_href: str = ""
    themes: list[Item] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    text: MarkedText | None = None


def document_view(store: GraphStore, paths: LinkedDataPaths, iri: str) -> DocumentView:
    node = ref(iri)
    linker = Linker(store, paths)
    head = select(
        store,
        f"""SELECT ?name ?source ?date ?language ?words ?url ?format ?text WHERE {{
              OPTIONAL {{ {node} schema:name ?name }}
              OPTIONAL {{ {node} dcterms:source ?source }}
              OPTIONAL {{ {node} schema:datePublished ?date }}
              OPTIONAL {{ {node} schema:inLanguage ?language }}
              OPTIONAL {{ {node} pg:wordCount ?words }}
              OPTIONAL {{ {node} schema:url ?url }}
              OPTIONAL {{ {node} schema:encodingFormat ?format }}
              OPTIONAL {{ {node} pg:text ?text }} }} LIMIT 1""",
    )
    first = head[0] if head else {}
    facts = [
        (name, first[key])
        for name, key in (
            ("File", "source"),
            ("Published", "date"),
            ("Language", "language"),
            ("Words", "words"),
        )
        if first.get(key)
    ]
    url = first.get("url", "")
    view = DocumentView(iri, first.get("name", iri), facts, url=url, url_href=web_address(url))
    themes = select(store, f"SELECT DISTINCT ?x WHERE {{ {node} schema:about ?x }}")
    view.themes = linker.items(row["x"] for row in themes)

    mentioned = select(store, f"SELECT DISTINCT ?x WHERE {{ {node} schema:mentions ?x }}")
    rows = select(
        store,
        f"""SELECT DISTINCT ?body ?start ?end WHERE {{
              ?t oa:hasSource {node} . ?a oa:hasTarget ?t ; oa:hasBody ?body .
              ?t oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end }}""",
    )
    linker.learn({row["x"] for row in mentioned} | {row["body"] for row in rows})
    spans: list[Span] = []
    marks: dict[str, int] = {}
    for row in rows:
        kind = paths.kind_of(row["body"]) or "other"
        if not (row["start"].isdigit() and row["end"].isdigit()):
            continue
        item = linker.item(row["body"])
        start, end = int(row["start"]), int(row["end"])
        spans.append(Span(start, end, kind, item.label, item.href, tag=kind == "practice"))
        marks[kind] = marks.get(kind, 0) + 1
    if first.get("text"):
        view.text = document_text(first["text"], first.get("format", ""), spans)
    by_kind: dict[str, list[str]] = {}
    for row in mentioned + [{"x": row["body"]} for row in rows]:
        by_kind.setdefault(paths.kind_of(row["x"]) or "other", []).append(row["x"])
    view.groups = [
        Group(kind, heading, linker.items(by_kind.get(kind, [])), marks.get(kind, 0))
        for kind, heading in MENTION_KINDS.items()
        if by_kind.get(kind)
    ]
    return view


__all__ = ["MENTION_KINDS", "DocumentView", "Group", "document_view"]
