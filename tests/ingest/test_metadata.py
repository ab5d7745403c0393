"""Metadata heuristics: a document's publication date and its language."""

from __future__ import annotations

import pytest

from practicegraph.ingest.metadata import (
    EUROPEAN_LANGUAGES,
    detect_language,
    find_date,
    normalise_date,
)

# --- dates ------------------------------------------------------------------------


def test_find_date_refuses_an_impossible_day_and_takes_the_next_date() -> None:
    text = "Posted on 31 February 2023. Updated on 2 March 2023 with the minutes."
    assert find_date(text) == "2023-03-02"


def test_find_date_reads_a_lower_case_month_between_day_and_year() -> None:
    assert find_date("posted 3 may 2021 by the press office") == "2021-05-03"


def test_find_date_ignores_a_decade_and_a_bare_month() -> None:
    assert find_date("In the 1990s, and again in May 2001, the service changed.") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("October 2023", "2023-10"),
        ("2023-02-30", None),
        ("2023-02-28T23:59:59-05:00", "2023-02-28"),
        ("in the 1990s", None),
    ],
)
def test_normalise_date_keeps_the_stated_precision(value: str, expected: str | None) -> None:
    assert normalise_date(value) == expected


# --- language ---------------------------------------------------------------------

PARAGRAPHS = {
    "en": "The probation service opened a new day centre for women leaving prison, "
    "where they can meet their officer and find help with housing.",
    "fr": "L'administration pénitentiaire a ouvert un nouveau centre de jour pour les "
    "femmes qui sortent de prison, où elles trouvent de l'aide pour se loger.",
    "de": "Die Bewährungshilfe hat ein neues Tageszentrum für Frauen eröffnet, die aus "
    "der Haft entlassen werden und Hilfe bei der Wohnungssuche brauchen.",
    "nl": "De reclassering heeft een nieuw dagcentrum geopend voor vrouwen die uit de "
    "gevangenis komen en hulp zoeken bij het vinden van een woning.",
    "es": "Los servicios de libertad condicional abrieron un nuevo centro de día para "
    "mujeres que salen de prisión y necesitan ayuda para encontrar vivienda.",
    "it": "L'ufficio per l'esecuzione penale esterna ha aperto un nuovo centro diurno per "
    "le donne che escono dal carcere e cercano aiuto per trovare una casa.",
    "pt": "Os serviços de reinserção abriram um novo centro de dia para mulheres que "
    "saem da prisão e precisam de ajuda para encontrar habitação.",
    "pl": "Służba kuratorska otworzyła nowe centrum dzienne dla kobiet opuszczających "
    "więzienie, w którym mogą spotkać kuratora i znaleźć pomoc w sprawie mieszkania.",
    "ro": "Serviciul de probațiune a deschis un nou centru de zi pentru femeile care ies "
    "din închisoare și au nevoie de ajutor pentru a găsi o locuință.",
    "lt": "Probacijos tarnyba atidarė naują dienos centrą moterims, išeinančioms iš "
    "kalėjimo, kur jos gali susitikti su pareigūnu ir gauti pagalbą dėl būsto.",
    "lv": "Valsts probācijas dienests atvēra jaunu dienas centru sievietēm, kuras atbrīvotas "
    "no cietuma, lai viņas varētu satikt savu speciālistu un saņemt palīdzību.",
    "sv": "Frivården har öppnat ett nytt dagcenter för kvinnor som friges från fängelse, "
    "där de kan träffa sin handläggare och få hjälp med bostad.",
    "cs": "Probační a mediační služba otevřela nové denní centrum pro ženy, které "
    "opouštějí věznici a potřebují pomoc při hledání bydlení.",
    "ca": "El servei de mesures penals alternatives ha obert un nou centre de dia per a "
    "les dones que surten de la presó i necessiten ajuda per trobar habitatge.",
}


@pytest.mark.parametrize(("language", "text"), sorted(PARAGRAPHS.items()))
def test_detect_language_of_a_short_paragraph(language: str, text: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "Strategic Seminars",
        "Annual report 2023",
        "12 34 56 78 90 1234 5678 2023 2024",
    ],
)
def test_detect_language_abstains_on_too_little_text(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Direktorat Jenderal Pemasyarakatan meluncurkan program baru untuk narapidana "
        "dewasa muda di lembaga pemasyarakatan di seluruh negeri.",
        "ادارة السجون أطلقت برنامجا جديدا للشباب البالغين المحكوم عليهم في السجون",
    ],
)
def test_detect_language_abstains_outside_europe(text: str) -> None:
    assert detect_language(text) is None


def test_detect_language_answers_iso_639_1_codes() -> None:
    assert all(len(code) == 2 and code.islower() for code in EUROPEAN_LANGUAGES)
    assert detect_language(PARAGRAPHS["en"] * 2000) == "en"
