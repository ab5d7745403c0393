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


@pytest.mark.parametrize(
    "name",
    [
        "Attorney General's Office",
        "Public Defender's Office of Ontario",
        "St Brendan's Institution",
    ],
)
def test_an_office_holders_possessive_is_part_of_the_name(extractor: Extractor, name: str) -> None:
    text = f"News\n\nA lawyer from the {name} spoke to the new recruits about their duties."
    assert name in _names(extractor, text)


def test_a_bodys_possessive_ends_the_owner_and_opens_the_unit(extractor: Extractor) -> None:
    names = _names(
        extractor,
        "News\n\nThe Council of Europe's Committee for the Prevention of Torture visited "
        "three remand centres last spring.",
    )
    assert "Council of Europe" in names
    assert not any("Europe's" in n for n in names)


@pytest.mark.parametrize(
    "name",
    [
        "Sunnyvale Correctional Complex",
        "Willow Creek Healing Lodge",
        "Northern Prisoners' Fellowship",
        "Riverside Reentry Coalition",
    ],
)
def test_more_head_nouns_of_bodies(extractor: Extractor, name: str) -> None:
    text = f"News\n\nVolunteers of the {name} met the inmates every week."
    assert name in _names(extractor, text)


def test_a_multiword_place_before_a_head_stays_whole(extractor: Extractor) -> None:
    names = _names(extractor, "News\n\nOfficers at the Port of Spain Prison received new radios.")
    assert "Port of Spain Prison" in names
    assert "Spain Prison" not in names


def test_a_kind_word_before_a_name_is_no_part_of_it(extractor: Extractor) -> None:
    names = _names(extractor, "News\n\nThe course was run with the NGO Fresh Start Foundation.")
    assert "Fresh Start Foundation" in names


def test_an_acronym_and_a_bare_unit_noun_name_no_body(extractor: Extractor) -> None:
    names = _names(
        extractor,
        "News\n\nThe Nordic Probation Network (NPN) held its meeting.\n\n"
        "Contact: NPN Secretariat, Oslo",
    )
    assert "Nordic Probation Network" in names
    assert "NPN Secretariat" not in names


def test_recogniser_names_lose_trailing_connectors_and_common_phrases() -> None:
    from practicegraph.nlp.gazetteer import Gazetteer
    from practicegraph.nlp.org_entities import entity_names

    text = (
        "She studied at the University of Sheffield and then joined. Good family relations "
        "matter, and Family Relations is a theme of the week."
    )
    spans = [
        (text.index("University"), text.index(" then")),
        (text.index("Family R"), text.index(" is a")),
    ]
    found = [name for _s, _e, name in entity_names(text, spans, Gazetteer(), lambda _w: False)]
    assert found == ["University of Sheffield"]


def test_a_name_does_not_cross_a_column_of_the_layout(extractor: Extractor) -> None:
    """A PDF's running header puts a title beside the body's name, columns apart."""
    text = (
        "Ministry of Justice                              Fact sheet\n"
        "Government of Ruritania\n"
        "\n"
        "The Ministry of Justice funds a mentoring scheme for newly recruited officers."
    )
    names = _names(extractor, text)
    assert not any("Fact" in name for name in names), names
