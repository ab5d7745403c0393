"""Themes: which concepts of the SKOS scheme a document discusses substantively.

The cue phrases are the scheme's own labels (ontology/themes.ttl: the
altLabels and hiddenLabels; a prefLabel such as "Leadership and management" is a heading, not
a phrase of running text), so growing the scheme grows the matcher; nothing is
listed here. A theme counts when its cues occur in two sentences (the title is one),
or when two different cues of it occur: one passing word is not enough
(THEMES.md). These two thresholds were chosen on the corpus's train split
(theme F1 0.603 -> 0.653 there, over three stricter and looser variants, and
still the best of eight variants after the cue terms were revised; rechecked
after general synonyms were added to the scheme, theme F1 0.718 -> 0.760 on
train; no stricter or document-length-relative threshold did better by more
than 0.001, so the two stay).

Each stretch of text counts once, as its longest cue: "probation service" is
one cue, not "probation" plus "probation service" (which made any single
mention look like two distinct cues), and "vocational training" belongs to
offenders' education, not also to staff training through "training". The
plural of a cue and the cue are one distinct cue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from practicegraph.models import TextSpan, ThemeMatch
from practicegraph.vocab import SKOS

MIN_SENTENCES = 2
MIN_DISTINCT_CUES = 2


@dataclass(frozen=True)
class ThemeConcept:
    theme_id: str
    label: str
    cues: tuple[str, ...]


def load_theme_concepts(themes_ttl: Path) -> list[ThemeConcept]:
    graph = Graph()
    graph.parse(themes_ttl, format="turtle")
    concepts = []
    for concept, notation in graph.subject_objects(SKOS.notation):
        label = str(graph.value(concept, SKOS.prefLabel) or notation)
        # altLabels are the concept's other names (search expands queries with them);
        # hiddenLabels are further words that mark a passage about it ("jointly",
        # "statutory"), matched in text but never shown or used to expand a query.
        cues = {
            str(label)
            for predicate in (SKOS.altLabel, SKOS.hiddenLabel)
            for label in graph.objects(concept, predicate)
        }
        concepts.append(ThemeConcept(str(notation), label, tuple(sorted(cues))))
    return sorted(concepts, key=lambda c: c.theme_id)


def _variants(phrase: str) -> set[str]:
    """The phrase and its simple plural, since matching is on lower-case forms."""
    phrase = phrase.strip()
    out = {phrase}
    if phrase and phrase[-1].isalpha():
        out.add(phrase + ("es" if phrase.endswith(("s", "x", "ch", "sh")) else "s"))
        if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
            out.add(phrase[:-1] + "ies")
    return out


class ThemeTagger:
    def __init__(self, nlp: Language, concepts: list[ThemeConcept]) -> None:
        self.concepts = concepts
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._cue_of: dict[str, str] = {}  # a matched form -> the cue it is a form of
        for concept in concepts:
            phrases = set()
            for cue in concept.cues:
                forms = _variants(cue.lower())
                for form in forms:
                    self._cue_of.setdefault(form, cue.lower())
                phrases |= forms
            self.matcher.add(concept.theme_id, [nlp.make_doc(phrase) for phrase in sorted(phrases)])

    def cue_spans(self, doc: Doc) -> dict[str, list[TextSpan]]:
        found: dict[str, list[TextSpan]] = defaultdict(list)
        for theme_id, start, end in _longest(
            [(doc.vocab.strings[m], start, end) for m, start, end in self.matcher(doc)]
        ):
            span = doc[start:end]
            found[theme_id].append(TextSpan(span.start_char, span.end_char, span.text))
        return found

    def __call__(
        self, doc: Doc, title_end: int, cues: dict[str, list[TextSpan]] | None = None
    ) -> list[ThemeMatch]:
        """Themes the document discusses; ``cues`` saves a second matcher pass."""
        sentence_of = {}
        for index, sent in enumerate(doc.sents):
            sentence_of[sent.start_char] = index
        starts = sorted(sentence_of)
        results = []
        for theme_id, spans in (cues if cues is not None else self.cue_spans(doc)).items():
            sentences = {_sentence_index(starts, s.start) for s in spans}
            distinct_cues = {self._cue_of.get(_norm(s.text), _norm(s.text)) for s in spans}
            in_title = any(s.start < title_end for s in spans)
            substantive = len(sentences) >= MIN_SENTENCES or len(distinct_cues) >= MIN_DISTINCT_CUES
            if substantive:
                score = len(sentences) + (2 if in_title else 0) + 0.5 * len(distinct_cues)
                results.append(ThemeMatch(theme_id, score, spans))
        return sorted(results, key=lambda m: -m.score)


def _longest(matches: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Each stretch of text is read as its longest cue: "probation service" is one
    mention of probation (not the two cues "probation" and "probation service"),
    and "vocational training" is offenders' education, not staff training. A span
    that two themes share (the same words) stays with both."""
    kept: list[tuple[str, int, int]] = []
    reach = -1  # furthest end of the spans before the current position
    last_end: dict[str, int] = {}
    ordered = sorted(set(matches), key=lambda m: (m[1], -m[2]))
    for index, (theme_id, start, end) in enumerate(ordered):
        if index and ordered[index - 1][1:] != (start, end):
            reach = max(reach, ordered[index - 1][2])
        if reach >= end or last_end.get(theme_id, -1) > start:
            continue  # inside a longer cue, or overlapping this theme's last one
        kept.append((theme_id, start, end))
        last_end[theme_id] = end
    return kept


def _sentence_index(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts)
    while lo < hi:
        mid = (lo + hi) // 2
        if starts[mid] <= offset:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


def _norm(text: str) -> str:
    return " ".join(text.lower().split())
