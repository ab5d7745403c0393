from practicegraph.models import Event
from practicegraph.nlp.extractor import Extractor


def events(extractor: Extractor, text: str, title: str | None = None) -> dict[str, Event]:
    return {e.name: e for e in extractor(text, title).events}


def test_quoted_title_date_range_and_place(nlp_extractor: Extractor) -> None:
    text = (
        "At the end of last week, on 25-26 May 2023, the Ministry of Justice organized an "
        "international conference “Future Competences for Future Prisons” in Riga for "
        "correctional service specialists."
    )
    found = events(nlp_extractor, text)
    event = found["Future Competences for Future Prisons"]
    assert event.start_date == "2023-05-25"
    assert event.place_key is not None and event.country == "LV"
    assert event.organisers  # the Ministry organised it


def test_next_meeting_with_date_range(nlp_extractor: Extractor) -> None:
    found = events(
        nlp_extractor,
        "The next Heads of Services Meeting will take place in London, 22-27 October 2017.",
    )
    event = found["next Heads of Services Meeting"]
    assert (event.start_date, event.country) == ("2017-10-22", "GB")


def test_month_and_day_take_the_year_stated_elsewhere(nlp_extractor: Extractor) -> None:
    text = (
        "Our 2019 programme was busy. The 5th Annual Probation Seminar was held on "
        "November 7th and 8th in Vienna."
    )
    event = events(nlp_extractor, text)["5th Annual Probation Seminar"]
    assert event.start_date == "2019-11-07"


def test_generic_and_series_mentions_are_not_events(nlp_extractor: Extractor) -> None:
    text = (
        "The conference was useful. Each seminar in the series followed the same principle. "
        "A workshop is planned."
    )
    assert events(nlp_extractor, text) == {}


def test_one_event_written_two_ways_is_one(nlp_extractor: Extractor) -> None:
    text = (
        "Forty years of CEP: the 9th Conference for Directors General of Probation\n\n"
        "The 9th CEP Conference for Directors General of Probation was held from 23 to 25 "
        "November 2021 in Paris, France."
    )
    found = events(
        nlp_extractor,
        text,
        title="Forty years of CEP: the 9th Conference for Directors General of Probation",
    )
    assert len(found) == 1
    (event,) = found.values()
    assert event.start_date == "2021-11-23"
    assert event.country == "FR"
