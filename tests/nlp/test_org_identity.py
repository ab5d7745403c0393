"""Generically named bodies of two countries are two organisations (texts of our own)."""

from __future__ import annotations

from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.org_identity import is_generic, main_country

LATVIAN = (
    "Prison reform in Latvia\n\n"
    "The Ministry of Justice announced that Latvia will open a new prison in Liepāja. "
    "Latvian officials said the Ministry of Justice will also fund staff training in Riga."
)
BRITISH = (
    "Prison places in England\n\n"
    "The Ministry of Justice said that England and Wales need more prison places. "
    "The United Kingdom plans two new prisons, the Ministry of Justice added."
)


def _ministry(extractor: Extractor, text: str) -> tuple[str, str | None]:
    orgs = [o for o in extractor(text, text.split("\n")[0]).organisations]
    ministry = next(o for o in orgs if o.name == "Ministry of Justice")
    return ministry.key, ministry.country


def test_two_countries_ministries_of_justice_are_two_resources(extractor: Extractor) -> None:
    latvian_key, latvian_country = _ministry(extractor, LATVIAN)
    british_key, british_country = _ministry(extractor, BRITISH)
    assert (latvian_country, british_country) == ("LV", "GB")
    assert latvian_key != british_key


def test_what_counts_as_a_generic_name() -> None:
    assert is_generic("Ministry of Justice")
    assert is_generic("National Prison and Probation Service")
    assert not is_generic("Irish Prison Service")
    assert not is_generic("Phoenix Zululand")


def test_a_document_without_one_main_country_qualifies_nothing(extractor: Extractor) -> None:
    tied = "The Ministry of Justice hosted visitors from Norway and from Sweden."
    key, country = _ministry(extractor, "Visit\n\n" + tied)
    assert country is None and key == "ministry-of-justice"
    assert main_country(extractor(tied, None).countries) is None


def test_an_undefined_acronym_joins_the_one_name_it_spells() -> None:
    from practicegraph.models import Organisation
    from practicegraph.nlp.org_identity import merge_acronyms

    orgs = [
        Organisation(key="ministry-of-justice", name="Ministry of Justice"),
        Organisation(key="moj", name="MoJ"),
        Organisation(key="prison-reform-trust", name="Prison Reform Trust"),
    ]
    merged = merge_acronyms(orgs)
    assert [o.name for o in merged] == ["Ministry of Justice", "Prison Reform Trust"]
    assert "MoJ" in merged[0].aliases


def test_an_acronym_that_spells_two_names_stays_apart() -> None:
    from practicegraph.models import Organisation
    from practicegraph.nlp.org_identity import merge_acronyms

    orgs = [
        Organisation(key="probation-service", name="Probation Service"),
        Organisation(key="prison-service", name="Prison Service"),
        Organisation(key="ps", name="PS"),
    ]
    assert len(merge_acronyms(orgs)) == 3
