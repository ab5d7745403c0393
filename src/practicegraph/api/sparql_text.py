"""What the HTTP layer needs to know about a SPARQL text before running it.

pyoxigraph parses SPARQL but does not expose the parsed algebra to Python, so
the few questions the endpoint must answer before execution are answered by a
small lexer that knows SPARQL's token classes (IRIs, prefixed names, strings,
comments, variables, punctuation) without parsing the grammar
(:func:`practicegraph.graph.sparql_syntax.tokens`). It is not a
security boundary: which addresses a request reaches is decided by a real
parser in :mod:`practicegraph.api.sparql_guard`. The lexer answers:

- whether an update already names its dataset (``USING``/``USING NAMED``/``WITH``),
  which the protocol forbids together with ``using-graph-uri`` parameters;
- the same update with the protocol's ``using-graph-uri``/``using-named-graph-uri``
  turned into ``USING``/``USING NAMED`` clauses of each DELETE/INSERT operation;
- which graphs an update can modify (the IRIs it names, or "any graph" when it
  writes to ``GRAPH ?var`` or drops/clears ALL/NAMED), to keep the keyword
  index in step.

The lexer never decides whether a text is valid SPARQL: the real parser runs
afterwards and its message is what a user sees for a syntax error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from practicegraph.graph.sparql_syntax import Token, tokens
from practicegraph.sparql_terms import iri


@dataclass
class _Resolver:
    base: str | None
    prefixes: dict[str, str] = field(default_factory=dict)

    def iri(self, token: Token) -> str | None:
        """The absolute IRI a token names, or None (a variable, an unknown prefix)."""
        if token.kind == "iri":
            value = token.text[1:-1]
            return urljoin(self.base, value) if self.base else value
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix in self.prefixes:
                return self.prefixes[prefix] + local.replace("\\", "")
        return None

    def declare(self, toks: list[Token], i: int) -> int:
        """Consume PREFIX/BASE declarations at toks[i]; returns the next index."""
        while i < len(toks):
            if toks[i].is_word("PREFIX") and i + 2 < len(toks):
                name = toks[i + 1].text.rstrip(":") if toks[i + 1].kind == "pname" else ""
                target = self.iri(toks[i + 2])
                if target is not None:
                    self.prefixes[name] = target
                i += 3
            elif toks[i].is_word("BASE") and i + 1 < len(toks):
                if toks[i + 1].kind == "iri":
                    self.base = self.iri(toks[i + 1])
                i += 2
            else:
                break
        return i


def _resolver_over(toks: list[Token], base: str | None) -> _Resolver:
    """A resolver that knows every PREFIX/BASE declared anywhere in the text."""
    resolver = _Resolver(base)
    for i, tok in enumerate(toks):
        if tok.is_word("PREFIX", "BASE"):
            resolver.declare(toks, i)
    return resolver


def _operations(toks: list[Token]) -> list[list[Token]]:
    """Split an update's tokens into operations at top-level ``;``."""
    ops: list[list[Token]] = [[]]
    depth = 0
    for tok in toks:
        if tok.kind == "punct" and tok.text in "{[(":
            depth += 1
        elif tok.kind == "punct" and tok.text in "}])":
            depth -= 1
        if depth == 0 and tok.kind == "punct" and tok.text == ";":
            ops.append([])
            continue
        ops[-1].append(tok)
    return [op for op in ops if op]


def _top_level(op: list[Token]) -> list[tuple[int, Token]]:
    out = []
    depth = 0
    for i, tok in enumerate(op):
        if tok.kind == "punct" and tok.text in "{[(":
            depth += 1
        elif tok.kind == "punct" and tok.text in "}])":
            depth -= 1
        elif depth == 0:
            out.append((i, tok))
    return out


def _body(op: list[Token]) -> list[Token]:
    """An operation without its leading PREFIX/BASE declarations."""
    i = _Resolver(None).declare(op, 0)
    return op[i:]


def names_dataset(update: str) -> bool:
    """True when an operation of the update has its own USING, USING NAMED or WITH."""
    for op in _operations(tokens(update)):
        for _i, tok in _top_level(_body(op)):
            if tok.is_word("USING", "WITH"):
                return True
    return False


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with USING/USING NAMED clauses for the protocol's dataset parameters.

    Each DELETE/INSERT ... WHERE operation gets the clauses just before its
    top-level WHERE; a ``DELETE WHERE { P }`` becomes ``DELETE { P } USING ...
    WHERE { P }``, its equivalent that accepts a dataset. Other operations
    (INSERT DATA, CLEAR, LOAD, ...) have no dataset and stay as they are.
    """
    if not using and not using_named:
        return update
    clauses = " ".join(
        [f"USING {iri(g)}" for g in using] + [f"USING NAMED {iri(g)}" for g in using_named]
    )
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the text
    for op in _operations(tokens(update)):
        body = _body(op)
        if not body or not body[0].is_word("DELETE", "INSERT", "WITH"):
            continue
        if len(body) > 1 and body[1].is_word("DATA"):
            continue
        top = _top_level(body)
        where = next((i for i, tok in top if tok.is_word("WHERE")), None)
        if where is None:
            continue
        if body[0].is_word("DELETE") and where == 1:
            # DELETE WHERE { P }: the template is the pattern itself.
            close = _matching_brace(body, 2)
            pattern = update[body[2].start : body[close].end]
            edits.append((body[0].start, body[1].end, f"DELETE {pattern} {clauses} WHERE"))
        else:
            edits.append((body[where].start, body[where].start, f"{clauses} "))
    for start, end, text in sorted(edits, reverse=True):
        update = update[:start] + text + update[end:]
    return update


def _matching_brace(toks: list[Token], open_index: int) -> int:
    depth = 0
    for i in range(open_index, len(toks)):
        if toks[i].kind == "punct" and toks[i].text == "{":
            depth += 1
        elif toks[i].kind == "punct" and toks[i].text == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(toks) - 1


@dataclass(frozen=True)
class WriteScope:
    """The graphs an update may modify: ``any_graph`` or the IRIs it names."""

    any_graph: bool
    iris: frozenset[str]


def write_scope(update: str, base: str | None = None) -> WriteScope:
    """Which graphs an update can change, conservatively.

    Every IRI named in the text (after prefix expansion) is a candidate; a
    write to ``GRAPH ?var`` (or ``SILENT`` variants) and DROP/CLEAR of
    ALL/NAMED can touch any graph.
    """
    toks = tokens(update)
    resolver = _resolver_over(toks, base)
    any_graph = False
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.is_word("GRAPH") and nxt is not None and nxt.kind == "var":
            any_graph = True
        if tok.is_word("DROP", "CLEAR"):
            j = i + 1
            if j < len(toks) and toks[j].is_word("SILENT"):
                j += 1
            if j < len(toks) and toks[j].is_word("ALL", "NAMED"):
                any_graph = True
    iris = frozenset(filter(None, (resolver.iri(t) for t in toks)))
    return WriteScope(any_graph, iris)
