"""The shapes of an event phrase: event nouns, ordinals, capitalised names, complements.

Split from :mod:`practicegraph.nlp.events` so that the rules that read a
phrase (what it is called, whether it is specific) sit apart from those that
date and place it. See that module's docstring for why each shape is there.
"""

from __future__ import annotations

import re

HEAD_WORD = (
    r"(?:conference|meeting|seminar|workshop|master[ -]?class|hearing|congress|summit|"
    r"symposium|webinar|roundtable|round table|forum|colloquium|study visit|visit|"
    r"training(?: week)?|course|ceremony|graduation|parade|launch|opening|session|kick-off|"
    r"press conference)"
)
#: one event noun or a compound of them: "graduation ceremony", "training session"
HEAD = rf"(?:{HEAD_WORD}(?:[ -]{HEAD_WORD}){{0,2}})"
ORDINAL = (
    r"(?:\d{1,3}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth|tenth|eleventh|twelfth|next|annual|inaugural|final|closing|opening|"
    r"international|european|national|regional|online|virtual|joint|public|expert)"
)
#: A capitalised word of a name; a day or month name dates it instead ("visit on Friday")
CAP = (
    r"(?!(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|may|june|july|august|september|october|november|december)\b)(?-i:[A-Z])[\w’'\-]*"
)
CONNECT = r"(?:of|for|on|and|the|in|&)"
#: a run of capitalised words, with an acronym in brackets: "Electronic Monitoring (EM)"
CAP_RUN = rf"{CAP}(?:\s+(?:{CONNECT}\s+)*{CAP}|\s+\((?-i:[A-Z]{{2,}})\))*"
#: A short lowercase complement, "training session on mental health care in prisons"
#: (a few words, never into the next clause)
STOP = (
    r"(?:and|or|which|that|who|where|when|was|were|is|are|will|has|have|had|took|held|with|"
    r"its|their|his|her|our|this|these|those)"
)
LOWER = r"(?-i:[a-z])[\w’'\-]*"
LOWER_RUN = (
    rf"(?!(?:this|that|these|those|its|their|his|her|our|which|whom)\b)"
    rf"{LOWER}(?:\s+(?!{STOP}\b){LOWER}){{0,5}}"
)
#: Lowercase words between an ordinal and its event noun: "74th plenary session",
#: "second working group meeting" (never a function word: "first step of the course")
ADJ = rf"(?:(?!(?:{STOP}|{CONNECT}|a|an|to|at|by|from)\b){LOWER}\s+){{0,2}}"
#: Nouns that an event noun only qualifies: a "training centre" is a building, a
#: "meeting room" a room, a "conference programme" a document.
QUALIFIED = (
    r"(?:centres?|centers?|areas?|rooms?|halls?|facilit(?:y|ies)|materials?|manuals?|"
    r"curricul(?:um|a)|needs|budgets?|staff|officers?|schools?|academ(?:y|ies)|units?|"
    r"departments?|institutes?|colleges?|modules?|programmes?|programs?|plans?|"
    r"strateg(?:y|ies)|activities|polic(?:y|ies)|systems?|packages?|kits?|tools?|"
    r"platforms?|cycles?|calendars?|schedules?|reports?|notes|papers?|participants|"
    r"venues?|rules?|fees?|places|requirements?|records?|days?)"
)
#: A venue's name, "Litla-Hraun", "Eldoret GK Prison" (never across "the": "in Geneva the SPT")
VENUE_RUN = rf"{CAP}(?:\s+(?:of\s+)?{CAP}){{0,4}}"
EVENT = re.compile(
    rf"(?P<prefix>(?:(?:{ORDINAL})\s+)+)?(?(prefix)(?P<adj>{ADJ}))(?:[*_]{{1,2}})?"
    rf"(?P<mods>{CAP_RUN}\s+)?"
    rf"(?P<head>{HEAD})(?![\w-])(?!\s+(?:and\s+{LOWER}\s+)?{QUALIFIED}\b)"
    rf"(?P<tail>\s+(?:of|for|on)\s+(?:the\s+)?(?:{CAP_RUN}|{LOWER_RUN})"
    rf"|\s+to\s+(?:the\s+)?{CAP_RUN})?"
    rf"(?P<quoted>\s+[\"“](?P<title>[^\"”\n]{{3,120}})[\"”])?"
    rf"(?P<venue>\s+(?:held\s+)?(?:at|in)\s+(?:the\s+)?{VENUE_RUN})?",
    re.IGNORECASE,
)
#: A complement that dates rather than describes: "opening on Monday", "meeting on 3 May"
DATING_TAIL = re.compile(
    r"^on\s+(?:the\s+)?(?:\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may|june|july|august|september|october|november|december)",
    re.IGNORECASE,
)
#: Words a complement cannot end on: "training on mental health care in [Skopje]"
DANGLING = {"in", "at", "of", "for", "on", "to", "the", "a", "an", "by", "from", "with"}
SPECIFIC_PREFIX = re.compile(
    r"\d{1,3}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|next|inaugural",
    re.IGNORECASE,
)
NUMBERED = re.compile(r"\d{1,3}(?:st|nd|rd|th)\s", re.IGNORECASE)
#: A numbered session whose name ends on a noun that otherwise only qualifies an event
#: noun: "48th Annual Training Institute" is the 48th session, never a building (the
#: groups are those of :data:`EVENT`, so the same code reads both)
NUMBERED_SESSION = re.compile(
    rf"(?P<prefix>\b\d{{1,3}}(?:st|nd|rd|th)\s+)(?P<adj>)"
    rf"(?P<mods>(?:{CAP}\s+){{0,3}}(?=[A-Z])(?i:{HEAD_WORD})\s+)"
    rf"(?P<head>(?=[A-Z])(?i:{QUALIFIED}))\b"
    rf"(?P<tail>)(?P<quoted>(?P<title>))(?P<venue>)"
)


_ORDINAL_WORDS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
]
_LEADING_ORDINAL = re.compile(rf"(\d{{1,3}})(?:st|nd|rd|th)\s|({'|'.join(_ORDINAL_WORDS)})\s", re.I)


def ordinal_of(name: str) -> int | None:
    """The number a name starts with, written either way: "2nd ..." and "second ..." are
    both 2, so two mentions of one numbered meeting are recognised as one."""
    match = _LEADING_ORDINAL.match(name)
    if match is None:
        return None
    if match.group(1):
        return int(match.group(1))
    return _ORDINAL_WORDS.index(match.group(2).lower()) + 1


def head_of(name: str) -> str | None:
    """The event noun of a name, lowercased: "conference" of "9th CEP Conference"; the last
    one before the complement, so "Education and Training Meeting" is a meeting and so is
    a "working group meeting"."""
    first = re.search(rf"\b{HEAD}\b", name, re.IGNORECASE)
    if first is None:
        return None
    complement = re.compile(r"\s(?:of|for|on|to|in|at)\s", re.IGNORECASE).search(name, first.end())
    before = name[: complement.start()] if complement else name
    heads = list(re.finditer(rf"\b{HEAD}\b", before, re.IGNORECASE))
    head = heads[-1] if heads else first
    return re.split(r"[ -]", head.group(0).lower())[-1]  # "training meeting" is a meeting


def event_name(match: re.Match[str]) -> tuple[str | None, bool]:
    """The name of an event phrase and whether it is specific (names one happening)."""
    prefix = " ".join(
        p for p in ((match.group("prefix") or "").strip(), (match.group("adj") or "").strip()) if p
    )
    mods = (match.group("mods") or "").strip()
    head = match.group("head")
    tail_words = (match.group("tail") or "").split()
    while tail_words and tail_words[-1].lower() in DANGLING:
        tail_words.pop()
    tail = " ".join(tail_words) if len(tail_words) > 1 else ""
    if DATING_TAIL.match(tail):
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
        bool(SPECIFIC_PREFIX.search(prefix))
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


def venue_of(match: re.Match[str]) -> str | None:
    """Where a plain event noun was held, "at Litla-Hraun" of "a press conference held at
    Litla-Hraun": part of its name when nothing else names it (no capitalised name, no
    complement), as the text itself writes it."""
    if match.group("mods") or match.group("tail") or match.group("title"):
        return None
    venue = match.group("venue")
    return re.sub(r"^held\s+", "", " ".join(venue.split())) if venue else None
