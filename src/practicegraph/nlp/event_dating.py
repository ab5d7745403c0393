"""When an event phrase happened: the dates that may date it, and the one that does.

Split from :mod:`practicegraph.nlp.events`, which finds the phrases: this
module reads dates around them. A sentence's own dates come first, unless they
only bound ("before September 2020", "since 2010"); a news item's "today" or
"on Wednesday" counts from its own date line; a short heading or date line just
above a paragraph dates what the paragraph tells; "the meeting" refers back to
the sentence before, which gave the day; a chronology line ("- January 2002:
...") dates its entry to the month. A date without a year takes the year the
document is mostly about.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from practicegraph.dates import MONTH_PATTERN, DateMention, PartialDate, month_number
from practicegraph.nlp.dates import relative_date
from practicegraph.nlp.event_patterns import EVENT

_DEFINITE = re.compile(r"\b(?:the|this|that)\s+$", re.IGNORECASE)
_DEFINITE_START = re.compile(r"(?:the|this|that)\s", re.IGNORECASE)
_HEADING_WORDS = 20
_BOUNDING = re.compile(
    r"\b(?:before|by|until|till|after|since|no later than|not before)\s+(?:the\s+end\s+of\s+)?$",
    re.IGNORECASE,
)
_FROM = re.compile(r"\bfrom\s+$", re.IGNORECASE)
_RANGE_IN = re.compile(r"\d\s*(?:-|–|—|to|and|&)\s*\d")
_RANGE_ON = re.compile(r"\s*(?:to|until|till|-|–|—)\s*\w", re.IGNORECASE)
_ENTRY_LEAD = re.compile(r"\s*(?:[-*•·]\s*|\d{1,2}[.)]\s*)?[*_]{0,2}")
_ENTRY_COLON = re.compile(r"[*_]{0,2}\s*(?::|–|—|-\s|\||\.{2,})")


@dataclass(frozen=True)
class SentenceInfo:
    start: int
    end: int


def reference_year(dates: Sequence[DateMention]) -> str | None:
    """The year the document is mostly about: the commonest, ties broken by the median."""
    years = [d.year for d in dates if d.year]
    if not years:
        return None
    counts = Counter(years)
    top = max(counts.values())
    tied = sorted(y for y, c in counts.items() if c == top)
    return tied[(len(tied) - 1) // 2]


def dated_entry(text: str, sentence: SentenceInfo, candidates: Sequence[DateMention]) -> bool:
    """A line of a chronology, "- January 2002: a pilot training course for prison officers":
    the date that heads the entry dates what it tells, to the month."""
    return any(
        sentence.start <= d.start
        and _ENTRY_LEAD.fullmatch(text[sentence.start : d.start])
        and _ENTRY_COLON.match(text, d.end)
        for d in candidates
    )


def _bound(text: str, start: int, end: int, floor: int) -> bool:
    """A date that bounds rather than dates: "before September 2020", "since 2010",
    "From August 2023 tablets were handed out" (a "from" that opens no range)."""
    before = text[max(floor, start - 20) : start]
    if _BOUNDING.search(before):
        return True
    opens_range = _RANGE_IN.search(text[start:end]) or _RANGE_ON.match(text, end)
    return bool(_FROM.search(before)) and not opens_range


def dating(
    text: str,
    sentences: Sequence[SentenceInfo],
    index: int,
    dates: Sequence[DateMention],
    written: DateMention | None,
    match: re.Match[str],
) -> tuple[list[DateMention], SentenceInfo]:
    """The dates that may date an event phrase, and the sentence they come from.

    The sentence's own dates first; else "today" / "on Wednesday" counted from the
    day the item was written; else the dates of a short heading or date line just
    above ("19-21 November 2024" over the paragraph that tells the seminar); else,
    for "the meeting" / "this conference", the dates of the sentence before in the
    same paragraph, which introduced the happening.
    """
    sentence = sentences[index]
    chunk = text[sentence.start : sentence.end]

    def inside(s: SentenceInfo) -> list[DateMention]:
        return [
            d
            for d in dates
            if s.start <= d.start < s.end and not _bound(text, d.start, d.end, s.start)
        ]

    own = inside(sentence)
    if own:
        return own, sentence
    relative = relative_date(chunk, written)
    if relative is not None:
        return [DateMention.dated(sentence.start, sentence.start, relative)], sentence
    if index == 0:
        return [], sentence
    previous = sentences[index - 1]
    gap = text[previous.start : sentence.start].rstrip(" \t")
    gap = gap[len(gap.rstrip()) :]  # the line breaks between the two
    earlier = inside(previous)
    if not earlier:
        return [], sentence
    line = text[previous.start : previous.end]
    # a short line above dates the paragraph below, unless it names its own event: in a
    # list of headlines ("Call for Papers: Annual Conference 2025") each line is its own
    heading = "\n" in gap and len(line.split()) <= _HEADING_WORDS and not EVENT.search(line)
    anaphora = (
        "\n\n" not in gap
        and (
            _DEFINITE.search(chunk[: match.start()]) is not None
            or _DEFINITE_START.match(match.group(0).lstrip()) is not None
        )
        and any(d.day is not None for d in earlier)
    )
    if heading or anaphora:
        return earlier, previous
    return [], sentence


#: "the following May", "next March": a month after the date of its sentence
_FOLLOWING = re.compile(
    rf"[^.;:]{{0,80}}?\b(?:the\s+following|next)\s+(?P<month>{MONTH_PATTERN})",
    re.IGNORECASE,
)


def following_month(chunk: str, after: int, date: str | None) -> str | None:
    """ "asked to host the conference the following May" (in a sentence dated 5 July
    2018): the month after the event phrase, in the year after the sentence's date when
    that month has passed, rather than the sentence's own date."""
    found = _FOLLOWING.match(chunk, after)
    if found is None or date is None:
        return date
    month = month_number(found.group("month"))
    year = int(date[:4])
    if len(date) >= 7 and month is not None and month <= int(date[5:7]):
        year += 1
    following = PartialDate.of(year, month)
    return following.iso if following else date


def date_for(candidates: Sequence[DateMention], ref_year: str | None, near: int) -> str | None:
    if not candidates:
        return None
    ranked = sorted(
        candidates,
        key=lambda d: (
            d.iso is None and ref_year is None,
            -(d.month is not None),
            abs(d.start - near),
        ),
    )
    best = ranked[0]
    if best.iso:
        return best.iso
    complete = next((d.year for d in candidates if d.year), ref_year)
    return best.with_year(complete) if complete else None
