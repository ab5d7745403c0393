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
