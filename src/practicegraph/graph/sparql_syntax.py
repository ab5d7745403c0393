"""A researcher's SPARQL text before and after the engine: predefined prefixes, readable errors.

Two things every way in (``/sparql`` over HTTP, ``practicegraph sparql``) does
with a query or update a person wrote:

- **Predefined prefixes.** The project's documented prefixes
  (:data:`practicegraph.vocab.PREFIXES`: ``schema:``, ``skos:``, ``pg:``, …) may be
  used without declaring them. :func:`with_prefixes` puts a ``PREFIX`` line in
  front of the text for each predefined prefix the text uses and does not declare
  itself (a query's own declaration always wins, as it is the only one). The
  text then stands on its own, so every reader of it agrees: the SERVICE/LOAD
  check's parser, the write-scope lexer, the embedded engine and a SPARQL server
  that receives it as text. pyoxigraph's ``prefixes=`` option would serve the
  embedded engine only. The declarations go in front of the text, after its own
  leading ``BASE`` declarations (Virtuoso takes no BASE after a PREFIX), on the
  same line, so line numbers stay the user's; error positions on that line are
  moved back by what was put there.
- **Readable parser errors.** The engine answers a text that does not parse with
  a position and a grammar dump (``error at 1:35: expected one of Prefix not
  found, ['%'], ['-' | '0' ..= '9' …``). :func:`parse_problem` turns it into one
  line naming the position in the user's text and the problem: an undeclared
  prefix by name, otherwise what the engine expected there, without character
  classes. Servers' messages (Virtuoso names a line only) are shortened the same way.

The lexer here (``tokens``) knows SPARQL's token classes -- IRIs, prefixed names,
strings, comments, variables -- without parsing the grammar; it is shared with
:mod:`practicegraph.api.sparql_text`. It sits in ``graph`` because the service
(below the API) uses it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from practicegraph.errors import QueryError
from practicegraph.sparql_terms import iri
from practicegraph.vocab import PREFIXES

T = TypeVar("T")

#: The prefixes a query or update may use without declaring them (README: "Predefined
#: prefixes"): the project's own vocabularies, one list for every way in.
PREDEFINED: dict[str, str] = dict(PREFIXES)

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?
              :(?:[\w\-.:%\\\u00B7\u00C0-\uFFFF]*[\w\-:%\u00B7\u00C0-\uFFFF])?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<punct>\^\^|[{}();,.\[\]]|.)
    """,
    re.VERBOSE | re.DOTALL,
)

#: The same lexer with no IRI tokens: ``<`` is always an operator. The engine's
#: grammar tells ``?a<'x>'`` (a comparison) from ``<x>`` (an IRI) by context, which a
#: lexer cannot; bounds on a request's shape take the worse of the two readings.
_TOKEN_WITHOUT_IRIS = re.compile(
    _TOKEN.pattern.replace("(?P<iri>", "(?P<never>(?!)"), re.VERBOSE | re.DOTALL
)


@dataclass(frozen=True)
class Token:
    kind: str  # iri | var | pname | word | string | punct
    text: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str, *, iris: bool = True) -> list[Token]:
    """SPARQL tokens without whitespace and comments (``iris=False``: no IRI tokens)."""
    out = []
    for match in (_TOKEN if iris else _TOKEN_WITHOUT_IRIS).finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        out.append(Token(kind, match.group(), match.start(), match.end()))
    return out


# -- predefined prefixes ---------------------------------------------------------------
@dataclass(frozen=True)
class Prepared:
    """A text with the declarations of the predefined prefixes it uses.

    ``original``: the text as written; ``at``: where in it the declarations went;
    ``offset``: how many characters they take (0 when none were needed).
    """

    text: str
    original: str
    at: int = 0
    offset: int = 0
    added: tuple[str, ...] = ()

    def user_position(self, line: int, column: int) -> tuple[int, int]:
        """A (line, column) of :attr:`text` as a place in :attr:`original`."""
        if not self.offset:
            return line, column
        at_line, at_column = _line_column(self.original, self.at)
        if line == at_line and column >= at_column:
            column = max(at_column, column - self.offset)
        return line, column


def _prefix_uses(toks: list[Token]) -> tuple[set[str], list[Token]]:
    """(prefixes the text declares, prefixed-name tokens it uses)."""
    declared: set[str] = set()
    used: list[Token] = []
    for i, tok in enumerate(toks):
        if tok.kind != "pname":
            continue
        before = toks[i - 1] if i else None
        if before is not None and before.is_word("PREFIX"):
            declared.add(tok.text.partition(":")[0])
        elif before is not None and before.text == "_" and before.end == tok.start:
            continue  # a blank node label, _:b
        else:
            used.append(tok)
    return declared, used


def with_prefixes(text: str) -> Prepared:
    """``text`` with a PREFIX declaration for each predefined prefix it uses without
    declaring it: in front of it, after its leading BASE declarations, on one line,
    so line numbers do not change."""
    toks = tokens(text)
    declared, used = _prefix_uses(toks)
    wanted: list[str] = []
    for tok in used:
        name = tok.text.partition(":")[0]
        if name in PREDEFINED and name not in declared and name not in wanted:
            wanted.append(name)
    if not wanted:
        return Prepared(text, text)
    at = 0
    i = 0
    while i + 1 < len(toks) and toks[i].is_word("BASE") and toks[i + 1].kind == "iri":
        at = toks[i + 1].end
        i += 2
    head = "".join(f"PREFIX {name}: {iri(PREDEFINED[name])} " for name in wanted)
    head = f" {head}" if at else head
    return Prepared(text[:at] + head + text[at:], text, at, len(head), tuple(wanted))


def undeclared(text: str) -> list[Token]:
    """Prefixed names whose prefix is neither declared in ``text`` nor predefined."""
    declared, used = _prefix_uses(tokens(text))
    known = declared | set(PREDEFINED)
    return [tok for tok in used if tok.text.partition(":")[0] not in known]


# -- readable parser errors ----------------------------------------------------------------
#: "error at 3:17" (Oxigraph), "at line 3 column 17".
_POSITION = re.compile(r"(?:error at|at line) (\d+)(?::| column )(\d+)")
#: "line 3" (Virtuoso and others name the line only).
_LINE = re.compile(r"\bline (\d+)\b")
#: What a server says after its own words: Virtuoso repeats the whole request.
_SERVER_ECHO = re.compile(r"\s*SPARQL (?:query|update|request):.*\Z", re.IGNORECASE | re.DOTALL)
#: What goes before a server's own words: our wrapping, Virtuoso's codes.
_SERVER_NOISE = re.compile(
    r"^(?:SPARQL (?:query |update )?does not parse:\s*)?"
    r"(?:Virtuoso \w+ Error \w+:\s*)?(?:SPARQL compiler,\s*)?(?:line \d+:\s*)?",
    re.IGNORECASE,
)
_EXPECTED = re.compile(r"expected (?:one of )?(.*)", re.DOTALL)
#: Keywords and punctuation the engine lists as expected: kept; character classes dropped.
_KEYWORD = re.compile(r'[A-Za-z][A-Za-z0-9_]*|"[^"\s]{1,3}"')
#: At most this many expected tokens are listed.
MAX_EXPECTED = 8


@dataclass(frozen=True)
class ParseProblem:
    """Where a text does not parse (in the user's text) and why, in one line."""

    line: int | None
    column: int | None
    problem: str

    def __str__(self) -> str:
        if self.line is None:
            return self.problem
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.problem}"


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _items(listing: str) -> list[str]:
    """The entries of the engine's "expected one of a, b, [c | d]" list."""
    items: list[str] = []
    depth = 0
    current = ""
    quote = ""
    for char in " ".join(listing.split()):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        items.append(current.strip())
    return items


def _engine_problem(words: str) -> str:
    """The problem an engine's message states, without its grammar dump."""
    match = _EXPECTED.match(words)
    if not match:
        return " ".join(words.split())[:300] or "syntax error"
    items = _items(match.group(1))
    sentences = [i for i in items if " " in i and not i.startswith(("[", '"', "'"))]
    if sentences:
        first = sentences[0]
        return first[0].lower() + first[1:] if first[1:2].islower() else first
    keywords = [i for i in items if _KEYWORD.fullmatch(i) and i != "_"]
    if not keywords:
        return "the text cannot be read here (a string or IRI not closed, or a stray character?)"
    shown = ", ".join(keywords[:MAX_EXPECTED]) + (", …" if len(keywords) > MAX_EXPECTED else "")
    return f"expected {'one of ' if len(keywords) > 1 else ''}{shown}"


def _unknown_prefix(name: str) -> str:
    return (
        f"unknown prefix '{name}:' (declare it with PREFIX, or use one of the predefined "
        f"prefixes: {', '.join(PREDEFINED)})"
    )


def parse_problem(message: str, prepared: Prepared | str) -> ParseProblem:
    """One line for the parser ``message`` about a text :func:`with_prefixes` prepared
    (or a text sent as written), with the position in the text as written."""
    if isinstance(prepared, str):
        prepared = Prepared(prepared, prepared)
    text = prepared.original
    position = _POSITION.search(message)
    line: int | None = None
    column: int | None = None
    if position:
        line, column = prepared.user_position(int(position.group(1)), int(position.group(2)))
        words = message[position.end() :].lstrip(": ")
    else:
        found = _LINE.search(message)
        if found and int(found.group(1)) > 0:
            line = int(found.group(1))
        words = _SERVER_ECHO.sub("", _SERVER_NOISE.sub("", " ".join(message.split())))
    # An undeclared prefix at or before the failing place is what stopped the parser
    # (it reads from left to right); name it rather than what it expected there.
    for tok in reversed(undeclared(text)):
        tok_line, tok_column = _line_column(text, tok.start)
        if line is None or (tok_line, tok_column) <= (line, column or 10**9):
            return ParseProblem(tok_line, tok_column, _unknown_prefix(tok.text.partition(":")[0]))
    return ParseProblem(line, column, _engine_problem(words) if position else words)


def run_written(run: Callable[[str], T], text: str) -> T:
    """``run(text)`` with the predefined prefixes it uses declared; a text that does not
    parse raises a QueryError (of the same class) whose message is one line naming the
    position in ``text`` and the problem: ``SPARQL query does not parse: line 1, column
    23: unknown prefix 'foo:' (…)``.
    """
    prepared = with_prefixes(text)
    try:
        return run(prepared.text)
    except QueryError as exc:
        if "does not parse" not in str(exc):
            raise
        problem = parse_problem(str(exc), prepared)
        raise type(exc)(f"SPARQL query does not parse: {problem}") from None


__all__ = [
    "PREDEFINED",
    "ParseProblem",
    "Prepared",
    "Token",
    "parse_problem",
    "run_written",
    "tokens",
    "undeclared",
    "with_prefixes",
]
