"""Dated trainings, ceremonies and visits are events too, named by what they were about.

Sentences written for these tests.
"""

from __future__ import annotations

from practicegraph.nlp.extractor import Extractor


def _events(extractor: Extractor, text: str) -> list[tuple[str, str | None]]:
    return [(e.name, e.start_date) for e in extractor(text, "News").events]


def test_a_dated_training_session_is_an_event_named_by_its_subject(extractor: Extractor) -> None:
    text = (
        "News\n\nA training session on risk assessment for probation officers was held "
        "in Vilnius on 28 May 2025."
    )
    events = _events(extractor, text)
    assert len(events) == 1
    name, date = events[0]
    assert "training session on risk assessment" in name.lower()
    assert date is not None and date.startswith("2025")


def test_a_dated_ceremony_is_an_event(extractor: Extractor) -> None:
    text = "News\n\nThe graduation ceremony of 40 new officers took place in Tartu on 3 March 2024."
    events = _events(extractor, text)
    assert [date[:4] for _name, date in events if date] == ["2024"]


def test_undated_training_is_no_event(extractor: Extractor) -> None:
    text = "News\n\nTraining in de-escalation is compulsory for every new member of staff."
    assert _events(extractor, text) == []
