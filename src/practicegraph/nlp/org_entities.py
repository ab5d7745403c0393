"""Organisation candidates read from the entity recogniser (sources 4 and 5 of
:mod:`.organisations`).

The pipeline's ``ner`` is fine-tuned on the corpus's organisations
(:mod:`practicegraph.nlp.pipeline`), so its ORG spans know the field's names;
but a recogniser also tags headings, brands, programmes and places as ORG. Two
readings are kept, each filtered by the form of the name rather than by a list
of names: acronyms, where some use of them says they name a body ("partner
KRIMZ", "VALDA – Slovenia", :func:`acronym_names_a_body`), and other names, where
their words say body. The filters were chosen on the train split's held-out quarter.

Each candidate is ``(start, end, name)``; the caller ranks and merges them with
the rule sources.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from practicegraph.nlp.gazetteer import Gazetteer
from practicegraph.nlp.org_names import (
    CONNECTORS,
    GENERIC,
    NON_BODY_TAILS,
    NON_ORG_ACRONYMS,
    ORG_HEADS,
    names_an_activity,
    shouted,
    strip_possessive,
)

Candidate = tuple[int, int, str]

_ACRONYM = re.compile(r"[A-Z][A-Z&]{1,7}")
#: Where a recogniser's name runs into the next line or a column of the layout.
_LAYOUT_GAP = re.compile(r"\n|\t| {2,}")
#: Contexts that say a bare acronym names a body: "partner KRIMZ", "coordinator: VALDA".
ORG_CUE_BEFORE = re.compile(
    r"\b(?:partners?|coordinators?|coordinated by|organi[sz]ed by|hosted by|led by|run by|"
    r"members?|association|organi[sz]ation|agency|union|NGO|company)\s*:?\s*$",
    re.IGNORECASE,
)
#: "CORCAN is a Special Operating Agency", "Reach (NGO)": the text says what it is.
_BODY_AFTER = re.compile(
    r"\s+(?:is|was)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}(?:agency|organi[sz]ation|charity|"
    r"NGO|association|company|non-profit|foundation)\b|\s*\((?:NGO|charity)\)",
    re.IGNORECASE,
)
_COUNTRY_AFTER = re.compile(r"^\s*(?:[–—-]|\(|,)\s*[A-Z][a-z]+")
#: "YouTube", "EuroPris", "BSAFE": a capital inside the word, so no common word.
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
#: "University of Sheffield and", "National Library in Port of": a name read into the
#: phrase after it ends before its last connectors.
_TRAILING_CONNECTORS = re.compile(r"(?:\s+(?:of|for|and|in|on|to|the|at|&))+$")
#: A word in lower case: a common word of the text's language, not a proper name.
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-zà-ÿ][a-zà-ÿ’'-]*")
#: Words of a publication's title: "Nordic Journal of Criminology" is no body.
_PUBLICATIONS = frozenset({"Journal", "Review", "Magazine", "Newsletter", "Bulletin"})
#: Head nouns of uniformed and trading bodies, beside ``ORG_HEADS``: "Salvation Army".
_FORCE_HEADS = frozenset({"Army", "Corps", "Company", "Force", "Forces", "Guard"})
#: Last words of an assessment or a funding line: "European Union Key Action".
_NON_BODY_TAILS = frozenset({"Assessment", "Action"})


def entity_acronyms(
    text: str, org_entities: list[tuple[int, int]], gazetteer: Gazetteer
) -> list[Candidate]:
    """Acronyms the recogniser tags ORG, and acronyms it missed that an organisational
    cue introduces, where some use of them in the text says they name a body."""
    found: list[Candidate] = []
    for start, end in org_entities:
        surface = text[start:end]
        if _ACRONYM.fullmatch(surface) and surface not in NON_ORG_ACRONYMS:
            if surface in gazetteer.country_names or surface in gazetteer.demonyms:
                continue
            if shouted(text, start, end):
                continue  # a word of a heading in capitals: "UNION AGENCY FOR RIGHTS"
            found.append((start, end, surface))
    for match in re.finditer(r"(?<![\w-])[A-Z][A-Z&]{2,7}(?![\w-])", text):
        surface = match.group(0)
        if surface in NON_ORG_ACRONYMS or surface in gazetteer.country_names:
            continue
        if shouted(text, match.start(), match.end()):
            continue
        if ORG_CUE_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
            found.append((match.start(), match.end(), surface))
    return [c for c in found if acronym_names_a_body(text, c[2])]


def entity_names(
    text: str,
    org_entities: list[tuple[int, int]],
    gazetteer: Gazetteer,
    is_place: Callable[[str], bool],
) -> list[Candidate]:
    """The recogniser's ORG names that are not acronyms, where their form says body: cut
    at a line break or a layout gap, without a leading "the" or a possessive; not one
    common word, a shouted heading or a number; only connectors in lower case
    ("ministry" in lower case is a reference, not a name); not a place, a country or its
    adjective, nor a name that starts with one and has no head noun ("Dublin Bay
    South"); not an instrument, prize, publication or a plural of a head noun; not words
    of the field alone (``GENERIC``). Without a head noun or a capital inside a word,
    a name must mix words the text also writes in lower case with proper names ("Mother
    Jones", "Sisters of Mercy"): common words alone are a phrase, and proper
    names alone were most often a person's name the recogniser misread (seen with a
    recogniser that had not been trained on the documents, and kept because it helps
    the train split's held-out quarter)."""
    found: list[Candidate] = []
    common: set[str] | None = None  # the text's words in lower case, read when needed
    for start, end in org_entities:
        surface = _LAYOUT_GAP.split(text[start:end])[0]
        if _ACRONYM.fullmatch(surface):
            continue
        lead = re.match(r"(?:(?:[Tt]he|[Aa]n?|NGOs?)\s+)+", surface)  # "the NGO X": X
        if lead:
            start, surface = start + lead.end(), surface[lead.end() :]
        name = strip_possessive(_TRAILING_CONNECTORS.sub("", surface.rstrip("’'.,;:- ")))
        words = name.split()
        if not words or not name[:1].isupper() or not _body_like(name, words, gazetteer, is_place):
            continue
        if not any(w in ORG_HEADS or w in _FORCE_HEADS for w in words) and not (
            _INNER_CAPITAL.search(name)
        ):
            if common is None:
                common = set(_LOWER_WORD.findall(text))
            proper = [not _common(w, common) for w in words if w not in CONNECTORS]
            if not any(proper):
                continue  # "Restorative Practice", "Family Relations": a phrase, no name
            if all(proper):
                continue  # "Ingrid Valtonen": proper names alone are a person's more often
        found.append((start, start + len(name), name))
    return found


def _body_like(
    name: str, words: list[str], gazetteer: Gazetteer, is_place: Callable[[str], bool]
) -> bool:
    if len(words) == 1 and not _INNER_CAPITAL.search(name):
        return False  # "Agency", "Item", "OCCUPANCY": one word is an acronym or a brand
    if any(c.isdigit() for c in name) or "," in name:
        return False
    if any(w[:1].islower() and w not in CONNECTORS for w in words):
        return False
    last = words[-1]
    if last in NON_BODY_TAILS or last in _NON_BODY_TAILS or last.rstrip("s") in NON_BODY_TAILS:
        return False
    if last not in ORG_HEADS and last.endswith("s") and last[:-1] in ORG_HEADS:
        return False  # "National Preventive Mechanisms": a kind of body, not one
    if any(w in _PUBLICATIONS for w in words):
        return False
    if all(w in GENERIC or w in CONNECTORS for w in words):
        return False
    if name in gazetteer.country_names or name in gazetteer.demonyms:
        return False
    headed = any(w in ORG_HEADS for w in words)
    if not headed and names_an_activity(words):
        return False
    placed = is_place(name) or any(w in gazetteer.country_names for w in words)
    return headed or not placed


def _common(word: str, common: set[str]) -> bool:
    """Whether the text writes ``word`` in lower case, in the singular or the plural."""
    low = word.lower()
    return low in common or f"{low}s" in common or (low.endswith("s") and low[:-1] in common)


def acronym_names_a_body(text: str, acronym: str) -> bool:
    """An acronym is a body where some use of it says so: a country after it
    ("VALDA – Slovenia") or an organisational cue before it ("partner KRIMZ")."""
    for match in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text):
        if ORG_CUE_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
            return True
        if _COUNTRY_AFTER.match(text[match.end() : match.end() + 30]):
            return True
        if _BODY_AFTER.match(text, match.end()):
            return True
    return False
