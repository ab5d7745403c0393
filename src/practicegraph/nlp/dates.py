"""Dates as people write them in news items, turned into ISO 8601 at the text's precision.

spaCy's DATE entities find "25-26 May 2023" but do not normalise it; the
patterns here cover the forms of the field's news items (day ranges, ordinal
days, "November 7th and 8th", month-year, bare years) and keep the precision
the text gives: a year stays a year (xsd:gYear), a month a month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_RANGE = rf"(?:\s*(?:-|–|—|to|and|&)\s*{_DAY2})?"

_PATTERNS = [
    # 2023-05-25
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<dnum>[0-3]\d)\b"),
    # 25-26 May 2023, 17th November 2017, from 23 to 25 November 2021
    re.compile(rf"\b{_DAY}{_RANGE}\s+(?:of\s+)?{_MONTH}(?:,)?\s+{_YEAR}\b", re.IGNORECASE),
    # November 7th and 8th, 2019 / May 25, 2023
    re.compile(rf"\b{_MONTH}\s+{_DAY}{_RANGE}(?:,)?\s+{_YEAR}\b", re.IGNORECASE),
    # May 2023, in September of 2001
    re.compile(rf"\b{_MONTH}(?:\s+of)?,?\s+{_YEAR}\b", re.IGNORECASE),
    # November 7th and 8th (year given elsewhere)
    re.compile(rf"\b{_MONTH}\s+{_DAY}{_RANGE}\b(?!\s*(?:,\s*)?(?:19|20)\d\d)", re.IGNORECASE),
    # 26-27 March (year given elsewhere)
    re.compile(rf"\b{_DAY}{_RANGE}\s+(?:of\s+)?{_MONTH}\b(?!\s*,?\s*(?:19|20)\d\d)", re.IGNORECASE),
    # a bare year
    re.compile(rf"(?<![\d/.-]){_YEAR}(?![\d/-])"),
]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    iso: str | None  # None when the year must come from elsewhere
    month: int | None
    day: int | None

    @property
    def year(self) -> str | None:
        return self.iso[:4] if self.iso else None

    def with_year(self, year: str) -> str:
        """Complete a month/day mention with a year stated elsewhere in the text."""
        if self.month is None:
            return year
        if self.day is None:
            return f"{year}-{self.month:02d}"
        return f"{year}-{self.month:02d}-{self.day:02d}"


def _mention(match: re.Match[str]) -> DateMention | None:
    groups = match.groupdict()
    year = groups.get("year")
    month: int | None = None
    day: int | None = None
    if groups.get("mnum"):
        month, day = int(groups["mnum"]), int(groups["dnum"])
    else:
        if groups.get("month"):
            month = MONTHS[groups["month"].lower().rstrip(".")]
        if groups.get("day"):
            day = int(groups["day"])
    if day is not None and not 1 <= day <= 31:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    iso: str | None
    if year is None:
        iso = None
    elif month is None:
        iso = year
    elif day is None:
        iso = f"{year}-{month:02d}"
    else:
        iso = f"{year}-{month:02d}-{day:02d}"
    return DateMention(match.start(), match.end(), iso, month, day)


def find_dates(text: str) -> list[DateMention]:
    """Every date mention, longest (most precise) first where patterns overlap, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if pattern is _PATTERNS[-1] and match.group(0).lower() == "may":
                continue
            mention = _mention(match)
            if mention is None:
                continue
            if mention.iso is None and mention.month == MONTHS["may"] and mention.day is None:
                continue
            taken.append((match.start(), match.end()))
            found.append(mention)
    return sorted(found, key=lambda m: m.start)


def first_date(text: str) -> str | None:
    for mention in find_dates(text):
        if mention.iso:
            return mention.iso
    return None


#: How far into a text its own date line (dateline, "Published ...") is looked for.
_DATE_LINE_REACH = 600
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = re.compile(
    r"\b(?:(?P<today>today|today's|this morning|this afternoon|this evening|tonight)|"
    r"(?P<yesterday>yesterday)|on\s+(?:last\s+)?(?P<weekday>" + "|".join(_WEEKDAYS) + r"))\b",
    re.IGNORECASE,
)


def document_date(dates: list[DateMention]) -> DateMention | None:
    """The date a news item is written on: its dateline or "Published" line near the top.

    Why: "today", "on Wednesday" and a day and month without a year count from the
    day the item was written, which is the first full date at its head (the
    most precise one there, so "June 2019 | ... 5 June 2019" gives the day).
    """
    head = [d for d in dates if d.start < _DATE_LINE_REACH and d.iso]
    if not head:
        return None
    with_day = [d for d in head if d.day is not None]
    return with_day[0] if with_day else head[0]


def relative_date(sentence: str, written: DateMention | None) -> str | None:
    """The day a sentence means by "today", "yesterday" or "on Monday" in a news item
    written on ``written``: the same day, the day before, the last such weekday."""
    if written is None or written.day is None or written.iso is None:
        return None
    match = _RELATIVE.search(sentence)
    if match is None:
        return None
    try:
        day = date.fromisoformat(written.iso)
    except ValueError:
        return None
    if match.group("yesterday"):
        day -= timedelta(days=1)
    elif match.group("weekday"):
        wanted = _WEEKDAYS.index(match.group("weekday").lower())
        day -= timedelta(days=(day.weekday() - wanted) % 7)
    return day.isoformat()
