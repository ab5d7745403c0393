"""Dated instances listed one to a line: "Ghent, 2014", "- 4-5 May 2016, Porto: ...".

A list of two or more lines that each open with a place and a date (in either order)
and hold little else, right under a line that names a happening ("the conference is
held every three years", "the group met twice"), lists the dated instances of that
happening: each line is one event, "<noun> in <place>", dated and placed by its own
line. The guidelines ask for each dated instance of a series as an event of its own,
and a list of editions is how pages most often give them.
(Split from :mod:`practicegraph.nlp.events`, which finds events named in sentences.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from practicegraph.models import Event, TextSpan
from practicegraph.nlp.dates import DateMention
from practicegraph.nlp.event_patterns import EVENT, head_of
from practicegraph.nlp.event_places import Located
from practicegraph.text import slug

#: What may open a list line before its place or date: a bullet, a number, a label
#: ("Next:", "Upcoming:")
_LEAD = re.compile(r"[ \t]*(?:[-*•·][ \t]+|\d{1,2}[.)][ \t]+)?(?:[A-Z][a-z]+:[ \t]+)?")
#: Between a place and a date of one line: "Ghent, 2014", "4-5 May 2016, Porto"
_JOIN = re.compile(r"[ \t]*,[ \t]*")
#: Between the places of a line: "Ghent and Bruges, 2014"
_AND = re.compile(r"[ \t]*(?:,|and|&)[ \t]*")
#: A gloss after the place and date stays short: "(300 delegates)", ": experts from ten
#: countries"
_GLOSS_WORDS = 12
#: A happening told with a verb in the line above the list: "the group met twice"
_MET = re.compile(r"\b(?:met|meet|meets|gathered|convened)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Entry:
    start: int
    end: int
    place: Located
    date: DateMention


def listed_instances(
    text: str, dates: Sequence[DateMention], located: Sequence[Located]
) -> list[Event]:
    """Events listed one to a line under a line that names the happening they repeat."""
    places = {loc.start: loc for loc in located if loc.place_key}
    dated = {d.start: d for d in dates if d.iso}
    found: list[Event] = []
    group: list[_Entry] = []
    for line in re.finditer(r"[^\n]+", text):
        entry = _entry(text, line, places, dated)
        if entry is not None and (not group or not text[group[-1].end : entry.start].strip()):
            group.append(entry)
            continue
        found.extend(_instances(text, group))
        group = [entry] if entry is not None else []
    found.extend(_instances(text, group))
    return found


def _entry(
    text: str, line: re.Match[str], places: dict[int, Located], dated: dict[int, DateMention]
) -> _Entry | None:
    """A line that opens with a place and a date ("Porto, 2016") or a date and a place
    ("June 2018, Krakow"), with at most a short gloss after them."""
    at = _LEAD.match(text, line.start(), line.end())
    pos = at.end() if at else line.start()
    place = places.get(pos)
    date: DateMention | None = None
    if place is not None:
        end = place.end
        while (more := _AND.match(text, end)) and more.end() in places:
            end = places[more.end()].end  # "Aubervilliers and Saint-Denis"
        join = _JOIN.match(text, end)
        date = dated.get(join.end()) if join else None
        last = date.end if date else 0
    elif (date := dated.get(pos)) is not None:
        join = _JOIN.match(text, date.end)
        place = places.get(join.end()) if join else None
        last = place.end if place else 0
    if place is None or date is None:
        return None
    gloss = text[last : line.end()]
    if len(gloss.split()) > _GLOSS_WORDS or EVENT.search(gloss):
        return None  # a long line tells more; "2-6 May 2019, Cork: first study
        # visit" names its own event, which the sentence rules find
    return _Entry(line.start(), line.end(), place, date)


def _instances(text: str, group: list[_Entry]) -> list[Event]:
    """The events of one list, when it has two lines or more and the line above it names
    the happening ("the conference", "met twice")."""
    if len(group) < 2:
        return []
    noun = _lead_noun(text, group[0].start)
    if noun is None:
        return []
    found = []
    for entry in group:
        where = text[entry.place.start : entry.place.end]
        name = f"{noun} in {where}"
        iso = entry.date.iso or ""
        found.append(
            Event(
                key=f"{slug(name)}-{iso[:4]}",
                name=name,
                start_date=iso,
                place_key=entry.place.place_key,
                country=entry.place.country,
                spans=[TextSpan(entry.start, entry.end, text[entry.start : entry.end])],
            )
        )
    return found


def _lead_noun(text: str, start: int) -> str | None:
    """The event noun of the last line above a list (or of the one above it, a heading):
    its first event noun, or "meeting" for a body that "met"; none when the line above
    is a bullet of the same list."""
    lines = [line for line in text[max(0, start - 1500) : start].split("\n") if line.strip()]
    for line in reversed(lines[-2:]):
        if re.match(r"[ \t]*[-*•·][ \t]", line):
            return None  # a line of the same list, not one that introduces it
        found = EVENT.search(line)
        if found is not None:
            return head_of(found.group("head"))
        if _MET.search(line):
            return "meeting"
    return None
