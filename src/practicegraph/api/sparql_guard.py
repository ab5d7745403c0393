"""What a SPARQL request would make the engine do beyond reading the store, decided before it runs.

Oxigraph calls a ``SERVICE`` endpoint by sending it the sub-query over HTTP and
runs ``LOAD`` by fetching the IRI; pyoxigraph has no switch for its HTTP client.
So the endpoint must know, before execution, every address a request reaches.
A token scanner cannot know it: ``FILTER(?a<'x>' || true) SERVICE <...>`` reads as
an IRI ``<'x>`` followed by a string to a scanner, and as a comparison followed by
a SERVICE clause to the engine. Here the decision comes from a real SPARQL 1.1
parser (rdflib's grammar), which reads strings, IRIs, comments and operators as
the engine does:

- a text whose letters (after SPARQL's ``\\u``/``\\U`` escapes are expanded, as the
  grammar says they are before parsing) contain neither ``service`` nor ``load``
  in any case cannot hold either keyword and is not parsed here: the common case
  costs one lower-casing;
- otherwise it is parsed, and every ``SERVICE`` endpoint and ``LOAD`` source is
  read from the parse tree, with prefixed names and relative IRIs resolved as the
  engine resolves them;
- a text that mentions either word but that the parser cannot read is refused:
  what cannot be checked does not run.

The same module bounds a request's shape. Oxigraph evaluates nested groups and
long operator chains recursively and overflows its stack past a few thousand
levels (measured: 3,000 nested groups, 10,000 UNIONs or ``+`` terms kill the
process), so requests deeper or longer than the limits below are refused up
front with a 400, before any worker or the store sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from practicegraph.graph import sparql_syntax

#: Deepest nesting of ``{ ( [`` brackets a request may have (oxigraph's stack
#: overflowed at 3,000 nested groups; 1,000 ran, so this keeps a wide margin).
MAX_NESTING = 256
#: Most graph-pattern operators (UNION, OPTIONAL, MINUS, FILTER, BIND, GRAPH,
#: SERVICE, EXISTS, sub-SELECTs): each adds a level to the algebra the engine
#: walks recursively (10,000 UNIONs overflowed, 5,000 ran).
MAX_PATTERN_OPERATORS = 1_000
#: Most expression and path operators (``| / + - * ! & = < > ^``; 20,000 overflowed,
#: 5,000 ran).
MAX_EXPRESSION_OPERATORS = 2_000

_PATTERN_WORDS = frozenset(
    ("UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "EXISTS", "SELECT")
)
_EXPRESSION_PUNCT = frozenset("|/+-*!&=<>^")


class RefusedRequestError(ValueError):
    """A request refused before it runs; ``detail`` says what and why."""

    def __init__(self, message: str, detail: dict[str, Any]) -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class NetworkUse:
    """What a request would fetch: SERVICE endpoints (None for ``SERVICE ?var``) and LOADs."""

    services: tuple[str | None, ...] = ()
    loads: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.services or self.loads)


def mentions_network(text: str) -> bool:
    """Whether a text could hold SERVICE or LOAD at all (cheap; no parsing).

    The engine matches keywords in ASCII letters of any case and expands ``\\u``
    escapes only inside strings and IRIs, so a keyword it obeys is spelt out in
    the raw text; an escaped spelling is looked for too, to be on the safe side.
    """
    lowered = text.lower()
    if "service" in lowered or "load" in lowered:
        return True
    if "\\u" in lowered:
        try:
            expanded = expandUnicodeEscapes(text).lower()
        except ValueError:  # an escape of no character: cannot be read, so not run
            return True
        return "service" in expanded or "load" in expanded
    return False


def provably_within_limits(text: str) -> bool:
    """True when the raw characters alone show the limits cannot be reached.

    Every real bracket or operator is a character of the text, so these counts
    are upper bounds that no string, IRI or comment can lower: a request that
    passes here is safe without trusting any lexer. The common, short request
    costs a few ``str.count`` calls.
    """
    return (
        text.count("{") + text.count("(") + text.count("[") <= MAX_NESTING
        and sum(text.count(c) for c in _EXPRESSION_PUNCT) <= MAX_EXPRESSION_OPERATORS
        and len(text) <= MAX_PATTERN_OPERATORS * 5
    )


def check_shape(text: str) -> None:
    """Refuse a request nested or chained past what the engine evaluates safely.

    Past :func:`provably_within_limits` this reads tokens, and a lexer can be
    misled about where a string starts; so the nesting is taken as the worse of
    two readings, and the HTTP layer gives updates that are not provably safe a
    trial run in a worker before they touch the store (queries already run in
    workers, where a crash costs a replacement).
    """
    if provably_within_limits(text):
        return
    with_iris, without_iris = _shape(text, iris=True), _shape(text, iris=False)
    deepest = max(with_iris[0], without_iris[0])
    _, pattern_ops, expression_ops = with_iris
    for found, limit, what in (
        (deepest, MAX_NESTING, "brackets nested"),
        (pattern_ops, MAX_PATTERN_OPERATORS, "graph-pattern operators"),
        (expression_ops, MAX_EXPRESSION_OPERATORS, "expression and path operators"),
    ):
        if found > limit:
            raise RefusedRequestError(
                f"the request is too complex to run safely: {found} {what}, at most {limit}",
                {"found": found, "limit": limit, "what": what},
            )


def _shape(text: str, *, iris: bool) -> tuple[int, int, int]:
    """(deepest bracket nesting, graph-pattern operators, expression operators)."""
    depth = deepest = 0
    pattern_ops = expression_ops = 0
    for tok in sparql_syntax.tokens(text, iris=iris):
        if tok.kind == "punct":
            if tok.text in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif tok.text in "})]":
                depth -= 1
            elif tok.text[0] in _EXPRESSION_PUNCT:
                expression_ops += 1
        elif tok.kind == "word" and tok.text.upper() in _PATTERN_WORDS:
            pattern_ops += 1
    return deepest, pattern_ops, expression_ops


#: A carriage return not followed by a line feed: the engine ends a comment there,
#: rdflib's grammar does not.
_LONE_CR = re.compile(r"\r(?!\n)")


def network_use(text: str, *, update: bool, base: str | None) -> NetworkUse:
    """Every SERVICE endpoint and LOAD source of a query or update, read by a SPARQL parser.

    Raises RefusedRequestError when the text mentions SERVICE or LOAD and the parser
    cannot read it (it would be guessing which of the two the engine sees).
    """
    if not mentions_network(text):
        return NetworkUse()
    kind = "update" if update else "query"
    if "\\u" in text.lower():
        # rdflib expands \u escapes everywhere before parsing (SPARQL 1.1), the engine
        # only inside strings and IRIs: the two would read different requests
        raise RefusedRequestError(
            f"the {kind} mentions SERVICE or LOAD and holds \\u escapes, which the check "
            "and the engine read differently: write the characters themselves",
            {"escapes": True},
        )
    try:
        parsed = (
            parseUpdate(_LONE_CR.sub("\n", text))
            if update
            else parseQuery(_LONE_CR.sub("\n", text))
        )
        return _collect(parsed, update=update, base=base)
    except (ParseException, RecursionError, ValueError, TypeError, KeyError) as exc:
        raise RefusedRequestError(
            f"the {kind} mentions SERVICE or LOAD and could not be checked: "
            "only requests whose outside calls are known run",
            {"parser": " ".join(str(exc).split())[:300]},
        ) from None


def _collect(parsed: Any, *, update: bool, base: str | None) -> NetworkUse:
    services: list[str | None] = []
    loads: list[str] = []
    if update:
        pairs = list(zip(parsed.prologue, parsed.request, strict=False))
    else:
        pairs = [(parsed[0], parsed[1])]
    prologue = None
    for raw_prologue, body in pairs:
        prologue = translatePrologue(raw_prologue, base, None, prologue)
        for node in _nodes(body):
            if node.name == "ServiceGraphPattern":
                term = node.get("term")
                services.append(
                    None if isinstance(term, Variable) else str(prologue.absolutize(term))
                )
            elif node.name == "Load":
                loads.append(str(prologue.absolutize(node.get("iri"))))
    return NetworkUse(tuple(services), tuple(loads))


def _nodes(tree: Any) -> Iterator[CompValue]:
    """Every CompValue of a parse tree, without recursion (trees can be deep)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, URIRef | str):
            continue


def refusal(use: NetworkUse, allowlist: frozenset[str]) -> RefusedRequestError | None:
    """Why a request's outside calls are not allowed, or None when they all are."""
    if use.loads:
        return RefusedRequestError(
            "LOAD is off: this server fetches nothing on a request's behalf; send the data "
            "with PUT /graph-store or import it as a source (PUT /sources/NAME)",
            {"refused": list(use.loads)},
        )
    refused = [e for e in use.services if e is None or e not in allowlist]
    if refused:
        names = ", ".join(e or "a variable endpoint" for e in refused)
        return RefusedRequestError(
            f"SERVICE federation is off for {names}: only endpoints in the service "
            "allow-list (setting service_allowlist) may be called",
            {"refused": refused, "allowlist": sorted(allowlist)},
        )
    return None
