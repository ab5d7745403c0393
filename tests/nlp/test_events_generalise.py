"""Events dated and named from their context: the item's date line, a heading, the
sentence before; ordinals past 99; names by apposition and possessor; bodies and
buildings that only look like events.

Every sentence here was written for these tests.
"""

from __future__ import annotations

from practicegraph.models import Event
from practicegraph.nlp.extractor import Extractor


def _events(extractor: Extractor, text: str, title: str | None = "News") -> list[Event]:
    return extractor(text, title).events


def _by_name(extractor: Extractor, text: str, title: str | None = "News") -> dict[str, Event]:
    return {e.name: e for e in _events(extractor, text, title)}


def test_three_digit_ordinal_and_adjective_before_the_noun(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nAt its 152nd plenary session in March 2023, the committee reviewed "
        "the rules on solitary confinement."
    )
    found = _by_name(nlp_extractor, text)
    assert "152nd plenary session" in found
    assert found["152nd plenary session"].start_date == "2023-03"


def test_an_event_noun_that_qualifies_a_building_is_no_event(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe service opened a new training and education centre on 4 April 2022, "
        "and the training rooms were filled on 6 April 2022."
    )
    assert not [e for e in _events(nlp_extractor, text) if e.name.lower() == "training"]


def test_on_wednesday_counts_from_the_date_line(nlp_extractor: Extractor) -> None:
    text = (
        "Posted: 15 March 2023\n\n"
        "The minister on Monday attended the passing-out parade of new prison officers."
    )
    (event,) = _events(nlp_extractor, text)
    assert event.start_date == "2023-03-13"  # the Monday before Wednesday 15 March


def test_today_is_the_day_of_the_date_line(nlp_extractor: Extractor) -> None:
    text = (
        "Press release | 8 June 2021\n\n"
        "The director today opened a press conference on overcrowding in the remand wings."
    )
    dates = [e.start_date for e in _events(nlp_extractor, text)]
    assert "2021-06-08" in dates


def test_a_date_line_above_a_paragraph_dates_it(nlp_extractor: Extractor) -> None:
    text = (
        "Skills for new trainers\n\n"
        "4-6 October 2022\n\n"
        "Twenty senior officers took part in a three-day seminar on conflict management."
    )
    (event,) = _events(nlp_extractor, text)
    assert event.start_date == "2022-10-04"
    assert "seminar on conflict management" in event.name


def test_the_meeting_refers_to_the_sentence_before(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe probation directors came together on 12 May 2021 in Tallinn, Estonia. "
        "The meeting was chaired by the head of the national service."
    )
    (event,) = _events(nlp_extractor, text)
    assert event.start_date == "2021-05-12"
    assert event.country == "EE" and event.place_key is not None


def test_a_bounding_date_dates_nothing(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nA final conference is foreseen before June 2024. "
        "From March 2022 participants of Basic Training received tablets."
    )
    assert _events(nlp_extractor, text) == []


def test_a_date_range_opened_by_from_still_dates(nlp_extractor: Extractor) -> None:
    text = "News\n\nFrom 3 to 5 December 2024 the 14th Probation Technology Conference met."
    dates = {e.name: e.start_date for e in _events(nlp_extractor, text)}
    assert dates == {"14th Probation Technology Conference": "2024-12-03"}


def test_a_name_in_apposition_names_the_event(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe two agencies held their yearly planning seminar, the Annual Leadership "
        "Retreat 2022, at a hotel on 3 March 2022."
    )
    assert "Annual Leadership Retreat 2022" in _by_name(nlp_extractor, text)


def test_no_apposition_after_an_opening_phrase(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe graduation took place on 2 May 2022. Speaking at the ceremony, the "
        "Regional Commander Of Prisons praised the graduates."
    )
    names = set(_by_name(nlp_extractor, text))
    assert not any("Commander" in name for name in names)


def test_a_possessor_completes_the_name(nlp_extractor: Extractor) -> None:
    text = "News\n\nThe committee's next meeting will be held online in 2026."
    assert "next meeting of the committee" in _by_name(nlp_extractor, text)


def test_a_launch_in_the_headline_is_an_event(nlp_extractor: Extractor) -> None:
    title = "Ministry launches National Rehabilitation Strategy 2025-2030"
    text = f"{title}\n\nPublished 3 February 2025\n\nThe strategy sets out five priorities."
    event = _by_name(nlp_extractor, text, title)[
        "launch of National Rehabilitation Strategy 2025-2030"
    ]
    assert event.start_date == "2025-02-03"


def test_a_dated_visit_told_with_the_verb(nlp_extractor: Extractor) -> None:
    text = "News\n\nThe subcommittee first visited Georgia from 3 to 7 June 2019."
    event = _by_name(nlp_extractor, text)["first visit to Georgia"]
    assert event.start_date == "2019-06-03"


def test_a_chronology_entry_dates_to_the_month(nlp_extractor: Extractor) -> None:
    text = (
        "How the reform went\n\n"
        "- March 2003: a pilot training course for 40 prison officers in Belgrade.\n"
        "- 2004: the academy was founded."
    )
    dates = [e.start_date for e in _events(nlp_extractor, text)]
    assert dates == ["2003-03"]


def test_a_complement_ends_on_no_preposition_nor_weekday(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nOn 16 November 2022 ten doctors attended a two-day training on mental health "
        "care in prisons in Skopje. The opening on Monday, 25 September 2023 was brief."
    )
    names = set(_by_name(nlp_extractor, text))
    assert "training on mental health care in prisons" in names
    assert "opening" in names


def test_two_workshops_on_other_days_in_other_places_stay_two(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nOn 2 March 2022 the agency ran an EPIS Data Workshop in Prague, Czech "
        "Republic. On 9 November 2022 it will hold a one-day workshop in Ghent, Belgium."
    )
    assert len(_events(nlp_extractor, text)) == 2


def test_a_shorter_mention_merges_into_the_fuller_name(nlp_extractor: Extractor) -> None:
    title = "Youth Safety Prize and Good Practice Conference 2023"
    text = f"{title}\n\nThe Good Practice Conference takes place on 14 and 15 November 2023."
    (event,) = _events(nlp_extractor, text, title)
    assert event.name.startswith("Youth Safety Prize and")
    assert event.start_date == "2023-11-14"


def test_a_plain_event_key_carries_its_day_and_place(nlp_extractor: Extractor) -> None:
    text = "News\n\nA meeting was held in Oslo, Norway, on 20 February 2024."
    (event,) = _events(nlp_extractor, text)
    # named "meeting in Oslo" by its venue since issue 12; the key still carries the day
    assert event.key.startswith("meeting") and "-2024-02-20-" in event.key


def test_a_place_named_only_to_situate_another_is_not_the_venue(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nOn 3 December 2024 the town of Cascais, just west of Lisbon, hosted the "
        "13th Electronic Monitoring Conference."
    )
    (event,) = _events(nlp_extractor, text)
    assert event.place_key is not None and "lisbon" not in event.place_key.lower()


# --- Second round (issue 12): sentences written for these tests ---


def test_a_numbered_session_of_a_body_is_an_event(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe rules follow the 31st Council of Europe Conference of Heads of Prison "
        "Services, held in Oslo, Norway, on 4 May 2021."
    )
    names = set(_by_name(nlp_extractor, text))
    assert any(name.startswith("31st Council of Europe Conference") for name in names)


def test_that_conference_takes_the_town_of_the_sentence_that_dated_it(
    nlp_extractor: Extractor,
) -> None:
    text = (
        "News\n\nThe directors met in Tallinn, Estonia, on 8 March 2022. "
        "Hosted by the Estonian prison service, that conference looked at staff retention."
    )
    events = [e for e in _events(nlp_extractor, text) if e.start_date == "2022-03-08"]
    assert events and all(e.place_key is not None for e in events)


def test_an_ordinal_written_two_ways_is_one_meeting(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe network held its second meeting in Vilnius on 3 June 2021.\n\n"
        "Related items\n> Slides of the 2nd Network Meeting now online"
    )
    assert len(_events(nlp_extractor, text)) == 1


def test_its_session_is_the_session_of_the_subject(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe Standing Committee on Detention adopted the report at its "
        "88th plenary meeting on 2 October 2020."
    )
    names = set(_by_name(nlp_extractor, text))
    assert any(n.startswith("88th plenary meeting of") and "Standing Committee" in n for n in names)


def test_a_meeting_told_with_the_verb(nlp_extractor: Extractor) -> None:
    text = "News\n\nAll partners will meet in Tartu, Estonia, in November 2024 to agree the plan."
    (event,) = _events(nlp_extractor, text)
    assert event.name.startswith("meeting in Tartu")
    assert event.start_date == "2024-11" and event.place_key is not None


def test_met_without_a_place_or_a_month_is_no_meeting(nlp_extractor: Extractor) -> None:
    text = "News\n\nMost targets were met in 2019, and the new criteria were met by all units."
    assert _events(nlp_extractor, text) == []


def test_a_graduation_and_an_opening_told_with_verbs(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThirty recruits graduated at Northfield Training Prison on Friday, "
        "6 May 2022. On 9 May 2022 the academy formally opened a new simulation wing."
    )
    names = {e.name: e.start_date for e in _events(nlp_extractor, text)}
    assert names.get("graduation at Northfield Training Prison") == "2022-05-06"
    assert names.get("opening of new simulation wing") == "2022-05-09"


def test_a_plain_event_is_named_by_where_it_was_held(nlp_extractor: Extractor) -> None:
    text = (
        "News | 4 April 2022\n\nThe minister today presented the reform at a press "
        "conference held at Greystone Hall."
    )
    assert "press conference at Greystone Hall" in _by_name(nlp_extractor, text)


def test_a_headline_in_a_list_does_not_date_the_next_line(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe academy trained forty officers.\n\nMore news\n\n"
        "Call for papers: Autumn Conference 2026\n\nBoard meeting: notice to members"
    )
    assert not [e for e in _events(nlp_extractor, text) if "Board" in e.name]


def test_the_opening_of_the_conference_is_part_of_it(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe 12th Annual Probation Conference ran from 3 to 5 May 2023 in Cork. "
        "A keynote on 3 May 2023 marked the opening of the conference."
    )
    assert not [e for e in _events(nlp_extractor, text) if e.name.startswith("opening")]


def test_a_dateline_places_what_happened_on_its_day(nlp_extractor: Extractor) -> None:
    text = (
        "Certificates for new officers\n\nGöttingen, 14 June 2022\n\n"
        "On 14 June 2022 the director handed over the certificates at a ceremony."
    )
    events = _events(nlp_extractor, text, "Certificates for new officers")
    assert events and all(e.place_key is not None for e in events)


def test_a_numbered_training_institute_is_a_session(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nSome 900 parole officers travelled to Denver from 3 to 6 May 2021 for the "
        "31st Annual Training Institute."
    )
    found = _by_name(nlp_extractor, text)
    assert "31st Annual Training Institute" in found
    assert found["31st Annual Training Institute"].start_date == "2021-05-03"


def test_a_gerund_headline_and_training_in_general_are_no_events(
    nlp_extractor: Extractor,
) -> None:
    text = (
        "News\n\nTraining probation officers in Chile: lessons learnt (4 March 2019)\n\n"
        "A call for further training was published on 9 October 2019."
    )
    assert not [e for e in _events(nlp_extractor, text) if "raining" in e.name]


def test_a_forum_read_as_a_body_is_no_event(nlp_extractor: Extractor) -> None:
    text = (
        "News\n\nThe skills that the World Economic Forum had listed in 2016 shaped the "
        "new curriculum of the prison school."
    )
    assert not [e for e in _events(nlp_extractor, text) if "Forum" in e.name]


def test_the_following_month_falls_in_the_next_year(nlp_extractor: Extractor) -> None:
    text = (
        "Chronology\n\n9 August 2017 - The minister says that Malta will host the European "
        "Conference on Prison Education the following April."
    )
    found = _by_name(nlp_extractor, text)
    assert found["European Conference on Prison Education"].start_date == "2018-04"


def test_the_ceremony_on_the_day_of_a_graduation_is_the_graduation(
    nlp_extractor: Extractor,
) -> None:
    text = (
        "News\n\nForty officers graduated at Kitale Prison on 14 March 2022. Speaking at the "
        "ceremony, the commissioner thanked the trainers."
    )
    found = _events(nlp_extractor, text)
    assert [e.name for e in found] == ["graduation at Kitale Prison"]


def test_a_year_in_the_sentence_completes_a_meeting_told_with_a_day(
    nlp_extractor: Extractor,
) -> None:
    text = (
        "Report 2020\n\nThe third network meeting of 2016 was held in Lisbon on 10 and 11 "
        "October. The network published its report in 2020, and a review in 2020."
    )
    found = _events(nlp_extractor, text)
    assert found and all(e.start_date.startswith("2016") for e in found if e.start_date)


def test_an_event_mention_stops_before_its_place(nlp_extractor: Extractor) -> None:
    """The place stays a mention of its own (a page cannot nest one link in another)."""
    text = (
        "On 12 May 2022 the service held the international conference "
        "“Prisons of Tomorrow” in Tallinn for heads of training academies."
    )
    extraction = nlp_extractor(text, "News")
    (event,) = [e for e in extraction.events if "Tomorrow" in e.name]
    assert all("Tallinn" not in span.text for span in event.spans)
    assert any(p.name == "Tallinn" for p in extraction.places)
