"""The dates of a news item: its own date line, and "today" or "on Monday" counted from it.

The dates themselves are read by :mod:`practicegraph.dates`, the package's one
date parser (re-exported here for the extractors); this module adds what only
news items need: the day an item was written, and the relative days counted
from it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from practicegraph.dates import DateMention, PartialDate, Precision, find_dates, first_date

__all__ = [
    "DateMention",
    "PartialDate",
    "Precision",
    "document_date",
    "find_dates",
    "first_date",
    "relative_date",
]

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


def relative_date(sentence: str, written: DateMention | None) -> PartialDate | None:
    """The day a sentence means by "today", "yesterday" or "on Monday" in a news item
    written on ``written``: the same day, the day before, the last such weekday."""
    when = written.date if written else None
    if when is None or when.month is None or when.day is None:
        return None
    match = _RELATIVE.search(sentence)
    if match is None:
        return None
    day = date(when.year, when.month, when.day)
    if match.group("yesterday"):
        day -= timedelta(days=1)
    elif match.group("weekday"):
        wanted = _WEEKDAYS.index(match.group("weekday").lower())
        day -= timedelta(days=(day.weekday() - wanted) % 7)
    return PartialDate.of(day.year, day.month, day.day)
