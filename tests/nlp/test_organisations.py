from practicegraph.models import Organisation
from practicegraph.nlp.extractor import Extractor


def orgs(extractor: Extractor, text: str) -> dict[str, Organisation]:
    return {o.name: o for o in extractor(text).organisations}


def test_acronym_defined_once_then_used_alone_is_one_organisation(nlp_extractor: Extractor) -> None:
    text = (
        "The Foundation for Humane Detention Standards (FHDS) met in Vienna. "
        "Later FHDS published guidance, and FHDS members agreed to meet again."
    )
    found = orgs(nlp_extractor, text)
    assert list(found) == ["Foundation for Humane Detention Standards"]
    org = found["Foundation for Humane Detention Standards"]
    assert "FHDS" in org.aliases
    assert len(org.spans) == 4  # the name, the acronym in its definition, two later uses


def test_gazetteer_supplies_the_full_name_for_a_bare_acronym(nlp_extractor: Extractor) -> None:
    found = orgs(nlp_extractor, "The participants agreed to assist one another through ICPA.")
    assert "International Corrections and Prisons Association" in found
    assert found["International Corrections and Prisons Association"].key == "icpa"


def test_acronym_definition_widens_to_the_whole_name(nlp_extractor: Extractor) -> None:
    text = (
        "This seminar was co-organized with America's Office of Community Oriented "
        "Policing Services (COPS)."
    )
    assert "Office of Community Oriented Policing Services" in orgs(nlp_extractor, text)


def test_coordinated_bodies_are_two_organisations(nlp_extractor: Extractor) -> None:
    text = (
        "Colleagues from the Dutch Probation Service and the Prosecutor's Office then "
        "presented their joint team."
    )
    found = orgs(nlp_extractor, text)
    assert {"Dutch Probation Service", "Prosecutor's Office"} <= set(found)
    assert found["Dutch Probation Service"].country == "NL"


def test_names_built_on_head_nouns(nlp_extractor: Extractor) -> None:
    text = (
        "The Ministry of Justice in cooperation with the Latvian Prison Administration "
        "organised it. Prof. Stefano Montaldo of the University of Turin spoke."
    )
    found = orgs(nlp_extractor, text)
    assert {"Ministry of Justice", "Latvian Prison Administration", "University of Turin"} <= set(
        found
    )
    assert found["Latvian Prison Administration"].country == "LV"
    assert not any("Montaldo" in name for name in found)


def test_rules_events_and_roles_are_not_organisations(nlp_extractor: Extractor) -> None:
    text = (
        "Members comply with the Council of Europe Probation Rules. The Heads of Services "
        "Meeting was useful. Correctional Services need staff."
    )
    found = orgs(nlp_extractor, text)
    assert "Council of Europe" in found
    assert not any("Rules" in n or "Meeting" in n or n == "Correctional Services" for n in found)


def test_territorial_european_union_is_not_the_body(nlp_extractor: Extractor) -> None:
    assert orgs(nlp_extractor, "They represented 15 jurisdictions of the European Union.") == {}
    assert orgs(nlp_extractor, "Prison numbers rose in the European Union last year.") == {}
    text = "The rate is the highest among the member states of the European Union."
    assert "European Union" not in orgs(nlp_extractor, text)


def test_the_european_union_acting_through_a_programme_is_the_body(
    nlp_extractor: Extractor,
) -> None:
    text = "The training is a joint programme of the European Union and the Council of Europe."
    assert {"European Union", "Council of Europe"} <= set(orgs(nlp_extractor, text))


def test_cue_introduced_name_without_head_noun(nlp_extractor: Extractor) -> None:
    text = "She leads One Small Thing, the organisation that rethinks how women are treated."
    assert "One Small Thing" in orgs(nlp_extractor, text)
