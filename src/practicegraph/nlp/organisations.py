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
4. spaCy ORG entities that are acronyms ("KRIMZ"), which nothing else explains.

An acronym used alone later in the text resolves to its definition, and the
gazetteer supplies the fullest name and the country when the text lacks them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from practicegraph.models import Organisation, TextSpan
from practicegraph.nlp.gazetteer import Gazetteer
from practicegraph.text import normalise, slug

ORG_HEADS = frozenset(
    {
        "Ministry",
        "Ministère",
        "Service",
        "Services",
        "Association",
        "Confederation",
        "Organisation",
        "Organization",
        "Committee",
        "Council",
        "Commission",
        "Parliament",
        "Union",
        "Unions",
        "Network",
        "Administration",
        "Agency",
        "Department",
        "Office",
        "Institute",
        "Centre",
        "Center",
        "University",
        "College",
        "School",
        "Academy",
        "Police",
        "Court",
        "Tribunal",
        "Group",
        "Foundation",
        "Federation",
        "Bureau",
        "Directorate",
        "Society",
        "Authority",
        "Board",
        "Inspectorate",
        "Trust",
        "Alliance",
        "Secretariat",
        "Representation",
        "Corporation",
        "Prosecutor's",
        "Chamber",
        "Observatory",
        "Consortium",
        "Fund",
        "Programme Office",
        # establishments and bodies of the field (the guidelines: a named prison is an
        # organisation) and of government
        "Prison",
        "Prisons",
        "Jail",
        "Penitentiary",
        "Gendarmerie",
        "Government",
        "Assembly",
        "Senate",
        "Municipality",
        "Division",
        "Mission",
        "Mechanism",
        "Ombudsman",
        "Laboratory",
        "Lab",
    }
)
EVENT_HEADS = frozenset(
    {
        "Conference",
        "Meeting",
        "Seminar",
        "Workshop",
        "Masterclass",
        "Hearing",
        "Congress",
        "Summit",
        "Symposium",
        "Webinar",
        "Roundtable",
        "Awards",
        "Award",
        "Session",
    }
)
# Words after which a name is about a document, rule or event, not a body.
STOP_TAIL = EVENT_HEADS | frozenset(
    {
        "Rules",
        "Rule",
        "Recommendation",
        "Recommendations",
        "Report",
        "Declaration",
        "Strategy",
        "Programme",
        "Program",
        "Project",
        "Plan",
        "Guidelines",
        "Framework",
        "Decision",
        "Decisions",
        "Convention",
        "Act",
        "Prize",
        "Grants",
        "Day",
        "Week",
        "Year",
        "Standards",
    }
)
ROLE_WORDS = frozenset(
    {
        "Head",
        "Heads",
        "Director",
        "Directors",
        "Commissioner",
        "Commissioners",
        "Minister",
        "Ministers",
        "Member",
        "Members",
        "President",
        "Vice",
        "Chair",
        "Secretary",
        "Officer",
        "Governor",
        "Governors",
        "Dr",
        "Prof",
        "Mr",
        "Mrs",
        "Ms",
    }
)
_SENTENCE_STARTERS = frozenset(
    {
        "The",
        "A",
        "An",
        "This",
        "These",
        "That",
        "Also",
        "In",
        "On",
        "At",
        "For",
        "By",
        "With",
        "From",
        "As",
        "And",
        "Its",
        "Their",
        "Our",
        "His",
        "Her",
        "Each",
        "Every",
        "All",
        "Both",
        "Several",
        "Many",
        "Some",
        "During",
        "Within",
        "After",
        "Before",
        "Throughout",
        "Under",
        "Over",
        "When",
        "While",
        "Through",
        "Since",
        "Following",
        "Colleagues",
        "Representatives",
        "Participants",
        "Partners",
        "Today",
        "Yesterday",
        "Last",
        "Next",
        "Then",
        "Thus",
        "However",
    }
)
_GENERIC = frozenset(
    {
        "Correctional",
        "Prison",
        "Prisons",
        "Probation",
        "Penitentiary",
        "Police",
        "Public",
        "Social",
        "Health",
        "Security",
        "Justice",
        "Criminal",
        "National",
        "Local",
        "Regional",
        "Services",
        "Service",
        "Institutions",
        "Authorities",
        "Agencies",
        "Organisations",
        "Organizations",
        "Networks",
        "Unions",
        "European",
        "International",
        "Partner",
        "Departments",
        "Offices",
        "Ministries",
        "Group",
        "Groups",
        "Working",
        "Expert",
        "Network",
    }
)
CONNECTORS = frozenset(
    {
        "of",
        "for",
        "the",
        "and",
        "on",
        "in",
        "de",
        "du",
        "des",
        "la",
        "le",
        "&",
        "to",
        "d'",
        "for the",
        "of the",
    }
)
# All-caps tokens that are not organisations in this field's texts.
NON_ORG_ACRONYMS = frozenset(
    {
        "EU",
        "UN",
        "UK",
        "USA",
        "US",
        "COVID",
        "II",
        "III",
        "IV",
        "VI",
        "VII",
        "VIII",
        "IX",
        "XI",
        "CEO",
        "PDF",
        "HTML",
        "NGO",
        "NGOs",
        "ICT",
        "IT",
        "HR",
        "PhD",
        "MSc",
        "AM",
        "PM",
        "FAQ",
        "TV",
        "Q&A",
        "N/A",
        "OK",
        "EN",
        "FR",
        "DE",
        "ID",
    }
)

_WORD = r"[A-ZÀ-ÞŠŽČ][\w’'\-]*"
_CONNECTOR = r"(?:of|for|the|and|on|in|to|de|du|des|la|le|&|d’|d')"
_RUN = re.compile(rf"{_WORD}(?:[ \t]+(?:{_CONNECTOR}[ \t]+)*{_WORD})*")
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
_ACRONYM_DEF = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,11}\d?)\s*\)")


@dataclass
class _Mention:
    start: int
    end: int
    name: str
    rank: int  # lower is more trusted
    acronym: str | None = None


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", text)]


def _schwartz_hearst(acronym: str, long_form: str) -> int | None:
    """Start of the shortest tail of ``long_form`` whose letters spell ``acronym`` in order."""
    short = acronym.lower()
    long_ = long_form.lower()
    s = len(short) - 1
    index = len(long_) - 1
    while s >= 0:
        char = short[s]
        if not char.isalnum():
            s -= 1
            continue
        while index >= 0 and (
            long_[index] != char or (s == 0 and index > 0 and long_[index - 1].isalnum())
        ):
            index -= 1
        if index < 0:
            return None
        index -= 1
        s -= 1
    return index + 1


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
            runs = list(_RUN.finditer(before))
            if not runs or runs[-1].end() != len(before):
                continue
            run = runs[-1]
            name = _trim_leading(run.group(0))
            name = re.sub(
                r"^.*?[’']s[ \t]+", "", name
            )  # "America's Office of ..." -> "Office of ..."
            if not name or name in self.gazetteer.country_names:
                continue
            aligned = _schwartz_hearst(acronym, name)
            head_like = any(w in ORG_HEADS for w in name.split())
            if aligned is None and not head_like:
                continue
            if len(name.split()) < 2 and aligned is None:
                continue
            start = line_start + run.start() + (len(run.group(0)) - len(name))
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
        for run in _RUN.finditer(text):
            offsets = [m.start() + run.start() for m in re.finditer(r"\S+", run.group(0))]
            words = run.group(0).split()
            for lo, hi in _split_coordinated(words):
                mention = self._name_in(words[lo:hi], offsets[lo:hi], text)
                if mention is not None:
                    found.append(mention)
        return found

    def _name_in(self, words: list[str], offsets: list[int], text: str) -> _Mention | None:
        """The organisation name inside a capitalised run, or None.

        The name runs from the first head noun (widened left over its
        modifiers, "Latvian Prison Administration") to the last one, plus a
        complement ("of the Republic of Croatia", "on European Judicial
        Training") that stops before words naming a rule or an event.
        """
        heads = [i for i, w in enumerate(words) if w in ORG_HEADS]
        if not heads:
            return None
        first, last = heads[0], heads[-1]
        start = first
        while start > 0:
            before = words[start - 1]
            if (
                before in _LEFT_BRIDGES
                and start > 1
                and words[start - 2][:1].isupper()
                and words[start - 2] not in ROLE_WORDS
            ):
                start -= 2  # "Education and Training in Probation Expert Network"
                continue
            if before in CONNECTORS or not before[:1].isupper() or re.search(r"[’']s$", before):
                break
            start -= 1
        end = last + 1
        if end < len(words) and words[end] in _COMPLEMENT and not self._where_or_when(words, end):
            j = end + 1
            while j < len(words) and words[j] in CONNECTORS:
                j += 1
            k = j
            while (
                k < len(words) and words[k] not in STOP_TAIL and not self._where_or_when(words, k)
            ):
                k += 1
            end = min(k if k == len(words) else j + 1, len(words))
        elif end < len(words) and words[end] not in CONNECTORS:
            return None  # the head qualifies what follows: "Police Practices", "Service Award"
        if (
            start == first
            and words[first] in _GENERIC
            and end > first + 1
            and words[first + 1] in CONNECTORS
        ):
            return None  # "Services on the ICPA website", "Police in Crime Prevention"
        chosen = words[start:end]
        while chosen and (chosen[0] in _SENTENCE_STARTERS or chosen[0] in CONNECTORS):
            chosen = chosen[1:]
            start += 1
        while chosen and chosen[-1] in CONNECTORS:
            chosen = chosen[:-1]
            end -= 1
        if len(chosen) < 2 or any(w in ROLE_WORDS for w in chosen):
            return None
        if any(w in EVENT_HEADS for w in words[last:]):
            return None
        if all(w in _GENERIC or w in CONNECTORS for w in chosen) and chosen[-1].endswith("s"):
            return None
        begin = offsets[start]
        finish = offsets[end - 1] + len(words[end - 1])
        name = text[begin:finish].rstrip("’'.,;:")
        return _Mention(begin, begin + len(name), name, 2)

    def _where_or_when(self, words: list[str], k: int) -> bool:
        """ "in Switzerland", "in October": a complement that places the body, not its name."""
        if words[k] not in ("in", "at") or k + 1 >= len(words):
            return False
        rest = " ".join(words[k + 1 :])
        return words[k + 1] in _MONTHS or self._is_place(rest)

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
            while words and words[0] in _SENTENCE_STARTERS:
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
        for mention in sorted(candidates, key=lambda m: (-(m.end - m.start), m.rank)):
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
        for mention in chosen:
            key, name, aliases, country = self._identify(mention, acronym_key)
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
        for org in orgs.values():
            org.country = org.country or self._country_from_name(org.name)
            _add_other_mentions(text, org, taken)
        return list(orgs.values())

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
                and _schwartz_hearst(mention.acronym, name) is None
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


_COMPLEMENT = frozenset({"of", "for", "on", "in", "de", "du", "des", "to"})
_MONTHS = frozenset(calendar.month_name[1:])
_LEFT_BRIDGES = frozenset({"and", "&", "in", "for", "on"})


def _split_coordinated(words: list[str]) -> list[tuple[int, int]]:
    """Split "Dutch Probation Service and the Prosecutor's Office" into two names;
    keep "Ministry of Justice and Public Security" whole (no head on the right)."""
    parts: list[tuple[int, int]] = []
    lo = 0
    for i, word in enumerate(words):
        if word in ("and", "&") and any(w in ORG_HEADS for w in words[lo:i]):
            rest = words[i + 1 :]
            upto = next((n for n, w in enumerate(rest) if w in ("and", "&")), len(rest))
            right = rest[:upto]
            if any(w in ORG_HEADS for w in right) or (len(right) == 1 and right[0].isupper()):
                parts.append((lo, i))
                lo = i + 1
    parts.append((lo, len(words)))
    return parts


def _add_other_mentions(text: str, org: Organisation, taken: list[tuple[int, int]]) -> None:
    """Every further use of an organisation's names is a mention of it (evidence, and no
    second reading of "Phoenix" in "Phoenix Zululand" as a city)."""
    for surface in sorted({org.name, *org.aliases}, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w-]){re.escape(surface)}(?![\w-])", text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            org.spans.append(TextSpan(match.start(), match.end(), surface))


def _trim_leading(run: str) -> str:
    words = run.split()
    while words and (words[0] in _SENTENCE_STARTERS or words[0] in CONNECTORS):
        words = words[1:]
    return " ".join(words) if words else ""
