"""Countries and places: by name, by demonym ("Latvian"), and through the cities in them.

Matching is a case-sensitive regular expression over the gazetteer (fast and
predictable); spaCy's GPE/LOC entities decide only the ambiguous cases (a
city name that is also an everyday word) and propose places the gazetteer
does not know, which are kept when the text anchors them to a known place
("in Royaumont, near Paris").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from practicegraph.models import Country, Place, TextSpan
from practicegraph.nlp import place_rules
from practicegraph.nlp.gazetteer import AMBIGUOUS_COUNTRY_NAMES, Gazetteer, PlaceEntry
from practicegraph.text import slug

# A known city this small is only believed where spaCy also sees a place, or
# a preposition of place introduces it.
_TRUSTED_POPULATION = 250_000
_PLACE_PREPOSITIONS = ("in", "at", "from", "near", "to", "of")
_DC_SUFFIX = re.compile(r"\s*,?\s*(?:D\.\s?C\.|DC)\b")


@dataclass(frozen=True)
class GeoHit:
    start: int
    end: int
    surface: str


def _alternation(names: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(names), key=len, reverse=True)
    body = "|".join(re.escape(n) for n in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")


class PhraseLookup:
    """Finds known capitalised names in a text by dictionary lookup of word n-grams.

    Why not one regular expression: an alternation of the 34,000 GeoNames city
    names makes Python's regex engine try each name at each position, which cost
    more than the spaCy pass itself; hashing the 1-6 word sequences that start
    with a capital letter is linear in the text.
    """

    _WORD = re.compile(r"[\w’'-]+")

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self.max_words = max((len(n.split()) for n in self.names), default=1)

    def finditer(self, text: str) -> Iterable[tuple[int, int]]:
        """(start, end) of the longest known name starting at each capitalised word."""
        words = [(m.start(), m.end()) for m in self._WORD.finditer(text)]
        i = 0
        while i < len(words):
            start = words[i][0]
            if text[start].isupper():
                for n in range(min(self.max_words, len(words) - i), 0, -1):
                    end = words[i + n - 1][1]
                    candidate = text[start:end]
                    if candidate[-2:] in ("'s", "’s") and candidate[:-2] in self.names:
                        end -= 2  # "Quebec's ministry"
                        candidate = candidate[:-2]
                    if candidate in self.names and "\n" not in candidate:
                        yield start, end
                        i += n - 1
                        break
            i += 1


class GeoMatcher:
    """Finds countries and places in a document; one instance per process."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._countries = _alternation(gazetteer.country_names)
        self._demonyms = _alternation(gazetteer.demonyms)
        self._places = PhraseLookup(p for p in gazetteer.places if len(p) > 2)

    def countries(
        self, text: str, place_reading: set[tuple[int, int]]
    ) -> list[tuple[str, TextSpan]]:
        """(ISO code, span) for every country named or implied by a demonym."""
        found: list[tuple[str, TextSpan]] = []
        for match in self._countries.finditer(text):
            surface = match.group(0)
            if (
                surface in AMBIGUOUS_COUNTRY_NAMES
                and (match.start(), match.end()) not in place_reading
            ):
                continue
            code = self.gazetteer.country_names[surface]
            found.append((code, TextSpan(match.start(), match.end(), surface)))
        for match in self._demonyms.finditer(text):
            surface = match.group(0)
            if not _adjectival(text, match.end()) or _language_use(text, match.start()):
                continue
            code = self.gazetteer.demonyms[surface]
            found.append((code, TextSpan(match.start(), match.end(), surface)))
        return found

    def places(
        self, text: str, entity_spans: dict[tuple[int, int], str], mentioned: set[str]
    ) -> list[tuple[PlaceEntry, TextSpan]]:
        """Known cities and regions, choosing among homonyms by the countries the text names."""
        found: list[tuple[PlaceEntry, TextSpan]] = []
        country_spans = [(m.start(), m.end()) for m in self._countries.finditer(text)]
        for start, end in self._places.finditer(text):
            surface = text[start:end]
            if (
                place_rules.is_bare_direction(surface)
                or place_rules.is_world_region(surface)
                or place_rules.inside_span(start, end, country_spans)
                or place_rules.inside_other_name(text, start, end)
            ):
                continue
            candidates = self.gazetteer.places[surface]
            in_entity = any(
                s <= start and end <= e and label in ("GPE", "LOC", "FAC", "ORG", "EVENT")
                for (s, e), label in entity_spans.items()
            )
            best = _choose(candidates, mentioned)
            named_country = self._country_after(text, end)
            if named_country is not None:
                best = next((c for c in candidates if c.country == named_country), best)
            after_preposition = _preceded_by(text, start, _PLACE_PREPOSITIONS)
            gpe = any(
                s <= start and end <= e and label in ("GPE", "LOC")
                for (s, e), label in entity_spans.items()
            )
            trusted = gpe or (
                best.population >= _TRUSTED_POPULATION and (in_entity or after_preposition)
            )
            trusted = trusted or named_country == best.country  # "in Agen, France"
            # a city of a country the document names: "in Pisa" in a text on Italy,
            # and a large one wherever it stands (a dateline, an address)
            trusted = trusted or (
                best.country in mentioned
                and (after_preposition or best.population >= _TRUSTED_POPULATION)
            )
            if best.is_region:
                trusted = (
                    gpe
                    or (in_entity and best.country in mentioned)
                    or surface in ("England", "Scotland", "Wales", "Northern Ireland")
                )
            if not trusted:
                continue
            if best.geonameid and best.country == "US" and (dc := _DC_SUFFIX.match(text, end)):
                end = dc.end()
                surface = text[start:end]
            found.append((best, TextSpan(start, end, surface)))
        return found

    def _country_after(self, text: str, end: int) -> str | None:
        """The country written right after a place: "Agen, France", "Montreal (Canada)"."""
        match = re.match(
            r"\s*(?:,|\()\s*([A-Z][\w .'-]{1,40}?)\s*(?:\)|[,.;:\n·|–—]|\s-\s|$)",
            text[end : end + 50],
        )
        if match is None:
            return None
        return self.gazetteer.country_names.get(match.group(1).removeprefix("the "))

    def anchored_unknown_places(
        self, text: str, entity_spans: dict[tuple[int, int], str], known: list[tuple[str, int, int]]
    ) -> list[tuple[Place, TextSpan]]:
        """GPE entities the gazetteer lacks, kept when the text ties them to a known place.

        ``known`` lists (country code, start, end) of places and countries already
        found; "in Royaumont, near Paris" or "in Agen, France" anchors the name.
        """
        out: list[tuple[Place, TextSpan]] = []
        for (start, end), label in entity_spans.items():
            if label != "GPE":
                continue
            surface = text[start:end]
            if surface in self.gazetteer.places or surface in self.gazetteer.country_names:
                continue
            if not surface[:1].isupper() or not _preceded_by(text, start, ("in", "at", "near")):
                continue
            tail = text[end : end + 30]
            anchor = re.match(r"\s*,?\s*(?:near\s+)?", tail)
            anchor_at = end + (anchor.end() if anchor else 0)
            for code, k_start, _k_end in known:
                if k_start == anchor_at and anchor_at > end:
                    place = Place(
                        key=f"place-{slug(surface)}-{code.lower()}",
                        name=surface,
                        canonical_name=surface,
                        country=code,
                    )
                    out.append((place, TextSpan(start, end, surface)))
                    break
        return out

    def to_country(self, code: str) -> Country:
        entry = self.gazetteer.countries[code]
        return Country(code=code, name=entry.name, geonameid=entry.geonameid)


def _choose(candidates: list[PlaceEntry], mentioned: set[str]) -> PlaceEntry:
    for candidate in candidates:
        if candidate.country in mentioned:
            return candidate
    return candidates[0]


def _adjectival(text: str, end: int) -> bool:
    """A demonym counts as a country when it qualifies something: "Latvian correctional"."""
    rest = text[end : end + 40]
    if rest.startswith("s ") or rest.startswith("s,"):  # "Latvians" as people
        return True
    match = re.match(r"[ \t]+[A-Za-z]", rest)
    return match is not None


_LANGUAGES = frozenset(
    {
        "English",
        "French",
        "German",
        "Spanish",
        "Portuguese",
        "Dutch",
        "Italian",
        "Russian",
        "Arabic",
        "Polish",
        "Swedish",
        "Danish",
        "Finnish",
        "Greek",
        "Romanian",
        "Hungarian",
        "Czech",
        "Japanese",
        "Chinese",
    }
)
#: Nouns after which a language adjective names the language: "English version".
_LANGUAGE_NOUNS = frozenset(
    {
        "version",
        "versions",
        "summary",
        "translation",
        "translations",
        "language",
        "edition",
        "text",
        "subtitles",
        "interpretation",
        "original",
        "abstract",
        "speakers",
    }
)
_IN_LANGUAGES = re.compile(r"\b(?:in|into)\s+(?:[A-Z][a-z]+,?\s+(?:(?:and|or)\s+)?)*$")


def _language_use(text: str, start: int) -> bool:
    """ "in English", "English version", "in English and Spanish", a language menu
    ("Deutsch | English"): a language, not a country."""
    word = text[start : start + 20].split()[0].strip(".,;:)(")
    if word not in _LANGUAGES:
        return False
    before_text = text[max(0, start - 60) : start]
    before = before_text.lower().split()
    if before and before[-1] in {"in", "into", "speak", "speaking", "from"}:
        return True
    if _IN_LANGUAGES.search(before_text):
        return True
    after = text[start + len(word) : start + len(word) + 30].split()
    if after and after[0].lower().strip(".,;:)") in _LANGUAGE_NOUNS:
        return True
    # a language menu or switcher: the word stands between separators
    return before_text.rstrip().endswith(("|", "·", "/")) or bool(
        after and after[0] in ("|", "·", "/")
    )


def _preceded_by(text: str, start: int, words: tuple[str, ...]) -> bool:
    before = text[max(0, start - 12) : start].split()
    return bool(before) and before[-1].lower() in words
