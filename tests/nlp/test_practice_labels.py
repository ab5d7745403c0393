"""Practice labels read as names: the words as written, no clause cut mid-way (own sentences)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.practices import practice_label, score_sentence
from practicegraph.service import PracticeGraphService

ROOT = Path(__file__).resolve().parents[2]


def _malformed(label: str) -> str | None:
    spec = importlib.util.spec_from_file_location("label_check", ROOT / "eval" / "label_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    reason: str | None = module.malformed(label)
    return reason


TEXTS = [
    "Staff training\n\nThe academy launched an e-learning course for newly recruited prison "
    "officers, which covers de-escalation and first aid.",
    "Careers\n\nThe service introduced a fast-track scheme for future prison governors, "
    "with placements in three establishments.",
    "Mentoring\n\nEvery new probation officer is paired with a trainer's mentor during the "
    "first year, and the pairs meet each month to review cases.",
    "Recommendations\n\nIt also recommends that prison and probation staff be trained together "
    "in joint sessions on risk assessment.",
    "Shared language\n\nIt offers officers and prisoners a common vocabulary for talking about "
    "risk and progress.",
    "Gang exit\n\nSafer Steps - a programme that helps young people leave street gangs - now "
    "runs in four cities.",
    "Officer courses\n\nThe academy runs a refresher course for prison officers who work with "
    "young people in custody.",
    "Supervision\n\nThey hold weekly interviews with people on parole and keep in touch with "
    "their families.",
]


def _labels(extractor: Extractor, text: str) -> list[str]:
    doc = extractor.parse(text)
    return [practice_label(sent) for sent in doc.sents if len(sent) > 3]


@pytest.mark.parametrize("text", TEXTS)
def test_labels_are_well_formed(extractor: Extractor, text: str) -> None:
    for label in _labels(extractor, text):
        assert _malformed(label) is None, (label, _malformed(label))


def test_a_clause_about_something_named_before_is_labelled_by_its_noun_phrase(
    extractor: Extractor,
) -> None:
    assert _labels(extractor, TEXTS[4])[-1] == "Common vocabulary"
    assert _labels(extractor, TEXTS[7])[-1] == "Weekly interviews with people"


def test_a_name_before_a_spaced_dash_is_the_label(extractor: Extractor) -> None:
    assert _labels(extractor, TEXTS[5])[-1] == "Safer Steps"


def test_a_label_stops_where_a_clause_begins(extractor: Extractor) -> None:
    assert _labels(extractor, TEXTS[6])[-1] == "Refresher course for prison officers"


def test_hyphenated_words_stay_as_written(extractor: Extractor) -> None:
    labels = _labels(extractor, TEXTS[0]) + _labels(extractor, TEXTS[1])
    assert any("e-learning course" in label.lower() for label in labels), labels
    assert any("fast-track scheme" in label.lower() for label in labels), labels


@pytest.mark.slow
def test_at_most_five_percent_of_dev_test_labels_are_malformed(
    service: PracticeGraphService,
) -> None:
    """The whole dev-test split through ingest, its labels read back from the store."""
    report = service.ingest([ROOT / "eval" / "corpus" / "dev-test"])
    assert report.added and not report.failed
    rows = service.store.select(
        "SELECT ?label WHERE { ?p a <https://w3id.org/practicegraph/ontology#Practice> ; "
        "<https://schema.org/name> ?label }"
    )
    labels = [row["label"].value for row in rows]
    assert len(labels) >= 50
    malformed = [label for label in labels if _malformed(label)]
    assert len(malformed) <= 0.05 * len(labels), malformed


@pytest.mark.parametrize(
    "line",
    [
        "Supporting local work in practice",
        "4. FOLLOW-UP: FURTHER SUPPORT TO THE PROBATION REFORM",
        "| Mentoring scheme | 2023 | Tallinn |",
    ],
)
def test_headings_and_table_rows_are_not_practices(extractor: Extractor, line: str) -> None:
    doc = extractor.parse(line)
    assert all(score_sentence(sent) == 0.0 for sent in doc.sents)


def test_a_procedural_sentence_can_still_be_a_practice(extractor: Extractor) -> None:
    doc = extractor.parse(
        "New officers complete a ten-week initial course and are then paired with a mentor "
        "for their first year in the service."
    )
    assert max(score_sentence(sent) for sent in doc.sents) > 0.0
