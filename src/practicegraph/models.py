"""What the extractor finds in one document, independent of RDF.

The NLP layer fills these plain dataclasses; the graph layer turns them into
triples. Keeping RDF out of here lets the extractors be tested on sentences
alone and lets the graph builder be tested without spaCy.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TextSpan:
    """Characters ``start:end`` of the stored document text."""

    start: int
    end: int
    text: str


@dataclass
class Organisation:
    key: str  # identity across documents: gazetteer key or slug of the fullest name
    name: str
    aliases: set[str] = field(default_factory=set)
    country: str | None = None
    spans: list[TextSpan] = field(default_factory=list)


@dataclass
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    geonameid: int | None = None
    spans: list[TextSpan] = field(default_factory=list)


@dataclass
class Place:
    key: str
    name: str  # as written in the document
    canonical_name: str  # as the gazetteer spells it
    country: str | None
    geonameid: int | None = None
    spans: list[TextSpan] = field(default_factory=list)


@dataclass
class Event:
    key: str
    name: str
    start_date: str | None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    end_date: str | None = None
    place_key: str | None = None
    country: str | None = None
    organisers: list[str] = field(default_factory=list)  # organisation keys
    spans: list[TextSpan] = field(default_factory=list)


@dataclass
class ThemeMatch:
    theme_id: str
    score: float
    spans: list[TextSpan] = field(default_factory=list)


@dataclass
class Practice:
    label: str
    description: str
    evidence: TextSpan
    confidence: float
    themes: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)  # organisation keys
    countries: list[str] = field(default_factory=list)


@dataclass
class Extraction:
    organisations: list[Organisation] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    themes: list[ThemeMatch] = field(default_factory=list)
    practices: list[Practice] = field(default_factory=list)
