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

Issue 12 (rules chosen on the train split only): a numbered session is never a
body ("22nd Council of Europe Conference of ..."); "that conference" takes the
town of the sentence that dated it; "2nd" and "second" are one ordinal and a
"training meeting" is a meeting; "at its 76th plenary meeting" names the
subject's meeting; a plain noun is named by its venue ("press conference at
Litla-Hraun") and a month dates it when a venue is given; verbs tell events
(:mod:`practicegraph.nlp.event_told`); a headline in a list dates no line below
it; "the opening of the conference" is part of it; a dateline places what
happened on its day. (score.py on train: event F1 0.635 -> 0.751.)

Issue 12, second round (train split of 135 documents): a numbered name ending on a
noun that otherwise qualifies an event noun is a session ("48th Annual Training
Institute"); a headline gerund ("Training prison staff in ...") and training "in
general" ("further training") name no happening; a name the organisation rules read
as a body's as a whole is none; "the following May" falls after its sentence's date;
a bare "ceremony" on the day of another event is that event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from practicegraph.models import Event, TextSpan
from practicegraph.nlp.dates import DateMention, document_date
from practicegraph.nlp.event_dating import (
    SentenceInfo,
    date_for,
    dated_entry,
    dating,
    following_month,
    reference_year,
)
from practicegraph.nlp.event_patterns import (
    CAP,
    CONNECT,
    EVENT,
    HEAD,
    NUMBERED,
    NUMBERED_SESSION,
    SPECIFIC_PREFIX,
    event_name,
    head_of,
    ordinal_of,
    venue_of,
)
from practicegraph.nlp.event_places import Located, next_sentence, place_for
from practicegraph.nlp.event_told import headline_launches, told_events, visits
from practicegraph.text import normalise, slug

__all__ = ["Located", "find_events"]

_ORGANISER_CUE = re.compile(
    r"\b(?:organi[sz]ed|co-organi[sz]ed|hosted|host|convened|held by|"
    r"organi[sz]es|organi[sz]er|brought together|jointly)\b",
    re.IGNORECASE,
)
_VENUE = re.compile(r"\b(?:took place|was held|were held|is held|venue|hosted)\b", re.IGNORECASE)
#: The first word of an organisation's name that an event noun can end:
#: "Centre for Legal Studies and Judicial Training", "Institute for Probation Training"
_BODY = re.compile(
    r"(?:the\s+)?(?:centre|center|institute|academy|college|school|university|department|"
    r"office|ministry|agency|service|directorate|foundation|association|society|network|"
    r"organi[sz]ation|commission|council|committee|board|unit|division|federation|"
    r"confederation|union)\b",
    re.IGNORECASE,
)
#: "the group's next meeting" (but not "today's opening" nor "this year's conference")
_OWNER = re.compile(
    r"\b(?!(?:today|yesterday|tomorrow|year|week|month|day|morning|evening)['’])"
    r"(?P<owner>\w+)['’]s\s+$",
    re.IGNORECASE,
)
_APPOSITION = re.compile(
    rf",\s+(?:the\s+)?(?P<name>{CAP}(?:\s+(?:{CONNECT}\s+)*{CAP})+(?:\s+(?:19|20)\d\d)?)\s*[,.;]"
)
#: An opening phrase that a comma closes, so the name after the comma is the subject
_INTRODUCTORY = re.compile(
    r"^\s*(?:\w+ing|at|in|during|after|before|on|for|following|since|with)\b[^,]*$",
    re.IGNORECASE,
)
#: "at its 76th plenary meeting": the meeting of the sentence's subject
_ITS = re.compile(r"\b(?:its|their)\s+$", re.IGNORECASE)
#: A body named as "the Commission" that the organisation rules did not take as one
_THE_NAME = re.compile(rf"\b[Tt]he\s+(?P<name>{CAP}(?:\s+(?:{CONNECT}\s+)*{CAP})*)")
#: The venue a plain name ends on: "meeting in Oslo", "press conference at Litla-Hraun"
_VENUE_SUFFIX = re.compile(r"\s(?:in|at)\s+[A-Z].*$")
#: "the opening of the conference": a part of an event the text names anyway
_PART_OF = re.compile(rf"\s*of\s+(?:the|this|that)\s+{HEAD}\s*$", re.IGNORECASE)
#: "the seminar series", "each workshop": a series, not one happening
_SERIES = re.compile(r"\b(?:series|each|every|these|such|annual event)\b", re.IGNORECASE)
#: "a tender for further training", "more training": training in general, not one course
_GENERAL = re.compile(
    r"\b(?:further|more|additional|ongoing|regular|continuous|basic)\s+$", re.IGNORECASE
)
#: The words a noun can be followed by without being a gerund's object: "Training was held"
_AFTER_NOUN = re.compile(
    r"\s+(?:(?-i:[A-Z])|\d|(?:in|at|on|of|for|to|and|or|with|by|from|was|were|is|are|will|"
    r"has|had|took|held|began|ended|ran)\b|[^\w\s])",
    re.IGNORECASE,
)


def _not_a_happening(chunk: str, match: re.Match[str], specific: bool) -> bool:
    """A phrase that names no happening although it holds an event noun.

    "Training prison staff in Serbia" opens a headline with a gerund and its object (a
    capitalised "-ing" noun followed by a plain lowercase word); "a tender for further
    training" is training in general."""
    head = match.group("head")
    if specific:
        return False
    before = chunk[: match.start("head")]
    if (
        head[0].isupper()
        and head.lower().endswith("ing")
        and not before.strip(" \t*_#-•0123456789.")[-1:].strip()
        and not match.group("tail")
        and not _AFTER_NOUN.match(chunk, match.end("head"))
        and re.match(r"\s+[a-z]", chunk[match.end("head") :])
    ):
        return True
    return not (match.group("prefix") or match.group("mods")) and bool(_GENERAL.search(before))


_TRAILING_PREPOSITION = re.compile(r"[ \t]+(?:in|at)[ \t]+(?:the[ \t]+)?$")


def _before_trailing_place(text: str, start: int, end: int, located: Sequence[Located]) -> int:
    """Where an event's mention ends when it closes on "in/at <place>" ("conference ... in
    Riga"): before the preposition, so the place stays a mention of its own (the
    document's page links each mention once and cannot nest one link in another)."""
    for place in located:
        if start < place.start and place.end == end:
            cut = _TRAILING_PREPOSITION.search(text, start, place.start)
            return cut.start() if cut else place.start
    return end


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
        phrases = [*EVENT.finditer(chunk), *NUMBERED_SESSION.finditer(chunk)]
        for match in sorted(phrases, key=lambda m: m.start()):
            name, specific = event_name(match)
            if name is None or _not_a_happening(chunk, match, specific):
                continue
            plain = name
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
            elif _ITS.search(chunk[: match.start()]) and not (
                match.group("tail") or match.group("title") or apposed
            ):
                # "The Committee adopted it at its 76th plenary meeting": the meeting is the
                # Committee's, whose name tells it from every other body's 76th meeting
                subject = _subject(text, sentence, organisations, match)
                if subject:
                    name = f"{name} of {subject}"
            if name == plain and (venue := venue_of(match)):
                name = f"{name} {venue}"  # "a press conference held at Litla-Hraun"
            start = (
                sentence.start + match.start() + len(match.group(0)) - len(match.group(0).lstrip())
            )
            end = sentence.start + match.end()
            head = (sentence.start + match.start("head"), sentence.start + match.end("head"))
            if _PART_OF.match(match.group("tail") or ""):
                continue  # "the opening of the conference" is a part of the conference
            numbered = SPECIFIC_PREFIX.search(match.group("prefix") or "") is not None
            named_from = sentence.start + match.start("mods") if match.group("mods") else None
            if not numbered and any(
                s <= head[0]
                and head[1] <= e
                and (_BODY.match(text, s) or (named_from is not None and s <= named_from))
                for s, e in org_ranges
            ):
                # "Centre for Judicial Training" is a body, not a training, and so is a
                # name the organisation rules read as a body's as a whole ("World Economic
                # Forum"); but a body is never numbered: "22nd Council of Europe
                # Conference of ..." is a session
                continue
            if _SERIES.search(
                chunk[max(0, match.start() - 25) : match.start()]
            ) and not SPECIFIC_PREFIX.search(match.group("prefix") or ""):
                continue
            candidates, context = dating(text, sentences, index, dates, written, match)
            if not specific:
                # "an online expert meeting that CEP had organised in September 2021";
                # "a training session on 28 May 2025": a day pins down one happening
                described = (
                    (
                        (match.group("prefix") or "").strip()
                        or match.group("venue")  # "a graduation held at X" in April 2025
                        or dated_entry(text, sentence, candidates)
                    )
                    and any(d.month is not None for d in candidates)
                ) or any(d.day is not None for d in candidates)
                if not described:
                    continue
            date = following_month(chunk, match.end(), date_for(candidates, ref_year, near=start))
            if (
                date is None
                and (start < title_end or NUMBERED.match(name))
                and not any(s <= head[0] and head[1] <= e for s, e in org_ranges)
            ):
                # "the 18th Annual ICPA Conference": the year the text is about; but a
                # page titled with a body's name ("European Forum for ...") is no event
                date = ref_year
            if date is None:
                continue
            place = place_for(text, located, sentence, start, end)
            if context is not sentence and (place is None or place.place_key is None):
                # "that conference" takes the town of the sentence that dated it, which
                # is narrower than a country its own sentence names ("Norwegian")
                place = place_for(text, located, context, context.end, context.end) or place
            if (
                place is None
                and (following := next_sentence(sentences, sentence)) is not None
                and _VENUE.search(text[following.start : following.end])
            ):
                place = place_for(text, located, following, following.start, following.start)
            organisers = []
            if _ORGANISER_CUE.search(chunk):
                organisers = [
                    key for key, s, _e in organisations if sentence.start <= s < sentence.end
                ]
            key = f"{slug(name)}-{date[:4]}"
            end = _before_trailing_place(text, start, end, located)
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
    for event in headline_launches(text, title_end, written, ref_year):
        events.setdefault(event.key, event)
    for event in visits(text, sentences, dates, located, ref_year):
        events.setdefault(event.key, event)
    told = set()
    for event in told_events(text, sentences, dates, written, located, ref_year):
        if event.key not in events:
            events[event.key] = event
            told.add(event.key)
    merged = _merge_same_happening(list(events.values()), frozenset(told))
    datelines = _datelines(text, dates, located)
    for event in merged:
        day = event.start_date or ""
        dateline = datelines.get((int(day[5:7]), int(day[8:10]))) if len(day) == 10 else None
        if dateline and not event.place_key:
            # "Wolfenbüttel, 26 May 2023": what happened on the dateline's day happened there
            event.place_key, event.country = dateline.place_key, dateline.country
    for event in merged:
        if event.start_date and not re.search(r"[A-Z0-9]", _VENUE_SUFFIX.sub("", event.name)):
            # "meeting" or "training on restorative practice" names no one happening
            # across documents: its day and place tell it from the others (so does
            # "meeting in Oslo", named only by its venue)
            where = event.place_key or event.country
            event.key = f"{slug(event.name)}-{event.start_date}" + (
                f"-{slug(where)}" if where else ""
            )
    return merged


def _datelines(
    text: str, dates: Sequence[DateMention], located: Sequence[Located]
) -> dict[tuple[int, int], Located]:
    """Datelines, "Wolfenbüttel, 26 May 2023" or "NIS, 7 September 2004": a place that opens
    a line a few characters before a day; by (month, day)."""
    found: dict[tuple[int, int], Located] = {}
    for date in dates:
        if date.day is None or date.month is None:
            continue
        line_start = text.rfind("\n", 0, date.start) + 1
        for loc in located:
            if (
                loc.place_key
                and line_start <= loc.start < date.start
                and not text[line_start : loc.start].strip()
                and date.start - loc.end <= 30
            ):
                found.setdefault((date.month, date.day), loc)
                break
    return found


def _subject(
    text: str,
    sentence: SentenceInfo,
    organisations: Sequence[tuple[str, int, int]],
    match: re.Match[str],
) -> str | None:
    """Whose "its" meeting it is: the sentence's first organisation before the phrase, else
    the first after it ("At its 119th session, the Commission ..."), else a capitalised
    "the Commission" the organisation rules did not take as a body."""
    at, until = sentence.start + match.start(), sentence.start + match.end()
    inside = [(s, e) for _k, s, e in organisations if sentence.start <= s and e <= sentence.end]
    before = sorted((s, -e) for s, e in inside if e <= at)
    after = sorted((s, -e) for s, e in inside if s >= until)
    chosen = (before or after)[0] if (before or after) else None
    if chosen is not None:
        start, end = chosen[0], -chosen[1]
        article = "the " if text[max(0, start - 4) : start].lower() == "the " else ""
        return article + " ".join(text[start:end].split())
    for found in _THE_NAME.finditer(text, sentence.start, sentence.end):
        if found.end() <= at or found.start() >= until:
            return "the " + " ".join(found.group("name").split())
    return None


def _same_happening(kept: Event, other: Event) -> bool:
    """Two mentions of one event: the same numbered event ("9th ... Conference"), the same
    name words in the same year, or the same kind of event in the same year and place."""
    if not kept.start_date or not other.start_date:
        return False
    same_year = kept.start_date[:4] == other.start_date[:4]
    kept_words, other_words = set(normalise(kept.name).split()), set(normalise(other.name).split())
    kept_number, other_number = ordinal_of(kept.name), ordinal_of(other.name)
    if (
        kept_number is not None
        and kept_number == other_number
        and head_of(kept.name) == head_of(other.name)
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
        and (head_of(kept.name) == head_of(other.name) or _plain(kept.name) or _plain(other.name))
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


def _plain(name: str) -> bool:
    """A bare event noun ("ceremony", "training"), which names nothing of its own."""
    return re.fullmatch(rf"{HEAD}", name, re.IGNORECASE) is not None


def _merge_same_happening(events: list[Event], told: frozenset[str] = frozenset()) -> list[Event]:
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
        twin = next((m for m in merged if _same_happening(m, event)), None)
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
