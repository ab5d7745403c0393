"""Query planning, above any engine: what a query means before an index runs it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from practicegraph.search import SearchRequest, SearchVocabulary
from practicegraph.search.query import Clause, edit_distance, plan_query
from practicegraph.search.vocabulary import analyse


@dataclass
class FakeLexicon:
    """An index that knows some words and suggests spellings from a fixed list."""

    words: set[str] = field(default_factory=set)

    def known(self, text: str) -> bool:
        return all(w.lower() in self.words for w in text.split())

    def similar_words(self, word: str, max_distance: int) -> list[str]:
        return sorted(
            (w for w in self.words if edit_distance(word, w, max_distance) <= max_distance),
            key=lambda w: edit_distance(word, w, max_distance),
        )


@pytest.fixture(scope="module")
def vocabulary() -> SearchVocabulary:
    return SearchVocabulary(
        theme_labels={"probation": ["Probation and community sanctions", "probation"]},
        synonym_groups=[["reentry", "resettlement", "reintegration"], ["prison", "jail"]],
    )


def test_words_match_every_field_and_close_words_earn_a_bonus(
    vocabulary: SearchVocabulary,
) -> None:
    lexicon = FakeLexicon({"peer", "mentoring"})
    plan = plan_query(SearchRequest("peer mentoring"), vocabulary, lexicon)
    assert {(c.text, c.field) for c in plan.match} == {
        (w, f) for w in ("peer", "mentoring") for f in ("title", "entities", "body")
    }
    assert {c.text for c in plan.bonus} == {"peer mentoring"}
    assert plan.suggestion is None and not plan.expansions


def test_only_words_the_index_lacks_are_corrected(vocabulary: SearchVocabulary) -> None:
    lexicon = FakeLexicon({"probation", "officers"})
    plan = plan_query(SearchRequest("probaton officers"), vocabulary, lexicon)
    assert plan.suggestion == "probation officers"
    assert any(c.text == "probation" for c in plan.match)
    known = plan_query(SearchRequest("probation officers"), vocabulary, lexicon)
    assert known.suggestion is None
    short = plan_query(SearchRequest("fro officers"), vocabulary, FakeLexicon({"for"}))
    assert short.suggestion is None  # too short to correct safely


def test_synonyms_stand_in_only_for_absent_words(vocabulary: SearchVocabulary) -> None:
    """ "reentry" is absent from the index: its synonyms match at full weight and are
    explained; "prison" is known: "jail" is not added."""
    lexicon = FakeLexicon({"prison", "resettlement", "reintegration"})
    plan = plan_query(SearchRequest("reentry prison"), vocabulary, lexicon)
    assert ("reentry", "resettlement") in plan.expansions
    assert Clause("resettlement", "body", 1.0) in plan.match
    assert not any(c.text == "jail" for c in plan.match + plan.bonus)
    assert "resettlement" in plan.highlight


def test_quoted_phrases_are_required_in_title_or_text(vocabulary: SearchVocabulary) -> None:
    plan = plan_query(SearchRequest('"violent extremism" prison'), vocabulary, FakeLexicon())
    assert plan.required == (
        (Clause("violent extremism", "title", 2.0), Clause("violent extremism", "body", 2.0)),
    )


def test_filters_from_the_request_and_the_text_are_normalised(
    vocabulary: SearchVocabulary,
) -> None:
    request = SearchRequest(
        "training country:Latvia kind:Practice",
        themes=["Probation and community sanctions"],
        countries=["be"],
    )
    plan = plan_query(request, vocabulary, FakeLexicon({"training"}))
    assert dict(plan.filters) == {
        "themes": ("probation",),
        "countries": ("BE", "LV"),
        "kind": ("practice",),
    }
    assert [c.text for c in plan.match if c.field == "body"] == ["training"]


def test_a_query_naming_a_theme_matches_what_is_filed_under_it(
    vocabulary: SearchVocabulary,
) -> None:
    plan = plan_query(SearchRequest("probation"), vocabulary, FakeLexicon({"probation"}))
    assert plan.themes == ("probation",)


def test_paging_is_bounded_and_an_empty_query_matches_everything(
    vocabulary: SearchVocabulary,
) -> None:
    plan = plan_query(SearchRequest("", page=0, page_size=1000), vocabulary, FakeLexicon())
    assert (plan.page, plan.page_size) == (1, 100)
    assert plan.matches_everything
    stop_words = plan_query(SearchRequest("the of and"), vocabulary, FakeLexicon())
    assert stop_words.matches_everything and analyse("the of and") == ()


def test_edit_distance_counts_a_swap_as_one_and_stops_past_the_limit() -> None:
    assert edit_distance("probaton", "probation", 2) == 1
    assert edit_distance("recieve", "receive", 1) == 1
    assert edit_distance("prison", "probation", 2) == 3  # limit + 1: given up early
