import pytest

from practicegraph.search.analysis import american_spelling, text_analyzer
from practicegraph.search.index import parse_query


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
