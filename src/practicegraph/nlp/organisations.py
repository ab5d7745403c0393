"""Organisations: acronym definitions, the field gazetteer, name patterns and spaCy's ORG.

Sources, most trusted first, so that overlapping readings resolve to the best one:

1. acronym definitions, "International Corrections and Prisons Association
   (ICPA)" (:func:`~practicegraph.nlp.org_identity.acronym_definitions`);
2. the curated gazetteer (ontology/organisations.tsv), names and acronyms;
3. capitalised names built around an organisational head noun ("Ministry of
   Justice of Belgium", "Latvian Prison Administration", "University of Turin"),
   a proper name before a lowercase establishment head ("Shtip prison"), and
   names the text calls a body ("delivered by X", "X, a charity");
4. spaCy ORG entities that are acronyms ("KRIMZ"), where the text says they name
   a body;
5. the other ORG entities of the fine-tuned recogniser (trained on the corpus's
   gold organisations, :mod:`practicegraph.nlp.pipeline`): names without a head
   noun or a cue ("EuroPris", "Phoenix Zululand"), filtered by general rules
   (:mod:`.org_entities`).

Readings that name no body are dropped: a body that only authors an instrument
("United Nations Standard Minimum Rules"), a funding instrument ("Financial
Mechanism"), a country under its official name, a description after "is a".
An acronym used alone in the text (before or after its definition) resolves
to its definition, the gazetteer supplies the fullest name and the country when
the text lacks them (a generic registry name only where the text names its
country), and a short form, an undefined acronym ("MoJ"), an acronym or a second
name beside the name ("X, ACR", "X (Y)", "X / Y") and a second spelling join
the one body they belong to (:mod:`.org_identity`). Where a name starts and
ends in a run of capitalised words is decided by :mod:`.org_names`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import pycountry

from practicegraph.models import Organisation, TextSpan
from practicegraph.nlp.gazetteer import Gazetteer
from practicegraph.nlp.org_entities import entity_acronyms, entity_names
from practicegraph.nlp.org_identity import (
    acronym_beside,
    acronym_definitions,
    is_generic,
    merge_acronyms,
    merge_short_forms,
    second_name,
    spelling,
)
from practicegraph.nlp.org_names import (
    CUED_AFTER,
    CUED_BEFORE,
    FUNDING_INSTRUMENT,
    GENERIC,
    NON_BODY_TAILS,
    NON_ORG_ACRONYMS,
    RUN,
    SENTENCE_STARTERS,
    head_noun_span,
    lowercase_head_spans,
    opens_a_sentence,
    opens_an_instrument,
    schwartz_hearst,
    split_coordinated,
    strip_possessive,
)
from practicegraph.text import normalise, slug

# "in the European Union", "jurisdictions of the European Union": the Union as a
# territory, not a body. After "of", only when what comes before is a place or its
# people ("member states of", "the prisons of"): "a joint programme of the European
# Union" is the body acting.
_GEOGRAPHIC_BEFORE = re.compile(
    r"\b(?:(?:in|across|throughout|within|outside|to)\s+the"
    r"|(?:jurisdictions?|states?|countries|country|territor(?:y|ies)|borders?|regions?"
    r"|parts?|rest|citizens|nationals|residents|population|populations|area|cities"
    r"|prisons|map|members)\s+of\s+the)\s+$",
    re.IGNORECASE,
)
_PORTFOLIO_HEADS = frozenset(
    {"Ministry", "Department", "Secretariat", "Directorate", "Committee", "Commission"}
)
_CAP = r"(?!(?:The|A|An)\b)[A-Z][\w’'-]*"
_ITEM = rf"{_CAP}(?:[ \t]+{_CAP}){{0,2}}"
_PORTFOLIO_LIST = re.compile(
    rf"(?:,[ \t]+{_ITEM})+,?[ \t]+(?:and|&)[ \t]+{_ITEM}(?![ \t]*[A-Z0-9])"
)
#: A web page's menu item run into a name ending a line: "Department of X\nHome > News".
_MENU_AFTER = re.compile(
    r"\s+(?:(?:Home|Menu|Search|Contact|Login|Sitemap|Accessibility|Privacy|Copyright|"
    r"Disclaimer|Cookies)\s*[|>\u203a\u00bb]|Terms of (?:use|service)\b)"
)
_POSSESSIVE_IN_NAME = re.compile(r"[’']s\b")
#: "EU Project X", "EU Directive 2016/680", "EU Action Plan": the Union as the body that
#: runs, issues or adopts something (the guidelines' "an EU project"), unlike "EU Member
#: States" or "EU countries", where "EU" names an area.
_INDEFINITE_BEFORE = re.compile(r"\b(?:is|was|as|became|becomes|remains)[ \t]+(?:a|an)[ \t]+$")
#: "CEP Secretariat", "IACHR Press Office": a body's acronym and a bare unit noun name
#: an unnamed sub-unit, which the guidelines do not count ("the ministry's training
#: centre"); a named unit has words of its own ("DCJ Media Unit").
_UNNAMED_UNIT = re.compile(
    r"[A-Z][\w&-]*[A-Z][\w&-]* (?:Press )?(?:Secretariat|Board|Bureau|Presidency|Office)"
)
_EU_ACTS = re.compile(r"EU (?!Member|Presidency|Countries|Citizens)[A-Z][a-z]")


@dataclass
class _Mention:
    start: int
    end: int
    name: str
    rank: int  # lower is more trusted
    acronym: str | None = None
    gloss: str | None = None  # "(DPT, German Congress on Crime Prevention)": an alias


class OrganisationExtractor:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        surfaces: dict[str, str] = {}
        for entry in gazetteer.organisations:
            for surface in (entry.name, *entry.aliases):
                if len(surface) >= 2:
                    surfaces.setdefault(surface, entry.key)
        ordered = sorted(surfaces, key=len, reverse=True)
        self._gazetteer_re = re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(s) for s in ordered) + r")(?![\w-])"
        )
        self._country_words: dict[str, list[str]] = {}
        for table in (gazetteer.country_names, gazetteer.demonyms):
            for word, code in table.items():
                if len(word) > 2:  # not "NZ", "UK": two capitals may be anything
                    self._country_words.setdefault(code, []).append(word)

    # -- candidate sources -------------------------------------------------
    def _acronym_definitions(self, text: str) -> list[_Mention]:
        return [
            _Mention(d.start, d.start + len(d.name), d.name, 0, d.acronym, d.gloss)
            for d in acronym_definitions(text, self.gazetteer.country_names)
        ]

    def _gazetteer_mentions(self, text: str) -> list[_Mention]:
        found = []
        for match in self._gazetteer_re.finditer(text):
            surface = match.group(0)
            if surface in NON_ORG_ACRONYMS and not _EU_ACTS.match(text, match.start()):
                continue
            found.append(_Mention(match.start(), match.end(), surface, 1))
        return found

    def _head_noun_names(self, text: str) -> list[_Mention]:
        found: list[_Mention] = []
        for run in RUN.finditer(text):
            offsets = [m.start() + run.start() for m in re.finditer(r"\S+", run.group(0))]
            words = run.group(0).split()
            if len(words) > 1 and _MENU_AFTER.match(text, offsets[-1] - 1):
                words, offsets = words[:-1], offsets[:-1]  # "... of Corrections Home | About"
            parts = [
                (lo + a, lo + b)
                for lo, hi in _case_segments(words)
                for a, b in split_coordinated(words[lo:hi], self._starts_a_name)
            ]
            for lo, hi in parts:
                while lo < hi:
                    mention = self._name_in(words[lo:hi], offsets[lo:hi], text)
                    if mention is None:
                        break
                    found.append(self._with_portfolios(mention, text))
                    # the rest of the run may hold another name: "Division of the
                    # Ministry of Justice" is the division and the ministry
                    lo = next((k for k in range(lo, hi) if offsets[k] >= mention.end), hi)
        return found

    def _lowercase_head_names(self, text: str) -> list[_Mention]:
        """ "Shtip prison", "the Tzur unit" (:func:`lowercase_head_spans`), unless the
        proper name is a country or its adjective ("Hungarian prison")."""
        return [
            _Mention(start, end, text[start:end], 2)
            for start, end in lowercase_head_spans(text)
            if not any(w in self.gazetteer.demonyms for w in text[start:end].split())
            and " ".join(text[start:end].split()[:-1]) not in self.gazetteer.country_names
        ]

    def _with_portfolios(self, mention: _Mention, text: str) -> _Mention:
        """Widen "Ministry of Justice" over a list of further portfolios that ends in
        "and": "Ministry of Justice, Public Administration and Digital Transformation",
        "Department for Children, Schools and Families". Only a government body named
        after its portfolios, and only where no item is a place or begins with "the"."""
        words = mention.name.split()
        head = next((i for i, w in enumerate(words) if w in _PORTFOLIO_HEADS), None)
        if head is None or head + 2 >= len(words) or words[head + 1] not in ("of", "for"):
            return mention
        match = _PORTFOLIO_LIST.match(text, mention.end)
        if match is None:
            return mention
        items = re.split(r",|\band\b|&", match.group(0))
        if any(
            (self._is_place(i.strip()) and not is_generic(i))  # "Justice" is also a town
            or i.strip() in self.gazetteer.demonyms
            for i in items
        ):
            return mention
        name = text[mention.start : match.end()]
        return _Mention(mention.start, match.end(), name, mention.rank)

    def _name_in(self, words: list[str], offsets: list[int], text: str) -> _Mention | None:
        span = head_noun_span(words, self._is_place)
        if span is None:
            return None
        start, end = span
        begin = offsets[start]
        finish = offsets[end - 1] + len(words[end - 1])
        name = strip_possessive(text[begin:finish].rstrip("’'.,;:"))
        return _Mention(begin, begin + len(name), name, 2)

    def _starts_a_name(self, word: str) -> bool:
        """A country's name or adjective opens a name of its own ("Latvian Prison ...")."""
        return word in self.gazetteer.country_names or word in self.gazetteer.demonyms

    def _is_place(self, words: str) -> bool:
        if words in self.gazetteer.places:  # "Port of Spain", whole
            return True
        return any(
            words.startswith(n)
            for n in (words.split(" ")[0], " ".join(words.split(" ")[:2]))
            if n in self.gazetteer.places or n in self.gazetteer.country_names
        )

    def _cued_names(self, text: str, person_spans: list[tuple[int, int]]) -> list[_Mention]:
        """Names without a head noun that the text calls a body: "delivered by Phoenix
        Zululand", "through One Small Thing, the organisation she leads"."""
        found: list[_Mention] = []
        for match in CUED_BEFORE.finditer(text):
            name = match.group("name")
            start = match.start("name")
            owner = _POSSESSIVE_IN_NAME.search(name)
            if owner:  # "funded by the European Union's Justice Programme": the owner acts
                name = name[: owner.start()]
            if any(s < start + len(name) and start < e for s, e in person_spans):
                continue
            if name in self.gazetteer.places or name in self.gazetteer.country_names:
                continue
            if name.split()[-1] in NON_BODY_TAILS:
                continue  # "funded by the Justice Programme": an instrument
            found.append(_Mention(start, start + len(name), name, 2))
        for match in CUED_AFTER.finditer(text):
            for group in ("name", "other"):
                if match.group(group) is None:
                    continue
                words = match.group(group).split()
                while words and words[0] in SENTENCE_STARTERS:
                    words = words[1:]
                if len(words) == 1 and (  # "Sponde, a restorative organisation based in ..."
                    words[0] in GENERIC
                    or opens_a_sentence(text, match.end(group) - len(words[0]))
                    or self._is_place(words[0])
                    or words[0] in self.gazetteer.country_names
                    or words[0] in self.gazetteer.demonyms
                ):
                    continue
                if not words:
                    continue
                name = " ".join(words)
                start = match.end(group) - len(name)
                # "X and Y, two victim support organisations": the text calls both bodies,
                # whatever a recogniser reads; a singular cue may follow a person
                # ("Anna Berg, the organisation's director").
                plural = match.group("det") in ("two", "three", "both")
                if not plural and any(s < match.end(group) and start < e for s, e in person_spans):
                    continue
                found.append(_Mention(start, start + len(name), name, 2))
        return found

    # -- assembly ------------------------------------------------------------
    def __call__(
        self,
        text: str,
        org_entities: list[tuple[int, int]],
        person_spans: list[tuple[int, int]] | None = None,
    ) -> list[Organisation]:
        candidates = (
            self._acronym_definitions(text)
            + self._gazetteer_mentions(text)
            + self._head_noun_names(text)
            + self._lowercase_head_names(text)
            + self._cued_names(text, person_spans or [])
            + [
                _Mention(start, end, name, 3)
                for start, end, name in entity_acronyms(text, org_entities, self.gazetteer)
            ]
            + [
                _Mention(start, end, name, 4)
                for start, end, name in entity_names(
                    text, org_entities, self.gazetteer, self._is_place
                )
            ]
        )
        candidates = [
            c
            for c in candidates
            if not (
                c.name == "European Union"
                and _GEOGRAPHIC_BEFORE.search(text[max(0, c.start - 40) : c.start])
            )
            and not (
                c.rank in (1, 3, 4)
                and opens_an_instrument(text, c.end)
                and not _EU_ACTS.match(text, c.start)
            )
            and not FUNDING_INSTRUMENT.search(c.name)
            and not _UNNAMED_UNIT.fullmatch(c.name)
            and not (c.rank in (2, 4) and _official_country(c.name))  # "Russian Federation"
            # "CORCAN is a Special Operating Agency": after "a", a description, no name
            and not (c.rank in (2, 4) and _INDEFINITE_BEFORE.search(text, 0, c.start))
        ]
        chosen: list[_Mention] = []
        # The recogniser's names (rank 4) only fill gaps: where a rule reads a name,
        # its reading of the name's extent is kept.
        for mention in sorted(candidates, key=lambda m: (m.rank == 4, -(m.end - m.start), m.rank)):
            if any(c.start < mention.end and mention.start < c.end for c in chosen):
                continue
            chosen.append(mention)
        chosen.sort(key=lambda m: m.start)
        _attach_adjacent_acronyms(text, chosen)
        chosen = self._attach_bracketed_names(text, chosen)

        orgs: dict[str, Organisation] = {}
        acronym_key: dict[str, str] = {}
        spellings: dict[str, str] = {}
        defined_acronyms = {m.acronym for m in chosen if m.acronym}
        for mention in chosen:
            if mention.rank == 3 and mention.name in defined_acronyms:
                mention.rank = 1
        # Definitions first: an acronym the text defines ("Israel Prison Service (IPS)")
        # means that body in every use, also before the definition, whatever the
        # registry lists under the same letters.
        for mention in sorted(chosen, key=lambda m: m.acronym is None and m.gloss is None):
            key, name, aliases, country = self._identify(mention, acronym_key, text)
            name = " ".join(name.split())  # a name wrapped over lines or padded by layout
            # "Canal & River Trust" and "Canal and River Trust": one name, two spellings
            key = spellings.setdefault(spelling(name), key) if key == slug(name) else key
            org = orgs.get(key)
            if org is None:
                org = orgs[key] = Organisation(key=key, name=name, country=country)
            if len(name) > len(org.name) and not name.isupper():
                org.aliases.add(org.name)
                org.name = name
            elif name != org.name:
                org.aliases.add(name)
            org.aliases.update(a for a in aliases if a != org.name)
            org.country = org.country or country
            org.spans.append(
                TextSpan(mention.start, mention.end, text[mention.start : mention.end])
            )
            if mention.acronym:
                acronym_key[mention.acronym] = key
                org.aliases.add(mention.acronym)
            if mention.gloss and mention.gloss != org.name:
                org.aliases.add(mention.gloss)
                acronym_key[mention.gloss] = key  # its other uses are this body too
        taken = [(m.start, m.end) for m in chosen]
        found = merge_acronyms(merge_short_forms(list(orgs.values())))
        for org in found:
            org.country = org.country or self._country_from_name(org.name)
            _add_other_mentions(text, org, taken)
        return found

    def _attach_bracketed_names(self, text: str, chosen: list[_Mention]) -> list[_Mention]:
        """A second name of the body, in brackets or after a slash (:func:`second_name`),
        is its alias; a mention read inside it is no body of its own."""
        inside: set[int] = set()
        for mention in chosen:
            if mention.gloss or " " not in mention.name or id(mention) in inside:
                continue
            found = second_name(text, mention.end, self._not_a_name)
            if found is None:
                continue
            mention.gloss, lo, hi = found
            inside.update(id(m) for m in chosen if m is not mention and lo <= m.start < hi)
        return [m for m in chosen if id(m) not in inside]

    def _not_a_name(self, words: str) -> bool:
        return self._is_place(words) or words in self.gazetteer.country_names

    def _identify(
        self, mention: _Mention, acronym_key: dict[str, str], text: str
    ) -> tuple[str, str, set[str], str | None]:
        """The key, fullest name, aliases and country of a mention: a definition's, the
        registry's, or the name's own. A registry body with a generic name ("Department
        of Corrections", "State Probation Service") is that body only where the text
        names its country: elsewhere the words name another country's body, which
        :func:`~practicegraph.nlp.org_identity.qualify_generic_names` keys by the
        document's country."""
        name = mention.name
        if name in acronym_key:
            return acronym_key[name], name, set(), None
        entry = self.gazetteer.organisation_index.get(normalise(name))
        if entry is None and mention.acronym:
            entry = self.gazetteer.organisation_index.get(normalise(mention.acronym))
            if (
                entry is not None
                and schwartz_hearst(mention.acronym, name) is None
                and normalise(entry.name) != normalise(name)
            ):
                entry = None
        if (
            entry is not None
            and entry.country
            and is_generic(name)
            and not self._names_country(text, entry.country)
        ):
            entry = None
        if entry is not None:
            return entry.key, entry.name, {name, *entry.aliases} - {entry.name}, entry.country
        return slug(name), name, set(), None

    def _names_country(self, text: str, code: str) -> bool:
        """Whether the text names the country ``code`` or uses its adjective."""
        words = self._country_words.get(code, ())
        return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text) for w in words)

    def _country_from_name(self, name: str) -> str | None:
        for word in name.replace("’", " ").replace("'", " ").split():
            code = self.gazetteer.demonyms.get(word) or self.gazetteer.country_names.get(word)
            if code:
                return code
        for country_name, code in self.gazetteer.country_names.items():
            if f"of {country_name}" in name:
                return code
        return None


def _shouting(word: str) -> bool:
    return len(word) >= 3 and word.isalpha() and word.isupper()


def _case_segments(words: list[str]) -> list[tuple[int, int]]:
    """Cut a run where words in capitals begin or end ("Department of Justice PAROLE AND
    PROBATION ADMINISTRATION"): a heading or a logo set beside a name, not part of it.
    Two shouted words at least, so that an acronym before a head ("ICPA Office") stays."""
    cuts = [0]
    for k in range(1, len(words)):
        now, before = _shouting(words[k]), _shouting(words[k - 1])
        pair = now and k + 1 < len(words) and _shouting(words[k + 1])
        pair_before = before and k >= 2 and _shouting(words[k - 2])
        if (now and not before and pair) or (before and not now and pair_before):
            cuts.append(k)
    cuts.append(len(words))
    return [(a, b) for a, b in pairwise(cuts) if a < b]


def _official_country(name: str) -> bool:
    """Whether ``name`` is a country's name in ISO 3166 (pycountry), official ones
    included ("Russian Federation", "Republic of Moldova"): a country, not a body."""
    try:
        found = pycountry.countries.get(name=name) or pycountry.countries.get(official_name=name)
    except (LookupError, KeyError):
        return False
    return found is not None


def _attach_adjacent_acronyms(text: str, chosen: list[_Mention]) -> None:
    """Give a name the acronym written beside it (:func:`acronym_beside`), so that both
    are one body; an acronym of its own would be a second record."""
    for mention in chosen:
        if not mention.acronym:
            mention.acronym = acronym_beside(text, mention.start, mention.end, mention.name)


def _add_other_mentions(text: str, org: Organisation, taken: list[tuple[int, int]]) -> None:
    """Every further use of an organisation's names is a mention of it (evidence, and no
    second reading of "Phoenix" in "Phoenix Zululand" as a city)."""
    for surface in sorted({org.name, *org.aliases}, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w-]){re.escape(surface)}(?![\w-])", text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            org.spans.append(TextSpan(match.start(), match.end(), surface))
