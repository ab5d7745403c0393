"""Which country a generically named organisation belongs to.

"The Ministry of Justice" in a Latvian article and in a British one are two
bodies, but their names are the same words, so a key made from the name alone
merged them into one resource with no country. A name made only of the
vocabulary of public administration (ministry, justice, prison, service,
national, ...) names no particular body by itself; such an organisation takes
the country the document is about -- the one it names most, when that is
clearly most -- both as its country and in its key. The name stays as written.
"""

from __future__ import annotations

import re

from practicegraph.models import Country, Organisation
from practicegraph.nlp.org_names import ORG_HEADS
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
