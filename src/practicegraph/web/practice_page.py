"""What a practice page shows: the practice, its evidence inside its document, related ones.

A practitioner judges a practice by the words it came from, so the page
shows the evidence sentence highlighted in the document's own text (the
``oa:TextPositionSelector`` offsets), not just quoted out of context.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from practicegraph.graph.store import GraphStore
from practicegraph.web.document_text import document_text
from practicegraph.web.lookups import Item, Linker, described_by, ref, select
from practicegraph.web.marks import MarkedText, Span
from practicegraph.web.paths import LinkedDataPaths

RELATED_LIMIT = 10
#: The extractor's score (0.5 is the least it keeps, 1.0 twice that) in words,
#: highest band first: (lowest score of the band, word).
CONFIDENCE_BANDS = ((0.85, "high"), (0.65, "medium"), (0.0, "low"))


def confidence_words(score: str) -> str:
    """ "high", "medium" or "low" for the extractor's score; "" when there is none."""
    try:
        value = float(score)
    except ValueError:
        return ""
    return next((word for lowest, word in CONFIDENCE_BANDS if value >= lowest), "")


@dataclass
class Evidence:
    quote: str
    start: int | None
    end: int | None


@dataclass
class PracticeView:
    iri: str
    title: str
    description: str
    confidence: str  # "high", "medium", "low" or ""
    themes: list[Item] = field(default_factory=list)
    providers: list[Item] = field(default_factory=list)
    countries: list[Item] = field(default_factory=list)
    document: Item | None = None
    document_date: str = ""
    evidence: Evidence | None = None
    text: MarkedText | None = None  # the document's text with the evidence marked
    related: list[Item] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # who describes it, in words


def _linked(store: GraphStore, node: str, predicate: str) -> list[str]:
    return [r["x"] for r in select(store, f"SELECT DISTINCT ?x WHERE {{ {node} {predicate} ?x }}")]


def practice_view(store: GraphStore, paths: LinkedDataPaths, iri: str) -> PracticeView:
    node = ref(iri)
    linker = Linker(store, paths)
    head = select(
        store,
        f"""SELECT ?name ?description ?confidence WHERE {{
              OPTIONAL {{ {node} schema:name ?name }}
              OPTIONAL {{ {node} schema:description ?description }}
              OPTIONAL {{ {node} pg:confidence ?confidence }} }} LIMIT 1""",
    )
    first = head[0] if head else {}
    view = PracticeView(
        iri=iri,
        title=first.get("name", iri),
        description=first.get("description", ""),
        confidence=confidence_words(first.get("confidence", "")),
        themes=linker.items(_linked(store, node, "schema:about")),
        providers=linker.items(_linked(store, node, "schema:provider")),
        countries=linker.items(_linked(store, node, "schema:spatialCoverage")),
    )
    _add_evidence(store, linker, node, view)
    view.related = _related(store, linker, node)
    view.sources = described_by(store, [iri])
    return view


def _add_evidence(store: GraphStore, linker: Linker, node: str, view: PracticeView) -> None:
    rows = select(
        store,
        f"""SELECT ?doc ?exact ?start ?end ?date WHERE {{
              ?a oa:hasBody {node} ; oa:hasTarget ?t . ?t oa:hasSource ?doc .
              OPTIONAL {{ ?t oa:hasSelector ?q . ?q oa:exact ?exact }}
              OPTIONAL {{ ?t oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end }}
              OPTIONAL {{ ?doc schema:datePublished ?date }}
            }} ORDER BY ?doc ?start LIMIT 1""",
    )
    if not rows:
        documents = _linked(store, node, "schema:subjectOf")
        if documents:
            view.document = linker.items(documents)[0]
        return
    row = rows[0]
    linker.learn([row["doc"]])
    view.document = linker.item(row["doc"])
    view.document_date = row.get("date", "")
    start = int(row["start"]) if row.get("start", "").isdigit() else None
    end = int(row["end"]) if row.get("end", "").isdigit() else None
    view.evidence = Evidence(row.get("exact", view.description), start, end)
    texts = select(
        store,
        f"""SELECT ?text ?format WHERE {{ {ref(row["doc"])} pg:text ?text
              OPTIONAL {{ {ref(row["doc"])} schema:encodingFormat ?format }} }} LIMIT 1""",
    )
    if texts and start is not None and end is not None:
        span = Span(start, end, "evidence", label="the evidence", anchor="evidence")
        view.text = document_text(texts[0]["text"], texts[0].get("format", ""), [span])


def _related(store: GraphStore, linker: Linker, node: str) -> list[Item]:
    """Practices sharing a theme or a country, the most shared first."""
    rows = select(
        store,
        f"""SELECT ?r (COUNT(DISTINCT ?shared) AS ?n)
                   (GROUP_CONCAT(DISTINCT STR(?shared); separator=" ") AS ?why) WHERE {{
              {{ {node} schema:about ?shared . ?r schema:about ?shared }}
              UNION {{ {node} schema:spatialCoverage ?shared . ?r schema:spatialCoverage ?shared }}
              ?r a pg:Practice . FILTER (?r != {node})
            }} GROUP BY ?r ORDER BY DESC(?n) ?r LIMIT {RELATED_LIMIT}""",
    )
    shared = {iri for row in rows for iri in row["why"].split()}
    linker.learn(shared | {row["r"] for row in rows})
    related = []
    for row in rows:
        why = sorted(linker.item(iri).label for iri in row["why"].split())
        related.append(linker.item(row["r"], note="shares " + ", ".join(why)))
    return related


__all__ = ["CONFIDENCE_BANDS", "Evidence", "PracticeView", "confidence_words", "practice_view"]
