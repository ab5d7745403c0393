import pytest

from practicegraph.search.analysis import american_spelling, reference_analyzer, text_analyzer
from practicegraph.search.query import parse_query


def terms(text: str) -> list[str]:
    return [t.text for t in text_analyzer()(text)]


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("radicalisation", "radicalization"),
        ("organised", "organized"),
        ("programme", "program"),
        ("behaviour", "behavior"),
        ("counselling", "counseling"),
        ("re-entry", "reentry"),
        ("co-operation", "cooperation"),
        ("Lillestrøm", "Lillestrom"),
    ],
)
def test_variants_meet_in_one_term(british: str, american: str) -> None:
    assert terms(british) == terms(american)


@pytest.mark.parametrize("word", ["supervise", "expertise", "promise", "hours", "your"])
def test_words_that_only_look_british_are_kept(word: str) -> None:
    assert american_spelling(word) == word


def test_parse_plain_words_phrases_and_filters() -> None:
    parsed = parse_query('"electronic monitoring" country:HR theme:probation mentoring')
    assert parsed.phrases == ["electronic monitoring"]
    assert parsed.filters == {"country": ["HR"], "theme": ["probation"]}
    assert parsed.words == ["mentoring"]


@pytest.mark.parametrize(
    "query", ["foo AND (bar", '"unbalanced quote', "title:", "::: ***", "unknown:field words", ""]
)
def test_malformed_syntax_falls_back_to_words(query: str) -> None:
    parsed = parse_query(query)
    assert all(w.upper() not in ("AND", "OR") for w in parsed.words)
    assert "unknown" not in parsed.filters


_MIXED = (
    "The Prison Service's re-entry programme, organised in Lillestrøm on 3 May, "
    "offers counselling and an e-learning course: A to Z of it, for staff who are "
    "on duty at the centre. Is it the best? Yes -- it is; ÉCOLE Nationale, ok."
)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"positions": True, "chars": True},
        {"positions": True, "removestops": False},
        {"mode": "query", "positions": True, "chars": True, "removestops": False},
    ],
)
def test_the_fused_filter_gives_what_the_whoosh_chain_gives(options: dict[str, object]) -> None:
    """Text, positions, offsets and stop marks, token by token, in index and query use."""

    def tokens(analyzer: object) -> list[tuple[object, ...]]:
        return [
            (t.text, t.stopped, t.pos if t.positions else None, (t.startchar, t.endchar))
            if t.chars
            else (t.text, t.stopped, t.pos if t.positions else None)
            for t in analyzer(_MIXED, **options)  # type: ignore[operator]
        ]

    assert tokens(text_analyzer()) == tokens(reference_analyzer())
