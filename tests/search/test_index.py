"""The keyword index on a small, hand-made collection: ranking, facets, forgiveness.

Every test runs against each engine: the behaviour is the search layer's, not one
engine's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from practicegraph.search import ENGINES, SearchIndex, SearchRequest
from search.records import record

FILLER = "The annual report lists meetings, budgets and staff news. " * 5


@pytest.fixture(params=sorted(ENGINES))
def index(tmp_path: Path, request: pytest.FixtureRequest) -> SearchIndex:
    ix = ENGINES[request.param](tmp_path / "index")
    docs = [
        record(
            "mentoring",
            "Mentoring schemes for new probation officers",
            "Probation services introduced mentoring schemes. Mentors train new probation "
            "officers during their first year. Mentoring helps officers learn on the job.",
            themes=["probation", "staff-training"],
            countries=["FR"],
            year="2025",
            date="2025-03-26",
            organisations=["Confederation of European Probation"],
            entities="Confederation of European Probation ; CEP ; France ; Agen",
        ),
        record(
            "passing",
            "Annual report 2019",
            FILLER + "One line mentions mentoring in passing.",
            themes=["evaluation"],
            countries=["GB"],
            year="2019",
            date="2019-01-01",
        ),
        record(
            "riga",
            "Future Competences for Future Prisons",
            "An international conference in Riga discussed the resocialisation of convicts "
            "and the reintegration of former prisoners into society.",
            themes=["rehabilitation", "staff-training"],
            countries=["LV"],
            year="2023",
            date="2023-05-25",
            entities="Latvia ; LV ; Riga ; Latvian Prison Administration",
        ),
        record(
            "radical",
            "Radicalisation and probation",
            "Probation officers work with people convicted of terrorism. Radicalisation "
            "and violent extremism require specialised supervision.",
            themes=["radicalisation", "probation"],
            countries=["BE"],
            year="2018",
            date="2018-02-28",
            entities="European Organisation of Prison and Correctional Services ; EuroPris",
        ),
        record(
            "careers",
            "Career guidance for prison officers",
            "Career guidance and career counselling help prison staff progress.",
            themes=["career-development"],
            countries=["RO"],
            year="2022",
            date="2022-01-01",
        ),
        record(
            "lille",
            "Visit to Lillestrøm",
            "Staff from Lillestrøm prison shared their community sanctions experience.",
            themes=["probation"],
            countries=["NO"],
            year="2024",
            date="2024-06-01",
        ),
    ]
    practice = record(
        "mentoring-p1",
        "Mentoring scheme for probation officers",
        "Probation services use mentors to train new probation officers.",
        kind="practice",
        source="mentoring.txt",
        doc_iri="https://example.org/mentoring",
        themes=["staff-training"],
        countries=["FR"],
        year="2025",
        date="2025-03-26",
    )
    ix.replace({d.source: [d] for d in docs} | {"mentoring.txt": [docs[0], practice]})
    return ix


def top(index: SearchIndex, query: str, **kwargs: object) -> list[str]:
    response = index.search(SearchRequest(query, **kwargs))  # type: ignore[arg-type]
    return [hit.id.rsplit("/", 1)[-1] for hit in response.hits]


def test_a_document_about_the_topic_beats_one_that_mentions_it_once(index: SearchIndex) -> None:
    ranked = top(index, "mentoring new probation officers")
    assert ranked.index("mentoring") < ranked.index("passing")
    assert ranked[0] in ("mentoring", "mentoring-p1")


def test_practices_are_hits_of_their_own(index: SearchIndex) -> None:
    response = index.search(SearchRequest("mentoring scheme", kinds=["practice"]))
    assert [h.kind for h in response.hits] == ["practice"]
    assert response.hits[0].source == "mentoring.txt"
    assert response.hits[0].document == "https://example.org/mentoring"


def test_british_and_american_spellings_find_the_same(index: SearchIndex) -> None:
    assert top(index, "radicalization")[0] == "radical"
    assert top(index, "radicalisation")[0] == "radical"


def test_accents_are_folded(index: SearchIndex) -> None:
    assert top(index, "Lillestrom")[0] == "lille"


def test_synonyms_find_documents_without_the_words(index: SearchIndex) -> None:
    assert top(index, "reentry")[0] == "riga"
    assert "lille" in top(index, "community sanctions")
    assert top(index, "career advice")[0] == "careers"


def test_graph_entities_make_names_findable(index: SearchIndex) -> None:
    assert top(index, "Latvia")[0] == "riga"
    assert top(index, "EuroPris")[0] == "radical"


def test_misspelling_is_tolerated_and_corrected(index: SearchIndex) -> None:
    response = index.search(SearchRequest("probaton officers"))
    assert response.suggestion == "probation officers"
    assert response.hits and response.hits[0].id.rsplit("/", 1)[-1] in (
        "mentoring",
        "mentoring-p1",
        "radical",
    )


def test_long_query_with_an_absent_word_still_ranks(index: SearchIndex) -> None:
    assert top(index, "mentoring probation officers zeppelin")[0] in ("mentoring", "mentoring-p1")


def test_quoted_phrase_is_required(index: SearchIndex) -> None:
    assert set(top(index, '"violent extremism"')) == {"radical"}


def test_malformed_query_does_not_fail(index: SearchIndex) -> None:
    assert "radical" in top(index, 'radicalisation AND (probation "')


def test_facets_count_and_filters_narrow(index: SearchIndex) -> None:
    response = index.search(SearchRequest("probation"))
    themes = dict(response.facets["theme"])
    assert themes["probation"] >= 2
    kinds = dict(response.facets["kind"])
    assert kinds == {
        "document": response.total - kinds.get("practice", 0),
        "practice": kinds.get("practice", 0),
    }
    assert top(index, "probation", countries=["BE"]) == ["radical"]
    assert top(index, "probation country:BE") == ["radical"]
    assert top(index, "probation", themes=["Radicalisation and violent extremism"]) == ["radical"]
    assert set(top(index, "probation", years=["2025"])) <= {"mentoring", "mentoring-p1"}


def test_snippet_marks_the_matching_sentence(index: SearchIndex) -> None:
    response = index.search(SearchRequest("violent extremism"))
    assert "<mark" in response.hits[0].snippet
    assert "extremism" in response.hits[0].snippet


def test_pagination_and_date_sort(index: SearchIndex) -> None:
    everything = index.search(SearchRequest("staff officers probation", page_size=2))
    assert len(everything.hits) == 2 and everything.pages >= 2
    second = index.search(SearchRequest("staff officers probation", page_size=2, page=2))
    assert not {h.id for h in second.hits} & {h.id for h in everything.hits}
    dated = index.search(SearchRequest("probation", sort="date", page_size=20))
    years = [h.year or "" for h in dated.hits]
    assert years == sorted(years, reverse=True)


def test_replacing_a_source_replaces_its_records(index: SearchIndex) -> None:
    index.replace({"riga.txt": [record("riga", "Something else", "Nothing about Latvia.")]})
    assert "riga" not in top(index, "resocialisation")
    index.delete(["riga.txt"])
    assert index.counts()["document"] == 5
    assert "riga.txt" not in index.indexed_hashes()


def test_one_documents_practices_do_not_fill_the_first_page(index: SearchIndex) -> None:
    """Documents are ranked, each followed by its two best matching practices: six
    practices of one document do not push the other documents off the first page.
    Its other practices come after every document, so the listing holds every match."""
    practices = [
        record(
            f"hub-p{n}",
            f"Peer mentoring circle number {n}",
            "Peer mentoring circles pair a new officer with a mentor.",
            kind="practice",
            source="hub.txt",
            doc_iri="https://example.org/hub",
        )
        for n in range(6)
    ]
    hub = record("hub", "Peer mentoring everywhere", "Peer mentoring circles in every unit.")
    index.replace({"hub.txt": [hub, *practices]})
    response = index.search(SearchRequest("mentoring", page_size=6))
    listed = [(hit.kind, hit.document) for hit in response.hits]
    hub_records = [kind for kind, document in listed if document == "https://example.org/hub"]
    assert sorted(hub_records) == ["document", "practice", "practice"]
    assert ("document", "https://example.org/mentoring") in listed
    for at, (kind, document) in enumerate(listed):
        if kind == "practice":  # right after its document or a sibling practice
            assert listed[at - 1][1] == document
    everything = index.search(SearchRequest("mentoring", page_size=50))
    assert (
        everything.total == len(everything.hits) == sum(n for _kind, n in everything.facets["kind"])
    )
    assert sum(h.document == "https://example.org/hub" for h in everything.hits) == 7
    only_practices = index.search(SearchRequest("mentoring", kinds=["practice"], page_size=50))
    hub_practices = [h for h in only_practices.hits if h.document == "https://example.org/hub"]
    assert len(hub_practices) == 6


def test_a_hit_found_through_a_synonym_says_so(index: SearchIndex) -> None:
    """ "reentry" occurs in no document: the hit that matched through one of its
    synonyms says which, and marks that word in the snippet."""
    hit = index.search(SearchRequest("reentry")).hits[0]
    assert hit.id.endswith("/riga")
    assert hit.matched_via and all(via.startswith("reentry → ") for via in hit.matched_via)
    assert "<mark" in hit.snippet


def test_a_hit_found_through_its_theme_says_which(index: SearchIndex) -> None:
    """The annual report never writes "evaluation" but is filed under the theme the
    word names: its hit marks nothing and says it matched through the theme."""
    hits = {
        hit.id.rsplit("/", 1)[-1]: hit for hit in index.search(SearchRequest("evaluation")).hits
    }
    assert "<mark" not in hits["passing"].snippet
    assert hits["passing"].matched_via == ["theme: Evaluation and performance measurement"]


def test_snippets_mark_whole_words_after_letters_outside_ascii(index: SearchIndex) -> None:
    """tantivy reports highlights as byte offsets: an "ø" before them must not shift
    the marks (the word is marked whole, as written)."""
    snippet = index.search(SearchRequest("Lillestrom prison")).hits[0].snippet
    assert re.search(r"<mark[^>]*>Lillestrøm</mark>", snippet), snippet
    assert re.search(r"<mark[^>]*>prison</mark>", snippet), snippet
