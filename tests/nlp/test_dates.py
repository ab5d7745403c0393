"""Dates as the event extractor reads them: the parser's mentions, a news item's
date line, "today" and "the following May"."""

from __future__ import annotations

from practicegraph.nlp.dates import document_date, find_dates, first_date, relative_date
from practicegraph.nlp.event_dating import following_month


def test_day_and_month_without_year_is_completed_from_elsewhere() -> None:
    text = "The 2019 meeting took place on November 7th and 8th in Vienna."
    mentions = find_dates(text)
    undated = [m for m in mentions if m.iso is None]
    assert len(undated) == 1
    assert undated[0].with_year("2019") == "2019-11-07"


def test_modal_may_is_not_a_month() -> None:
    assert find_dates("Services may share their practice.") == []


def test_number_ranges_are_not_years() -> None:
    assert find_dates("It had 749 respondents and 2500-3000 visits.") == []


# --- issue 17: the bugs of the old parser ---------------------------------------


def test_an_impossible_day_dates_nothing() -> None:
    text = "The board met on 31 February 2023 to agree the budget."
    assert find_dates(text) == []
    assert first_date(text) is None


def test_a_decade_is_not_a_year() -> None:
    text = "Electronic monitoring spread in the 1990s and was reviewed later."
    assert find_dates(text) == []


def test_lower_case_may_before_a_year_is_the_verb() -> None:
    text = "Figures for the year may 2020 be revised, the agency said."
    assert [(m.iso, m.month) for m in find_dates(text)] == [("2020", None)]


def test_the_following_may_is_a_verb_when_lower_case() -> None:
    chunk = "The board agreed that the following may host the next seminar: Riga, Oslo."
    assert following_month(chunk, 0, "2018-07-05") == "2018-07-05"
    chunk = "They agreed to host the conference the following May."
    assert following_month(chunk, 0, "2018-07-05") == "2019-05"


# --- a news item's own date -------------------------------------------------------


def test_the_date_line_is_the_first_day_at_the_head() -> None:
    text = "June 2019 | News\nRiga, 5 June 2019. The service opened a new unit in 2018."
    written = document_date(find_dates(text))
    assert written is not None and written.iso == "2019-06-05"


def test_relative_days_count_from_the_date_line() -> None:
    (written,) = find_dates("Riga, Friday 7 June 2019")
    today = relative_date("The minister opened it today.", written)
    yesterday = relative_date("It was signed yesterday.", written)
    monday = relative_date("The staff met on Monday.", written)
    assert today is not None and today.iso == "2019-06-07"
    assert yesterday is not None and yesterday.iso == "2019-06-06"
    assert monday is not None and monday.iso == "2019-06-03"


def test_no_relative_day_without_a_day_to_count_from() -> None:
    (written,) = find_dates("June 2019")
    assert relative_date("The minister opened it today.", written) is None
    assert relative_date("The minister opened it today.", None) is None
