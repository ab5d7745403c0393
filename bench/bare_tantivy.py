"""The reference the project's search is measured against: the same request answered
by tantivy alone, the fastest honest way.

Same records and fields as the project's index (title, body and entity names
with tantivy's stock ``en_stem`` analyzer; the facet fields raw and fast), built
by one writer with one commit. A search parses the text with tantivy's own
lenient query parser over title, body and entity names (words OR'ed, the same
field weights), adds the filters as term-set clauses, and returns what the
project returns: the top 10 with the exact total, a highlighted body snippet per
hit and counts of the six facets. It has none of the project's query
understanding (synonyms, themes, spelling corrections, proximity, British and
American spellings): the difference is the price of those.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from practicegraph.search import IndexRecord
from practicegraph.search.query import FACETS  # the same six facets as the project

TEXT_FIELDS = {"title": 3.0, "entities": 2.0, "body": 1.0}
FILTERS = {"countries": "countries", "kinds": "kind", "themes": "themes", "years": "year"}


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    for name in ("id", "source", "doc_iri", "url"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    for name in FACETS.values():
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="en_stem")
    return builder.build()


class BareTantivy:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index = tantivy.Index(self.schema, path=str(path))

    @classmethod
    def open(cls, path: Path) -> BareTantivy:
        """An index built earlier (by another process)."""
        bare = cls.__new__(cls)
        bare.schema = _schema()
        bare.index = tantivy.Index.open(str(path))
        return bare

    def build(self, docs: Iterable[list[IndexRecord]]) -> dict[str, Any]:
        start = time.perf_counter()
        writer = self.index.writer(heap_size=256 * 1024 * 1024, num_threads=1)
        records = 0
        for group in docs:
            for r in group:
                doc = tantivy.Document(
                    id=r.id,
                    source=r.source,
                    doc_iri=r.doc_iri,
                    title=r.title,
                    body=r.body,
                    entities=r.entities,
                    kind=r.kind,
                    dataset=r.dataset,
                    themes=r.themes,
                    countries=r.countries,
                    organisations=r.organisations,
                )
                if r.year:
                    doc.add_text("year", r.year)
                if r.url:
                    doc.add_text("url", r.url)
                writer.add_document(doc)
                records += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        seconds = time.perf_counter() - start
        return {"seconds": round(seconds, 2), "records": records}

    def search(self, text: str, filters: dict[str, list[str]] | None = None) -> dict[str, Any]:
        searcher = self.index.searcher()
        parsed, _errors = self.index.parse_query_lenient(
            text, list(TEXT_FIELDS), field_boosts=TEXT_FIELDS
        )
        clauses = [(tantivy.Occur.Must, parsed)]
        for key, values in (filters or {}).items():
            term_set = tantivy.Query.term_set_query(self.schema, FILTERS[key], values)
            clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(term_set, 0.0)))
        query = tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else parsed
        result = searcher.search(query, limit=10, count=True)
        generator = tantivy.SnippetGenerator.create(searcher, parsed, self.schema, "body")
        generator.set_max_num_chars(240)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hits.append(
                {
                    "id": doc.get_first("id"),
                    "title": doc.get_first("title"),
                    "score": score,
                    "snippet": generator.snippet_from_doc(doc).to_html(),
                    "themes": doc.get_all("themes"),
                    "countries": doc.get_all("countries"),
                }
            )
        aggregations = searcher.aggregate(
            query,
            {name: {"terms": {"field": field, "size": 200}} for name, field in FACETS.items()},
        )
        facets = {
            name: [(b["key"], b["doc_count"]) for b in aggregations[name]["buckets"]]
            for name in FACETS
        }
        return {"total": result.count, "hits": hits, "facets": facets}
