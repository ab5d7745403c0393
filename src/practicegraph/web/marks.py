"""Mark spans inside a text: the evidence on a practice page, every mention on a document page.

Offsets come from the ``oa:TextPositionSelector`` of each annotation and
count characters of the stored text. Spans may nest (an organisation named
inside a practice's sentence) but HTML elements cannot cross, and a link
cannot hold another link; a span that would cross another, or put a link
inside a link, is left out and counted, so the page can say so instead of
producing broken markup. The result is a flat list of tokens that a template
walks: text (escaped by Jinja), and the opening and closing of each span.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Characters ``start:end`` marked as ``kind``, linking to ``href`` if given.

    A span with ``tag`` set is not a link itself but ends in a small link: a
    practice's sentence holds the links of the entities named in it.
    """

    start: int
    end: int
    kind: str
    label: str = ""
    href: str = ""
    anchor: str = ""  # an id to jump to (#evidence)
    tag: bool = False

    @property
    def is_link(self) -> bool:
        return bool(self.href) and not self.tag


@dataclass(frozen=True)
class Token:
    """``text`` (with ``value``), or ``open`` / ``close`` of ``span``."""

    type: str
    value: str = ""
    span: Span | None = None


@dataclass
class _Node:
    span: Span
    children: list[_Node] = field(default_factory=list)


@dataclass
class MarkedText:
    tokens: list[Token]
    dropped: list[Span]


def mark(text: str, spans: Iterable[Span]) -> MarkedText:
    """Nest the usable spans and flatten them with the text between them."""
    ordered = sorted(
        {s for s in spans if 0 <= s.start < s.end <= len(text)},
        key=lambda s: (s.start, -s.end, s.is_link, s.kind, s.label),
    )
    root = _Node(Span(0, len(text), "root"))
    stack = [root]
    dropped: list[Span] = []
    for span in ordered:
        while len(stack) > 1 and span.start >= stack[-1].span.end:
            stack.pop()
        parent = stack[-1]
        inside_link = any(node.span.is_link for node in stack[1:])
        if span.end > parent.span.end or (span.is_link and inside_link):
            dropped.append(span)
            continue
        node = _Node(span)
        parent.children.append(node)
        stack.append(node)
    tokens: list[Token] = []
    _flatten(text, root, tokens, top=True)
    return MarkedText(tokens, dropped)


def _flatten(text: str, node: _Node, out: list[Token], *, top: bool = False) -> None:
    if not top:
        out.append(Token("open", span=node.span))
    cursor = node.span.start
    for child in node.children:
        if child.span.start > cursor:
            out.append(Token("text", text[cursor : child.span.start]))
        _flatten(text, child, out)
        cursor = child.span.end
    if node.span.end > cursor:
        out.append(Token("text", text[cursor : node.span.end]))
    if not top:
        out.append(Token("close", span=node.span))


__all__ = ["MarkedText", "Span", "Token", "mark"]
