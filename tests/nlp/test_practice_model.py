"""The trained practice-sentence classifier: shipped (its trained layer only), in the
pipeline it fits and only there, carried across processes and pieces, and rebuilt from
the corpus by the training tools."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin

from practicegraph.config import Settings
from practicegraph.errors import ConfigError
from practicegraph.nlp import extractor as extractor_module
from practicegraph.nlp.extractor import ExtractionInput, Extractor
from practicegraph.nlp.pipeline import load_pipeline
from practicegraph.nlp.practice_model import (
    COMPONENT,
    PACKAGED_MODEL,
    SPANS_KEY,
    add_classifier,
    load_classifier,
    sentence_probability,
    word_features,
)
from practicegraph.nlp.practices import THRESHOLD, combined_score, is_candidate, score_sentence

ROOT = Path(__file__).resolve().parents[2]

# Sentences of our own: one arrangement written in plain procedural words, and
# background with no practice in it.
PRACTICE = (
    "People leaving prison receive twelve months of housing support, debt advice and "
    "weekly meetings with a caseworker."
)
BACKGROUND = "The prison was built in 1901 and has been extended twice since then."
TEXT = f"{PRACTICE} {BACKGROUND}\n\nThe next newsletter appears in the spring."


def test_the_classifier_ships_inside_the_package_and_runs_last(
    nlp_extractor: Extractor,
) -> None:
    assert (PACKAGED_MODEL / "config.cfg").is_file()
    assert PACKAGED_MODEL.is_relative_to(Path(extractor_module.__file__).parent)
    assert nlp_extractor.nlp.pipe_names[-1] == COMPONENT


def test_the_shipped_classifier_is_its_trained_layer_only() -> None:
    """It reads the main pipeline's token vectors, so it carries no tok2vec of its own."""
    classifier = load_classifier()
    assert classifier.pipe_names == [COMPONENT]
    size = sum(p.stat().st_size for p in PACKAGED_MODEL.rglob("*") if p.is_file())
    assert size < 2_000_000


def test_a_pipeline_with_other_token_vectors_gets_no_classifier() -> None:
    """Its features are en_core_web_sm's vectors: with another model the rules decide."""
    other = spacy.blank("en")
    other.add_pipe("tok2vec")
    assert add_classifier(other) is False
    assert COMPONENT not in other.pipe_names


def test_every_sentence_gets_a_probability_and_the_practice_scores_higher(
    nlp_extractor: Extractor,
) -> None:
    doc = nlp_extractor.parse(TEXT)
    probabilities = [sentence_probability(s) for s in doc.sents]
    assert all(p is not None and 0.0 <= p <= 1.0 for p in probabilities)
    by_text = {s.text.strip(): sentence_probability(s) for s in doc.sents}
    practice, background = by_text[PRACTICE], by_text[BACKGROUND]
    assert practice is not None and background is not None
    assert practice > background


@pytest.mark.slow
def test_probabilities_survive_worker_processes_and_pieces(
    nlp_extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def probabilities(n_process: int) -> list[list[tuple[str, float | None]]]:
        items = [ExtractionInput(TEXT * 3), ExtractionInput(TEXT)]
        return [
            [(s.text, sentence_probability(s)) for s in doc.sents]
            for _item, doc in nlp_extractor.pipe_docs(items, n_process=n_process)
        ]

    alone = probabilities(1)
    assert probabilities(2) == alone
    monkeypatch.setattr(extractor_module, "CHUNK_CHARS", len(TEXT) + 5)  # three pieces
    pieced = probabilities(1)
    assert [[text for text, _p in doc] for doc in pieced] == [[t for t, _p in d] for d in alone]
    for doc_pieced, doc_alone in zip(pieced, alone, strict=True):
        for (_t, p), (_u, q) in zip(doc_pieced, doc_alone, strict=True):
            # The token vectors see four tokens either side, so a sentence at a piece
            # boundary reads slightly different vectors; it keeps its probability nearly.
            assert p is not None and q is not None and abs(p - q) < 0.05


def test_the_classifier_lifts_a_plain_procedural_practice_into_the_graph(
    nlp_extractor: Extractor,
) -> None:
    """The rules alone score this sentence under their threshold (no practice noun they
    know of heads it); the classifier's probability carries it over."""
    doc = nlp_extractor.parse(TEXT)
    first = next(iter(doc.sents))
    assert score_sentence(first) < THRESHOLD
    extraction = nlp_extractor.extract(doc)
    assert [p.evidence.text for p in extraction.practices] == [PRACTICE]


def _keys_by_sentence(extractor: Extractor, text: str) -> list[set[int]]:
    doc = extractor.parse(text)
    keys, values, lengths = word_features(doc, [(s.start, s.end) for s in doc.sents])
    assert keys.dtype == "uint64" and len(values) == len(keys) == sum(lengths)
    out, at = [], 0
    for length in lengths:
        out.append({int(k) for k in keys[at : at + length]})
        at += length
    return out


def test_each_sentence_gets_its_own_hashed_word_features(nlp_extractor: Extractor) -> None:
    """The word branch reads words, lemmas, word pairs and the sentence's form: two
    sentences share the keys of the words they share, and no more."""
    pilot, building = _keys_by_sentence(
        nlp_extractor,
        "The service will pilot a mentoring scheme for new officers. "
        "The old building has three floors and a small garden.",
    )
    assert pilot and building and len(pilot & building) < min(len(pilot), len(building)) / 2


def test_a_sentence_has_the_same_word_features_wherever_it_stands(
    nlp_extractor: Extractor,
) -> None:
    """No position in the text enters the features, so a long document parsed in pieces
    gives each sentence the features it has in one piece."""
    sentence = "Volunteers run weekly reading groups in the women's unit."
    (alone,) = _keys_by_sentence(nlp_extractor, sentence)
    later = _keys_by_sentence(nlp_extractor, f"The unit opened last year. {sentence}")[-1]
    assert alone == later


def test_a_list_item_differs_from_the_same_words_in_prose(nlp_extractor: Extractor) -> None:
    (prose,) = _keys_by_sentence(nlp_extractor, "Train staff to use the new screening tool.")
    (item,) = _keys_by_sentence(nlp_extractor, "- Train staff to use the new screening tool;")
    assert prose != item and prose & item


def test_without_the_classifier_the_rules_decide_alone() -> None:
    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    doc = blank(TEXT)
    assert all(sentence_probability(s) is None for s in doc.sents)


def test_a_document_without_sentences_is_left_alone(nlp_extractor: Extractor) -> None:
    """Scoring runs the pipeline on documents the parser has not split (spaCy's own
    evaluation during training); the component then sets nothing."""
    nlp = nlp_extractor.nlp
    doc = nlp.make_doc(TEXT)
    doc = nlp.get_pipe("tok2vec")(doc)
    doc = nlp.get_pipe(COMPONENT)(doc)
    assert not doc.has_annotation("SENT_START")


def test_a_missing_model_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="make train"):
        load_classifier(tmp_path / "nothing-here")


@pytest.mark.slow
def test_the_training_tools_rebuild_a_working_classifier(tmp_path: Path) -> None:
    """What `make train` runs, with a short schedule: data from the corpus, then spaCy's
    own trainer on the config in the repository."""
    data = tmp_path / "data"
    built = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "practice_data.py"), str(data)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "practice sentences" in built.stderr
    nlp = spacy.blank("en")
    train = list(DocBin().from_disk(data / "train.spacy").get_docs(nlp.vocab))
    dev = list(DocBin().from_disk(data / "dev.spacy").get_docs(nlp.vocab))

    def positives(docs: list[Doc]) -> int:
        return sum(s.label_ == "PRACTICE" for d in docs for s in d.spans[SPANS_KEY])

    assert positives(train) >= 200
    assert positives(dev) >= 50
    assert {d.text for d in dev}.isdisjoint(d.text for d in train), (
        "held-out documents leaked into training"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "train",
            str(ROOT / "train" / "practice_sentences.cfg"),
            "--code",
            str(ROOT / "tools" / "practice_code.py"),
            "--output",
            str(tmp_path / "model"),
            "--paths.train",
            str(data / "train.spacy"),
            "--paths.dev",
            str(data / "dev.spacy"),
            "--training.max_steps",
            "30",
            "--training.eval_frequency",
            "10",
        ],
        capture_output=True,
        check=True,
    )
    shipped = tmp_path / "shipped"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "practice_package.py"),
            str(tmp_path / "model" / "model-best"),
            str(shipped),
        ],
        check=True,
    )
    nlp = load_pipeline(Settings.from_env().model, practices=False)
    assert add_classifier(nlp, shipped)
    doc = nlp(TEXT)
    assert all(sentence_probability(s) is not None for s in doc.sents)


def test_a_heading_is_no_practice_whatever_the_classifier_says(
    nlp_extractor: Extractor,
) -> None:
    """A one-line heading made of a practice's words reads like a practice to a
    classifier of pooled word vectors; by its form it describes nothing, so it is no
    candidate (sentences of our own)."""
    text = (
        "Mentoring programmes\n\n"
        "Each new officer is paired with an experienced colleague who meets them every "
        "week during their first six months on the wings."
    )
    doc = nlp_extractor.parse(text)
    heading = next(iter(doc.sents))
    assert heading.text.strip() == "Mentoring programmes"
    assert combined_score(heading, 5.0, 1.0) == 0.0
    evidence = [p.evidence.text for p in nlp_extractor.extract(doc).practices]
    assert "Mentoring programmes" not in evidence


def test_an_organisation_speaking_of_itself_can_still_describe_a_practice(
    nlp_extractor: Extractor,
) -> None:
    """ "We" is as often a participant's voice as the organisation's, so the rules give it
    nothing; the sentence stays a candidate and the classifier may keep it."""
    sentence = (
        "We train serving prisoners as housing advisers, so that they can help other "
        "prisoners find a tenancy before release."
    )
    doc = nlp_extractor.parse(sentence)
    sent = next(iter(doc.sents))
    assert is_candidate(sent)
    assert score_sentence(sent) == 0.0
    assert combined_score(sent, 0.0, 0.9) > 0.0
