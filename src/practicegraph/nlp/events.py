"""Events: a named, datable happening (conference, meeting, seminar, workshop, hearing,
training, ceremony, visit, launch...).

A phrase is an event when it is built on an event noun and is specific: it
carries an ordinal ("18th", "first", "next"), a proper name ("Expert Workshop
on Radicalisation and Probation"), or a quoted title ("conference “Future
Competences for Future Prisons”"). Its date is the date written in the same
sentence (a year stated elsewhere completes "November 7th and 8th"); an
event in the document's title takes the year the document is about. A
recurring series ("the seminar series") has no date of its own and is dropped,
as the guidelines ask. A plain "training session" or "ceremony" counts when its
sentence dates it to the day, and its name takes a short complement ("on
mental health care in prisons"). The nouns and the day rule were chosen on the
corpus's train split (event F1 there 0.25 -> 0.48).

A news item often dates its main happening outside the sentence that names it:
"today" or "on Wednesday" count from the item's own date line; a short date
line or heading just above a paragraph ("19-21 November 2024") dates it; and
"The meeting was hosted by ..." refers back to the sentence before, which
gave day and place. A date that only bounds ("before September 2020", "since
2010") dates nothing. Apposition names ("their annual seminar, the Corporate
Advance 2024"), possessors ("the group's next meeting" = "next meeting of the
group"), a launch in the headline and a dated "visited X" are events too. An
event noun that only qualifies another noun ("training centre") or ends a
body's name ("Centre for Judicial Training") is none. One happening written
twice is merged unless the two mentions are on other days in other places.
(Train split: event F1 0.48 -> 0.65.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from practicegraph.models import Event, TextSpan
from practicegraph.nlp.dates import DateMention, document_date
from practicegraph.nlp.event_dating import (
    SentenceInfo,
    date_for,
    dated_entry,
    dating,
    reference_year,
)
from practicegraph.text import normalise, slug

_HEAD_WORD = (
    r"(?:conference|meeting|seminar|workshop|master[ -]?class|hearing|congress|summit|"
    r"symposium|webinar|roundtable|round table|forum|colloquium|study visit|visit|"
    r"training(?: week)?|course|ceremony|graduation|parade|launch|opening|session|kick-off|"
    r"press conference)"
)
#: one event noun or a compound of them: "graduation ceremony", "training session"
_HEAD = rf"(?:{_HEAD_WORD}(?:[ -]{_HEAD_WORD}){{0,2}})"
_ORDINAL = (
    r"(?:\d{1,3}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth|tenth|eleventh|twelfth|next|annual|inaugural|final|closing|opening|"
    r"international|european|national|regional|online|virtual|joint|public|expert)"
)
#: A capitalised word of a name; a day or month name dates it instead ("visit on Friday")
_CAP = (
    r"(?!(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|june|july|august|september|october|november|december)\b)(?-i:[A-Z])[\w’'\-]*"
)
_CONNECT = r"(?:of|for|on|and|the|in|&)"
#: a run of capitalised words, with an acronym in brackets: "Electronic Monitoring (EM)"
_CAP_RUN = rf"{_CAP}(?:\s+(?:{_CONNECT}\s+)*{_CAP}|\s+\((?-i:[A-Z]{{2,}})\))*"
#: A short lowercase complement, "training session on mental health care in prisons"
#: (a few words, never into the next clause)
_STOP = (
    r"(?:and|or|which|that|who|where|when|was|were|is|are|will|has|have|had|took|held|with|"
    r"its|their|his|her|our|this|these|those)"
)
_LOWER = r"(?-i:[a-z])[\w’'\-]*"
_LOWER_RUN = (
    rf"(?!(?:this|that|these|those|its|their|his|her|our|which|whom)\b)"
    rf"{_LOWER}(?:\s+(?!{_STOP}\b){_LOWER}){{0,5}}"
)
#: Lowercase words between an ordinal and its event noun: "74th plenary session",
#: "second working group meeting" (never a function word: "first step of the course")
_ADJ = rf"(?:(?!(?:{_STOP}|{_CONNECT}|a|an|to|at|by|from)\b){_LOWER}\s+){{0,2}}"
#: Nouns that an event noun only qualifies: a "training centre" is a building, a
#: "meeting room" a room, a "conference programme" a document.
_QUALIFIED = (
    r"(?:centres?|centers?|areas?|rooms?|halls?|facilit(?:y|ies)|materials?|manuals?|"
    r"curricul(?:um|a)|needs|budgets?|staff|officers?|schools?|academ(?:y|ies)|units?|"
    r"departments?|institutes?|colleges?|modules?|programmes?|programs?|plans?|"
    r"strateg(?:y|ies)|activities|polic(?:y|ies)|systems?|packages?|kits?|tools?|"
    r"platforms?|cycles?|calendars?|schedules?|reports?|notes|papers?|participants|"
    r"venues?|rules?|fees?|places|requirements?|records?|days?)"
)
_EVENT = re.compile(
    rf"(?P<prefix>(?:(?:{_ORDINAL})\s+)+)?(?(prefix)(?P<adj>{_ADJ}))(?:[*_]{{1,2}})?"
    rf"(?P<mods>{_CAP_RUN}\s+)?"
    rf"(?P<head>{_HEAD})(?![\w-])(?!\s+(?:and\s+{_LOWER}\s+)?{_QUALIFIED}\b)"
    rf"(?P<tail>\s+(?:of|for|on)\s+(?:the\s+)?(?:{_CAP_RUN}|{_LOWER_RUN})"
    rf"|\s+to\s+(?:the\s+)?{_CAP_RUN})?"
    rf"(?P<quoted>\s+[\"“](?P<title>[^\"”\n]{{3,120}})[\"”])?",
    re.IGNORECASE,
)
#: A complement that dates rather than describes: "opening on Monday", "meeting on 3 May"
_DATING_TAIL = re.compile(
    r"^on\s+(?:the\s+)?(?:\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may|june|july|august|september|october|november|december)",
    re.IGNORECASE,
)
#: Words a complement cannot end on: "training on mental health care in [Skopje]"
_DANGLING = {"in", "at", "of", "for", "on", "to", "the", "a", "an", "by", "from", "with"}
_SPECIFIC_PREFIX = re.compile(
    r"\d{1,3}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|next|inaugural",
    re.IGNORECASE,
)
_ORGANISER_CUE = re.compile(
    r"\b(?:organi[sz]ed|co-organi[sz]ed|hosted|host|convened|held by|"
    r"organi[sz]es|organi[sz]er|brought together|jointly)\b",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"\d{1,3}(?:st|nd|rd|th)\s", re.IGNORECASE)
_VENUE = re.compile(r"\b(?:took place|was held|were held|is held|venue|hosted)\b", re.IGNORECASE)
#: "the meeting", "This conference": a happening the sentence before introduced
#: A line this short above a paragraph is its heading or date line
#: The first word of an organisation's name that an event noun can end:
#: "Centre for Legal Studies and Judicial Training", "Institute for Probation Training"
_BODY = re.compile(
    r"(?:the\s+)?(?:centre|center|institute|academy|college|school|university|department|"
    r"office|ministry|agency|service|directorate|foundation|association|society|network|"
    r"organi[sz]ation|commission|council|committee|board|unit|division|federation|"
    r"confederation|union)\b",
    re.IGNORECASE,
)
#: "launches the Irish Prison Service Strategic Plan 2016-2018", "unveils Global Prison Trends 2018"
_LAUNCH = re.compile(
    rf"\b(?:launch(?:es|ed)?|unveil(?:s|ed)?)\s+(?:the\s+|its\s+|their\s+|a\s+new\s+)?"
    rf"(?P<what>{_CAP_RUN}(?:\s+(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?)?)",
    re.IGNORECASE,
)
#: "the group's next meeting" (but not "today's opening" nor "this year's conference")
_OWNER = re.compile(
    r"\b(?!(?:today|yesterday|tomorrow|year|week|month|day|morning|evening)['’])"
    r"(?P<owner>\w+)['’]s\s+$",
    re.IGNORECASE,
)
_VISITED = re.compile(
    rf"\b(?:(?P<ordinal>first|second|third|fourth|fifth|last)\s+)?visited\s+(?:the\s+)?"
    rf"(?P<what>{_CAP_RUN})",
)
_APPOSITION = re.compile(
    rf",\s+(?:the\s+)?(?P<name>{_CAP}(?:\s+(?:{_CONNECT}\s+)*{_CAP})+(?:\s+(?:19|20)\d\d)?)\s*[,.;]"
)
#: An opening phrase that a comma closes, so the name after the comma is the subject
_INTRODUCTORY = re.compile(
    r"^\s*(?:\w+ing|at|in|during|after|before|on|for|following|since|with)\b[^,]*$",
    re.IGNORECASE,
)
#: A place named only to situate another: "Cascais, just west of Lisbon"
_BESIDE = re.compile(
    r"\b(?:(?:north|south|east|west|north-east|north-west|south-east|south-west|northeast|"
    r"northwest|southeast|southwest)(?:ern)?\s+of|outside(?:\s+of)?|near|close\s+to|"
    r"not\s+far\s+from|away\s+from)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_SERIES = re.compile(r"\b(?:series|each|every|these|such|annual event)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Located:
    """A place or country found in the text, for anchoring events."""

    start: int
    end: int
    place_key: str | None
    country: str | None
    name: str


def find_events(
    text: str,
    sentences: Sequence[SentenceInfo],
    dates: Sequence[DateMention],
    located: Sequence[Located],
    organisations: Sequence[tuple[str, int, int]],
    title_end: int,
) -> list[Event]:
    """Events with name, start date, place and organisers, one per distinct happening."""
    ref_year = reference_year(dates)
    written = document_date(list(dates))
    org_ranges = [(s, e) for _k, s, e in organisations]
    events: dict[str, Event] = {}
    for index, sentence in enumerate(sentences):
        chunk = text[sentence.start : sentence.end]
        for match in _EVENT.finditer(chunk):
            name, specific = _event_name(match)
            if name is None:
                continue
            apposed = _APPOSITION.match(chunk, match.end())
            if apposed and _INTRODUCTORY.match(chunk[: match.start()]):
                apposed = None  # "Speaking at the ceremony, the Regional Commander said"
            if apposed and not (match.group("tail") or match.group("title")):
                # "their annual seminar, the Corporate Advance 2024, at ...": the name follows
                name, specific = " ".join(apposed.group("name").split()), True
            owner = _OWNER.search(chunk[: match.start()])
            if owner and not (match.group("tail") or match.group("title") or apposed):
                # "the group's next meeting" is the "next meeting of the group"
                whose = owner.group("owner")
                name = f"{name} of the {whose}" if whose.islower() else f"{name} of {whose}"
            start = (
                sentence.start + match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            )
            end = sentence.start + match.end()
            head = (sentence.start + match.start("head"), sentence.start + match.end("head"))
            if any(s <= head[0] and head[1] <= e and _BODY.match(text, s) for s, e in org_ranges):
                continue  # "Centre for Judicial Training" is a body, not a training
            if _SERIES.search(
                chunk[max(0, match.start() - 25) : match.start()]
            ) and not _SPECIFIC_PREFIX.search(match.group("prefix") or ""):
                continue
            candidates, context = dating(text, sentences, index, dates, written, match)
            if not specific:
                # "an online expert meeting that CEP had organised in September 2021";
                # "a training session on 28 May 2025": a day pins down one happening
                described = (
                    (
                        (match.group("prefix") or "").strip()
                        or dated_entry(text, sentence, candidates)
                    )
                    and any(d.month is not None for d in candidates)
                ) or any(d.day is not None for d in candidates)
                if not described:
                    continue
            date = date_for(candidates, ref_year, near=start)
            if (
                date is None
                and (start < title_end or _NUMBERED.match(name))
                and not any(s <= head[0] and head[1] <= e for s, e in org_ranges)
            ):
                # "the 18th Annual ICPA Conference": the year the text is about; but a
                # page titled with a body's name ("European Forum for ...") is no event
                date = ref_year
            if date is None:
                continue
            place = _place_for(text, located, sentence, start, end)
            if place is None and context is not sentence:
                place = _place_for(text, located, context, context.end, context.end)
            if (
                place is None
                and (following := _next_sentence(sentences, sentence)) is not None
                and _VENUE.search(text[following.start : following.end])
            ):
                place = _place_for(text, located, following, following.start, following.start)
            organisers = []
            if _ORGANISER_CUE.search(chunk):
                organisers = [
                    key for key, s, _e in organisations if sentence.start <= s < sentence.end
                ]
            key = f"{slug(name)}-{date[:4]}"
            event = events.get(key)
            if event is None:
                events[key] = Event(
                    key=key,
                    name=name,
                    start_date=date,
                    place_key=place.place_key if place else None,
                    country=place.country if place else None,
                    organisers=organisers,
                    spans=[TextSpan(start, end, text[start:end])],
                )
            else:
                if len(date) > len(event.start_date or ""):
                    event.start_date = date
                    if place:  # the mention that dates the event best also places it
                        event.place_key, event.country = place.place_key, place.country
                if place and not event.place_key and not event.country:
                    event.place_key, event.country = place.place_key, place.country
                event.organisers.extend(o for o in organisers if o not in event.organisers)
                event.spans.append(TextSpan(start, end, text[start:end]))
    for event in _headline_launches(text, title_end, written, ref_year):
        events.setdefault(event.key, event)
    for event in _visits(text, sentences, dates, located, ref_year):
        events.setdefault(event.key, event)
    merged = _merge_same_happening(list(events.values()))
    for event in merged:
        if event.start_date and not re.search(r"[A-Z0-9]", event.name):
            # "meeting" or "training on restorative practice" names no one happening
            # across documents: its day and place tell it from the others
            where = event.place_key or event.country
            event.key = f"{slug(event.name)}-{event.start_date}" + (
                f"-{slug(where)}" if where else ""
            )
    return merged


def _headline_launches(
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


def _visits(
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
            place = _place_for(text, located, sentence, start, end)
            found.append(
                Event(
                    key=f"{slug(name)}-{date[:4]}",
                    name=name,
                    start_date=date,
                    place_key=place.place_key if place else None,
                    country=place.country if place else None,
                    spans=[TextSpan(start, end, text[start:end])],
                )
            )
    return found


def _head_of(name: str) -> str | None:
    match = re.search(_HEAD, name, re.IGNORECASE)
    return match.group(0).lower() if match else None


def _same_happening(kept: Event, other: Event) -> bool:
    """Two mentions of one event: the same numbered event ("9th ... Conference"), the same
    name words in the same year, or the same kind of event in the same year and place."""
    if not kept.start_date or not other.start_date:
        return False
    same_year = kept.start_date[:4] == other.start_date[:4]
    kept_words, other_words = set(normalise(kept.name).split()), set(normalise(other.name).split())
    kept_number, other_number = _NUMBERED.match(kept.name), _NUMBERED.match(other.name)
    if (
        kept_number
        and other_number
        and kept_number.group(0) == other_number.group(0)
        and _head_of(kept.name) == _head_of(other.name)
    ):
        return True
    if (
        kept.start_date != other.start_date
        and (kept.place_key or kept.country)
        and (other.place_key or other.country)
        and (kept.place_key, kept.country) != (other.place_key, other.country)
    ):
        return False  # on other days in other places: a workshop in Prague, a training in Bruges
    if same_year and (other_words <= kept_words or kept_words <= other_words):
        return True
    if (
        len(kept.start_date) == 10
        and kept.start_date == other.start_date
        and _head_of(kept.name) == _head_of(other.name)
    ):
        return True  # two openings on one day: one opening written two ways
    return bool(
        same_year
        and kept.place_key
        and kept.place_key == other.place_key
        and _head_of(kept.name) == _head_of(other.name)
    )


def _next_sentence(sentences: Sequence[SentenceInfo], current: SentenceInfo) -> SentenceInfo | None:
    for sentence in sentences:
        if sentence.start >= current.end:
            return sentence
    return None


def _event_name(match: re.Match[str]) -> tuple[str | None, bool]:
    prefix = " ".join(
        p for p in ((match.group("prefix") or "").strip(), (match.group("adj") or "").strip()) if p
    )
    mods = (match.group("mods") or "").strip()
    head = match.group("head")
    tail_words = (match.group("tail") or "").split()
    while tail_words and tail_words[-1].lower() in _DANGLING:
        tail_words.pop()
    tail = " ".join(tail_words) if len(tail_words) > 1 else ""
    if _DATING_TAIL.match(tail):
        tail = ""
    quoted = match.group("title")
    mod_words = mods.split()
    while mod_words and mod_words[0] in (
        "The",
        "A",
        "An",
        "This",
        "That",
        "Its",
        "Our",
        "In",
        "At",
        "On",
        "For",
        "During",
        "After",
        "Before",
        "Recap:",
    ):
        mod_words = mod_words[1:]
    mods = " ".join(mod_words)
    specific = (
        bool(_SPECIFIC_PREFIX.search(prefix))
        or bool(mods and head[0].isupper())
        or bool(quoted)
        or bool(tail and head[0].isupper())
    )
    if quoted:
        return quoted.strip(), True
    parts = [p for p in (prefix, mods, head, tail) if p]
    # "Electronic Monitoring (EM) Conference": the bracketed acronym is no part of the name
    name = " ".join(re.sub(r"\(\w+\)", " ", " ".join(parts)).split())
    return (name or None), specific


def _place_for(
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


def _merge_same_happening(events: list[Event]) -> list[Event]:
    """One event written two ways ("9th CEP Conference ..." / "9th Conference ...") is one."""
    merged: list[Event] = []
    ranked = sorted(
        events, key=lambda e: (-len(e.start_date or ""), not _NUMBERED.match(e.name), -len(e.name))
    )
    for event in ranked:
        twin = next((m for m in merged if _same_happening(m, event)), None)
        if twin is None:
            merged.append(event)
            continue
        twin.spans.extend(event.spans)
        if _NUMBERED.match(event.name) and not _NUMBERED.match(twin.name):
            twin.name = event.name  # "11th ... Conference" names it better than the bare title
        elif set(normalise(twin.name).split()) < set(normalise(event.name).split()):
            twin.name = event.name  # "Best Practice Conference" within "... Award and Best ..."
        if len(event.start_date or "") > len(twin.start_date or ""):
            twin.start_date = event.start_date
        if not twin.place_key and event.place_key:
            twin.place_key, twin.country = event.place_key, event.country
    return merged
