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
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

# Hyphenated words stay whole ("co-operation", "re-entry") so the spelling
# table can see them; other punctuation separates words.
_WORD_PATTERN = r"\w+(?:[-'’]\w+)*"

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


_BRITISH_WORDS = {american: british for british, american in _WORDS.items()}
_AMERICAN_SUFFIXES = [
    (re.compile(r"(?<=[a-z]{3})iz(ation|ations|e|es|ed|ing|er|ers)$"), r"is\1"),
    (re.compile(r"(?<=[a-z]{2})yze(s|d)?$"), r"yse\1"),
]


@lru_cache(maxsize=100_000)
def british_spelling(word: str) -> str:
    """The British spelling of a lower-case word, or the word itself: the way back
    for an engine whose analyzer cannot run :func:`american_spelling`."""
    if word in _BRITISH_WORDS:
        return _BRITISH_WORDS[word]
    for pattern, replacement in _AMERICAN_SUFFIXES:
        new = pattern.sub(replacement, word)
        if new != word:
            return new
    return word


def spelling_variants(text: str) -> list[str]:
    """``text`` and, where they differ, its American and British spellings (lower case)."""
    words = re.findall(_WORD_PATTERN, text.lower())
    forms = [" ".join(words), " ".join(map(american_spelling, words))]
    forms.append(" ".join(map(british_spelling, words)))
    return list(dict.fromkeys(f for f in forms if f))


class SpellingVariantFilter(Filter):  # type: ignore[misc]
    """Maps British spellings to American ones, token by token."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = american_spelling(token.text)
            yield token


#: Words shorter than this are stop words (whoosh's StopFilter default).
_STOP_MIN = 2


@lru_cache(maxsize=200_000)
def index_term(word: str) -> str | None:
    """The term a word is indexed under, or None for a stop word (cached: a text's
    words repeat, so most tokens cost one look-up).

    Lower case, accents folded, British spelling made American, then stop words
    (whoosh's list and its two-letter minimum) and the Porter stemmer: the steps
    of :func:`reference_analyzer`, in its order.
    """
    spelled = american_spelling(word.lower().translate(accent_map))
    if len(spelled) < _STOP_MIN or spelled in STOP_WORDS:
        return None
    term: str = stem(spelled)
    return term


class IndexTermFilter(Filter):  # type: ignore[misc]
    """The reference chain's five filters in one pass over the tokens.

    Why: whoosh runs each filter as a generator per token; fused and cached, the
    analysis of a document costs about half (indexing is a third of ingest's own
    work). Stop words are dropped (or kept marked ``stopped`` when the caller asks
    for them) and positions renumbered, as ``StopFilter`` does.
    """

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        pos = None
        for token in tokens:
            term = index_term(token.text)
            if term is None:
                if not token.removestops:
                    token.text = american_spelling(token.text.lower().translate(accent_map))
                    token.stopped = True
                    yield token
                continue
            if token.positions:
                if pos is None:
                    pos = token.pos
                else:
                    pos += 1
                    token.pos = pos
            token.text = term
            token.stopped = False
            yield token


def text_analyzer() -> Analyzer:
    """The analyzer of every full-text field: the tokenizer and the fused filter."""
    return RegexTokenizer(_WORD_PATTERN) | IndexTermFilter()


def reference_analyzer() -> Analyzer:
    """The same analysis as whoosh's filter chain, kept as the reference the fused
    filter is tested against."""
    return (
        RegexTokenizer(_WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | SpellingVariantFilter()
        | StopFilter(minsize=_STOP_MIN)
        | StemFilter(cachesize=50000)
    )


def plain_analyzer() -> Analyzer:
    """Lower-cased, accent-folded words without stemming: the spelling dictionary."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter() | CharsetFilter(accent_map)
