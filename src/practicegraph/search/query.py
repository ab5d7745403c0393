"""What a keyword query means, worked out once above the search engine.

A user's query becomes a :class:`QueryPlan`: the clauses that decide what
matches, the clauses that only add to the score (proximity, multi-word
synonyms), the themes it names, the filters, the spelling it corrects and the
words to mark in snippets. Engines (:mod:`whoosh_index`, :mod:`tantivy_index`)
only execute a plan, so ranking rules, synonyms and corrections behave the
same whichever engine the settings choose.

Clauses carry text, not index terms: each engine analyses the text with its own
analyzer (one analysed token is a term query, several a phrase).

Why the query is a weighted OR: a long query must never come back empty
because one word is missing from every document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import pycountry

from practicegraph.search.vocabulary import SearchVocabulary, analyse

# Field weights of the ranking, chosen on the tuning queries (eval/search_queries_tune.json):
# title and text alike; names of linked entities (organisations, countries, places,
# theme labels) at half, so that "Latvia" still finds what only names Riga. Titles
# at 3 and entities at 2, the first weights, lost 0.05 nDCG@10 there.
WEIGHTS: Mapping[str, float] = {"title": 1.0, "entities": 0.5, "body": 1.0}
#: Synonyms are looked for in titles and text only, not in entity names.
SYNONYM_FIELDS = ("title", "body")
THEME_WEIGHT = 1.2
CORRECTION_WEIGHT = 0.9
#: Proximity of the query's words: (field, boost); the words within PROXIMITY_SLOP.
PROXIMITY = (("title", 2.0), ("body", 1.0))
PROXIMITY_SLOP = 3
#: Most results one page may hold.
MAX_PAGE_SIZE = 100

_FILTER_ALIASES = {
    "theme": "theme",
    "themes": "theme",
    "country": "country",
    "countries": "country",
    "org": "organisation",
    "organisation": "organisation",
    "organization": "organisation",
    "year": "year",
    "kind": "kind",
    "type": "kind",
    "source": "source",
}
#: Facet name (as the API and pages call it) -> index field.
FACETS: Mapping[str, str] = {
    "theme": "themes",
    "country": "countries",
    "organisation": "organisations",
    "year": "year",
    "kind": "kind",
    "source": "dataset",
}


@dataclass
class SearchRequest:
    query: str
    themes: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = 10
    sort: str = "relevance"  # or "date"


# -- user query syntax -----------------------------------------------------------------


@dataclass
class ParsedQuery:
    original: str
    words: list[str]
    phrases: list[str]
    filters: dict[str, list[str]]


_FILTER = re.compile(r"(?<!\S)(\w+):(\"[^\"]*\"|\S+)")
_PHRASE = re.compile(r"\"([^\"]+)\"")


def parse_query(text: str) -> ParsedQuery:
    """Plain words, "quoted phrases" and field:value filters; never raises.

    Anything that is not valid syntax (an unknown field, an unbalanced quote,
    stray operators) is read as plain words, so a malformed query still finds
    what its words find.
    """
    filters: dict[str, list[str]] = {}

    def take_filter(match: re.Match[str]) -> str:
        name = _FILTER_ALIASES.get(match.group(1).lower())
        if name is None:
            return match.group(0).replace(":", " ")
        filters.setdefault(name, []).append(match.group(2).strip('"'))
        return " "

    rest = _FILTER.sub(take_filter, text)
    phrases = [p.strip() for p in _PHRASE.findall(rest) if p.strip()]
    rest = _PHRASE.sub(" ", rest)
    words = [
        w
        for w in re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", rest)
        if w.upper() not in ("AND", "OR", "NOT")
    ]
    return ParsedQuery(text, words, phrases, filters)


# -- the plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """Text to find in one field: one analysed token is a term, several a phrase
    whose words may stand ``slop`` positions apart."""

    text: str
    field: str
    boost: float
    slop: int = 1


class Neighbour(NamedTuple):
    """A document near the query in meaning."""

    iri: str
    cosine: float
    passage: str  # its passage nearest to the query


@dataclass(frozen=True)
class QueryPlan:
    #: Each group is a quoted phrase: one clause of every group must match.
    required: tuple[tuple[Clause, ...], ...]
    #: Any of these may match; with no required group, one of them must.
    match: tuple[Clause, ...]
    #: Only add to the score of what matches anyway.
    bonus: tuple[Clause, ...]
    #: Theme ids the query names: a record filed under one matches.
    themes: tuple[str, ...]
    #: (index field, values): any value within a field, every field.
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    #: Words whose analysed forms are marked in snippets.
    highlight: tuple[str, ...]
    #: The query with its misspelt words corrected, when any were.
    suggestion: str | None
    #: Why a hit may match without the query's words: (query words, what was searched).
    expansions: tuple[tuple[str, str], ...]
    page: int = 1
    page_size: int = 10
    sort: str = "relevance"
    #: Documents near the query in meaning, nearest first. They match too, and their
    #: rank is fused with the keyword ranking.
    semantic: tuple[Neighbour, ...] = ()

    @property
    def matches_everything(self) -> bool:
        return not (self.required or self.match or self.themes)

    def match_key(self) -> tuple[object, ...]:
        """What decides the match set (and so the total and the facet counts)."""
        return (self.required, self.match, self.themes, self.filters, self.semantic)


class Lexicon(Protocol):
    """What planning asks of an index's vocabulary."""

    def known(self, text: str) -> bool:
        """Whether the analysed form of ``text`` occurs in a title, body or entity name."""
        ...

    def similar_words(self, word: str, max_distance: int) -> list[str]:
        """Indexed words (lower case) within ``max_distance`` edits of ``word``, best first."""
        ...


class Neighbours(Protocol):
    """Documents near a text in meaning (``semantic_index.SemanticIndex``)."""

    def neighbours(self, text: str) -> list[Neighbour]:
        """The documents nearest to ``text``, nearest first."""
        ...


def plan_query(
    request: SearchRequest,
    vocabulary: SearchVocabulary,
    lexicon: Lexicon,
    meaning: Neighbours | None = None,
) -> QueryPlan:
    """Turn a request into the clauses, filters and corrections every engine runs.

    With ``meaning``, the documents nearest to the query's words in meaning join
    the plan, except where the user asked for exact words (a quoted phrase) or for
    the newest first (a date order would rank loosely related documents first)."""
    parsed = parse_query(request.query)
    words = [w for w in parsed.words if analyse(w)]  # stop words alone find nothing
    terms = analyse(" ".join(words))
    corrections, suggestion = _corrections(parsed, lexicon)
    match: list[Clause] = [
        Clause(w, name, weight) for w in words for name, weight in WEIGHTS.items()
    ]
    bonus: list[Clause] = []
    if len(terms) > 1:
        joined = " ".join(words)
        bonus += [Clause(joined, name, boost, PROXIMITY_SLOP) for name, boost in PROXIMITY]
    for word in corrections:
        match += [Clause(word, name, w * CORRECTION_WEIGHT) for name, w in WEIGHTS.items()]
    corrected_terms = analyse(" ".join(corrections))
    all_terms = terms + corrected_terms + tuple(t for p in parsed.phrases for t in analyse(p))
    # A word the collection never uses ("reentry") is carried by its synonyms at
    # full weight. Synonyms of words the collection does use are left out: on the
    # tuning queries they only drowned the rarer words ("prison radio" became a
    # search for offenders, custody and inmates).
    absent = {t for w in words if not lexicon.known(w) for t in analyse(w)}
    highlight = list(words) + list(corrections) + list(parsed.phrases)
    expansions: list[tuple[str, str]] = []
    for source, phrase in vocabulary.expansion_pairs(all_terms) if absent else []:
        if absent & set(analyse(source)):
            match += [Clause(phrase, name, WEIGHTS[name]) for name in SYNONYM_FIELDS]
            expansions.append((source, phrase))
            highlight.append(phrase)
    themes = tuple(vocabulary.themes_named(all_terms))
    # A quoted phrase must occur in the text itself (title or body), not only in
    # the names of linked entities.
    required = tuple(
        tuple(Clause(phrase, name, WEIGHTS[name] * 2) for name in ("title", "body"))
        for phrase in parsed.phrases
        if analyse(phrase)
    )
    return QueryPlan(
        required=required,
        match=tuple(dict.fromkeys(match)),
        bonus=tuple(dict.fromkeys(bonus)),
        themes=themes,
        filters=_filters(request, parsed.filters, vocabulary),
        highlight=tuple(dict.fromkeys(highlight)),
        suggestion=suggestion,
        expansions=tuple(dict.fromkeys(expansions)),
        page=max(1, request.page),
        page_size=min(max(1, request.page_size), MAX_PAGE_SIZE),
        sort=request.sort,
        semantic=tuple(meaning.neighbours(" ".join(words + corrections)))
        if meaning is not None and words and not required and request.sort != "date"
        else (),
    )


def _corrections(parsed: ParsedQuery, lexicon: Lexicon) -> tuple[list[str], str | None]:
    """The best spelling of each word the index does not know, and the corrected query.

    Only words absent from the index are corrected, and only words long enough to
    correct safely ("foo" is not "for"); one edit under seven letters, two above.
    """
    replacements: dict[str, str] = {}
    for word in parsed.words:
        if len(word) < 4 or word.isdigit() or not analyse(word) or lexicon.known(word):
            continue
        max_distance = 1 if len(word) < 7 else 2
        better = next(
            (
                s
                for s in lexicon.similar_words(word.lower(), max_distance)
                if s != word.lower() and analyse(s)
            ),
            None,
        )
        if better:
            replacements[word] = better
    if not replacements:
        return [], None
    suggestion = parsed.original
    for word, better in replacements.items():
        suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, suggestion)
    return list(replacements.values()), suggestion


def _filters(
    request: SearchRequest, typed: dict[str, list[str]], vocabulary: SearchVocabulary
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Filters of the request and of the query text (``country:BE``), as index values."""
    wanted = (
        ("themes", request.themes + typed.get("theme", []), vocabulary.theme_id),
        ("countries", request.countries + typed.get("country", []), country_code),
        ("organisations", request.organisations + typed.get("organisation", []), str),
        ("year", request.years + typed.get("year", []), str),
        ("kind", request.kinds + typed.get("kind", []), str.lower),
        ("dataset", request.sources + typed.get("source", []), str),
    )
    return tuple(
        (name, tuple(dict.fromkeys(normalise(v) for v in values)))
        for name, values, normalise in wanted
        if values
    )


def country_code(value: str) -> str:
    """An ISO 3166 alpha-2 code from a code or a country's name ("Latvia" -> "LV")."""
    value = value.strip()
    if len(value) == 2:
        return value.upper()
    try:
        return str(pycountry.countries.lookup(value).alpha_2)
    except LookupError:
        return value.upper()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or ``limit + 1``
    as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
