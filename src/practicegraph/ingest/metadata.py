"""Heuristics that find a title, a date and a language in plain text.

Many inputs are text dumps of web pages: they carry no metadata, start with
left-over navigation ("Reset your password", breadcrumbs) and state their date
somewhere in the first paragraph. These functions recover what they can and
return ``None`` rather than guess wildly: a missing date is better than a wrong
one in the graph. Everything here is deterministic (no randomness, no models),
so the same file always yields the same metadata.

The boilerplate test is shared with the HTML reader, which drops such lines
from the extracted text; the plain-text reader only skips them when choosing
a title, because plain text must stay verbatim.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

__all__ = [
    "DATE_SEARCH_CHARS",
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

_MONTHS: Mapping[str, int] = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_MONTH = rf"(?:{_MONTH_NAMES}|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_ORD = r"(?:st|nd|rd|th)?"
_DASH = r"\s*[-\u2013\u2014]\s*"

# "25 May 2023", "25-26 May 2023", "17th November 2017", "31 Oct. 2023", "1 of May, 2023"
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}}){_ORD}(?:{_DASH}\d{{1,2}}{_ORD})?\s+(?:of\s+)?"
    rf"(?P<month>{_MONTH}),?\s+(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)
# "November 17, 2017", "May 25-26, 2023", "Nov 17th 2017"
_MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}){_ORD}(?:{_DASH}\d{{1,2}}{_ORD})?,?\s+"
    rf"(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)
# "2023-05-25", also the date part of "2023-05-25T10:00:00Z"
_ISO = re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d])")
# "25.05.2023": European day-first order; slashes are left alone (ambiguous).
_DOTTED = re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?![\d])")

_DATE_PATTERNS = (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _ISO, _DOTTED)

#: Years outside this range are page numbers, amounts or typos, not dates.
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _month_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    key = token.rstrip(".").lower()
    return _MONTHS.get(key, _MONTHS.get(key[:3], 0))


def _iso(year: int, month: int, day: int) -> str | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str, *, limit: int = DATE_SEARCH_CHARS) -> str | None:
    """Return the first explicit calendar date in the start of ``text`` as ISO 8601.

    Accepts "31 Oct 2023", "25-26 May 2023" (a range gives its first day),
    "17th November 2017", "November 17, 2017", "2023-05-25" and "25.05.2023".
    Why only dates with a day: a bare "November 1998" or "2017" is more often
    a period the text talks about than the date it was published.
    """
    head = text[:limit]
    best: tuple[int, str] | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(head):
            if best is not None and match.start() >= best[0]:
                break
            iso = _iso(
                int(match.group("year")),
                _month_number(match.group("month")),
                int(match.group("day")),
            )
            if iso is not None:
                best = (match.start(), iso)
                break
    return best[1] if best else None


_PARTIAL_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T\s].*)?$")


def normalise_date(value: str) -> str | None:
    """Turn a metadata date (``2023-05-25T10:00:00+02:00``, ``2023-05``, ``31 Oct 2023``) into ISO.

    Keeps only the calendar part; the precision stated (year, month or day) is
    kept too. Why not convert time zones: the publication day as the publisher
    wrote it is what readers of the graph expect.
    """
    match = _PARTIAL_ISO.match(value)
    if match:
        year, month, day = match.groups()
        if month is None:
            return year if _MIN_YEAR <= int(year) <= _MAX_YEAR else None
        if day is None:
            iso = _iso(int(year), int(month), 1)
            return iso[:7] if iso else None
        return _iso(int(year), int(month), int(day))
    return find_date(value, limit=len(value))


# --- language ----------------------------------------------------------------


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Common function words of each language. Why function words: they make up a
# large, stable share of any running text and hardly depend on the topic.
_STOPWORDS: Mapping[str, frozenset[str]] = {
    "en": _words(
        "the and of to in is that for with as on by this are was be it from at which "
        "have has an or not their were been will also its they these we our who would "
        "should can into"
    ),
    "fr": _words(
        "le la les des du un une et est en que qui dans pour pas sur au aux avec ce "
        "cette sont par plus ont été nous leur ils elle être ou"
    ),
    "de": _words(
        "der die das und ist nicht ein eine zu den von mit sich des auf für im dem "
        "auch es an werden aus wird bei sind oder nach wie über"
    ),
    "es": _words(
        "el la los las de y que en un una es por con para del al se lo como más pero "
        "sus su está son fue entre sobre también"
    ),
    "it": _words(
        "il lo la gli le di e che un una è per con del della dei non sono nel nella "
        "alla al si come anche più tra degli"
    ),
    "nl": _words(
        "de het een en van is dat op te in zijn voor met niet aan er ook als bij door "
        "wordt worden naar om zich maar deze"
    ),
    "lv": _words(
        "un ir ar par uz kas lai ka arī vai tas to bet pie līdz pēc kā no tiek var "
        "gada šo ko jau tikai savu tā viņš"
    ),
}

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)

#: Words looked at; enough for a stable ratio, cheap on long documents.
_MAX_WORDS = 5000
#: Fewest stopword hits before any verdict. Why: a title alone proves nothing.
_MIN_HITS = 5
#: How much the winner must beat the runner-up to count as clearly dominant.
_DOMINANCE = 1.5
#: Share of all words that must be the winner's stopwords. Why: lists of names
#: or codes match a few stopwords by chance.
_MIN_SHARE = 0.08


def detect_language(text: str) -> str | None:
    """Return ``en``/``fr``/``de``/``es``/``it``/``nl``/``lv`` when one clearly dominates.

    Counts the words of ``text`` that are common function words of each
    language and picks the language with the most, provided it has at least
    :data:`_MIN_HITS` hits, beats the runner-up by :data:`_DOMINANCE` and
    covers :data:`_MIN_SHARE` of the words. Otherwise ``None``: a missing
    language is handled downstream, a wrong one is not.
    """
    words = [w.lower() for w in _WORD_RE.findall(text[: _MAX_WORDS * 12])][:_MAX_WORDS]
    if not words:
        return None
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    (best, best_hits), (_, second_hits) = ranked[0], ranked[1]
    if best_hits < _MIN_HITS or best_hits < _DOMINANCE * second_hits:
        return None
    if best_hits / len(words) < _MIN_SHARE:
        return None
    return best


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
