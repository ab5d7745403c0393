"""Places that general rules find or turn away; every sentence is written for these tests.

Each test stands for a class of cases: datelines, regions known under their
English name, towns in a list, small towns, named zones of a country, and
gazetteer hits that belong to another name (a university, a building, a date).
"""

from __future__ import annotations

import pytest

from practicegraph.nlp.extractor import Extractor


def _places(extractor: Extractor, text: str) -> set[tuple[str, str | None]]:
    return {(p.name, p.country) for p in extractor(text, "Test").places}


def _names(extractor: Extractor, text: str) -> set[str]:
    return {name for name, _country in _places(extractor, text)}


@pytest.mark.parametrize(
    ("text", "not_places"),
    [
        ("A criminologist of the University of Leeds reviewed the evaluation.", {"Leeds"}),
        ("The hearing was held at Stormont House on the future of parole.", {"Stormont"}),
        ("The Accra Women and Youth Remand Prison opened a library.", {"Accra"}),
        ("The annual report covers April 2019 to March 2020 in full.", {"March"}),
        ("Our office moved to Sector 4, Bucharest, Romania.", {"Sector 4"}),
        ("The summary of the inspection is also published in English.", {"English"}),
        ("Staff of the Centre's training unit met probation officers.", {"Centre"}),
    ],
)
def test_hits_inside_other_names_or_words_are_not_places(
    nlp_extractor: Extractor, text: str, not_places: set[str]
) -> None:
    assert not _names(nlp_extractor, text) & not_places


def test_washington_dc_with_its_comma_form(nlp_extractor: Extractor) -> None:
    text = "Washington, D.C., 4 March 2019 - The commission heard testimony from advocates."
    assert ("Washington, D.C.", "US") in _places(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("BUCHAREST - The prison administration opened two new units this week.", "BUCHAREST"),
        ("Winnipeg, 3 June 2021\n\nProbation officers finished their training.", "Winnipeg"),
        ("Published 3 June 2021 - Winnipeg\n\nProbation officers finished training.", "Winnipeg"),
    ],
)
def test_a_dateline_names_a_place(nlp_extractor: Extractor, text: str, place: str) -> None:
    assert place in _names(nlp_extractor, text)


def test_an_area_word_after_a_place_is_part_of_its_name(nlp_extractor: Extractor) -> None:
    text = "The new staff college opened in Nakuru County last spring."
    assert ("Nakuru County", "KE") in _places(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "place", "country"),
    [
        ("The conference took place in Valencia, Catalonia, Spain, in May.", "Catalonia", "ES"),
        ("Probation officers from all over Bavaria attended the course.", "Bavaria", "DE"),
        ("Mediation services in Flanders work with young offenders.", "Flanders", "BE"),
        ("Delegates came from Republika Srpska to the seminar.", "Republika Srpska", "BA"),
    ],
)
def test_regions_known_by_their_english_names(
    nlp_extractor: Extractor, text: str, place: str, country: str
) -> None:
    assert (place, country) in _places(nlp_extractor, text)


def test_towns_listed_beside_a_known_place_with_romanian_spelling(
    nlp_extractor: Extractor,
) -> None:
    text = "New detention places will be built at Cluj-Napoca, Brașov, Galați and Vaslui."
    names = _names(nlp_extractor, text)
    assert {"Cluj-Napoca", "Brașov", "Galați", "Vaslui"} <= names


def test_a_small_town_introduced_by_a_preposition_in_a_text_on_its_country(
    nlp_extractor: Extractor,
) -> None:
    text = "Women in Switzerland serve long sentences in Hindelbank, near the capital."
    assert ("Hindelbank", "CH") in _places(nlp_extractor, text)
    # the same word as the first of a longer name is no town
    other = "Swiss delegates dined at Hindelbank Manor House after the visit."
    assert "Hindelbank" not in _names(nlp_extractor, other)


def test_a_name_written_with_its_country_when_the_gazetteer_knows_it_elsewhere(
    nlp_extractor: Extractor,
) -> None:
    text = "The probation congress met in Hanover, Germany, for three days."
    assert ("Hanover", "DE") in _places(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "zone", "country"),
    [
        ("The service moved its school to the South East of Poland.", "South East", "PL"),
        ("Parole officers in Northern Ontario cover vast distances.", "Northern Ontario", "CA"),
    ],
)
def test_named_zones_of_a_country_are_places(
    nlp_extractor: Extractor, text: str, zone: str, country: str
) -> None:
    assert (zone, country) in _places(nlp_extractor, text)


def test_a_direction_before_a_country_name_of_its_own_is_no_zone(
    nlp_extractor: Extractor,
) -> None:
    names = _names(nlp_extractor, "Officials from South Africa and North Macedonia met.")
    assert not names & {"South Africa", "North Macedonia"}


# Rules added for issue 12; every sentence is written for these tests.


def test_uk_nations_give_the_country_and_are_places_in_it(nlp_extractor: Extractor) -> None:
    """As the guidelines' own gold records them: places in GB, and GB itself."""
    text = "Youth justice teams across Scotland and Wales shared their methods."
    extraction = nlp_extractor(text, "Test")
    assert {c.code for c in extraction.countries} == {"GB"}
    assert {"Scotland", "Wales"} <= _names(nlp_extractor, text)


def test_a_nation_inside_a_longer_place_name_is_no_country(nlp_extractor: Extractor) -> None:
    text = "Parole officers of New South Wales met their colleagues in Sydney."
    extraction = nlp_extractor(text, "Test")
    assert {c.code for c in extraction.countries} == {"AU"}
    assert "South Wales" not in _names(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "not_places"),
    [
        ("Prison systems across Central America tried the model.", {"Central America"}),
        ("A senator for Galway West Central spoke about remand.", {"West Central"}),
    ],
)
def test_zones_that_are_world_regions_or_inside_names_are_not_places(
    nlp_extractor: Extractor, text: str, not_places: set[str]
) -> None:
    assert not _names(nlp_extractor, text) & not_places


def test_a_zone_of_a_large_city_is_a_place(nlp_extractor: Extractor) -> None:
    text = "The new hub opened in Peckham, South London, in the spring."
    assert ("South London", "GB") in _places(nlp_extractor, text)


def test_a_homonym_follows_the_country_of_the_other_places(nlp_extractor: Extractor) -> None:
    text = (
        "March 3, 2021 - Toronto\n\n"
        "Forty new officers will work in institutions across Ontario from next month."
    )
    assert ("Ontario", "CA") in _places(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "place", "country"),
    [
        ("Community service orders grew fast in Kano State last year.", "Kano State", "NG"),
        ("Parole officers in Iloilo City opened a new office.", "Iloilo City", "PH"),
    ],
)
def test_state_and_city_after_a_place_belong_to_its_name(
    nlp_extractor: Extractor, text: str, place: str, country: str
) -> None:
    assert (place, country) in _places(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "not_place"),
    [
        ("Inspectors visited the Lecce di Puglia Prison in Italy last year.", "Lecce"),
        ("The Family Support Services of Manitoba renewed the agreement.", "Manitoba"),
        ("The Probation Trust for Cornwall published its plan.", "Cornwall"),
        ("A former coach of the Denver Nuggets opened the conference.", "Denver"),
        ("A researcher of the Katholieke Universiteit Leuven (Belgium) led it.", "Leuven"),
    ],
)
def test_the_first_or_last_word_of_a_longer_name_is_not_a_place(
    nlp_extractor: Extractor, text: str, not_place: str
) -> None:
    assert not_place not in _names(nlp_extractor, text)


def test_a_city_known_by_its_english_exonym(nlp_extractor: Extractor) -> None:
    text = "The expert group met in Ghent to compare probation training."
    assert ("Ghent", "BE") in _places(nlp_extractor, text)


def test_the_town_where_an_institution_stands(nlp_extractor: Extractor) -> None:
    text = "Zambian inmates grow maize at Nansanga Correctional Farm, Mazabuka, every year."
    assert ("Mazabuka", "ZM") in _places(nlp_extractor, text)


def test_towns_of_a_named_country_listed_together(nlp_extractor: Extractor) -> None:
    text = "In New Zealand, staff from the Tuakau, Pokeno and Waiuku community offices met."
    assert {"Tuakau", "Waiuku"} <= _names(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "not_country"),
    [
        ("The leaflets were rewritten in plain English by a literacy charity.", "GB"),
        ("Latin American prison systems face severe overcrowding.", "US"),
        ("The Organization of American States held a hearing on detention.", "US"),
    ],
)
def test_demonyms_that_name_no_country(
    nlp_extractor: Extractor, text: str, not_country: str
) -> None:
    assert not_country not in {c.code for c in nlp_extractor(text, "Test").countries}


def test_large_city_is_not_read_as_a_village_of_a_named_country(
    nlp_extractor: Extractor,
) -> None:
    """A text on France that lists past venues: "Montreal" is the Canadian city,
    not a French hamlet of that name."""
    text = (
        "The French association has met in many cities since its founding in Lyon.\n\n"
        "Montreal, 1994\n\nLyon, 1997\n"
    )
    assert ("Montreal", "CA") in _places(nlp_extractor, text)


def test_county_before_a_name_belongs_to_it(nlp_extractor: Extractor) -> None:
    text = "The probation team in Ireland covers most of County Kerry and the city of Cork."
    assert "County Kerry" in _names(nlp_extractor, text)


def test_english_names_of_belgian_provinces(nlp_extractor: Extractor) -> None:
    text = "The new open centre stands in the province of Walloon Brabant, in Belgium."
    assert ("Walloon Brabant", "BE") in _places(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "not_places"),
    [
        # an acronym written in capitals among ordinary words is no town
        ("Volunteers in Peru took part in LIMA, a scheme for young adults.", {"LIMA"}),
        # a lowercase "prison" after the city still makes a prison's name of it
        ("In Norway, the Bergen and Trondheim prisons began a reading scheme.", {"Bergen"}),
        # the place in an inspectorate's name
        ("The Chief Inspector of Prisons for Scotland published her report.", {"Scotland"}),
    ],
)
def test_more_names_that_are_not_places(
    nlp_extractor: Extractor, text: str, not_places: set[str]
) -> None:
    assert not (_names(nlp_extractor, text) & not_places)


def test_heading_in_capitals_still_names_a_place(nlp_extractor: Extractor) -> None:
    text = "Prison news from the Philippines\n\nA NEW JAIL IN MANILA\n\nThe bureau opened a jail."
    assert "MANILA" in _names(nlp_extractor, text)


def test_place_in_the_name_of_an_instrument_is_no_place(nlp_extractor: Extractor) -> None:
    text = "The appeal court cited the Pact of San José in its ruling on pre-trial detention."
    assert "San José" not in _names(nlp_extractor, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a state of the country of the other places, not a large foreign city
        (
            "Judges in the states of Bahia, Pernambuco and Santa Catarina hold custody hearings.",
            ("Santa Catarina", "BR"),
        ),
        (
            "The prison staff of Melbourne and Geelong trained with colleagues across Victoria.",
            ("Victoria", "AU"),
        ),
    ],
)
def test_homonym_is_the_region_of_the_other_places(
    nlp_extractor: Extractor, text: str, expected: tuple[str, str]
) -> None:
    assert expected in _places(nlp_extractor, text)


def test_a_kind_of_place_before_the_name_makes_it_a_place(nlp_extractor: Extractor) -> None:
    """A small town of a country the text does not name, introduced as a town."""
    text = "Last year the town of Sintra, near Lisbon, welcomed the probation trainers."
    assert ("Sintra", "PT") in _places(nlp_extractor, text)
