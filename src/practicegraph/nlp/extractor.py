"""The extractor: one spaCy pass per document, then the domain extractors over it.

Mirrors spaCy's own API (``__call__`` for one text, ``pipe`` for a stream)
and takes the loaded ``nlp`` object rather than loading a model itself, so
tests, the CLI and the service share one pipeline per process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from practicegraph.config import ontology_dir
from practicegraph.models import Country, Extraction, Organisation, Place, Practice, TextSpan
from practicegraph.nlp.dates import find_dates
from practicegraph.nlp.events import Located, SentenceInfo, find_events
from practicegraph.nlp.gazetteer import Gazetteer
from practicegraph.nlp.geo import GeoMatcher
from practicegraph.nlp.organisations import OrganisationExtractor
from practicegraph.nlp.practices import practice_label, score_sentence, select_practices
from practicegraph.nlp.themes import ThemeTagger, load_theme_concepts


@dataclass(frozen=True)
class ExtractionInput:
    text: str
    title: str | None = None


class Extractor:
    def __init__(self, nlp: Language, gazetteer: Gazetteer | None = None) -> None:
        self.nlp = nlp
        self.gazetteer = gazetteer or Gazetteer()
        self.geo = GeoMatcher(self.gazetteer)
        self.organisations = OrganisationExtractor(self.gazetteer)
        self.themes = ThemeTagger(nlp, load_theme_concepts(ontology_dir() / "themes.ttl"))

    def __call__(self, text: str, title: str | None = None) -> Extraction:
        return self.extract(self.nlp(text), title)

    def pipe(
        self, items: Iterable[ExtractionInput], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[Extraction]:
        """Extract from a stream; with ``n_process`` > 1 spaCy parses in worker processes
        while this one runs the domain extractors on the documents already parsed."""
        pairs = ((item.text, item) for item in items)
        for doc, item in self.nlp.pipe(
            pairs, as_tuples=True, batch_size=batch_size, n_process=n_process
        ):
            yield self.extract(doc, item.title)

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
        for sent in doc.sents:
            if sent.end_char <= title_end:
                continue
            scored.append((sent, score_sentence(sent, org_ranges)))
        practices = []
        selected = select_practices(scored)
        chunks_by_sentence: dict[int, list[Span]] = {}
        if selected:
            starts = {sent.start: sent for sent, _score in selected}
            for chunk in doc.noun_chunks:
                sent_start = chunk.sent.start
                if sent_start in starts:
                    chunks_by_sentence.setdefault(sent_start, []).append(chunk)
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
                    label=practice_label(sent, chunks_by_sentence.get(sent.start, [])),
                    description=text,
                    evidence=evidence,
                    confidence=round(min(score / 8.0, 1.0), 3),
                    themes=themes,
                    providers=providers,
                    countries=list(dict.fromkeys(c for c, s in country_at if start <= s < end)),
                )
            )
        return practices


def _title_end(text: str, title: str | None) -> int:
    if not title:
        return 0
    at = text.find(title.strip(), 0, 2000)
    return at + len(title.strip()) if at >= 0 else 0
