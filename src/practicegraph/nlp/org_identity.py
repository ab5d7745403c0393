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
