"""Organisations: acronym definitions, the field gazetteer, name patterns and spaCy's ORG.

Four sources, most trusted first, so that overlapping readings resolve to the
best one:

1. acronym definitions, "International Corrections and Prisons Association
   (ICPA)", checked with the Schwartz-Hearst letter alignment and widened to
   the whole capitalised name ("America's Office of Community Oriented
   Policing Services (COPS)" -> "Office of Community Oriented Policing
   Services");
2. the curated gazetteer (ontology/organisations.tsv), names and acronyms;
3. capitalised names built around an organisational head noun ("Ministry of
   Justice of Belgium", "Latvian Prison Administration", "University of Turin");
4. spaCy ORG entities that are acronyms ("KRIMZ"), which nothing else explains;
5. the other ORG entities of the fine-tuned recogniser (trained on the corpus's
   gold organisations, :mod:`practicegraph.nlp.pipeline`): names without a head
   noun or a cue ("EuroPris", "Phoenix Zululand"), filtered by general rules
   (:meth:`OrganisationExtractor._entity_names`).

An acronym used alone in the text (before or after its definition) resolves
to its definition, the gazetteer supplies the fullest name and the country when
the text lacks them, and a short form ("the State Penitentiary Service") joins
the one body whose fuller name it shortens (:mod:`.org_identity`). Where a name
starts and ends in a run of capitalised words is decided by :mod:`.org_names`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from practicegraph.models import Organisation, TextSpan
from practicegraph.nlp.gazetteer import Gazetteer
from practicegraph.nlp.org_identity import merge_short_forms
from practicegraph.nlp.org_names import (
    CONNECTORS,
    GENERIC,
    NON_BODY_TAILS,
    NON_ORG_ACRONYMS,
    ORG_HEADS,
    RUN,
    SENTENCE_STARTERS,
    head_noun_span,
    schwartz_hearst,
    split_coordinated,
    strip_possessive,
    trim_leading,
)
from practicegraph.text import normalise, slug

# "jurisdictions of the European Union": the Union as a territory, not a body.
_GEOGRAPHIC_BEFORE = re.compile(r"\b(?:in|of|across|throughout|within|outside|to)\s+the\s+$")
# Contexts that say a bare acronym names a body: "partner KRIMZ", "coordinator: VALDA".
_ORG_CUE_BEFORE = re.compile(
    r"\b(?:partners?|coordinators?|coordinated by|organi[sz]ed by|hosted by|led by|run by|"
    r"members?|association|organi[sz]ation|agency|union|NGO)\s*:?\s*$",
    re.IGNORECASE,
)
_COUNTRY_AFTER = re.compile(r"^\s*(?:[–—-]|\(|,)\s*[A-Z][a-z]+")
_CUED_BEFORE = re.compile(
    r"\b(?:delivered|run|founded|funded|provided|implemented|developed|organi[sz]ed|hosted)\s+by\s+"
    r"(?:the\s+)?(?P<name>(?-i:[A-Z][\w’'-]+)(?:[ \t]+(?-i:[A-Z][\w’'-]+)){1,4})"
)
_CUED_AFTER = re.compile(
    r"(?P<name>(?-i:[A-Z][\w’'-]+)(?:[ \t]+(?-i:[A-Z][\w’'-]+)){0,5}),\s+(?:the|an?)\s+"
    r"(?:organi[sz]ation|charity|NGO|association|foundation|non-profit|social enterprise)\b"
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
_MENU_AFTER = re.compile(r"\s+(?:Home|Menu|Search|Contact|Login|Sitemap)\s*[|>\u203a\u00bb]")
_POSSESSIVE_WORD = re.compile(r"[’']s$")
#: Where a recogniser's name runs into the next line or a column of the layout.
_LAYOUT_GAP = re.compile(r"\n|\t| {2,}")
#: "YouTube", "EuroPris", "BSAFE": a capital inside the word, so no common word.
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
#: Words of a publication's title: "Nordic Journal of Criminology" is no body.
_PUBLICATIONS = frozenset({"Journal", "Review", "Magazine", "Newsletter", "Bulletin"})
#: Last words of an assessment or a funding line: "European Union Key Action".
_NON_BODY_TAILS = frozenset({"Assessment", "Action"})
_ACRONYM_DEF = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,11}\d?)\s*\)")


@dataclass
class _Mention:
    start: int
    end: int
    name: str
    rank: int  # lower is more trusted
    acronym: str | None = None


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
        self._by_key = {e.key: e for e in gazetteer.organisations}

    # -- candidate sources -------------------------------------------------
    def _acronym_definitions(self, text: str) -> list[_Mention]:
        found: list[_Mention] = []
        for match in _ACRONYM_DEF.finditer(text):
            acronym = match.group(1)
            if acronym in NON_ORG_ACRONYMS or sum(c.isupper() for c in acronym) < 2:
                continue
            line_start = text.rfind("\n", 0, match.start()) + 1
            before = text[line_start : match.start()].rstrip()
            runs = list(RUN.finditer(before))
            if not runs or runs[-1].end() != len(before):
                continue
            run = runs[-1]
            words = [
                (run.start() + m.start(), m.group(0)) for m in re.finditer(r"\S+", run.group(0))
            ]
            first = len(words) - len(trim_leading(run.group(0)).split())
            for n, (_at, word) in enumerate(words[first:-1], first):
                if _POSSESSIVE_WORD.search(word):  # "America's Office of ..." -> "Office of ..."
                    first = n + 1
            if first >= len(words):
                continue
            start = line_start + words[first][0]
            name = text[start : line_start + run.end()]
            if not name or name in self.gazetteer.country_names:
                continue
            if _names_no_body(name.split()):
                continue  # "European Prison Rules (EPR)", "European Arrest Warrant (EAW)"
            aligned = schwartz_hearst(acronym, name)
            head_like = any(w in ORG_HEADS for w in name.split())
            if aligned is None and not head_like:
                continue
            if len(name.split()) < 2 and aligned is None:
                continue
            found.append(_Mention(start, start + len(name), name, 0, acronym))
        return found

    def _gazetteer_mentions(self, text: str) -> list[_Mention]:
        found = []
        for match in self._gazetteer_re.finditer(text):
            surface = match.group(0)
            if surface in NON_ORG_ACRONYMS:
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
            for lo, hi in split_coordinated(words, self._starts_a_name):
                mention = self._name_in(words[lo:hi], offsets[lo:hi], text)
                if mention is not None:
                    found.append(self._with_portfolios(mention, text))
        return found

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
        if any(self._is_place(i.strip()) or i.strip() in self.gazetteer.demonyms for i in items):
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
        return any(
            words.startswith(n)
            for n in (words.split(" ")[0], " ".join(words.split(" ")[:2]))
            if n in self.gazetteer.places or n in self.gazetteer.country_names
        )

    def _cued_names(self, text: str, person_spans: list[tuple[int, int]]) -> list[_Mention]:
        """Names without a head noun that the text calls a body: "delivered by Phoenix
        Zululand", "through One Small Thing, the organisation she leads"."""
        found: list[_Mention] = []
        for match in _CUED_BEFORE.finditer(text):
            name = match.group("name")
            start = match.start("name")
            if any(s < start + len(name) and start < e for s, e in person_spans):
                continue
            if name in self.gazetteer.places or name in self.gazetteer.country_names:
                continue
            found.append(_Mention(start, start + len(name), name, 2))
        for match in _CUED_AFTER.finditer(text):
            name = match.group("name")
            words = name.split()
            while words and words[0] in SENTENCE_STARTERS:
                words = words[1:]
            if len(words) < 2:
                continue
            name = " ".join(words)
            start = match.end("name") - len(name)
            if any(s < match.end("name") and start < e for s, e in person_spans):
                continue
            found.append(_Mention(start, start + len(name), name, 2))
        return found

    def _entity_acronyms(self, text: str, org_entities: list[tuple[int, int]]) -> list[_Mention]:
        found: list[_Mention] = []
        for start, end in org_entities:
            surface = text[start:end]
            if re.fullmatch(r"[A-Z][A-Z&]{1,7}", surface) and surface not in NON_ORG_ACRONYMS:
                if surface in self.gazetteer.country_names or surface in self.gazetteer.demonyms:
                    continue
                found.append(_Mention(start, end, surface, 3))
        # Acronyms spaCy missed, where the context says they name a body.
        for match in re.finditer(r"(?<![\w-])[A-Z][A-Z&]{2,7}(?![\w-])", text):
            surface = match.group(0)
            if surface in NON_ORG_ACRONYMS or surface in self.gazetteer.country_names:
                continue
            if _ORG_CUE_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
                found.append(_Mention(match.start(), match.end(), surface, 3))
        return [m for m in found if self._acronym_names_a_body(text, m.name)]

    @staticmethod
    def _acronym_names_a_body(text: str, acronym: str) -> bool:
        """An acronym is a body where some use of it says so: a country after it
        ("VALDA – Slovenia") or an organisational cue before it ("partner KRIMZ")."""
        for match in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text):
            if _ORG_CUE_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
                return True
            if _COUNTRY_AFTER.match(text[match.end() : match.end() + 30]):
                return True
        return False

    def _entity_names(self, text: str, org_entities: list[tuple[int, int]]) -> list[_Mention]:
        """The recogniser's ORG names that are not acronyms (those are source 4), where
        their form says body: cut at a line break or a layout gap, without a leading
        "the" or a possessive; not one common word, a shouted heading or a number; only
        connectors in lower case ("ministry" in lower case is a reference, not a name);
        not a place, a country or its adjective, nor a name that starts with one and has
        no head noun ("Dublin Bay South"); not an instrument, prize, publication or a
        plural of a head noun (:data:`NON_BODY_TAILS`, :data:`_NON_BODY_TAILS`,
        :data:`_PUBLICATIONS`); not words of the
        field alone (:data:`GENERIC`). Chosen on the train split's held-out quarter."""
        found: list[_Mention] = []
        for start, end in org_entities:
            surface = _LAYOUT_GAP.split(text[start:end])[0]
            if re.fullmatch(r"[A-Z][A-Z&]{1,7}", surface):
                continue
            lead = re.match(r"(?:[Tt]he|[Aa]n?)\s+", surface)
            if lead:
                start, surface = start + lead.end(), surface[lead.end() :]
            name = strip_possessive(surface.rstrip("’'.,;:- "))
            words = name.split()
            if not words or not name[:1].isupper() or not self._body_like(name, words):
                continue
            found.append(_Mention(start, start + len(name), name, 4))
        return found

    def _body_like(self, name: str, words: list[str]) -> bool:
        if len(words) == 1 and not _INNER_CAPITAL.search(name):
            return False  # "Agency", "Item", "OCCUPANCY": one word is an acronym or a brand
        if any(c.isdigit() for c in name) or "," in name:
            return False
        if any(w[:1].islower() and w not in CONNECTORS for w in words):
            return False
        last = words[-1]
        if last in NON_BODY_TAILS or last in _NON_BODY_TAILS or last.rstrip("s") in NON_BODY_TAILS:
            return False
        if last not in ORG_HEADS and last.endswith("s") and last[:-1] in ORG_HEADS:
            return False  # "National Preventive Mechanisms": a kind of body, not one
        if any(w in _PUBLICATIONS for w in words):
            return False
        if all(w in GENERIC or w in CONNECTORS for w in words):
            return False
        if name in self.gazetteer.country_names or name in self.gazetteer.demonyms:
            return False
        headed = any(w in ORG_HEADS for w in words)
        placed = self._is_place(name) or any(w in self.gazetteer.country_names for w in words)
        return headed or not placed

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
            + self._cued_names(text, person_spans or [])
            + self._entity_acronyms(text, org_entities)
            + self._entity_names(text, org_entities)
        )
        candidates = [
            c
            for c in candidates
            if not (
                c.name == "European Union"
                and _GEOGRAPHIC_BEFORE.search(text[max(0, c.start - 40) : c.start])
            )
        ]
        chosen: list[_Mention] = []
        # The recogniser's names (rank 4) only fill gaps: where a rule reads a name,
        # its reading of the name's extent is kept.
        for mention in sorted(candidates, key=lambda m: (m.rank == 4, -(m.end - m.start), m.rank)):
            if any(c.start < mention.end and mention.start < c.end for c in chosen):
                continue
            chosen.append(mention)
        chosen.sort(key=lambda m: m.start)

        orgs: dict[str, Organisation] = {}
        acronym_key: dict[str, str] = {}
        defined_acronyms = {m.acronym for m in chosen if m.acronym}
        for mention in chosen:
            if mention.rank == 3 and mention.name in defined_acronyms:
                mention.rank = 1
        # Definitions first: an acronym the text defines ("Israel Prison Service (IPS)")
        # means that body in every use, also before the definition, whatever the
        # registry lists under the same letters.
        for mention in sorted(chosen, key=lambda m: m.acronym is None):
            key, name, aliases, country = self._identify(mention, acronym_key)
            name = " ".join(name.split())  # a name wrapped over lines or padded by layout
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
        taken = [(m.start, m.end) for m in chosen]
        found = merge_short_forms(list(orgs.values()))
        for org in found:
            org.country = org.country or self._country_from_name(org.name)
            _add_other_mentions(text, org, taken)
        return found

    def _identify(
        self, mention: _Mention, acronym_key: dict[str, str]
    ) -> tuple[str, str, set[str], str | None]:
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
        if entry is not None:
            return entry.key, entry.name, {name, *entry.aliases} - {entry.name}, entry.country
        return slug(name), name, set(), None

    def _country_from_name(self, name: str) -> str | None:
        for word in name.replace("’", " ").replace("'", " ").split():
            code = self.gazetteer.demonyms.get(word) or self.gazetteer.country_names.get(word)
            if code:
                return code
        for country_name, code in self.gazetteer.country_names.items():
            if f"of {country_name}" in name:
                return code
        return None


def _add_other_mentions(text: str, org: Organisation, taken: list[tuple[int, int]]) -> None:
    """Every further use of an organisation's names is a mention of it (evidence, and no
    second reading of "Phoenix" in "Phoenix Zululand" as a city)."""
    for surface in sorted({org.name, *org.aliases}, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w-]){re.escape(surface)}(?![\w-])", text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            org.spans.append(TextSpan(match.start(), match.end(), surface))


def _names_no_body(words: list[str]) -> bool:
    """A defined name ending in an instrument, a prize or people is no body, unless that
    word sits in the complement of a head ("Foundation for Humane Detention Standards")."""
    if words[-1] not in NON_BODY_TAILS:
        return False
    heads = [i for i, w in enumerate(words) if w in ORG_HEADS]
    return not heads or words[heads[-1] + 1] not in CONNECTORS
