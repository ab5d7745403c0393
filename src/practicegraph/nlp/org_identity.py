"""Which country a generically named organisation belongs to.

"The Ministry of Justice" in a Latvian article and in a British one are two
bodies, but their names are the same words, so a key made from the name alone
merged them into one resource with no country. A name made only of the
vocabulary of public administration (ministry, justice, prison, service,
national, ...) names no particular body by itself; such an organisation takes
the country the document is about -- the one it names most, when that is
clearly most -- both as its country and in its key. The name stays as written.

The other half of identity is one body under several names in one text: a
short form, an acronym it does not define, an acronym or a national-language
name written beside the name, a second spelling ("&" for "and"). These join the
body they belong to here, so that a body is one record, not two.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from typing import NamedTuple

from practicegraph.models import Country, Organisation
from practicegraph.nlp.org_names import (
    NON_ORG_ACRONYMS,
    ORG_HEADS,
    RUN,
    name_like,
    names_an_activity,
    names_no_body,
    schwartz_hearst,
    trim_leading,
)
from practicegraph.text import slug

#: Words of public administration and the justice sector, in English: a name of
#: these alone ("Prison and Probation Service") is generic.
GENERIC_WORDS = frozenset(
    (
        "the",
        "of",
        "and",
        "for",
        "in",
        "on",
        "to",
        "ministry",
        "department",
        "office",
        "agency",
        "directorate",
        "secretariat",
        "inspectorate",
        "commission",
        "committee",
        "council",
        "board",
        "authority",
        "administration",
        "service",
        "services",
        "unit",
        "division",
        "national",
        "federal",
        "state",
        "central",
        "general",
        "public",
        "home",
        "interior",
        "foreign",
        "internal",
        "affairs",
        "justice",
        "security",
        "safety",
        "police",
        "prison",
        "prisons",
        "probation",
        "correctional",
        "corrections",
        "correction",
        "penitentiary",
        "penal",
        "parole",
        "custodial",
        "detention",
        "court",
        "courts",
        "supreme",
        "high",
        "district",
        "regional",
        "government",
        "parliament",
        "cabinet",
        "executive",
        "criminal",
        "institute",
        "academy",
        "college",
        "school",
        "training",
        "staff",
        "human",
        "rights",
        "ombudsman",
    )
)

_WORD = re.compile(r"[A-Za-z]+")


def is_generic(name: str) -> bool:
    words = [w.lower() for w in _WORD.findall(name)]
    return bool(words) and all(w in GENERIC_WORDS for w in words)


def main_country(countries: list[Country]) -> str | None:
    """The country a document names most, if it names it more than any other."""
    counts = sorted(((len(c.spans), c.code) for c in countries), reverse=True)
    if not counts:
        return None
    if len(counts) > 1 and counts[0][0] == counts[1][0]:
        return None
    return counts[0][1]


def qualify_generic_names(organisations: list[Organisation], countries: list[Country]) -> None:
    """Give generically named organisations without a country the document's country."""
    country = main_country(countries)
    if country is None:
        return
    for org in organisations:
        if org.country is None and org.key == slug(org.name) and is_generic(org.name):
            org.country = country
            org.key = f"{org.key}-{country.lower()}"


_COMPLEMENT_START = re.compile(r"^(?:,|\s+(?:of|for|on|in|to|and)\s)", re.IGNORECASE)
_PREMODIFIERS = re.compile(r"^[\w’'&-]+(?:\s+[\w’'&-]+)*\s+$")
_INNER_CONNECTORS = frozenset({"of", "for", "on", "in", "to", "the"})


def _shortens(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` without its complement ("Ministry of Justice" of
    "Ministry of Justice of Ukraine", "Department of Justice" of "Department of Justice,
    Rights and Memory") or, for a generic name or one opening with its head noun,
    without its modifiers ("Prison Service" of "Israel Prison Service", "Office in
    Yerevan" of "Council of Europe Office in Yerevan")."""
    if len(short) >= len(long) or len(short.split()) < 2:
        return False
    if long.lower().startswith(short.lower()) and _COMPLEMENT_START.match(long[len(short) :]):
        return True
    names_a_unit = short.split()[0] in ORG_HEADS  # "Office in Yerevan"
    if not ((is_generic(short) or names_a_unit) and long.lower().endswith(" " + short.lower())):
        return False
    extra = long[: len(long) - len(short)]
    if not _PREMODIFIERS.match(extra) or extra.split()[-1].lower() in _INNER_CONNECTORS:
        return False  # "School of Law of the University of X": X is the owner, not the unit
    return names_a_unit or not ({w.lower() for w in extra.split()} & _INNER_CONNECTORS)


def merge_short_forms(organisations: list[Organisation]) -> list[Organisation]:
    """Fold a short form of a name into the one organisation whose fuller name it shortens.

    Why: a text names a body in full once ("the State Penitentiary Service of
    Ukraine") and then by the short form ("the State Penitentiary Service");
    the short form is the same body, not a second one. A short form that fits
    several fuller names is ambiguous and kept apart; a body of the registry
    (its key is not made from its name) is a body of its own.
    """
    by_name = sorted(organisations, key=lambda o: len(o.name))
    merged: set[int] = set()
    for short in by_name:
        if short.key != slug(short.name):
            continue
        longer = [
            o
            for o in organisations
            if o is not short and id(o) not in merged and _shortens(short.name, o.name)
        ]
        if len({o.key for o in longer}) != 1:
            continue
        target = longer[0]
        target.aliases.update({short.name, *short.aliases} - {target.name})
        target.spans.extend(short.spans)
        target.country = target.country or short.country
        merged.add(id(short))
    return [o for o in organisations if id(o) not in merged]


_ACRONYM_FORM = re.compile(r"[A-Z][A-Za-z&]*[A-Z][A-Za-z&]*")


def _initials(name: str) -> set[str]:
    """The letters an acronym of ``name`` may spell: the first letters of all its words
    ("MoJ" of "Ministry of Justice") or of its capitalised words only ("HMPPS")."""
    words = re.findall(r"[\w’']+", name)
    every = "".join(w[0] for w in words).lower()
    capitalised = "".join(w[0] for w in words if w[:1].isupper()).lower()
    return {every, capitalised}


def merge_acronyms(organisations: list[Organisation]) -> list[Organisation]:
    """Fold an acronym that the text uses without defining it ("MoJ") into the one
    organisation of the same text whose name it spells ("Ministry of Justice").

    Why: writers shorten a body they have named in full without saying so; the
    acronym alone is otherwise a second record of the same body. Only an acronym
    that is not a body of the registry, and only where one name fits.
    """
    merged: set[int] = set()
    for short in organisations:
        name = short.name
        if " " in name or not _ACRONYM_FORM.fullmatch(name) or short.key != slug(name):
            continue
        letters = name.lower().replace("&", "")
        fits = [
            o
            for o in organisations
            if o is not short
            and id(o) not in merged
            and " " in o.name
            and letters in _initials(o.name)
        ]
        if len({o.key for o in fits}) != 1:
            continue
        target = fits[0]
        target.aliases.update({name, *short.aliases} - {target.name})
        target.spans.extend(short.spans)
        target.country = target.country or short.country
        merged.add(id(short))
    return [o for o in organisations if id(o) not in merged]


# -- one body under two spellings or beside its acronym ---------------------------

#: "National Union of Penitentiary Police, SNPP (Romania)": an acronym set after a
#: name by a comma or a dash, ending the line or followed by a bracket or a comma, is
#: the name's own (in a list of partners, often the national-language one).
_ACRONYM_AFTER = re.compile(
    r"(?:,|\s[–—-])[ \t]*([A-Z][A-Za-z&]{1,7}[A-Z])(?=[ \t]*(?:\n|\(|\)|,|$))"
)


#: "CEP - The European Organisation for Probation": an acronym before its name.
_ACRONYM_BEFORE = re.compile(
    r"(?<![\w-])([A-Z][A-Za-z&]{1,7}[A-Z])[ \t]+[–—-][ \t]+(?:[Tt]he[ \t]+)?$"
)


def spelling(name: str) -> str:
    """A name without its spelling variants: "&" for "and", case, punctuation, spaces."""
    return re.sub(r"[\W_]+", "", name.replace("&", " and ").lower())


def acronym_beside(text: str, start: int, end: int, name: str) -> str | None:
    """The acronym written beside the name at ``start:end``: "Name, ACR (Country)" or
    "ACR - Name". Before the name, the acronym must spell it (Schwartz-Hearst), since
    "ACR - Name" is also how a list pairs two bodies; after it, a comma or a dash and
    the end of the item suffice (often the national-language acronym)."""
    if name.isupper() or " " not in name:
        return None
    after = _ACRONYM_AFTER.match(text, end)
    if after and after.group(1) not in NON_ORG_ACRONYMS:
        return after.group(1)
    line_start = text.rfind("\n", 0, start) + 1
    before = _ACRONYM_BEFORE.search(text[line_start:start])
    if (
        before
        and before.group(1) not in NON_ORG_ACRONYMS
        and schwartz_hearst(before.group(1), name) is not None
    ):
        return before.group(1)
    return None


#: "Parole Board (An Bord Parúil)": a second name in brackets.
_BRACKETED_NAME = re.compile(r"[ \t]*\([ \t]*(?:[Tt]he[ \t]+)?(?P<name>[^()\n]{3,80}?)[ \t]*\)")
#: "Government of Canada / Gouvernement du Canada": one body in two languages.
_SLASHED = re.compile(r"[ \t]+/[ \t]+(?:[Tt]he[ \t]+)?")
_SLASH_NAME = re.compile(r"[^\n|/()]{3,80}?(?=[ \t]{2,}|[ \t]*\n|[ \t]*$|[ \t]+\|)")


def second_name(
    text: str, end: int, not_a_name: Callable[[str], bool]
) -> tuple[str, int, int] | None:
    """The body's second name right after its name ending at ``end``, with where it lies.

    "Parole Board (An Bord Parúil)", "Federal Public Service Justice (Belgian Prison
    Service)", "Government of Canada / Gouvernement du Canada": a name in brackets or
    after a slash is the same body under its national-language or everyday name (an
    alias), not a second body. A place in brackets ("(Romania)", ``not_a_name``) says
    where the body is instead.
    """
    slash = _SLASHED.match(text, end)
    if slash:
        rest = _SLASH_NAME.match(text, slash.end())
        if rest and name_like(rest.group(0)) and len(rest.group(0).split()) <= 6:
            return rest.group(0), rest.start(), rest.end()
    bracket = _BRACKETED_NAME.match(text, end)
    if bracket is None:
        return None
    name = bracket.group("name")
    if not name_like(name) or not_a_name(name):
        return None
    return name, bracket.start("name"), bracket.end()


# -- acronyms the text defines ---------------------------------------------------------

#: "(ICPA)", and "(DPT, German Congress on Crime Prevention)": an acronym opening a
#: bracket that goes on with a translation or a gloss is defined all the same.
ACRONYM_DEF = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,11}\d?)\s*(?:\)|[,;]\s)")
_POSSESSIVE_WORD = re.compile(r"[’']s$")


class Definition(NamedTuple):
    """A name the text defines an acronym for, where the name starts, and a gloss."""

    start: int
    name: str
    acronym: str
    gloss: str | None  # "(DPT, German Congress on Crime Prevention)": an alias


def acronym_definitions(text: str, country_names: Container[str]) -> list[Definition]:
    """Names defined with an acronym, "International Corrections and Prisons Association
    (ICPA)", checked with the Schwartz-Hearst letter alignment and widened to the whole
    capitalised name ("America's Office of Community Oriented Policing Services (COPS)"
    -> "Office of Community Oriented Policing Services"). Not an instrument, a prize or
    a project ("European Prison Rules (EPR)", "Towards Safer Release (TSR)"); an acronym
    of an owner after "of the" belongs to the owner ("Committee of Ministers of the
    Council of Europe (CoE)")."""
    found: list[Definition] = []
    for match in ACRONYM_DEF.finditer(text):
        acronym = match.group(1)
        if acronym in NON_ORG_ACRONYMS or sum(c.isupper() for c in acronym) < 2:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()].rstrip()
        runs = list(RUN.finditer(before))
        if not runs or runs[-1].end() != len(before):
            continue
        run = runs[-1]
        words = [(run.start() + m.start(), m.group(0)) for m in re.finditer(r"\S+", run.group(0))]
        first = len(words) - len(trim_leading(run.group(0)).split())
        for n, (_at, word) in enumerate(words[first:-1], first):
            if _POSSESSIVE_WORD.search(word):  # "America's Office of ..." -> "Office of ..."
                first = n + 1
        if first >= len(words):
            continue
        start = line_start + words[first][0]
        name = text[start : line_start + run.end()]
        if not name or name in country_names:
            continue
        if names_no_body(name.split()):
            continue  # "European Prison Rules (EPR)", "European Arrest Warrant (EAW)"
        aligned = schwartz_hearst(acronym, name)
        head_like = any(w in ORG_HEADS for w in name.split())
        if not head_like and names_an_activity(name.split()):
            continue  # "Towards Preventing Violent Radicalisation (TPVR)": a project
        if aligned is None and not head_like:
            continue
        if len(name.split()) < 2 and aligned is None:
            continue
        if aligned and name[:aligned].endswith(" of the "):
            owner = name[aligned:]  # "Committee of Ministers of the Council of Europe
            if any(w in ORG_HEADS for w in owner.split()):  # (CoE)": CoE is the owner
                start, name = start + aligned, owner
        gloss = None
        if match.group(0)[-1:] != ")":  # "(DPT, German Congress on Crime Prevention)"
            close = text.find(")", match.end())
            rest = text[match.end() : close] if close > 0 else ""
            if RUN.fullmatch(rest.strip()) and len(rest.split()) > 1:
                gloss = rest.strip()
        found.append(Definition(start, name, acronym, gloss))
    return found
