from practicegraph.nlp.extractor import Extractor


def codes(extractor: Extractor, text: str) -> set[str]:
    return {c.code for c in extractor(text).countries}


def places(extractor: Extractor, text: str) -> dict[str, str | None]:
    return {p.name: p.country for p in extractor(text).places}


def test_countries_by_name_demonym_and_city(nlp_extractor: Extractor) -> None:
    text = (
        "Specialists from both Latvian and foreign correctional services met in Bucharest. "
        "There was even one Minister for Correctional Services from an Australian State present. "
        "It was attended by representatives from Norway and Estonia."
    )
    assert codes(nlp_extractor, text) == {"LV", "RO", "AU", "NO", "EE"}


def test_language_name_is_not_a_country(nlp_extractor: Extractor) -> None:
    assert "GB" not in codes(nlp_extractor, "The report is available in English.")


def test_uk_nations_are_places_in_gb_and_do_not_imply_ireland(nlp_extractor: Extractor) -> None:
    text = (
        "Founders came from the Netherlands and from Northern Ireland, and from England and Wales."
    )
    found = places(nlp_extractor, text)
    assert found["Northern Ireland"] == "GB"
    assert found["England"] == "GB"
    assert codes(nlp_extractor, text) == {"NL", "GB"}


def test_homonymous_city_follows_the_country_written_next_to_it(nlp_extractor: Extractor) -> None:
    assert places(
        nlp_extractor, "The second seminar took place in Birmingham (UK), December 1999."
    ) == {"Birmingham": "GB"}
    assert places(nlp_extractor, "The gathering took place on the campus in Agen, France.") == {
        "Agen": "FR"
    }


def test_washington_dc_keeps_its_written_form(nlp_extractor: Extractor) -> None:
    assert places(nlp_extractor, "Third seminar, Washington DC, September 2001") == {
        "Washington DC": "US"
    }


def test_unknown_place_anchored_to_a_known_one(nlp_extractor: Extractor) -> None:
    text = (
        "The 9th Conference was held from 23 to 25 November 2021 at the Abbaye de Saint Louis "
        "in Royaumont, near Paris, with the French Ministry of Justice."
    )
    found = places(nlp_extractor, text)
    assert found.get("Royaumont") == "FR"


def test_city_inside_an_organisation_name_is_not_a_place(nlp_extractor: Extractor) -> None:
    text = "The programme was delivered by Phoenix Zululand in several prisons in Lesotho."
    assert "Phoenix" not in places(nlp_extractor, text)
    assert codes(nlp_extractor, text) == {"LS"}
