"""Organisation names cut where English cuts them: at "and the", after a possessive,
before a place or a menu; portfolio lists; short forms; acronyms the text defines.
Every sentence here was written for these tests."""

from __future__ import annotations

import pytest

from practicegraph.models import Organisation
from practicegraph.nlp.extractor import Extractor


def _orgs(extractor: Extractor, text: str) -> dict[str, Organisation]:
    return {o.name: o for o in extractor(text).organisations}


def test_possessive_ends_the_name(nlp_extractor: Extractor) -> None:
    found = _orgs(
        nlp_extractor,
        "The new officers are part of the Government of Manitoba's plan to hire staff.",
    )
    assert "Government of Manitoba" in found
    assert not any(name.endswith("'s") for name in found)


@pytest.mark.parametrize(
    "name",
    [
        "National Directorate of Probation and Prison Services",
        "Working Group on Prison and Probation",
        "Department of Probation and Parole",
    ],
)
def test_and_inside_a_complement_keeps_the_name_whole(nlp_extractor: Extractor, name: str) -> None:
    text = f"A psychologist with the {name} in Malta described the new approach to clients."
    assert name in _orgs(nlp_extractor, text)


def test_and_the_opens_a_second_name(nlp_extractor: Extractor) -> None:
    text = (
        "A memorandum was signed by the Ministry of Justice of Moldova and the State "
        "Institution for Youth Affairs last week."
    )
    found = _orgs(nlp_extractor, text)
    assert "Ministry of Justice of Moldova" in found
    # The second body may be found on its own (the trained recogniser reads it), but
    # no name runs across the "and the" into it.
    assert not any("Moldova" in name and "Institution" in name for name in found)


def test_two_establishments_joined_by_and_stay_two(nlp_extractor: Extractor) -> None:
    found = _orgs(nlp_extractor, "Inmates of Riverside Prison and Lakeshore Prison took part.")
    assert {"Riverside Prison", "Lakeshore Prison"} <= set(found)


def test_a_ministry_named_after_its_portfolios(nlp_extractor: Extractor) -> None:
    text = (
        "The Ministry of Justice, Human Rights and Digital Affairs has published its "
        "annual figures, and the Department for Families, Schools and Sport agreed."
    )
    found = _orgs(nlp_extractor, text)
    assert "Ministry of Justice, Human Rights and Digital Affairs" in found
    assert "Department for Families, Schools and Sport" in found
    assert "Ministry of Justice" not in found


def test_a_list_of_places_is_no_portfolio(nlp_extractor: Extractor) -> None:
    text = "Officials of the Ministry of Justice, Latvia and Estonia met in Riga."
    found = _orgs(nlp_extractor, text)
    assert not any("Estonia" in name for name in found)


def test_a_short_form_is_the_body_named_in_full(nlp_extractor: Extractor) -> None:
    text = (
        "The State Penitentiary Service of Moldova opened two workshops. Later the "
        "State Penitentiary Service reported that forty prisoners had enrolled."
    )
    found = _orgs(nlp_extractor, text)
    assert "State Penitentiary Service" not in found
    org = found["State Penitentiary Service of Moldova"]
    assert "State Penitentiary Service" in org.aliases
    assert len(org.spans) == 2


def test_a_short_form_fitting_two_bodies_stays_apart(nlp_extractor: Extractor) -> None:
    text = (
        "The Ministry of Justice of Moldova and the Ministry of Justice of Georgia "
        "signed it. The Ministry of Justice will report."
    )
    found = _orgs(nlp_extractor, text)
    assert {"Ministry of Justice of Moldova", "Ministry of Justice of Georgia"} <= set(found)


def test_a_field_office_is_named_after_its_place(nlp_extractor: Extractor) -> None:
    text = (
        "The Council of Europe Office in Tbilisi supports the reform. The Office in "
        "Tbilisi also trains judges."
    )
    found = _orgs(nlp_extractor, text)
    assert "Council of Europe Office in Tbilisi" in found
    assert "Office in Tbilisi" in found["Council of Europe Office in Tbilisi"].aliases


def test_in_a_place_after_a_body_is_where_it_is(nlp_extractor: Extractor) -> None:
    text = "Inspector Jane Doe of Kent Police in the United Kingdom led the exercise."
    found = _orgs(nlp_extractor, text)
    assert "Kent Police" in found
    assert not any("Kingdom" in name for name in found)


@pytest.mark.parametrize(
    "text",
    [
        "Member states must apply the European Arrest Warrant (EAW) in these cases.",
        "Each prisoner is scored with the Offender Needs Assessment System (ONAS).",
        "The National Crime Prevention Award (NCPA) went to a youth project.",
        "The meeting brought together the Prison Social Workers (PSW) of the region.",
    ],
)
def test_a_defined_acronym_of_an_instrument_or_prize_is_no_body(
    nlp_extractor: Extractor, text: str
) -> None:
    assert _orgs(nlp_extractor, text) == {}


def test_a_defined_acronym_wins_over_the_registry_also_before_its_definition(
    nlp_extractor: Extractor,
) -> None:
    text = (
        "IPS widens its range of programmes.\n\nThe Israel Prison Service (IPS) runs "
        "every prison in the country, and the IPS trains its own staff."
    )
    found = _orgs(nlp_extractor, text)
    assert list(found) == ["Israel Prison Service"]
    assert len(found["Israel Prison Service"].spans) == 4


def test_a_plan_before_a_body_is_not_part_of_its_name(nlp_extractor: Extractor) -> None:
    text = "The delegation handed a Staff Learning Action Plan to the Ministry of Interior."
    found = _orgs(nlp_extractor, text)
    assert "Ministry of Interior" in found
    assert not any("Plan" in name for name in found)


def test_a_menu_after_a_name_is_not_part_of_it(nlp_extractor: Extractor) -> None:
    found = _orgs(nlp_extractor, "Department of Rehabilitation Services Home | About | News")
    assert "Department of Rehabilitation Services" in found


def test_intergovernmental_bodies_of_the_registry(nlp_extractor: Extractor) -> None:
    text = (
        "The Organization of American States adopted the principles, and the OAS asked "
        "the UN General Assembly to take note."
    )
    found = {o.key for o in nlp_extractor(text).organisations}
    assert {"oas", "unga"} <= found
