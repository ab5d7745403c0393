"""A practice's description is its sentence with the sentence it leans on: the lead-in
of a list for a list item, the sentence before for one that opens on a pronoun. The
evidence stays the sentence itself. Sentences of our own."""

from __future__ import annotations

from spacy.tokens import Span

from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.practices import practice_description

LIST = (
    "Harbourside Probation Trust supports every person leaving custody.\n\n"
    "The resettlement package covers:\n"
    "- a mentoring programme that pairs each person with a trained volunteer mentor;\n"
    "- an online learning platform with courses on budgeting and tenancy rights;\n"
)
LEANING = (
    "The service introduced a buddy scheme for newly recruited prison officers in 2021. "
    "It pairs each recruit with an experienced officer for the first six months on the wings."
)


def _sentences(extractor: Extractor, text: str) -> list[Span]:
    return list(extractor.parse(text).sents)


def test_a_list_item_is_described_with_its_lead_in(nlp_extractor: Extractor) -> None:
    sentences = _sentences(nlp_extractor, LIST)
    item = sentences[-1]
    assert item.text.lstrip().startswith("- an online learning platform")
    described = practice_description(item, sentences[:-1])
    assert described == f"The resettlement package covers: {item.text.strip()}"


def test_a_pronoun_led_sentence_is_described_with_the_one_before(
    nlp_extractor: Extractor,
) -> None:
    first, second = _sentences(nlp_extractor, LEANING)
    assert practice_description(second, [first]) == f"{first.text.strip()} {second.text.strip()}"


def test_a_sentence_that_stands_alone_is_its_own_description(nlp_extractor: Extractor) -> None:
    first, second = _sentences(
        nlp_extractor,
        "A short preface opens the page. Mentors meet each new officer weekly on the wings.",
    )
    assert practice_description(second, [first]) == second.text.strip()
    assert practice_description(first, []) == first.text.strip()


def test_extracted_list_practices_carry_their_lead_in(nlp_extractor: Extractor) -> None:
    extraction = nlp_extractor(LIST)
    items = [p for p in extraction.practices if p.evidence.text.startswith("-")]
    assert items, [p.evidence.text for p in extraction.practices]
    for practice in items:
        assert practice.description == f"The resettlement package covers: {practice.evidence.text}"
        assert LIST[practice.evidence.start : practice.evidence.end] == practice.evidence.text
