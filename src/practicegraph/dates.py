"""Calendar dates as people write them, read at the precision the text gives.

The one date parser of the package: the readers take a document's publication
date from it (:mod:`practicegraph.ingest.metadata`) and the extractors the dates
of events (:mod:`practicegraph.nlp.dates`). It sits at the bottom of the package,
beside :mod:`practicegraph.text`, so that ingest and nlp share it without
importing each other.

Every date is checked with :class:`datetime.date` ("31 February 2023" is no
date) and keeps its precision: a year stays a year (``2023``, xsd:gYear), a
month a month (``2023-05``), a day a day (``2023-05-25``). A decade ("the
1990s") is not a year. The month names that are also English words ("may",
"march") count as months only when written as names ("May 2020") or between a
day and a year ("25 may 2023"): "services may 2020 ..." holds no date.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "MONTHS",
    "MONTH_NAMES",
    "MONTH_PATTERN",
    "DateMention",
    "PartialDate",
    "Precision",
    "find_dates",
    "first_date",
    "month_number",
    "parse_iso",
]

#: English month names, in order; :data:`MONTHS` adds their abbreviations.
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_ABBREVIATIONS: Mapping[int, tuple[str, ...]] = {
    1: ("jan",),
    2: ("feb",),
    3: ("mar",),
    4: ("apr",),
    6: ("jun",),
    7: ("jul",),
    8: ("aug",),
    9: ("sep", "sept"),
    10: ("oct",),
    11: ("nov",),
    12: ("dec",),
}
#: Month name or abbreviation (lower case) -> month number: the one month table.
MONTHS: Mapping[str, int] = {
    **{name: number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{abbr: number for number, abbrs in _ABBREVIATIONS.items() for abbr in abbrs},
}
#: Names that may be written in lower case and still be months. Why not "may" and
#: "march": they are English words first ("services may share"); nor the
#: abbreviations ("mar", "dec" are words or pieces of names).
_LOWER_CASE_MONTHS = frozenset(MONTH_NAMES) - {"may", "march"}

#: Years outside this range are page numbers, amounts or typos, not dates.
MIN_YEAR, MAX_YEAR = 1900, 2100


def _alternation(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _month_words(*, any_case: bool) -> str:
    words = []
    for name in MONTHS:
        words += [name.capitalize(), name.upper()]
        if any_case or name in _LOWER_CASE_MONTHS:
            words.append(name)
    # case-sensitive even inside a case-insensitive pattern; a whole word ("Mayor",
    # "Decision" are none)
    return rf"(?-i:{_alternation(words)})(?![^\W\d_])\.?"


#: A month name as a date may spell it, for patterns of other modules ("the following May").
MONTH_PATTERN = _month_words(any_case=False)

_MONTH = rf"(?P<month>{MONTH_PATTERN})"
#: Between a day and a year any case is a month: "25 may 2023".
_MONTH_ANY_CASE = rf"(?P<month>{_month_words(any_case=True)})"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_RANGE = rf"(?:\s*(?:-|–|—|to|and|&)\s*{_DAY2})?"
_NO_YEAR_AFTER = r"(?!\s*,?\s*(?:19|20)\d\d)"

_PATTERNS = (
    # 2023-05-25, also the date part of 2023-05-25T10:00:00Z
    re.compile(r"(?<![\d-])(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<dnum>[0-3]\d)(?!\d)"),
    # 25.05.2023: day first, as in Europe; slashes are left alone (ambiguous)
    re.compile(r"(?<![\d.])(?P<dnum>[0-3]?\d)\.(?P<mnum>[01]?\d)\.(?P<year>(?:19|20)\d\d)(?!\d)"),
    # 25-26 May 2023, 17th November 2017, from 23 to 25 November 2021, 1 of May, 2023
    re.compile(rf"\b{_DAY}{_RANGE}\s+(?:of\s+)?{_MONTH_ANY_CASE},?\s+{_YEAR}\b", re.IGNORECASE),
    # November 7th and 8th, 2019 / May 25, 2023
    re.compile(rf"\b{_MONTH}\s+{_DAY}{_RANGE},?\s+{_YEAR}\b", re.IGNORECASE),
    # May 2023, in September of 2001
    re.compile(rf"\b{_MONTH}(?:\s+of)?,?\s+{_YEAR}\b", re.IGNORECASE),
    # November 7th and 8th (year given elsewhere)
    re.compile(rf"\b{_MONTH}\s+{_DAY}{_RANGE}\b{_NO_YEAR_AFTER}", re.IGNORECASE),
    # 26-27 March (year given elsewhere)
    re.compile(rf"\b{_DAY}{_RANGE}\s+(?:of\s+)?{_MONTH}{_NO_YEAR_AFTER}", re.IGNORECASE),
    # a bare year, not part of a number range, a decade ("the 1990s", "the 1980's")
    # or a longer number
    re.compile(rf"(?<![\d/.-]){_YEAR}(?![\d/-])(?!s\b)(?!(?<=0)['’]s\b)"),
)


class Precision(enum.IntEnum):
    """How much of a date the text states."""

    YEAR = 1
    MONTH = 2
    DAY = 3


@dataclass(frozen=True)
class PartialDate:
    """A calendar date stated to the year, the month or the day.

    Raises :class:`ValueError` for a date the calendar does not have
    ("2023-02-31"), a day without a month or a year outside
    :data:`MIN_YEAR`..:data:`MAX_YEAR`.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"year {self.year} out of range")
        _check(self.year, self.month, self.day)

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> PartialDate | None:
        """The date, or ``None`` when the calendar has no such date."""
        try:
            return cls(year, month, day)
        except ValueError:
            return None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    @property
    def iso(self) -> str:
        """ISO 8601 at the date's precision: ``2023``, ``2023-05`` or ``2023-05-25``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.iso


def _check(year: int | None, month: int | None, day: int | None) -> None:
    """Raise :class:`ValueError` unless the calendar has this date.

    Without a year, a day is checked against a leap year: "29 February" may be
    completed with a leap year stated elsewhere.
    """
    if day is not None and month is None:
        raise ValueError("a day needs a month")
    dt.date(2000 if year is None else year, month or 1, day or 1)


def month_number(word: str) -> int | None:
    """The number of a month name or abbreviation (``"Sept."`` -> 9), or ``None``."""
    return MONTHS.get(word.rstrip(".").lower())


@dataclass(frozen=True)
class DateMention:
    """A date written in a text at ``[start, end)``.

    ``date`` is the validated date, or ``None`` for a day and month whose year
    the text states elsewhere ("on November 7th"); ``month`` and ``day`` are
    given either way.
    """

    start: int
    end: int
    date: PartialDate | None
    month: int | None
    day: int | None

    def __post_init__(self) -> None:
        if self.date is not None:
            if (self.date.month, self.date.day) != (self.month, self.day):
                raise ValueError("month and day differ from the date's")
        elif self.month is None:
            raise ValueError("a mention without a year needs a month")
        else:
            _check(None, self.month, self.day)

    @classmethod
    def dated(cls, start: int, end: int, date: PartialDate) -> DateMention:
        return cls(start, end, date, date.month, date.day)

    @property
    def iso(self) -> str | None:
        """ISO 8601 at the text's precision; ``None`` when the year is stated elsewhere."""
        return self.date.iso if self.date else None

    @property
    def year(self) -> str | None:
        return f"{self.date.year:04d}" if self.date else None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        return Precision.MONTH if self.month is not None else Precision.YEAR

    def with_year(self, year: str) -> str | None:
        """Complete a month/day mention with a year stated elsewhere in the text;
        ``None`` when that year lacks the day ("29 February" in 2023)."""
        completed = PartialDate.of(int(year), self.month, self.day)
        return completed.iso if completed else None


def _mention(match: re.Match[str]) -> DateMention | None:
    groups = match.groupdict()
    if groups.get("mnum"):
        month: int | None = int(groups["mnum"])
        day: int | None = int(groups["dnum"])
    else:
        month = month_number(groups["month"]) if groups.get("month") else None
        day = int(groups["day"]) if groups.get("day") else None
    if groups.get("year") is None:
        try:
            return DateMention(match.start(), match.end(), None, month, day)
        except ValueError:
            return None
    date = PartialDate.of(int(groups["year"]), month, day)
    return DateMention.dated(match.start(), match.end(), date) if date else None


def find_dates(text: str) -> list[DateMention]:
    """Every date mention, in text order; where patterns overlap the most precise wins.

    A match the calendar refutes ("31 February 2023") yields nothing, and no
    less precise reading of its words either: the text is wrong there, and no
    date is better than a wrong one.
    """
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append((match.start(), match.end()))
            mention = _mention(match)
            if mention is not None:
                found.append(mention)
    return sorted(found, key=lambda m: m.start)


def first_date(text: str) -> str | None:
    """The first date of ``text`` that states its year, as ISO 8601 at its precision."""
    for mention in find_dates(text):
        if mention.iso:
            return mention.iso
    return None


_ISO_VALUE = re.compile(r"\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T\s].*)?", re.DOTALL)


def parse_iso(value: str) -> PartialDate | None:
    """The calendar part of an ISO 8601 value (``2023``, ``2023-05``,
    ``2023-05-25T10:00:00+02:00``) at its precision, or ``None``.

    Why not convert time zones: the day as its publisher wrote it is the date.
    """
    match = _ISO_VALUE.fullmatch(value)
    if match is None:
        return None
    year, month, day = match.groups()
    return PartialDate.of(int(year), int(month) if month else None, int(day) if day else None)
