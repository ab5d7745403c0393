"""The keyword index behind a small interface, with an embedded whoosh default.

Why whoosh-reloaded rather than whoosh 2.7.4: it is the maintained fork of
the same code (same API, same on-disk format), with the fixes for current
Python versions that 2.7.4, unmaintained since 2016, never received (its
regular expressions raise warnings on import, which our test suite treats as
errors). A deployment that outgrows one machine implements
:class:`SearchIndex` on a search cluster; callers only see records in,
:class:`SearchResponse` out.

Ranking is BM25F over title, entity names and body with query-time field
weights, plus phrase and proximity bonuses; the query is a weighted OR, so a
long query never comes back empty because one word is missing.

Writes are all or nothing: a commit that fails (a full disk) leaves the last
committed index, its lock released and its half-written files removed, and
raises StorageFullError; ``stale`` then tells the service to bring the index
back in step with the store once there is room.
"""

from __future__ import annotations

import html
import logging
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pycountry
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import HtmlFormatter, SentenceFragmenter, highlight
from whoosh.query import And, AndMaybe, Every, Or, Phrase, Query, Term
from whoosh.scoring import BM25F

from practicegraph.errors import StorageFullError, StoreError, is_disk_full
from practicegraph.search.abandon import abandon_writer
from practicegraph.search.analysis import plain_analyzer, text_analyzer
from practicegraph.search.records import KINDS, LOCAL_SOURCE, IndexRecord
from practicegraph.search.searchers import SearcherPool
from practicegraph.search.vocabulary import SearchVocabulary, analyse

FACETS = {
    "theme": "themes",
    "country": "countries",
    "organisation": "organisations",
    "year": "year",
    "kind": "kind",
    "source": "dataset",
}
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
# Field weights of the ranking: a word in a title or practice label counts
# three times, in an entity name (organisation, country, theme) twice.
WEIGHTS = {"title": 3.0, "entities": 2.0, "body": 1.0}
SYNONYM_WEIGHT = 0.45
# Synonyms are looked for in titles and text only: each extra field is one more
# matcher that whoosh (pure Python) runs over every candidate document.
SYNONYM_FIELDS = ("title", "body")
THEME_WEIGHT = 1.2
CORRECTION_WEIGHT = 0.9
RERANK_DEPTH = 100  # candidates whose order phrase and proximity clauses may change

logger = logging.getLogger(__name__)


def schema() -> Schema:
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        source=ID(stored=True),
        dataset=ID(stored=True),
        doc_iri=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=True),
        body=TEXT(analyzer=analyzer, stored=True, phrase=True),
        entities=TEXT(analyzer=analyzer, stored=True, phrase=True),
        spell=TEXT(analyzer=plain_analyzer(), spelling=True, phrase=False),
        # Term vectors make multi-valued facet counts a per-hit lookup instead of a
        # scan of the whole field.
        themes=KEYWORD(stored=True, commas=True, vector=True),
        countries=KEYWORD(stored=True, commas=True, vector=True),
        organisations=KEYWORD(stored=True, commas=True, vector=True),
        year=ID(stored=True),
        date=ID(stored=True, sortable=True),
        content_hash=STORED,
        url=STORED,
        evidence=STORED,
    )


@dataclass
class BuiltQuery:
    match: Query  # decides what matches: terms, single-word synonyms, themes
    rerank: Query | None  # only re-orders the best candidates: proximity, synonym phrases
    suggestion: str | None
    highlight: set[str]  # analysed terms to mark in snippets


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


@dataclass
class Hit:
    id: str
    kind: str
    title: str
    snippet: str  # HTML: text escaped, matched terms in <mark>
    source: str
    document: str
    score: float
    themes: list[str]
    countries: list[str]
    organisations: list[str]
    year: str | None
    url: str | None
    dataset: str = LOCAL_SOURCE  # the source it came from ("local" = ingested here)


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a response, shared by the CLI's --json and the HTTP API."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "page_size": self.page_size,
            "suggestion": self.suggestion,
            "hits": [asdict(hit) for hit in self.hits],
            "facets": {
                name: [{"value": value, "count": count} for value, count in counts]
                for name, counts in self.facets.items()
            },
        }


class SearchIndex(Protocol):
    """What the service needs from a keyword index."""

    #: A write was refused for lack of space; the service resynchronises it.
    stale: bool

    def replace(self, records: Mapping[str, list[IndexRecord]]) -> None: ...
    def delete(self, sources: Iterable[str]) -> None: ...
    def replace_dataset(self, dataset: str, records: Mapping[str, list[IndexRecord]]) -> None: ...
    def clear(self) -> None: ...
    def indexed_hashes(self) -> dict[str, str]: ...
    def counts(self) -> dict[str, int]: ...
    def search(self, request: SearchRequest) -> SearchResponse: ...
    def optimize(self) -> None: ...
    def close(self) -> None: ...


class WhooshIndex:
    """The embedded default: a whoosh index in the data directory."""

    def __init__(self, path: Path, vocabulary: SearchVocabulary | None = None) -> None:
        self.path = path
        self.vocabulary = vocabulary or SearchVocabulary.load()
        self._analyzer = text_analyzer()
        self._fragmenter = SentenceFragmenter(maxchars=400, charlimit=200_000)
        self._formatter = HtmlFormatter(tagname="mark", between=" … ")
        self._postings: dict[str, dict[str, frozenset[int]]] | None = None
        self._searchers = SearcherPool(lambda: self._ix.searcher(weighting=BM25F(B=0.75, K1=1.2)))
        self._postings_generation = -2
        #: A write failed for lack of space: the index may lack what the store has.
        self.stale = False
        try:
            path.mkdir(parents=True, exist_ok=True)
            if whoosh_index.exists_in(str(path)):
                self._ix = whoosh_index.open_dir(str(path))
                if set(self._ix.schema.names()) != set(schema().names()):
                    # An index written by an older version: start afresh; the service
                    # refills it from the store (sync_index) when it opens.
                    self._ix.close()
                    shutil.rmtree(path)
                    path.mkdir(parents=True)
                    self._ix = whoosh_index.create_in(str(path), schema())
            else:
                self._ix = whoosh_index.create_in(str(path), schema())
        except (OSError, whoosh_index.IndexError) as exc:
            raise StoreError(f"cannot open the search index at {path}: {exc}") from exc

    # -- writes ------------------------------------------------------------------
    def replace(self, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace the records of each given source (document file name), in one commit."""
        if records:
            self._rewrite([("source", source) for source in records], records)

    def _rewrite(
        self, deletions: list[tuple[str, str]], records: Mapping[str, list[IndexRecord]]
    ) -> None:
        """Delete by (field, term), then add ``records``: one writer, one commit."""
        with self._writer() as writer:
            for fieldname, term in deletions:
                writer.delete_by_term(fieldname, term)
            for items in records.values():
                for record in items:
                    writer.add_document(**_fields(record))

    @contextmanager
    def _writer(self, commit: Callable[[Any], None] | None = None) -> Iterator[Any]:
        """A writer committed when the block ends, or given up whole if anything fails.

        A full disk becomes StorageFullError, with the index as it was committed last.
        """
        writer = self._ix.writer(timeout=30.0)
        try:
            yield writer
            (commit or (lambda w: w.commit()))(writer)
        except BaseException as exc:
            abandon_writer(self._ix, self.path, writer)
            if is_disk_full(exc):
                self.stale = True
                logger.info("the disk is full: the keyword index refused a write: %s", exc)
                raise StorageFullError(
                    "the keyword index was not updated and keeps its previous state"
                ) from exc
            raise

    def optimize(self) -> None:
        """Merge all segments into one (after a bulk load or a reindex).

        Advisory, like the store's: the data is committed already, so a merge the
        disk has no room for is logged, not raised.
        """
        stale = self.stale
        try:
            with self._writer(lambda writer: writer.commit(optimize=True)):
                pass
        except StorageFullError:
            self.stale = stale  # nothing was lost: the records are all still there
            logger.warning("the keyword index could not be merged (its data is intact)")

    def delete(self, sources: Iterable[str]) -> None:
        with self._writer() as writer:
            for source in sources:
                writer.delete_by_term("source", source)

    def replace_dataset(self, dataset: str, records: Mapping[str, list[IndexRecord]]) -> None:
        """Replace everything of one imported source in one commit."""
        self._rewrite([("dataset", dataset)], records)

    def clear(self) -> None:
        """Drop everything (used by reindex): a fresh, empty index in the same place."""
        self._searchers.close_all()
        self._ix.close()
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._ix = whoosh_index.create_in(str(self.path), schema())
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            self.stale = True
            raise StorageFullError("the keyword index could not be created again") from exc

    def close(self) -> None:
        self._searchers.close_all()
        self._ix.close()

    # -- reads -------------------------------------------------------------------
    def indexed_hashes(self) -> dict[str, str]:
        """index key -> content hash of every indexed document (imported ones included)."""
        with self._ix.searcher() as searcher:
            return {
                fields["source"]: fields.get("content_hash", "")
                for fields in searcher.documents(kind="document")
            }

    def counts(self) -> dict[str, int]:
        with self._ix.searcher() as searcher:
            # doc_frequency would still count deleted documents until a merge
            return {
                kind: len(searcher.search(Term("kind", kind), limit=None, scored=False))
                for kind in KINDS
            }

    def search(self, request: SearchRequest) -> SearchResponse:
        parsed = parse_query(request.query)
        request = _merge_filters(request, parsed.filters)
        page = max(1, request.page)
        size = min(max(1, request.page_size), 100)
        with self._searchers.borrow() as searcher:
            built = self._build_query(searcher, parsed)
            filter_query = self._filter_query(request)
            matched = set(searcher.docs_for_query(built.match))
            if filter_query is not None:
                matched &= set(searcher.docs_for_query(filter_query))
            wanted = page * size
            if request.sort == "date":
                results = searcher.search(
                    built.match, limit=wanted, filter=filter_query, sortedby="date", reverse=True
                )
                ranked = [(hit.docnum, 0.0) for hit in results]
            else:
                results = searcher.search(
                    built.match, limit=max(wanted, RERANK_DEPTH), filter=filter_query
                )
                scores = {hit.docnum: float(hit.score) for hit in results}
                if built.rerank is not None and scores:
                    bonus = searcher.search(built.rerank, limit=None, filter=set(scores))
                    for hit in bonus:
                        scores[hit.docnum] += float(hit.score)
                ranked = sorted(scores.items(), key=lambda pair: -pair[1])
            hits = [
                self._hit(searcher, docnum, score, built.highlight)
                for docnum, score in ranked[(page - 1) * size : wanted]
            ]
            facet_counts = self._facet_counts(searcher, matched)
            return SearchResponse(
                request.query, len(matched), page, size, hits, facet_counts, built.suggestion
            )

    def _facet_counts(self, searcher: Any, matched: set[int]) -> dict[str, list[tuple[str, int]]]:
        """Count each facet value among the matches by intersecting posting sets.

        The posting sets of the facet fields are read once per index generation
        and kept: a query then costs one set intersection per facet value, not a
        read of every matching document's fields.
        """
        postings = self._facet_postings(searcher)
        counts: dict[str, list[tuple[str, int]]] = {}
        for name, per_value in postings.items():
            pairs = [
                (value, len(ids & matched) if len(ids) < len(matched) else len(matched & ids))
                for value, ids in per_value.items()
            ]
            counts[name] = sorted(((v, n) for v, n in pairs if n), key=lambda p: (-p[1], p[0]))
        return counts

    def _facet_postings(self, searcher: Any) -> dict[str, dict[str, frozenset[int]]]:
        generation = searcher.reader().generation()
        if self._postings_generation != generation or self._postings is None:
            postings: dict[str, dict[str, frozenset[int]]] = {}
            for name, fieldname in FACETS.items():
                postings[name] = {
                    str(value): frozenset(searcher.postings(fieldname, value).all_ids())
                    for value in searcher.reader().field_terms(fieldname)
                    if value not in ("", NO_VALUE)
                }
            self._postings, self._postings_generation = postings, generation
        return self._postings

    # -- query building --------------------------------------------------------------
    def _build_query(self, searcher: Any, parsed: ParsedQuery) -> BuiltQuery:
        """Split the query in two: cheap term clauses that decide what matches (and
        give the total and facets), and positional clauses (proximity, multi-word
        synonyms) that only re-rank the best candidates. Positional matchers are the
        costly part of whoosh, so they never run over the whole collection."""
        terms = analyse(" ".join(parsed.words))
        suggestion = None
        corrected: list[str] = []
        if parsed.words:
            corrected, suggestion = self._corrections(searcher, parsed)
        match: list[Query] = []
        rerank: list[Query] = []
        for term in terms:
            match.extend(_across_fields(term))
        if len(terms) > 1:
            for fieldname, weight in (("title", 4.0), ("body", 2.0)):
                rerank.append(Phrase(fieldname, list(terms), slop=3, boost=weight))
        for term in corrected:
            match.extend(_across_fields(term, CORRECTION_WEIGHT))
        all_terms = terms + tuple(corrected) + _phrase_terms(parsed)
        # A word the collection never uses ("reentry") is carried by its synonyms at
        # full weight; synonyms of words that do occur only add a little.
        absent = tuple(t for t in terms if not _known(searcher, t))
        stand_ins = self.vocabulary.expansions(absent) if absent else []
        highlight = set(all_terms)
        for phrase in self.vocabulary.expansions(all_terms):
            weight = 1.0 if phrase in stand_ins else SYNONYM_WEIGHT
            tokens = analyse(phrase)
            target = match if len(tokens) == 1 or phrase in stand_ins else rerank
            target.extend(_phrase_or_term(tokens, weight, fields=SYNONYM_FIELDS))
            if phrase in stand_ins:
                highlight.update(tokens)
        for theme_id in self.vocabulary.themes_named(all_terms):
            match.append(Term("themes", theme_id, boost=THEME_WEIGHT))
        # A quoted phrase must occur in the text itself (title or body), not only in
        # the names of linked entities.
        required = [
            Or(
                [
                    q
                    for name in ("title", "body")
                    for q in _phrase_or_term(tokens, WEIGHTS[name] * 2, name)
                ]
            )
            for phrase in parsed.phrases
            if (tokens := analyse(phrase))
        ]
        if required:
            query: Query = AndMaybe(And(required), Or(match)) if match else And(required)
        elif match:
            query = Or(match)
        else:
            query = Every()
        return BuiltQuery(query, Or(rerank) if rerank else None, suggestion, highlight)

    def _corrections(self, searcher: Any, parsed: ParsedQuery) -> tuple[list[str], str | None]:
        """Analysed terms of the best spelling for each unknown word, and the corrected query."""
        corrector = searcher.corrector("spell")
        corrected_terms: list[str] = []
        replacements: dict[str, str] = {}
        for word in parsed.words:
            tokens = analyse(word)
            if not tokens or any(_known(searcher, t) for t in tokens):
                continue
            if len(word) < 4 or word.isdigit():
                continue  # too short to correct safely ("foo" is not "for")
            maxdist = 1 if len(word) < 7 else 2
            suggestions = corrector.suggest(word.lower(), limit=3, maxdist=maxdist, prefix=1)
            better = next((s for s in suggestions if s != word.lower() and analyse(s)), None)
            if better:
                replacements[word] = better
                corrected_terms += list(analyse(better))
        if not replacements:
            return [], None
        suggestion = parsed.original
        for word, better in replacements.items():
            suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, suggestion)
        return corrected_terms, suggestion

    def _filter_query(self, request: SearchRequest) -> Query | None:
        clauses: list[Query] = []
        for values, fieldname, normalise in (
            (request.themes, "themes", self._theme_id),
            (request.countries, "countries", _country_code),
            (request.organisations, "organisations", str),
            (request.years, "year", str),
            (request.kinds, "kind", str.lower),
            (request.sources, "dataset", str),
        ):
            if values:
                clauses.append(Or([Term(fieldname, normalise(v)) for v in values]))
        return And(clauses) if clauses else None

    def _theme_id(self, value: str) -> str:
        if value in self.vocabulary.theme_labels:
            return value
        wanted = value.strip().lower()
        for theme_id, labels in self.vocabulary.theme_labels.items():
            if any(label.lower() == wanted for label in labels):
                return theme_id
        return value

    def _hit(self, searcher: Any, docnum: int, score: float, terms: set[str]) -> Hit:
        fields = searcher.stored_fields(docnum)
        snippet = ""
        for name, top in (("body", 2), ("title", 1)):
            text = fields.get(name) or ""
            snippet = (
                highlight(
                    text,
                    frozenset(terms),
                    self._analyzer,
                    self._fragmenter,
                    self._formatter,
                    top=top,
                )
                if text and terms
                else ""
            )
            if snippet:
                break
        if not snippet:
            snippet = html.escape(_first_sentences(fields.get("body", "")))
        return Hit(
            id=fields["id"],
            kind=fields["kind"],
            title=fields.get("title", ""),
            snippet=snippet,
            source=fields.get("source", "").rsplit("/", 1)[-1],
            document=fields.get("doc_iri", ""),
            score=round(score, 4),
            themes=_split(fields.get("themes")),
            countries=_split(fields.get("countries")),
            organisations=_split(fields.get("organisations")),
            year=fields.get("year"),
            url=fields.get("url"),
            dataset=fields.get("dataset") or LOCAL_SOURCE,
        )


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


def _merge_filters(request: SearchRequest, filters: dict[str, list[str]]) -> SearchRequest:
    if not filters:
        return request
    return SearchRequest(
        query=request.query,
        page=request.page,
        page_size=request.page_size,
        sort=request.sort,
        themes=request.themes + filters.get("theme", []),
        countries=request.countries + filters.get("country", []),
        organisations=request.organisations + filters.get("organisation", []),
        years=request.years + filters.get("year", []),
        kinds=request.kinds + filters.get("kind", []),
        sources=request.sources + filters.get("source", []),
    )


def _phrase_terms(parsed: ParsedQuery) -> tuple[str, ...]:
    return tuple(t for phrase in parsed.phrases for t in analyse(phrase))


def _across_fields(term: str, scale: float = 1.0) -> list[Query]:
    return [Term(fieldname, term, boost=weight * scale) for fieldname, weight in WEIGHTS.items()]


def _phrase_or_term(
    tokens: tuple[str, ...],
    boost: float,
    fieldname: str | None = None,
    fields: tuple[str, ...] | None = None,
) -> list[Query]:
    fields = (fieldname,) if fieldname else (fields or tuple(WEIGHTS))
    queries: list[Query] = []
    for name in fields:
        weight = boost * (WEIGHTS[name] if fieldname is None else 1.0)
        if len(tokens) == 1:
            queries.append(Term(name, tokens[0], boost=weight))
        else:
            queries.append(Phrase(name, list(tokens), slop=1, boost=weight))
    return queries


def _known(searcher: Any, term: str) -> bool:
    return any(searcher.doc_frequency(name, term) for name in WEIGHTS)


def _country_code(value: str) -> str:
    value = value.strip()
    if len(value) == 2:
        return value.upper()
    try:
        return str(pycountry.countries.lookup(value).alpha_2)
    except LookupError:
        return value.upper()


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v and v != NO_VALUE]


def _first_sentences(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"


NO_VALUE = "_none"  # whoosh cannot read a term vector of an empty field


def _keywords(values: Iterable[str]) -> str:
    joined = ",".join(values)
    return joined or NO_VALUE


_SPELL_WORD = re.compile(r"[^\W\d_]{3,}")


def _vocabulary_of(*texts: str) -> str:
    """Each distinct word once: the spelling dictionary needs words, not frequencies,
    and analysing a third of the tokens makes indexing cheaper."""
    return " ".join({w.lower() for text in texts for w in _SPELL_WORD.findall(text)})


def _fields(record: IndexRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "source": record.source,
        "dataset": record.dataset,
        "doc_iri": record.doc_iri,
        "title": record.title,
        "body": record.body,
        "entities": record.entities,
        "spell": _vocabulary_of(record.title, record.body, record.entities),
        "themes": _keywords(record.themes),
        "countries": _keywords(record.countries),
        "organisations": _keywords(o.replace(",", " ") for o in record.organisations),
        "year": record.year or "",
        "date": record.date or "",
        "content_hash": record.content_hash,
        "url": record.url,
        "evidence": record.evidence,
    }
