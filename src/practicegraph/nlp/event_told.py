"""Events told with a verb rather than named with a noun.

A headline launch ("Ministry launches National Strategy 2016-2018") and a dated
"visited X" (split from :mod:`practicegraph.nlp.events`); and the verbs that tell
a happening as plainly as a noun names one: a body "met in Cork in September
2023", officers "graduated in Rockhampton on Monday, 1 September 2025", a centre
was "formally opened" or a programme "inaugurated" on a day, a body "celebrated
the second anniversary" of something in a month. The verb becomes its noun
("meeting", "graduation", "opening of ...") and the event is dated and placed
from its own sentence. A verb without a month in its sentence tells nothing
datable ("targets were met in 2019"); a meeting also needs a place, since "met"
has other senses ("met the criteria").
(Train split: see :mod:`practicegraph.nlp.events`.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from practicegraph.models import Event, TextSpan
from practicegraph.nlp.dates import DateMention
from practicegraph.nlp.event_dating import SentenceInfo, date_for, dating
from practicegraph.nlp.event_patterns import CAP_RUN
from practicegraph.nlp.event_places import Located, place_for
from practicegraph.text import slug

#: "launches the Irish Prison Service Strategic Plan 2016-2018", "unveils Global Prison Trends 2018"
_LAUNCH = re.compile(
    rf"\b(?:launch(?:es|ed)?|unveil(?:s|ed)?)\s+(?:the\s+|its\s+|their\s+|a\s+new\s+)?"
    rf"(?P<what>{CAP_RUN}(?:\s+(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?)?)",
    re.IGNORECASE,
)
#: "the delegation first visited Ukraine"
_VISITED = re.compile(
    rf"\b(?:(?P<ordinal>first|second|third|fourth|fifth|last)\s+)?visited\s+(?:the\s+)?"
    rf"(?P<what>{CAP_RUN})",
)


#: A verb that tells a happening, and the noun that names it
_TOLD_NOUN = {
    "met": "meeting",
    "meet": "meeting",
    "meets": "meeting",
    "meeting": "meeting",
    "gathered": "meeting",
    "convened": "meeting",
    "graduated": "graduation",
    "inaugurated": "inauguration",
    "opened": "opening",
    "launched": "launch",
    "celebrated": "celebration",
}
_TOLD = re.compile(rf"\b(?P<verb>{'|'.join(_TOLD_NOUN)})\b", re.IGNORECASE)
#: Verbs whose noun is "of" what they act on: "opened a new training centre"
_OF_OBJECT = {"inauguration", "opening", "launch", "celebration"}
#: Where a happening took place, right after the verb: "graduated in Rockhampton",
#: "graduated on 29 April at Arua Main Prison"
_VENUE_AFTER = re.compile(rf"\b(?P<prep>in|at)\s+(?:the\s+)?(?P<where>{CAP_RUN})", re.IGNORECASE)
#: What was opened or launched: the words after the verb up to the next clause
_OBJECT = re.compile(
    r"\s+(?:(?:formally|officially)\s+)?(?P<what>(?!(?:in|at|on|from|to|with|by|for|"
    r"during|which|that|where|when|and|as|up|down|out|off|its|their|doors?)\b)[\w’'\-]+"
    r"(?:\s+(?!(?:in|at|on|from|to|with|by|during|which|that|where|when|for|after|before|"
    r"since|under|as)\b)[\w’'\-]+){0,7})",
    re.IGNORECASE,
)
#: What was inaugurated, told before a participle: "a rehabilitation programme inaugurated at"
_BEFORE = re.compile(r"\b(?:a|an|the)\s+(?P<what>(?:[a-z][\w’'\-]*\s+){0,3}[a-z][\w’'\-]*)\s+$")
#: How precisely each noun's sentence must date it: a day for launches and openings
#: (a month-old launch is a plan's start, not a happening), a month for the rest
_NEEDS_DAY = {"launch", "opening"}


def told_events(
    text: str,
    sentences: Sequence[SentenceInfo],
    dates: Sequence[DateMention],
    written: DateMention | None,
    located: Sequence[Located],
    ref_year: str | None,
) -> list[Event]:
    """Happenings told with a verb ("met in Cork in September 2023") as named events."""
    found = []
    for index, sentence in enumerate(sentences):
        chunk = text[sentence.start : sentence.end]
        for match in _TOLD.finditer(chunk):
            noun = _TOLD_NOUN[match.group("verb").lower()]
            if noun == "meeting" and match.group("verb")[0].isupper():
                continue  # "Meeting the needs of ...": a gerund opening the sentence
            candidates, _context = dating(text, sentences, index, dates, written, match)
            # "the second meeting of 2017 was held in Dublin on 22 and 23 May": a year the
            # sentence states completes the day, before the year the document is about
            year = next((d.year for d in candidates if d.year), ref_year)
            # a date of another clause dates another happening: "opened the unit in early
            # 2017; ... on 13 March 2017 the Governor announced it"
            candidates = [
                d
                for d in candidates
                if d.month is not None
                and ";"
                not in text[
                    min(d.end, sentence.start + match.end()) : max(
                        d.start, sentence.start + match.start()
                    )
                ]
            ]
            if noun in _NEEDS_DAY:
                candidates = [d for d in candidates if d.day is not None]
            start, end = sentence.start + match.start(), sentence.start + match.end()
            date = date_for(candidates, year, near=start)
            if date is None:
                continue
            place = place_for(text, located, sentence, end, end)
            if noun == "meeting" and not any(end <= loc.start < sentence.end for loc in located):
                continue
            name = _told_name(noun, chunk, match)
            if name is None:
                continue
            found.append(_event(text, name, date, place, start, end))
    return found


def _event(text: str, name: str, date: str, place: Located | None, start: int, end: int) -> Event:
    """The event a verb or a visit tells, dated and placed, its words as its mention."""
    return Event(
        key=f"{slug(name)}-{date[:4]}",
        name=name,
        start_date=date,
        place_key=place.place_key if place else None,
        country=place.country if place else None,
        spans=[TextSpan(start, end, text[start:end])],
    )


def _told_name(noun: str, chunk: str, match: re.Match[str]) -> str | None:
    """ "opening of a new training and educational centre", "graduation at Arua Main Prison",
    "meeting in Cork": the noun with what the verb acted on, or where it happened."""
    if noun in _OF_OBJECT:
        after = _OBJECT.match(chunk, match.end())
        if after and not re.match(r"(?:\d|on\b|in\b)", after.group("what"), re.IGNORECASE):
            what = re.sub(r"^(?:a|an)\s+", "", after.group("what"), flags=re.IGNORECASE)
            return f"{noun} of {what}"
        before = _BEFORE.search(chunk[: match.start()])
        if before:
            return f"{noun} of {before.group('what')}"
        return None
    venue = _VENUE_AFTER.search(chunk, match.end(), min(len(chunk), match.end() + 60))
    return f"{noun} {venue.group('prep')} {venue.group('where')}" if venue else noun


def headline_launches(
    text: str, title_end: int, written: DateMention | None, ref_year: str | None
) -> list[Event]:
    """A headline that tells of a launch ("Ministry launches National Strategy 2016-2018")
    reports the launch itself, a happening on the day the item was written."""
    date = written.iso if written else ref_year
    if not date or title_end <= 0:
        return []
    found = []
    for match in _LAUNCH.finditer(text[:title_end]):
        name = f"launch of {' '.join(match.group('what').split())}"
        span = TextSpan(match.start(), match.end(), match.group(0))
        key = f"{slug(name)}-{date[:4]}"
        found.append(Event(key=key, name=name, start_date=date, spans=[span]))
    return found


def visits(
    text: str,
    sentences: Sequence[SentenceInfo],
    dates: Sequence[DateMention],
    located: Sequence[Located],
    ref_year: str | None,
) -> list[Event]:
    """A visit told with the verb ("the delegation first visited Ukraine from 16 to 25 May
    2011") is the "first visit to Ukraine" when its sentence dates it to the day."""
    found = []
    for sentence in sentences:
        chunk = text[sentence.start : sentence.end]
        for match in _VISITED.finditer(chunk):
            own = [d for d in dates if sentence.start <= d.start < sentence.end]
            if not any(d.day is not None for d in own):
                continue
            start, end = sentence.start + match.start(), sentence.start + match.end()
            date = date_for(own, ref_year, near=start)
            if date is None:
                continue
            ordinal = match.group("ordinal")
            name = f"{ordinal + ' ' if ordinal else ''}visit to {match.group('what')}"
            place = place_for(text, located, sentence, start, end)
            found.append(_event(text, name, date, place, start, end))
    return found
