"""Marking spans in a text: nesting, crossing spans, links inside links."""

from __future__ import annotations

from practicegraph.web.marks import Span, Token, mark

TEXT = "ICPA met in Riga, Latvia."


def rebuilt(tokens: list[Token]) -> str:
    return "".join(t.value for t in tokens if t.type == "text")


def shape(tokens: list[Token]) -> str:
    parts = []
    for t in tokens:
        assert t.type == "text" or t.span is not None
        if t.type == "text":
            parts.append(t.value)
        elif t.span is not None:
            parts.append(f"[{t.span.kind}:" if t.type == "open" else "]")
    return "".join(parts)


def test_spans_nest_and_the_text_is_kept_whole() -> None:
    spans = [
        Span(0, len(TEXT), "practice", href="/p", tag=True),
        Span(0, 4, "organisation", href="/o"),
        Span(12, 16, "place", href="/pl"),
        Span(18, 24, "country", href="/c"),
    ]
    result = mark(TEXT, spans)
    assert rebuilt(result.tokens) == TEXT
    assert shape(result.tokens) == (
        "[practice:[organisation:ICPA] met in [place:Riga], [country:Latvia].]"
    )
    assert not result.dropped


def test_crossing_spans_and_links_in_links_are_dropped_and_counted() -> None:
    crossing = Span(14, 20, "event", href="/e")
    inner_link = Span(12, 14, "place", href="/x")
    result = mark(TEXT, [Span(12, 16, "place", href="/pl"), crossing, inner_link])
    assert set(result.dropped) == {crossing, inner_link}
    assert rebuilt(result.tokens) == TEXT


def test_out_of_range_spans_are_ignored() -> None:
    result = mark(TEXT, [Span(-1, 3, "x"), Span(5, 500, "x"), Span(4, 4, "x")])
    assert result.tokens == [Token("text", TEXT)]
