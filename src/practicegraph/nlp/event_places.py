"""Where an event took place: the narrowest place of its sentence near the phrase.

Split from :mod:`practicegraph.nlp.events`; also used by
:mod:`practicegraph.nlp.event_told` for events told with a verb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from practicegraph.nlp.event_dating import SentenceInfo

#: A place named only to situate another: "Cascais, just west of Lisbon"
_BESIDE = re.compile(
    r"\b(?:(?:north|south|east|west|north-east|north-west|south-east|south-west|northeast|"
    r"northwest|southeast|southwest)(?:ern)?\s+of|outside(?:\s+of)?|near|close\s+to|"
    r"not\s+far\s+from|away\s+from)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Located:
    """A place or country found in the text, for anchoring events."""

    start: int
    end: int
    place_key: str | None
    country: str | None
    name: str


def place_for(
    text: str, located: Sequence[Located], sentence: SentenceInfo, start: int, end: int
) -> Located | None:
    inside = [loc for loc in located if start <= loc.start < end and loc.place_key]
    if inside:
        return inside[0]
    in_sentence = [
        loc
        for loc in located
        if sentence.start <= loc.start < sentence.end
        and not _BESIDE.search(text[max(sentence.start, loc.start - 30) : loc.start])
    ]
    places = [loc for loc in in_sentence if loc.place_key]
    if places:
        best = min(places, key=lambda loc: abs(loc.start - end))
        # "in Barcelona, Catalonia, Spain": the first of a chain is the narrowest
        while (
            earlier := next(
                (
                    loc
                    for loc in places
                    if loc.end <= best.start and not text[loc.end : best.start].strip(" ,")
                ),
                None,
            )
        ) is not None:
            best = earlier
        return best
    countries = [loc for loc in in_sentence if loc.country and not loc.place_key]
    if len(countries) == 1:
        return countries[0]
    return None


def next_sentence(sentences: Sequence[SentenceInfo], current: SentenceInfo) -> SentenceInfo | None:
    for sentence in sentences:
        if sentence.start >= current.end:
            return sentence
    return None
