"""Heuristics that find a title, a date and a language in plain text.

Many inputs are text dumps of web pages: they carry no metadata, start with
left-over navigation ("Reset your password", breadcrumbs) and state their date
somewhere in the first paragraph. These functions recover what they can and
return ``None`` rather than guess wildly: a missing date is better than a wrong
one in the graph. Everything here is deterministic (the language model is
fixed, no randomness), so the same file always yields the same metadata.

The boilerplate test is shared with the HTML reader, which drops such lines
from the extracted text; the plain-text reader only skips them when choosing
a title, because plain text must stay verbatim.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from practicegraph.dates import Precision, find_dates, parse_iso

__all__ = [
    "DATE_SEARCH_CHARS",
    "EUROPEAN_LANGUAGES",
    "detect_language",
    "find_date",
    "guess_title",
    "is_boilerplate_line",
    "is_breadcrumb_line",
    "normalise_date",
    "normalise_language",
]

#: How far into a text :func:`find_date` looks. Why: a publication date is
#: stated near the top; dates further down are usually event or history dates.
DATE_SEARCH_CHARS = 1500

#: Longest line :func:`guess_title` accepts. Why: longer lines are paragraphs.
MAX_TITLE_CHARS = 200

#: Lines of a web page's furniture (account widgets, navigation, sharing), not its title.
_BOILERPLATE_LINES = frozenset(
    {
        "log in",
        "login",
        "sign in",
        "sign up",
        "register",
        "my account",
        "forgot your password?",
        "reset your password",
        "reset your password?",
        "menu",
        "main menu",
        "search",
        "print",
        "back to top",
        "skip to content",
        "skip to main content",
        "read more",
        "share",
        "share this",
        "share this page",
        "tweet",
    }
)

#: Cookie notices are short; a long line mentioning cookies is probably prose.
_MAX_COOKIE_NOTICE_CHARS = 400

_COOKIE_RE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CONTEXT_RE = re.compile(r"\b(accept\w*|use|uses|using|policy)\b", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")
_HEADING_RE = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")


def _squash(line: str) -> str:
    return _SPACES_RE.sub(" ", line).strip()


def is_boilerplate_line(line: str) -> bool:
    """Tell whether a whole line is web-page furniture rather than content.

    Why whole lines only: these phrases also occur inside real sentences
    ("staff share good practice"), which must never be touched.
    """
    text = _squash(line).lower()
    if not text:
        return False
    # "Read more »", "Share:" and "Read more…" are the same furniture.
    bare = text.rstrip(" :\u00bb\u203a\u2026>.").strip()
    if text in _BOILERPLATE_LINES or bare in _BOILERPLATE_LINES:
        return True
    if text.startswith("download ") and (text.endswith("file") or text.endswith(".pdf")):
        return True
    return (
        len(text) <= _MAX_COOKIE_NOTICE_CHARS
        and _COOKIE_RE.search(text) is not None
        and _COOKIE_CONTEXT_RE.search(text) is not None
    )


def is_breadcrumb_line(line: str) -> bool:
    """Tell whether a line is a navigation trail such as ``Home » Resources » News``.

    Why: text dumps of web pages often keep the breadcrumb right under the
    real title, and it must not be mistaken for one.
    """
    return "\u00bb" in line or "\u203a" in line or " > " in line


def guess_title(text: str) -> str | None:
    """Return the first line that looks like a title, or ``None``.

    Skips blank lines, boilerplate, breadcrumbs, lines without letters (rules
    such as ``---``) and lines longer than :data:`MAX_TITLE_CHARS`; strips the
    ``#`` marks of a Markdown heading. Why so simple: web dumps put the page
    title first once the furniture is skipped, and anything cleverer guesses.
    """
    for raw_line in text.split("\n"):
        line = _squash(raw_line)
        heading = _HEADING_RE.match(line)
        if heading:
            line = heading.group(1).strip()
        if not line or len(line) > MAX_TITLE_CHARS:
            continue
        if not any(ch.isalpha() for ch in line):
            continue
        if is_boilerplate_line(line) or is_breadcrumb_line(line):
            continue
        return line
    return None


# --- dates -------------------------------------------------------------------


def find_date(text: str, *, limit: int = DATE_SEARCH_CHARS) -> str | None:
    """Return the first explicit calendar date in the start of ``text`` as ISO 8601.

    Accepts "31 Oct 2023", "25-26 May 2023" (a range gives its first day),
    "17th November 2017", "November 17, 2017", "2023-05-25" and "25.05.2023";
    the parser is :func:`practicegraph.dates.find_dates`, which also refuses
    dates the calendar lacks. Why only dates with a day: a bare "November
    1998" or "2017" is more often a period the text talks about than the date
    it was published.
    """
    for mention in find_dates(text[:limit]):
        if mention.date is not None and mention.date.precision is Precision.DAY:
            return mention.date.iso
    return None


def normalise_date(value: str) -> str | None:
    """Turn a metadata date (``2023-05-25T10:00:00+02:00``, ``2023-05``, ``31 Oct 2023``) into ISO.

    Keeps only the calendar part, at the precision stated (year, month or
    day): the value is declared to be a date, so "October 2023" is one too.
    Why not convert time zones: the publication day as the publisher wrote it
    is what readers of the graph expect.
    """
    stated = parse_iso(value)
    if stated is not None:
        return stated.iso
    return next((m.iso for m in find_dates(value) if m.iso), None)


# --- language ----------------------------------------------------------------

#: The languages a text is told apart among: the official languages of the EU,
#: those of the other Council of Europe members, and Catalan, Basque, Galician,
#: Welsh and Luxembourgish, in which regional prison services publish. Why a
#: closed set: on short texts the full model answers Latin or Esperanto for an
#: English title; a text in none of these scores low and is left undetected.
# fmt: off
EUROPEAN_LANGUAGES = frozenset({
    # the official languages of the European Union
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
    # those of the other members of the Council of Europe
    "is", "no", "nn", "sq", "bs", "sr", "mk", "tr", "uk", "ru", "be", "ka", "hy", "az",
    # regional languages of prison services
    "ca", "eu", "gl", "cy", "lb",
})
# fmt: on

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)

#: Fewest words before any verdict. Why: a title alone proves little.
_MIN_WORDS = 6
#: Lowest probability of the best language. Why: below it the text is a list of
#: names or codes, or in a language outside :data:`EUROPEAN_LANGUAGES`.
_MIN_CONFIDENCE = 0.5
#: Characters looked at; plenty for a stable verdict, cheap on long documents.
_MAX_CHARS = 30_000


@cache
def _identifier() -> Any:
    """py3langid's model restricted to :data:`EUROPEAN_LANGUAGES`, loaded once.

    Why an instance of its own rather than ``py3langid.set_languages``: that
    restricts the library's process-wide identifier for every other caller.
    """
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted(EUROPEAN_LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """Return the ISO 639-1 code of the language of ``text``, when clear.

    Uses py3langid (a naive Bayes model of byte n-grams), choosing among
    :data:`EUROPEAN_LANGUAGES`. Returns ``None`` for texts of fewer than
    :data:`_MIN_WORDS` words and for verdicts below :data:`_MIN_CONFIDENCE`:
    a missing language is handled downstream, a wrong one is not.
    """
    head = text[:_MAX_CHARS]
    if len(_WORD_RE.findall(head)) < _MIN_WORDS:
        return None
    language, confidence = _identifier().classify(head)
    if float(confidence) < _MIN_CONFIDENCE:
        return None
    return str(language)


_LANG_TAG_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def normalise_language(tag: str | None) -> str | None:
    """Reduce a declared language tag (``en-GB``, ``EN_us``, ``lv``) to its primary subtag.

    Why only the primary subtag: it is what the detector returns and what
    choosing a pipeline needs; regional variants would split one language
    into several in the graph.
    """
    if tag is None:
        return None
    tag = tag.strip()
    if not _LANG_TAG_RE.match(tag):
        return None
    return re.split(r"[-_]", tag, maxsplit=1)[0].lower()
