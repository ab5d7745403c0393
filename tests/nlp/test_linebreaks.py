"""Lines wrapped in the middle of a sentence (PDF text, fixed-width text) are read whole.

Sentences written for these tests.
"""

from __future__ import annotations

from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.linebreaks import rejoin_lines

WRAPPED = (
    "Annual report 2024\n"
    "\n"
    "In March the European Organisation of Prison and\n"
    "Correctional Services (EuroPris) brought training managers to Tallinn,\n"
    "Estonia, where the Estonian Prison Service presented its mentoring scheme\n"
    "for newly recruited officers.\n"
    "- a buddy for every recruit\n"
    "- monthly reviews with a coach\n"
)


def test_wrapped_lines_become_spaces_and_nothing_moves() -> None:
    joined = rejoin_lines(WRAPPED)
    assert len(joined) == len(WRAPPED)
    assert "Prison and Correctional Services" in joined
    assert "Tallinn, Estonia, where" in joined
    assert "Annual report 2024\n\nIn March" in joined  # a heading and a paragraph break stay
    assert "officers.\n- a buddy" in joined  # a sentence end and a list item stay
    assert "recruit\n- monthly" in joined


def test_a_name_broken_across_lines_is_found(extractor: Extractor) -> None:
    extraction = extractor(WRAPPED, "Annual report 2024")
    names = {o.name for o in extraction.organisations}
    assert "European Organisation of Prison and Correctional Services" in names


def test_evidence_is_still_quoted_from_the_document_as_written(extractor: Extractor) -> None:
    """The offsets of everything found point into the wrapped text itself."""
    extraction = extractor(WRAPPED, "Annual report 2024")
    spans = [s for o in extraction.organisations for s in o.spans]
    spans += [s for p in extraction.places for s in p.spans]
    assert spans
    for span in spans:
        assert " ".join(WRAPPED[span.start : span.end].split()) == " ".join(span.text.split())


def test_a_line_laid_out_in_columns_keeps_its_break() -> None:
    """A running header ("Name      Title") is a row of a layout, not prose that wraps."""
    text = (
        "Directorate of Corrective Services           Briefing note\n"
        "Department of Community Safety\n"
    )
    joined = rejoin_lines(text)
    assert joined == text
