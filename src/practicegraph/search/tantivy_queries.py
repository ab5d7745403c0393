"""The pieces of the tantivy engine that do not touch the disk: the analysis, the
schema, a plan's clauses as tantivy queries, and snippets as HTML.

Text is analysed by tantivy itself (its simple tokenizer, which splits at
anything but letters and digits, then lower case, ASCII folding, English stop
words and the Snowball stemmer), so titles and text are stored once and
snippets mark the words as written. (A regular-expression tokenizer that kept
hyphenated words whole made indexing 2.6 times slower.) tantivy cannot run the
project's British-to-American spelling filter, so a clause looks for each
spelling of its text (:func:`spelling_variants`) instead.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import tantivy
from tantivy import Occur, Query

from practicegraph.search.analysis import spelling_variants
from practicegraph.search.query import THEME_WEIGHT, WEIGHTS, Clause, QueryPlan

TEXT_ANALYZER = "pg_text"
WORD_ANALYZER = "pg_words"


def text_analyzer() -> Any:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def word_analyzer() -> Any:
    """Lower-cased, folded words: the spelling dictionary."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


_ANALYZER = text_analyzer()


@lru_cache(maxsize=50_000)
def token_forms(text: str) -> tuple[tuple[str, ...], ...]:
    """The analysed tokens of each spelling of ``text`` (cached: a query's words and
    synonyms are analysed once, not once per field)."""
    forms = (tuple(_ANALYZER.analyze(variant)) for variant in spelling_variants(text))
    return tuple(dict.fromkeys(form for form in forms if form))


def schema() -> Any:
    builder = tantivy.SchemaBuilder()
    for name in ("id", "source", "content_hash", "url", "evidence"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    for name in ("kind", "dataset", "year", "themes", "countries", "organisations", "doc_iri"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    for name in WEIGHTS:
        builder.add_text_field(
            name, stored=True, tokenizer_name=TEXT_ANALYZER, index_option="position"
        )
    builder.add_text_field("spell", tokenizer_name=WORD_ANALYZER, index_option="basic")
    builder.add_unsigned_field("date", fast=True)
    return builder.build()


class QueryBuilder:
    """A plan's clauses and filters as tantivy queries over one schema."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema

    def term(self, fieldname: str, value: str) -> Any:
        return Query.term_query(self.schema, fieldname, value, index_option="freq")

    def plan(self, plan: QueryPlan, bonus: bool = True, semantic: bool = False) -> Any:
        """The plan as one query, among the records its filters allow; the bonus
        clauses (which only add to scores) when asked; with ``semantic`` (the
        documents' index), the plan's documents near in meaning match too, scoring
        nothing (their rank is fused afterwards)."""
        query = self._scoring(plan, bonus)
        if semantic and plan.semantic:
            query = any_of([query, Query.const_score_query(self.semantic(plan), 0.0)])
        if plan.filters:
            query = restricted(query, self.filters(plan))
        return query

    def semantic(self, plan: QueryPlan) -> Any:
        """The documents of the plan's semantic neighbours (by document IRI)."""
        return Query.term_set_query(self.schema, "doc_iri", [n.iri for n in plan.semantic])

    def filters(self, plan: QueryPlan) -> Any:
        return Query.boolean_query(
            [
                (Occur.Must, Query.term_set_query(self.schema, name, list(values)))
                for name, values in plan.filters
            ]
        )

    def _scoring(self, plan: QueryPlan, bonus: bool) -> Any:
        if plan.matches_everything:
            return Query.all_query()
        match = self.clauses(plan.match)
        match += [Query.boost_query(self.term("themes", t), THEME_WEIGHT) for t in plan.themes]
        required = [any_of(group) for group in map(self.clauses, plan.required) if group]
        subqueries: list[tuple[Any, Any]] = [(Occur.Must, q) for q in required]
        if match:
            subqueries.append((Occur.Should if required else Occur.Must, any_of(match)))
        if not subqueries:
            return Query.empty_query()
        if bonus:
            subqueries += [(Occur.Should, q) for q in self.clauses(plan.bonus)]
        return Query.boolean_query(subqueries)

    def clauses(self, clauses: Iterable[Clause]) -> list[Any]:
        return [q for clause in clauses if (q := self.clause(clause)) is not None]

    def clause(self, clause: Clause) -> Any | None:
        """One analysed token is a term, several a phrase; each spelling of the text
        is looked for, the best match counting."""
        queries = []
        for tokens in token_forms(clause.text):
            if len(tokens) == 1:
                queries.append(self.term(clause.field, tokens[0]))
            else:
                queries.append(
                    Query.phrase_query(self.schema, clause.field, list(tokens), slop=clause.slop)
                )
        if not queries:
            return None
        query = queries[0] if len(queries) == 1 else Query.disjunction_max_query(queries)
        return Query.boost_query(query, clause.boost)

    def highlights(self, plan: QueryPlan) -> Any | None:
        """What snippets mark: the plan's highlight words in title and body."""
        clauses = self.clauses(
            Clause(text, name, 1.0) for text in plan.highlight for name in ("body", "title")
        )
        return any_of(clauses) if clauses else None


def any_of(queries: list[Any]) -> Any:
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def restricted(query: Any, restriction: Any) -> Any:
    """``query`` among the records ``restriction`` matches, scored by ``query`` alone."""
    return Query.boolean_query(
        [(Occur.Must, query), (Occur.Must, Query.const_score_query(restriction, 0.0))]
    )


def marked_html(snippet: Any) -> str:
    """A snippet's fragment escaped, its highlighted ranges (byte offsets) in <mark>."""
    raw = snippet.fragment().encode("utf-8")
    parts: list[str] = []
    at = 0
    for span in sorted(snippet.highlighted(), key=lambda r: r.start):
        if span.start < at:
            continue
        parts.append(html.escape(raw[at : span.start].decode("utf-8", "replace")))
        marked = html.escape(raw[span.start : span.end].decode("utf-8", "replace"))
        parts.append(f"<mark>{marked}</mark>")
        at = span.end
    parts.append(html.escape(raw[at:].decode("utf-8", "replace")))
    return "".join(parts).strip()
