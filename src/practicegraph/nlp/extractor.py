"""The extractor: one spaCy pass per document, then the domain extractors over it.

Mirrors spaCy's own API (``__call__`` for one text, ``pipe`` for a stream)
and takes the loaded ``nlp`` object rather than loading a model itself, so
tests, the CLI and the service share one pipeline per process.

A long text is parsed in pieces (:func:`split_text`, at paragraph or sentence
ends) joined back into one ``Doc`` whose text is the document's, character for
character, so every offset the extractors report still points into it. spaCy
worker processes (``n_process`` > 1) are killed by the kernel if this process
dies (:func:`~practicegraph.nlp.workers.children_die_with_parent`).
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from practicegraph.config import ontology_dir
from practicegraph.models import Country, Extraction, Organisation, Place, Practice, TextSpan
from practicegraph.nlp.dates import find_dates
from practicegraph.nlp.event_dating import SentenceInfo
from practicegraph.nlp.events import Located, find_events
from practicegraph.nlp.gazetteer import Gazetteer
from practicegraph.nlp.geo import GeoMatcher
from practicegraph.nlp.linebreaks import rejoin_lines
from practicegraph.nlp.org_identity import qualify_generic_names
from practicegraph.nlp.organisations import OrganisationExtractor
from practicegraph.nlp.practice_model import sentence_probability
from practicegraph.nlp.practices import (
    LEARNED_THRESHOLD,
    THRESHOLD,
    combined_score,
    practice_description,
    practice_label,
    score_sentence,
    select_practices,
)
from practicegraph.nlp.themes import ThemeTagger, load_theme_concepts
from practicegraph.nlp.workers import children_die_with_parent

_log = logging.getLogger(__name__)

#: Longest piece of text spaCy parses at once. Why: the parser and the entity
#: recogniser need memory in proportion to the text, and spaCy refuses a text
#: longer than ``nlp.max_length`` (error E088) outright.
CHUNK_CHARS = 100_000

#: Where a piece may end, best first: after a blank line, a line break, a
#: sentence's final punctuation and its space, any whitespace.
_CUTS = tuple(re.compile(p) for p in (r"\n\s*\n", r"\n", r"[.!?][\"')\]]*\s", r"\s"))


@dataclass(frozen=True)
class ExtractionInput:
    text: str
    title: str | None = None


@dataclass(frozen=True)
class ExtractionFailure:
    """Why one document of a stream has no extraction; the stream goes on."""

    reason: str


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters that join back into it.

    Each piece ends at the last paragraph break inside the limit, else the last
    line break, sentence end or space (a word is cut only when a piece holds a
    single word). Why those places: the pipeline's ``line_boundaries`` starts a
    sentence there anyway, so parsing the pieces apart changes almost nothing.
    """
    if limit < 1:
        raise ValueError(f"limit must be positive, got {limit}")
    pieces: list[str] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = limit
        for pattern in _CUTS:
            ends = [m.end() for m in pattern.finditer(window) if m.end() < limit]
            if ends:
                cut = ends[-1]
                break
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


class Extractor:
    def __init__(self, nlp: Language, gazetteer: Gazetteer | None = None) -> None:
        self.nlp = nlp
        self.gazetteer = gazetteer or Gazetteer()
        self.geo = GeoMatcher(self.gazetteer)
        self.organisations = OrganisationExtractor(self.gazetteer)
        self.themes = ThemeTagger(nlp, load_theme_concepts(ontology_dir() / "themes.ttl"))

    @property
    def chunk_chars(self) -> int:
        """Longest piece parsed at once: ``CHUNK_CHARS`` or spaCy's limit if lower."""
        return max(1, min(CHUNK_CHARS, self.nlp.max_length))

    def __call__(self, text: str, title: str | None = None) -> Extraction:
        return self.extract(self.parse(text), title)

    def parse(self, text: str) -> Doc:
        """One text through spaCy in this process, in pieces if it is long."""
        pieces = split_text(rejoin_lines(text), self.chunk_chars)
        return _joined([self.nlp(piece) for piece in pieces])

    def pipe(
        self, items: Iterable[ExtractionInput], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[Extraction]:
        """Extract from a stream; with ``n_process`` > 1 spaCy parses in worker processes
        while this one runs the domain extractors on the documents already parsed."""
        for item, doc in self.pipe_docs(items, batch_size=batch_size, n_process=n_process):
            yield self.extract(doc, item.title)

    def pipe_each(
        self, items: Sequence[ExtractionInput], batch_size: int = 16, n_process: int = 1
    ) -> Generator[Extraction | ExtractionFailure, None, None]:
        """Like :meth:`pipe`, but a document that fails gets an :class:`ExtractionFailure`.

        One result per item, in order. spaCy's stream stops at the first
        document it chokes on (with worker processes, the whole pipe does), so
        the documents it had not returned yet are then parsed one at a time in
        this process: only the bad one fails, with its reason.
        """
        done = 0
        stream = self.pipe_docs(items, batch_size=batch_size, n_process=n_process)
        try:
            for item, doc in stream:
                done += 1
                yield self._extract_or_fail(doc, item)
        except Exception as exc:
            # One line: a worker's error message carries the worker's whole traceback.
            _log.warning(
                "spaCy stopped at document %d of %d (%s); parsing the rest one by one",
                done + 1,
                len(items),
                (str(exc).strip().splitlines() or [type(exc).__name__])[0],
                exc_info=_log.isEnabledFor(logging.DEBUG),
            )
        finally:
            stream.close()  # stops spaCy's workers if the caller gives up early
        for item in items[done:]:
            try:
                doc = self.parse(item.text)
            except Exception as exc:
                _log.debug("spaCy could not parse a document", exc_info=True)
                yield ExtractionFailure(f"spaCy could not parse it ({type(exc).__name__}: {exc})")
                continue
            yield self._extract_or_fail(doc, item)

    def _extract_or_fail(self, doc: Doc, item: ExtractionInput) -> Extraction | ExtractionFailure:
        try:
            return self.extract(doc, item.title)
        except Exception as exc:  # one document's bad luck, not the batch's
            _log.debug("extraction failed", exc_info=True)
            return ExtractionFailure(f"extraction failed ({type(exc).__name__}: {exc})")

    def pipe_docs(
        self, items: Iterable[ExtractionInput], batch_size: int = 16, n_process: int = 1
    ) -> Generator[tuple[ExtractionInput, Doc], None, None]:
        """Parse a stream: each item with its ``Doc``, in order, long texts in pieces.

        Why separate from :meth:`pipe`: a caller that must survive one bad
        document runs :meth:`extract` on each ``Doc`` itself.
        """
        waiting: deque[ExtractionInput] = deque()
        limit = self.chunk_chars

        def pieces() -> Iterator[tuple[str, bool]]:
            # The context is only "last piece?": an item's text is not shipped
            # to the workers a second time; the items wait here in order.
            for item in items:
                waiting.append(item)
                parts = split_text(rejoin_lines(item.text), limit)
                for number, part in enumerate(parts, 1):
                    yield part, number == len(parts)

        with children_die_with_parent(enabled=n_process != 1):
            parsed: list[Doc] = []
            for doc, last in self.nlp.pipe(
                pieces(), as_tuples=True, batch_size=batch_size, n_process=n_process
            ):
                parsed.append(doc)
                if last:
                    yield waiting.popleft(), _joined(parsed)
                    parsed = []

    def extract(self, doc: Doc, title: str | None = None) -> Extraction:
        text = doc.text
        title_end = _title_end(text, title)
        entity_spans = {(e.start_char, e.end_char): e.label_ for e in doc.ents}
        org_entities = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "ORG"]
        place_reading = {span for span, label in entity_spans.items() if label in ("GPE", "LOC")}

        # Organisations first: a country name inside "Ministry of Justice of Belgium"
        # still names Belgium, but a city inside an organisation's name is no place.
        person_spans = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
        organisations = self.organisations(text, org_entities, person_spans)
        org_spans = [(o.key, s.start, s.end) for o in organisations for s in o.spans]

        countries: dict[str, Country] = {}
        for code, span in self.geo.countries(text, place_reading):
            country = countries.get(code) or countries.setdefault(code, self.geo.to_country(code))
            country.spans.append(span)
        places: dict[str, Place] = {}
        for entry, span in self.geo.places(text, entity_spans, set(countries)):
            inside_org = any(s <= span.start and span.end <= e for _k, s, e in org_spans)
            if inside_org and text[max(0, span.start - 3) : span.start] not in ("of ", "in "):
                continue  # "Phoenix Zululand" is a body, "University of Turin" names Turin
            place = places.get(entry.key)
            if place is None:
                place = places[entry.key] = Place(
                    entry.key, span.text, entry.name, entry.country, entry.geonameid
                )
            place.spans.append(span)
        place_ranges = [(s.start, s.end) for p in places.values() for s in p.spans]
        for code in list(countries):  # "Ireland" inside "Northern Ireland" is no mention of IE
            kept = [
                s
                for s in countries[code].spans
                if not any(
                    a <= s.start and s.end <= b and (a, b) != (s.start, s.end)
                    for a, b in place_ranges
                )
            ]
            if kept:
                countries[code].spans = kept
            else:
                del countries[code]
        known = [(p.country or "", s.start, s.end) for p in places.values() for s in p.spans]
        known += [(c.code, s.start, s.end) for c in countries.values() for s in c.spans]
        for place, span in self.geo.anchored_unknown_places(text, entity_spans, known):
            places.setdefault(place.key, place).spans.append(span)
        for place in places.values():  # a city names its country
            if place.country and place.country not in countries:
                countries[place.country] = self.geo.to_country(place.country)
                countries[place.country].spans.extend(place.spans)

        qualify_generic_names(organisations, list(countries.values()))

        sentences = [SentenceInfo(s.start_char, s.end_char) for s in doc.sents]
        dates = find_dates(text)
        located = [
            Located(s.start, s.end, p.key, p.country, p.name)
            for p in places.values()
            for s in p.spans
        ]
        located += [
            Located(s.start, s.end, None, c.code, c.name)
            for c in countries.values()
            for s in c.spans
        ]
        located.sort(key=lambda loc: loc.start)
        events = find_events(text, sentences, dates, located, org_spans, title_end)

        theme_cues = self.themes.cue_spans(doc)
        themes = self.themes(doc, title_end, theme_cues)
        doc_themes = [t.theme_id for t in themes]
        practices = self._practices(
            doc, organisations, countries, doc_themes, title_end, theme_cues
        )
        return Extraction(
            organisations=organisations,
            countries=list(countries.values()),
            places=list(places.values()),
            events=events,
            themes=themes,
            practices=practices,
        )

    def _practices(
        self,
        doc: Doc,
        organisations: list[Organisation],
        countries: dict[str, Country],
        doc_themes: list[str],
        title_end: int,
        theme_cues: dict[str, list[TextSpan]],
    ) -> list[Practice]:
        org_at = [(o.key, s.start, s.end) for o in organisations for s in o.spans]
        org_counts = Counter(key for key, _s, _e in org_at)
        org_ranges = [(s, e) for _k, s, e in org_at]
        country_at = [(c.code, s.start) for c in countries.values() for s in c.spans]
        scored = []
        learned = False
        sentences = list(doc.sents)
        index_of = {sent.start: i for i, sent in enumerate(sentences)}
        for sent in sentences:
            if sent.end_char <= title_end:
                continue
            probability = sentence_probability(sent)
            learned = learned or probability is not None
            rule_score = score_sentence(sent, org_ranges)
            scored.append((sent, combined_score(sent, rule_score, probability)))
        practices = []
        threshold = LEARNED_THRESHOLD if learned else THRESHOLD
        selected = select_practices(scored, threshold=threshold)
        # The document's noun chunks, walked once: spaCy's Span.noun_chunks walks the
        # whole document's on every call (a fifth of ingest's own time).
        chunks = list(doc.noun_chunks) if selected else []
        chunk_starts = [chunk.start for chunk in chunks]
        for sent, score in selected:
            start, end = sent.start_char, sent.end_char
            providers = list(dict.fromkeys(k for k, s, _e in org_at if start <= s < end))
            if not providers and org_counts:
                providers = [org_counts.most_common(1)[0][0]]
            sentence_themes = [
                t for t, spans in theme_cues.items() if any(start <= sp.start < end for sp in spans)
            ]
            themes = (
                [t for t in doc_themes if t in sentence_themes]
                or sentence_themes[:2]
                or doc_themes[:1]
            )
            text = sent.text.strip()
            offset = sent.text.find(text)
            evidence = TextSpan(start + offset, start + offset + len(text), text)
            practices.append(
                Practice(
                    label=practice_label(
                        sent,
                        chunks[
                            bisect_left(chunk_starts, sent.start) : bisect_left(
                                chunk_starts, sent.end
                            )
                        ],
                    ),
                    description=practice_description(
                        sent, sentences[max(0, index_of[sent.start] - 12) : index_of[sent.start]]
                    ),
                    evidence=evidence,
                    # Twice the threshold is full confidence; a sentence just kept is 0.5.
                    confidence=round(min(score / (2 * threshold), 1.0), 3),
                    themes=themes,
                    providers=providers,
                    countries=list(dict.fromkeys(c for c, s in country_at if start <= s < end)),
                )
            )
        return practices


def _joined(docs: list[Doc]) -> Doc:
    """The pieces of one text as one ``Doc`` (text, tokens, sentences, entities)."""
    if len(docs) == 1:
        return docs[0]
    return Doc.from_docs(docs, ensure_whitespace=False)


def _title_end(text: str, title: str | None) -> int:
    if not title:
        return 0
    at = text.find(title.strip(), 0, 2000)
    return at + len(title.strip()) if at >= 0 else 0
