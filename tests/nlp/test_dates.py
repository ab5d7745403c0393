import pytest

from practicegraph.nlp.dates import find_dates, first_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("At the end of last week, on 25-26 May 2023, the Ministry", "2023-05-25"),
        ("held from 23 to 25 November 2021 at the Abbaye", "2021-11-23"),
        ("In Brussels on 17th November 2017, the 7th Conference", "2017-11-17"),
        ("Third seminar, Washington DC, September 2001", "2001-09"),
        ("31 Oct 2023", "2023-10-31"),
        ("The annual event first started in 2013", "2013"),
        ("on May 25, 2023 in Riga", "2023-05-25"),
        ("published 2024-02-29", "2024-02-29"),
    ],
)
def test_dates_keep_the_precision_of_the_text(text: str, iso: str) -> None:
    assert first_date(text) == iso


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
