"""Text analysis for the keyword index: what makes "Radicalization", "radicalisation"
and "radicalising" one term, and "Lillestrøm" the same as "Lillestrom".

The chain is whoosh's regex tokenizer, lower-casing, accent folding, a
British-to-American spelling filter (so that both spellings meet before the
stemmer, which treats them differently), stop words and the Porter stemmer.
The same analyzer runs at index and query time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

# Whole-word spellings first, then suffix rules. British forms are mapped to
# American ones; the direction does not matter as long as both sides agree.
_WORDS = {
    "programme": "program",
    "programmes": "programs",
    "centre": "center",
    "centres": "centers",
    "offence": "offense",
    "offences": "offenses",
    "defence": "defense",
    "licence": "license",
    "judgement": "judgment",
    "behaviour": "behavior",
    "behaviours": "behaviors",
    "labour": "labor",
    "neighbourhood": "neighborhood",
    "neighbourhoods": "neighborhoods",
    "counselling": "counseling",
    "counsellor": "counselor",
    "counsellors": "counselors",
    "travelling": "traveling",
    "modelling": "modeling",
    "enrolment": "enrollment",
    "co-operation": "cooperation",
    "co-operate": "cooperate",
    "co-ordination": "coordination",
    "re-entry": "reentry",
    "re-integration": "reintegration",
    "e-learning": "elearning",
    "favour": "favor",
    "honour": "honor",
    "organisation": "organization",
}
_SUFFIXES = [
    (re.compile(r"(?<=[a-z]{3})is(ation|ations|e|es|ed|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})yse(s|d)?$"), r"yze\1"),
    (re.compile(r"(?<=[a-z]{2})our(s|ed|ing)?$"), r"or\1"),
]
_KEEP = frozenset(
    {
        "precise",
        "premise",
        "premises",
        "promise",
        "promised",
        "promises",
        "compromise",
        "expertise",
        "exercise",
        "exercised",
        "franchise",
        "advise",
        "advised",
        "advises",
        "revise",
        "revised",
        "supervise",
        "supervised",
        "supervises",
        "supervising",
        "televise",
        "comprise",
        "comprises",
        "comprised",
        "surprise",
        "enterprise",
        "enterprises",
        "devise",
        "devised",
        "raise",
        "raised",
        "rise",
        "arise",
        "noise",
        "praise",
        "paradise",
        "concise",
        "otherwise",
        "wise",
        "likewise",
        "disguise",
        "improvise",
        "despise",
        "cruise",
        "bruise",
        "poise",
        "chemise",
        "treatise",
        "hour",
        "hours",
        "four",
        "tour",
        "tours",
        "pour",
        "sour",
        "your",
        "our",
        "ours",
        "flour",
        "detour",
        "contour",
        "devour",
        "scour",
        "tourism",
        "journal",
    }
)


@lru_cache(maxsize=100_000)
def american_spelling(word: str) -> str:
    """The American spelling of a lower-case word, or the word itself (cached: hot path)."""
    if word in _WORDS:
        return _WORDS[word]
    if word in _KEEP or word.startswith("supervis"):
        return word
    for pattern, replacement in _SUFFIXES:
        new = pattern.sub(replacement, word)
        if new != word:
            return new
    return word


class SpellingVariantFilter(Filter):  # type: ignore[misc]
    """Maps British spellings to American ones, token by token."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = american_spelling(token.text)
            yield token


# Hyphenated words stay whole ("co-operation", "re-entry") so the spelling
# table can see them; other punctuation separates words.
_WORD_PATTERN = r"\w+(?:[-'’]\w+)*"


def text_analyzer() -> Analyzer:
    """The analyzer of every full-text field."""
    return (
        RegexTokenizer(_WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | SpellingVariantFilter()
        | StopFilter()
        | StemFilter(cachesize=50000)
    )


def plain_analyzer() -> Analyzer:
    """Lower-cased, accent-folded words without stemming: the spelling dictionary."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter() | CharsetFilter(accent_map)
