"""The one date parser: forms, precision, and the dates it must refuse."""

from __future__ import annotations

import pytest

from practicegraph.dates import (
    MONTH_NAMES,
    DateMention,
    PartialDate,
    Precision,
    find_dates,
    first_date,
    month_number,
    parse_iso,
)


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
        ("Updated 2023-05-25T10:00:00Z", "2023-05-25"),
        ("Riga, 25.05.2023.", "2023-05-25"),
        ("the workshop of 1 of May, 2023", "2023-05-01"),
        ("SEPT. 3, 2019", "2019-09-03"),
    ],
)
def test_dates_keep_the_precision_of_the_text(text: str, iso: str) -> None:
    assert first_date(text) == iso


@pytest.mark.parametrize(
    ("text", "precision"),
    [
        ("The board met in 2016.", Precision.YEAR),
        ("The board met in March 2016.", Precision.MONTH),
        ("The board met on 4 March 2016.", Precision.DAY),
    ],
)
def test_a_mention_states_its_precision(text: str, precision: Precision) -> None:
    (mention,) = find_dates(text)
    assert mention.precision is precision
    assert mention.date is not None and mention.date.precision is precision


def test_day_and_month_without_year_is_completed_from_elsewhere() -> None:
    text = "The 2019 meeting took place on November 7th and 8th in Vienna."
    undated = [m for m in find_dates(text) if m.iso is None]
    assert len(undated) == 1
    assert undated[0].with_year("2019") == "2019-11-07"


def test_a_day_the_year_lacks_is_not_completed() -> None:
    (mention,) = find_dates("The visit on 29 February went well.")
    assert mention.with_year("2024") == "2024-02-29"
    assert mention.with_year("2023") is None


@pytest.mark.parametrize(
    "text",
    [
        "The inspection on 31 February 2023 found nothing amiss.",
        "Staff were trained on February 30, 2022 in Tallinn.",
        "The unit reopened on 31.04.2021 after repairs.",
        "The register shows 2021-02-29 as the first entry.",
        "The course ran from 31 June to early July.",
    ],
)
def test_impossible_dates_are_refused_whole(text: str) -> None:
    # no day, and no month or year read from the same words either
    assert find_dates(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Prison populations grew sharply in the 1990s across Europe.",
        "Since the 1980's, probation has changed its methods.",
        "Reforms of the 2000s and 2010s shaped the service.",
    ],
)
def test_a_decade_is_not_a_year(text: str) -> None:
    assert find_dates(text) == []


def test_a_possessive_year_is_still_a_year() -> None:
    assert first_date("The 2019's conference report is out.") == "2019"


@pytest.mark.parametrize(
    "text",
    [
        "Services may share their practice.",
        "Prisoners who may 2020 have been released were counted.",
        "Officers may 25 times a year be asked to report.",
        "The prisoners march 2 km to the workshop every day.",
    ],
)
def test_english_words_are_not_months(text: str) -> None:
    assert all(m.month is None for m in find_dates(text))


def test_a_month_is_a_whole_word() -> None:
    assert find_dates("The 3 Mayors took 25 Decisions on 4 Marches.") == []


def test_month_names_written_as_names_are_months() -> None:
    assert first_date("The new regime started in May 2020.") == "2020-05"
    assert first_date("THE NEW REGIME, MARCH 2020") == "2020-03"
    assert first_date("the visit of 25 may 2023 (minutes)") == "2023-05-25"
    assert first_date("released in november 2021 after review") == "2021-11"


def test_number_ranges_are_not_years() -> None:
    assert find_dates("It had 749 respondents and 2500-3000 visits.") == []


def test_partial_date_validates_with_the_calendar() -> None:
    assert PartialDate(2024, 2, 29).iso == "2024-02-29"
    assert PartialDate(2023, 5).iso == "2023-05"
    assert PartialDate.of(2023, 2, 29) is None
    assert PartialDate.of(2023, 13) is None
    assert PartialDate.of(2023, None, 5) is None
    assert PartialDate.of(1066) is None
    with pytest.raises(ValueError, match="day is out of range"):
        PartialDate(2023, 2, 31)


def test_a_mention_without_year_is_validated_too() -> None:
    with pytest.raises(ValueError):
        DateMention(0, 11, None, 2, 30)
    assert DateMention(0, 11, None, 2, 29).iso is None


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2023-10-31T09:30:00+01:00", "2023-10-31"),
        ("2023-10", "2023-10"),
        ("2023", "2023"),
        ("2023-02-31", None),
        ("31 Oct 2023", None),
        ("", None),
    ],
)
def test_parse_iso(value: str, iso: str | None) -> None:
    parsed = parse_iso(value)
    assert (parsed.iso if parsed else None) == iso


def test_one_month_table() -> None:
    assert [month_number(name) for name in MONTH_NAMES] == list(range(1, 13))
    assert month_number("Sept.") == 9
    assert month_number("Mai") is None
