"""What the text around a candidate place says of it: a list it stands in, a
preposition of place before it, capitals, "New" before a country's name, a
demonym used as a language ("English pages").

Split from :mod:`practicegraph.nlp.geo`, which weighs these signs against how
risky a name is.
"""

from __future__ import annotations

import re

from practicegraph.nlp import place_rules
from practicegraph.nlp.gazetteer import PlaceEntry


def trust_lists(text: str, hits: list[tuple[PlaceEntry, int, int, bool]]) -> None:
    """Believe a town listed beside a place already believed, of the same country:
    "at Baia Mare, Botoșani and Vaslui" once Baia Mare is a place (in place)."""
    changed = True
    while changed:
        changed = False
        for i, (entry, start, end, trusted) in enumerate(hits):
            if trusted:
                continue
            for other, o_start, o_end, o_trusted in hits:
                if not o_trusted or other.country != entry.country:
                    continue
                between = text[o_end:start] if o_end <= start else text[end:o_start]
                if _LIST_GAP.fullmatch(between):
                    hits[i] = (entry, start, end, True)
                    changed = True
                    break


def trust_joint_lists(
    text: str, hits: list[tuple[PlaceEntry, int, int, bool]], mentioned: set[str]
) -> None:
    """Believe towns of a country the text names that stand together in one list,
    even when none of them is believed alone: "from the Tuakau, Pokeno and
    Waiuku offices" in a text on New Zealand (two towns of it, in place)."""
    for i, (entry, start, end, trusted) in enumerate(hits):
        if trusted or entry.country not in mentioned or not entry.geonameid:
            continue
        for j, (other, o_start, o_end, _t) in enumerate(hits):
            if j == i or other.country != entry.country:
                continue
            between = text[o_end:start] if o_end <= start else text[end:o_start]
            if _LIST_RUN.fullmatch(between):
                hits[i] = (entry, start, end, True)
                break


#: The gap between two items of one list, with other capitalised items between.
_LIST_RUN = re.compile(
    r"(?:,[ \t]*|[ \t]+(?:and|or)[ \t]+)(?:[A-Z][\w'’-]*(?:,[ \t]*|[ \t]+(?:and|or)[ \t]+))*"
)
_LIST_GAP = re.compile(r"(?:,[ \t]*|[ \t]+(?:and|or)[ \t]+|,[ \t]+(?:and|or)[ \t]+)")


def after_new(text: str, start: int) -> bool:
    """ "New" right before a country's name makes another place of it: "New
    Jersey", "New England", "New Mexico" (names that are countries whole, such as
    "New Zealand", match as such)."""
    return text[max(0, start - 4) : start] == "New "


def capitals_context(text: str, start: int, end: int) -> bool:
    """A name written in capitals is a place's only in a line of capitals (a
    heading: "A PRISON IN AYUTTHAYA", "KILDARE FEATURE") or a dateline ("MANILA -
    The bureau"); alone among ordinary words it is an acronym ("COSA helps")."""
    if place_rules.in_dateline(text, start, end):
        return True
    before = re.search(r"([\w'’-]+)[ \t]+$", text[max(0, start - 40) : start])
    after = re.match(r"[ \t]+([\w'’-]+)", text[end : end + 40])
    return any(
        m is not None and len(m.group(1)) > 1 and m.group(1).isupper() for m in (before, after)
    )


def introduced(text: str, start: int, end: int) -> bool:
    """ "in Marly", "at Wacol": a preposition of place before the name, and no
    capitalised word after it that would make it the start of a longer name
    ("at Castello Utveggio")."""
    return (
        preceded_by(text, start, ("in", "at", "near"))
        and re.match(r"[ \t]+[A-Z]", text[end : end + 3]) is None
    )


def preceded_by(text: str, start: int, words: tuple[str, ...]) -> bool:
    before = text[max(0, start - 12) : start].split()
    return bool(before) and before[-1].lower() in words


_LANGUAGES = frozenset(
    {
        "English",
        "French",
        "German",
        "Spanish",
        "Portuguese",
        "Dutch",
        "Italian",
        "Russian",
        "Arabic",
        "Polish",
        "Swedish",
        "Danish",
        "Finnish",
        "Greek",
        "Romanian",
        "Hungarian",
        "Czech",
        "Japanese",
        "Chinese",
    }
)
#: Nouns after which a language adjective names the language: "English version".
_LANGUAGE_NOUNS = frozenset(
    {
        "version",
        "versions",
        "summary",
        "translation",
        "translations",
        "language",
        "edition",
        "text",
        "subtitles",
        "interpretation",
        "original",
        "abstract",
        "speakers",
        "page",
        "pages",
        "website",
        "websites",
        "sources",
    }
)
_IN_LANGUAGES = re.compile(
    r"\b(?:in|into)\s+(?:(?:plain|simple|easy|clear|good|fluent|basic|everyday)\s+)?"
    r"(?:[A-Z][a-z]+,?\s+(?:(?:and|or)\s+)?)*$"
)


def language_use(text: str, start: int) -> bool:
    """ "in English", "English version", "in English and Spanish", a language menu
    ("Deutsch | English"): a language, not a country."""
    word = text[start : start + 20].split()[0].strip(".,;:)(")
    if word not in _LANGUAGES:
        return False
    before_text = text[max(0, start - 60) : start]
    before = before_text.lower().split()
    if before and before[-1] in {"in", "into", "speak", "speaking", "from"}:
        return True
    if _IN_LANGUAGES.search(before_text):
        return True
    after = text[start + len(word) : start + len(word) + 30].split()
    if after and after[0].lower().strip(".,;:)") in _LANGUAGE_NOUNS:
        return True
    # a language menu or switcher: the word stands between separators
    return before_text.rstrip().endswith(("|", "·", "/")) or bool(
        after and after[0] in ("|", "·", "/")
    )
