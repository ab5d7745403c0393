"""One happening written twice is one event: merging the events of a document.

Split from :mod:`practicegraph.nlp.events`, which finds the mentions: the same
numbered event ("9th CEP Conference ..." / "9th Conference ..."), the same name
words in the same year, the same kind of event on one day or in one town, and a
name that holds the town another mention gives ("the Kyoto Congress") are one;
mentions on other days in other places are not (a town and its country are one
place told twice).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from practicegraph.models import Event
from practicegraph.nlp.event_patterns import HEAD, NUMBERED, SPECIFIC_PREFIX, head_of, ordinal_of
from practicegraph.text import normalise

__all__ = ["merge_same_happening"]


def _same_happening(kept: Event, other: Event, towns: Mapping[str, str]) -> bool:
    """Two mentions of one event: the same numbered event ("9th ... Conference"), the same
    name words in the same year, or the same kind of event in the same year and place,
    the place written in one name ("the Kyoto Congress") or given to the other."""
    if not kept.start_date or not other.start_date:
        return False
    same_year = kept.start_date[:4] == other.start_date[:4]
    for one, two in ((kept, other), (other, kept)):
        town = towns.get(one.place_key or "")
        if (
            same_year
            and town
            and not two.place_key
            and head_of(one.name) == head_of(two.name)
            and re.search(rf"\b{re.escape(town)}\b", two.name)
        ):
            return True
    kept_words, other_words = set(normalise(kept.name).split()), set(normalise(other.name).split())
    kept_number, other_number = ordinal_of(kept.name), ordinal_of(other.name)
    if (
        kept_number is not None
        and kept_number == other_number
        and head_of(kept.name) == head_of(other.name)
    ):
        return True
    if kept.start_date != other.start_date and _elsewhere(kept, other):
        return False  # on other days in other places: a workshop in Prague, a training in Bruges
    if same_year and (other_words <= kept_words or kept_words <= other_words):
        return True
    if (
        len(kept.start_date) == 10
        and kept.start_date == other.start_date
        and (
            head_of(kept.name) == head_of(other.name)
            or _described(kept.name)
            or _described(other.name)
        )
    ):
        # two openings on one day: one opening written two ways; and "the ceremony" on the
        # day of a graduation is the graduation ("Speaking at the ceremony, ...")
        return True
    return bool(
        same_year
        and kept.place_key
        and kept.place_key == other.place_key
        and head_of(kept.name) == head_of(other.name)
    )


def _elsewhere(one: Event, other: Event) -> bool:
    """Two events placed apart: in two towns, or in two countries. A town and the country
    it lies in are one place told twice ("training in Ireland" / "... in Portlaoise")."""
    if one.place_key and other.place_key and one.place_key != other.place_key:
        return True
    return bool(one.country and other.country and one.country != other.country)


def _plain(name: str) -> bool:
    """A bare event noun ("ceremony", "training"), which names nothing of its own."""
    return re.fullmatch(rf"{HEAD}", name, re.IGNORECASE) is not None


def _described(name: str) -> bool:
    """An event noun that only lowercase words describe ("four-day conference", "proper
    ceremony"): on the day of another event, that event told in passing."""
    return (
        re.fullmatch(rf"(?:[a-z][\w-]*\s+){{0,2}}{HEAD}", name) is not None
        and SPECIFIC_PREFIX.match(name) is None
    )


def merge_same_happening(
    events: list[Event],
    told: frozenset[str] = frozenset(),
    towns: Mapping[str, str] | None = None,
) -> list[Event]:
    """One event written two ways ("9th CEP Conference ..." / "9th Conference ...") is one.

    A name the text gives with a noun wins over one made from a verb (``told``, keys of
    :func:`~practicegraph.nlp.event_told.told_events`): "second meeting" over "meeting in
    Ljubljana" for the group that "met in Ljubljana" at its second meeting."""
    merged: list[Event] = []
    ranked = sorted(
        events,
        key=lambda e: (
            -len(e.start_date or ""),
            not NUMBERED.match(e.name),
            e.key in told,
            -len(e.name),
        ),
    )
    for event in ranked:
        twin = next((m for m in merged if _same_happening(m, event, towns or {})), None)
        if twin is None:
            merged.append(event)
            continue
        twin.spans.extend(event.spans)
        if NUMBERED.match(event.name) and not NUMBERED.match(twin.name):
            twin.name = event.name  # "11th ... Conference" names it better than the bare title
        elif twin.key in told and event.key not in told:
            twin.name = event.name
        elif _plain(twin.name) and not _plain(event.name):
            twin.name = event.name  # "graduation at Arua Main Prison" over "ceremony"
        elif set(normalise(twin.name).split()) < set(normalise(event.name).split()):
            twin.name = event.name  # "Best Practice Conference" within "... Award and Best ..."
        if len(event.start_date or "") > len(twin.start_date or ""):
            twin.start_date = event.start_date
        if not twin.place_key and event.place_key:
            twin.place_key, twin.country = event.place_key, event.country
    return merged
