"""Semantic search: the sentence model, the passage vectors beside each engine's
index, and documents found by meaning alone, fused with the keyword ranking.

The texts are written for these tests; the model is the real one (int8 ONNX)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from practicegraph.config import Settings
from practicegraph.errors import ConfigError, StoreError
from practicegraph.search import ENGINES, SearchIndex, SearchRequest, embedding
from practicegraph.search.embedding import passages, shared_encoder
from practicegraph.search.query import Neighbour
from practicegraph.search.semantic_index import SemanticIndex
from search.records import record

OPENING = (
    "The prison opened in 1968 on the edge of the town. It holds two hundred men. "
    "The governor changed last spring. Visiting hours are on weekends. "
)
HORSES = (
    "Inmates care for horses in the stables every morning. Grooming and riding the "
    "animals teaches patience and responsibility. Staff say the yard is calmer."
)
KITCHEN = (
    "The catering budget paid for new ovens. Meals are cooked for four hundred people "
    "a day. The kitchen also trains cooks."
)
TAGGING = (
    "Probation officers supervise people who wear an ankle tag. The tag reports when "
    "someone leaves home during the curfew hours."
)


DOCS = [
    record("horses", "A rural prison", OPENING + HORSES, countries=["IE"]),
    record("kitchen", "Kitchen refurbishment", KITCHEN, countries=["IE"]),
    record("tagging", "Curfews and ankle tags", TAGGING, countries=["PT"]),
]


def iris(neighbours: list[Neighbour]) -> list[str]:
    return [n.iri for n in neighbours]


def test_paraphrases_are_nearer_than_unrelated_text() -> None:
    encoder = shared_encoder()
    documents = encoder.encode([HORSES, KITCHEN])
    query = encoder.encode(["equestrian therapy"])[0]
    assert documents.shape == (2, embedding.DIMENSIONS)
    assert np.allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-5)
    near, far = documents @ query
    assert near > far + 0.3


def test_encoding_does_not_depend_on_the_batch() -> None:
    encoder = shared_encoder()
    alone = encoder.encode([KITCHEN])[0]
    batched = encoder.encode(["A short one.", KITCHEN, HORSES * 3])[1]
    assert float(alone @ batched) > 0.9999


def test_passages_are_runs_of_three_sentences_led_by_the_title() -> None:
    body = " ".join(f"Sentence number {n} ends here." for n in range(1, 8))
    windows = passages("A title", body)
    assert windows[0].startswith("A title. Sentence number 1")
    assert [w.count("Sentence") for w in windows] == [3, 3, 1]
    assert "number 4" in windows[1] and "number 7" in windows[2]
    assert passages("Only a title", "") == ["Only a title."]
    assert passages("", "One.\nTwo, a list item\n\nThree! Four?") == [
        "One. Two, a list item Three!",
        "Four?",
    ]


def test_a_model_file_that_is_not_the_pinned_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embedding, "MODEL_SHA256", "0" * 64)
    with pytest.raises(StoreError, match=r"model.onnx: sha256 .* is not the pinned 0000"):
        embedding.SentenceEncoder()


def test_vectors_follow_writes_and_other_instances_see_them(tmp_path: Path) -> None:
    writer = SemanticIndex(tmp_path, shared_encoder())
    reader = SemanticIndex(tmp_path, shared_encoder())  # as another process would
    writer.replace({d.source: [d] for d in DOCS})
    assert writer.hashes() == {
        "horses.txt": "horses",
        "kitchen.txt": "kitchen",
        "tagging.txt": "tagging",
    }
    nearest = reader.neighbours("equestrian therapy")[0]
    assert nearest.iri == "https://example.org/horses" and nearest.cosine > 0.45
    assert "horses" in nearest.passage and "1968" not in nearest.passage
    writer.delete(["horses.txt"])
    assert "https://example.org/horses" not in iris(reader.neighbours("equestrian therapy"))
    imported = record("remote", "Horse riding for young offenders", HORSES, dataset="partner")
    writer.replace_dataset("partner", {"partner/remote.txt": [imported]})
    assert reader.neighbours("equestrian therapy")[0].iri == "https://example.org/remote"
    writer.replace_dataset("partner", {})
    writer.clear()
    assert reader.neighbours("equestrian therapy") == [] and writer.hashes() == {}


def test_unrelated_documents_stay_out(tmp_path: Path) -> None:
    semantic = SemanticIndex(tmp_path, shared_encoder())
    semantic.replace({d.source: [d] for d in DOCS})
    assert "https://example.org/kitchen" not in iris(semantic.neighbours("equestrian therapy"))


@pytest.fixture(params=sorted(ENGINES))
def index(tmp_path: Path, request: pytest.FixtureRequest) -> SearchIndex:
    ix = ENGINES[request.param](tmp_path / "index", semantic=True)
    practice = record(
        "kitchen-p1",
        "Training cooks in the prison kitchen",
        "The kitchen also trains cooks.",
        kind="practice",
        source="kitchen.txt",
        doc_iri="https://example.org/kitchen",
    )
    ix.replace({d.source: [d] for d in DOCS} | {"kitchen.txt": [DOCS[1], practice]})
    return ix


def ids(response: object) -> list[str]:
    return [hit.id.rsplit("/", 1)[-1] for hit in response.hits]  # type: ignore[attr-defined]


def test_a_document_without_the_words_is_found_by_meaning_and_says_so(
    index: SearchIndex,
) -> None:
    response = index.search(SearchRequest("equestrian therapy"))
    assert ids(response) == ["horses"]
    assert response.hits[0].matched_via == ["similar meaning"]
    # the snippet is the passage that was near, not the document's opening
    assert "horses" in response.hits[0].snippet and "1968" not in response.hits[0].snippet
    assert response.total == 1 and dict(response.facets["kind"]) == {"document": 1}


def test_meaning_adds_to_the_keyword_matches(index: SearchIndex) -> None:
    response = index.search(SearchRequest("curfew riding"))
    assert {"horses", "tagging"} <= set(ids(response))
    assert sum(n for _v, n in response.facets["kind"]) == response.total


def test_filters_apply_to_documents_found_by_meaning(index: SearchIndex) -> None:
    assert ids(index.search(SearchRequest("equestrian therapy", countries=["PT"]))) == []
    assert ids(index.search(SearchRequest("equestrian therapy country:IE"))) == ["horses"]


def test_exact_words_and_date_order_leave_meaning_out(index: SearchIndex) -> None:
    assert ids(index.search(SearchRequest('"equestrian therapy"'))) == []
    assert ids(index.search(SearchRequest("equestrian therapy", sort="date"))) == []


def test_a_document_without_vectors_reports_no_hash_to_be_written_again(
    tmp_path: Path,
) -> None:
    plain = ENGINES["tantivy"](tmp_path / "index")
    plain.replace({d.source: [d] for d in DOCS})
    assert len(plain.indexed_hashes()) == 3
    with_meaning = ENGINES["tantivy"](tmp_path / "index", semantic=True)
    assert with_meaning.indexed_hashes() == {}
    with_meaning.replace({DOCS[0].source: [DOCS[0]]})
    assert with_meaning.indexed_hashes() == {"horses.txt": "horses"}


def test_the_setting_is_a_yes_or_no(tmp_path: Path) -> None:
    off = Settings.from_env({"PRACTICEGRAPH_SEARCH_SEMANTIC": "off"}, data_dir=tmp_path)
    assert off.search_semantic is False
    with pytest.raises(ConfigError, match="PRACTICEGRAPH_SEARCH_SEMANTIC=maybe: must be true"):
        Settings.from_env({"PRACTICEGRAPH_SEARCH_SEMANTIC": "maybe"}, data_dir=tmp_path)


def test_a_query_asked_again_is_not_encoded_again(tmp_path: Path) -> None:
    calls: list[int] = []

    class Counting:
        def encode(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return shared_encoder().encode(texts)

    semantic = SemanticIndex(tmp_path, Counting())  # type: ignore[arg-type]
    semantic.replace({d.source: [d] for d in DOCS})
    written = len(calls)
    first = semantic.neighbours("equestrian therapy")
    assert semantic.neighbours("equestrian therapy") == first  # paging, a facet click
    semantic.neighbours("ankle tags")
    assert calls[written:] == [1, 1]
