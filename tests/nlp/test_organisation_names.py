"""Organisation names: named establishments, and names that stop where a place or a
date begins (sentences written for these tests)."""

from __future__ import annotations

import pytest

from practicegraph.nlp.extractor import Extractor


def _names(extractor: Extractor, text: str) -> set[str]:
    return {o.name for o in extractor(text, "News").organisations}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "News\n\nInmates at Riverside Prison took part in the reading course.",
            "Riverside Prison",
        ),
        (
            "News\n\nStaff of the Lakeshore Penitentiary trained in first aid.",
            "Lakeshore Penitentiary",
        ),
        ("News\n\nThe Government of Manitoba funds the programme.", "Government of Manitoba"),
    ],
)
def test_named_establishments_and_governments_are_organisations(
    extractor: Extractor, text: str, name: str
) -> None:
    assert name in _names(extractor, text)


def test_a_name_stops_before_the_place_or_month_that_follows_it(extractor: Extractor) -> None:
    names = _names(
        extractor,
        "News\n\nThe University of Lausanne in Switzerland led the study, and the Swedish "
        "National Police Academy in October hosted the second workshop.",
    )
    assert "University of Lausanne" in names
    assert "Swedish National Police Academy" in names
    assert not any(name.endswith(("Switzerland", "October")) for name in names)
