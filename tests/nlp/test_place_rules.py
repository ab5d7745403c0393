"""Gazetteer hits that are not places: directions, world regions, parts of other names.

Sentences written for these tests; each names what GeoNames alone would make a
place (a town called North, a region called Central, a Brazilian Salvador).
"""

from __future__ import annotations

import pytest

from practicegraph.nlp.extractor import Extractor


def _places(extractor: Extractor, text: str) -> set[tuple[str, str | None]]:
    return {(p.name, p.country) for p in extractor(text, "Test").places}


def _countries(extractor: Extractor, text: str) -> set[str]:
    return {c.code for c in extractor(text, "Test").countries}


@pytest.mark.parametrize(
    ("text", "not_places"),
    [
        (
            "Probation teams in the North West of England tried the scheme in 2022.",
            {"North", "West"},
        ),
        ("The Central Region of the prison service reported fewer assaults.", {"Central Region"}),
        ("Prison systems across Asia and Latin America face overcrowding.", {"Asia"}),
        ("Officers from El Salvador and Honduras visited the academy.", {"Salvador"}),
        (
            "Ministers from Costa Rica signed the San José Declaration on youth justice.",
            {"San José"},
        ),
        ("The Government of Quebec funds the reintegration programme.", {"Quebec"}),
    ],
)
def test_names_that_are_not_places(extractor: Extractor, text: str, not_places: set[str]) -> None:
    names = {name for name, _country in _places(extractor, text)}
    assert not names & not_places


def test_the_countries_such_sentences_name_are_still_found(extractor: Extractor) -> None:
    assert "GB" in _countries(extractor, "Probation teams in the North West of England met.")
    assert "CM" not in _countries(extractor, "Probation teams in the North West of England met.")
    assert {"SV", "HN"} <= _countries(extractor, "Officers from El Salvador and Honduras met.")
    assert "BR" not in _countries(extractor, "Officers from El Salvador and Honduras met.")


def test_named_places_that_start_with_a_direction_are_kept(extractor: Extractor) -> None:
    text = "The probation service of North Rhine-Westphalia hosted colleagues in Düsseldorf."
    assert "Düsseldorf" in {name for name, _country in _places(extractor, text)}
    south = "Delegates met in Adelaide, South Australia, to compare parole boards."
    assert ("Adelaide", "AU") in _places(extractor, south)


def test_a_small_city_of_a_country_the_text_names_is_a_place(extractor: Extractor) -> None:
    text = "Italian probation officers met in Pisa to plan the new training course."
    assert ("Pisa", "IT") in _places(extractor, text)


def test_a_city_in_an_address_line_followed_by_its_country_is_a_place(
    extractor: Extractor,
) -> None:
    text = "Reintegration Network · Arua, Uganda · Contact us · Privacy"
    assert ("Arua", "UG") in _places(extractor, text)


@pytest.mark.parametrize(
    "text",
    [
        "Annual report 2023 - English summary. The probation service grew.",
        "Language: Deutsch | English    Search",
        "The full report is available in English and Spanish on the website.",
    ],
)
def test_a_language_is_not_a_country(extractor: Extractor, text: str) -> None:
    assert not _countries(extractor, text) & {"GB", "ES"}


def test_a_demonym_that_qualifies_something_still_gives_its_country(extractor: Extractor) -> None:
    assert "GB" in _countries(extractor, "English prisons hold more people than ever.")


def test_country_inside_a_city_name_is_no_mention_of_it(nlp_extractor: Extractor) -> None:
    text = "The scheme in Trinidad and Tobago began at the Port of Spain Prison last year."
    assert "ES" not in _countries(nlp_extractor, text)


def test_language_of_a_website_is_no_country(nlp_extractor: Extractor) -> None:
    text = "This profile of a Peruvian workshop draws on English pages of the ministry."
    assert _countries(nlp_extractor, text) == {"PE"}


def test_new_before_a_country_makes_another_place(nlp_extractor: Extractor) -> None:
    text = "The mentors trained in the New England region and in New Jersey."
    assert _countries(nlp_extractor, text) == {"US"}
