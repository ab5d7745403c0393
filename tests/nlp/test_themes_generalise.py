"""Theme rules that must hold on any text: standard synonyms of a theme count, a
loose everyday word does not, and a longer cue is read as one cue of its own theme."""

from __future__ import annotations

import pytest

from practicegraph.nlp.extractor import Extractor


def theme_ids(extractor: Extractor, text: str, title: str | None = None) -> set[str]:
    return {t.theme_id for t in extractor(text, title).themes}


def test_a_longer_cue_is_one_cue_not_two(nlp_extractor: Extractor) -> None:
    # "probation officer" contains "probation": one mention, not two distinct cues
    text = (
        "A probation officer from Graz opened the meeting on sports facilities. The "
        "afternoon was spent on the new football pitch."
    )
    assert "probation" not in theme_ids(nlp_extractor, text)


def test_vocational_training_is_offender_education_not_staff_training(
    nlp_extractor: Extractor,
) -> None:
    text = (
        "Inmates at the open prison can follow vocational training in carpentry. "
        "Vocational training gives them a trade for the day they leave."
    )
    found = theme_ids(nlp_extractor, text)
    assert "offender-education-work" in found
    assert "staff-training" not in found


@pytest.mark.parametrize(
    ("word", "theme"),
    [
        ("management", "leadership"),
        ("security", "security-violence"),
        ("police", "policing"),
        ("resources", "resources-funding"),
    ],
)
def test_an_everyday_word_alone_is_no_theme(
    nlp_extractor: Extractor, word: str, theme: str
) -> None:
    text = (
        f"The {word} of the town were mentioned in the opening speech. Later the {word} "
        "came up again while the guests discussed the weather."
    )
    assert theme not in theme_ids(nlp_extractor, text)


def test_mentoring_of_offenders_is_not_staff_training(nlp_extractor: Extractor) -> None:
    text = (
        "Volunteers offer mentoring to men leaving prison. The mentoring lasts a year and "
        "covers housing, debts and family."
    )
    assert "staff-training" not in theme_ids(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        (
            "Overpopulation is the main problem of the remand centres. Prison places are "
            "short and occupancy stands well above capacity.",
            "prison-population",
        ),
        (
            "The health unit now uses telemedicine to reach remote prisons. Doctors see "
            "patients through a secure video link.",
            "digital-technology",
        ),
        (
            "The charity helps people to return to society. Its caseworkers stay in touch "
            "after release until a home and a job are found.",
            "rehabilitation",
        ),
        (
            "The agency works with local partners on every case. This collaboration with "
            "housing bodies has shortened waiting times.",
            "partnership",
        ),
        (
            "The service is hiring two hundred officers this year. Recruiting in rural areas "
            "remains difficult.",
            "recruitment-retention",
        ),
        (
            "Officers from three countries went on a study trip to Norway. The visiting "
            "delegation also met international experts on open prisons.",
            "knowledge-exchange",
        ),
        (
            "The ministry drafted a decree on the remand regime. A draft law on early release "
            "goes to parliament in spring.",
            "policy-legislation",
        ),
        (
            "Prisoners join work programmes in the laundry and the bakery. Education in "
            "basic literacy is offered in the evenings.",
            "offender-education-work",
        ),
    ],
)
def test_standard_synonyms_give_their_theme(
    nlp_extractor: Extractor, text: str, theme: str
) -> None:
    assert theme in theme_ids(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        (
            "The two services run the hostel jointly. Staff from both sides plan each "
            "resident's week in cooperation with the local housing office.",
            "partnership",
        ),
        (
            "A new law sets out when a sentence may be served at home. Under the law a "
            "judge must first hear the victim.",
            "policy-legislation",
        ),
        (
            "The jail held 900 people against a capacity of 600. Most of the extra men were "
            "on remand awaiting trial.",
            "prison-population",
        ),
        (
            "Officers from two countries exchanged experience on open prisons. The visit was "
            "part of a development cooperation agreement.",
            "knowledge-exchange",
        ),
        (
            "The scheme was evaluated by an outside team. They evaluate how many people "
            "return to court within two years.",
            "evaluation",
        ),
        (
            "Savings from closing the old wing freed money for the scheme. A donor covers "
            "the rest of the cost.",
            "resources-funding",
        ),
        (
            "All officers are trained in first aid. The course is part of a capacity "
            "building plan for the service.",
            "staff-training",
        ),
        (
            "The old buildings of the prison date from 1870. Both buildings will be "
            "replaced by a single block.",
            "prison-infrastructure",
        ),
        (
            "Prisoners can learn job skills in the kitchen. Skills training also prepares "
            "them for the labour market after release.",
            "offender-education-work",
        ),
        (
            "Residents who have served their sentence are helped towards social "
            "integration. A rehabilitation programme supports their first months outside.",
            "rehabilitation",
        ),
    ],
)
def test_general_synonyms_added_to_the_scheme_give_their_theme(
    nlp_extractor: Extractor, text: str, theme: str
) -> None:
    assert theme in theme_ids(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        (
            "The Director General welcomed the guests at nine. After lunch the Director "
            "General handed out the certificates.",
            "leadership",
        ),
        (
            "Visitors used the facilities near the car park. The facilities were clean and "
            "the staff were friendly.",
            "prison-infrastructure",
        ),
        (
            "She has worked at the correctional facility since 2010. The correctional "
            "facility lies an hour north of the city.",
            "prison-infrastructure",
        ),
        (
            "The academic year starts in October. Academic staff from the city gave a "
            "short talk about the weather.",
            "research",
        ),
        (
            "A violent storm hit the coast on Monday. The violent wind tore the roof off a barn.",
            "security-violence",
        ),
    ],
)
def test_a_title_or_loose_word_is_no_theme(nlp_extractor: Extractor, text: str, theme: str) -> None:
    # a person's title in passing, or a word used of anything, says nothing of the theme
    assert theme not in theme_ids(nlp_extractor, text)
