"""Long texts are parsed in pieces; a document that breaks the stream fails alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import CORPUS, CORPUS_NAMES
from practicegraph.models import Extraction
from practicegraph.nlp import extractor as extractor_module
from practicegraph.nlp.extractor import (
    ExtractionFailure,
    ExtractionInput,
    Extractor,
    split_text,
)

#: All of corpus/ as one text: some 33,000 characters in many paragraphs.
LONG_TEXT = "\n\n".join((CORPUS / name).read_text(encoding="utf-8") for name in CORPUS_NAMES)
MAX_LENGTH = 4_000  # spaCy's limit in these tests: the long text is 8 times that


def spans(extraction: Extraction) -> set[tuple[str, str, int, int, str]]:
    found: set[tuple[str, str, int, int, str]] = set()
    for kind in ("organisations", "countries", "places", "events"):
        for entity in getattr(extraction, kind):
            key = getattr(entity, "key", None) or entity.code
            found.update((kind, key, s.start, s.end, s.text) for s in entity.spans)
    for practice in extraction.practices:
        ev = practice.evidence
        found.add(("practice", practice.label, ev.start, ev.end, ev.text))
    return found


# --- split_text ------------------------------------------------------------------------------


def test_pieces_join_back_and_respect_the_limit() -> None:
    pieces = split_text(LONG_TEXT, 3_000)
    assert "".join(pieces) == LONG_TEXT
    assert len(pieces) > 10
    assert all(0 < len(p) <= 3_000 for p in pieces)
    assert all(p.endswith("\n") for p in pieces[:-1])  # cut at line ends, not in a sentence


def test_one_line_is_cut_after_a_sentence_then_at_a_space() -> None:
    line = "The service trains staff. " * 100
    pieces = split_text(line, 500)
    assert "".join(pieces) == line
    assert all(p.endswith("staff. ") for p in pieces[:-1])
    words = "rehabilitation " * 100
    assert all(p.endswith(" ") for p in split_text(words, 100)[:-1])
    assert split_text("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_a_short_text_is_one_piece() -> None:
    assert split_text("Short.", 100) == ["Short."]
    assert split_text("", 100) == [""]


# --- the extractor -----------------------------------------------------------------------------


@pytest.fixture
def short_limit(nlp_extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> Extractor:
    """The session's extractor with spaCy refusing texts past MAX_LENGTH (E088)."""
    monkeypatch.setattr(nlp_extractor.nlp, "max_length", MAX_LENGTH)
    return nlp_extractor


def test_text_past_spacys_limit_is_parsed_in_pieces(nlp_extractor: Extractor) -> None:
    whole = nlp_extractor(LONG_TEXT)  # spaCy's default limit: one piece
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nlp_extractor.nlp, "max_length", MAX_LENGTH)
        doc = nlp_extractor.parse(LONG_TEXT)
        pieces = nlp_extractor(LONG_TEXT)
    assert doc.text == LONG_TEXT
    assert len(doc.ents) > 50 and len(list(doc.sents)) > 100
    found = spans(pieces)
    for kind, _key, start, end, text in found:
        assert LONG_TEXT[start:end] == text, kind
    expected = spans(whole)
    # Only the sentences either side of a cut can differ; entities do not.
    entities = {s for s in expected if s[0] != "practice"}
    assert entities == {s for s in found if s[0] != "practice"}
    assert len(expected & found) >= 0.95 * len(expected)


@pytest.mark.parametrize("n_process", [1, 2])
def test_pipe_parses_long_texts_in_pieces(short_limit: Extractor, n_process: int) -> None:
    items = [ExtractionInput("A short note about probation in Riga, Latvia.")] * 2
    items.insert(1, ExtractionInput(LONG_TEXT))
    results = list(short_limit.pipe(items, batch_size=4, n_process=n_process))
    assert len(results) == 3
    assert results[0] == results[2]
    assert {c.code for c in results[0].countries} == {"LV"}
    assert results[1] == short_limit(LONG_TEXT)


def test_a_document_that_fails_extraction_fails_alone(
    nlp_extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = nlp_extractor.extract

    def extract(doc: object, title: str | None = None) -> Extraction:
        if "POISON" in doc.text:  # type: ignore[attr-defined]
            raise IndexError("list index out of range")
        return real(doc, title)  # type: ignore[arg-type]

    monkeypatch.setattr(nlp_extractor, "extract", extract)
    texts = ["Probation in Norway.", "POISON in Oslo.", "Prisons in Canada."]
    results = list(nlp_extractor.pipe_each([ExtractionInput(t) for t in texts]))
    assert isinstance(results[0], Extraction) and isinstance(results[2], Extraction)
    assert results[1] == ExtractionFailure(
        "extraction failed (IndexError: list index out of range)"
    )
    assert {c.code for c in results[2].countries} == {"CA"}


def test_when_spacys_stream_breaks_the_rest_are_parsed_one_by_one(
    nlp_extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def breaking(
        items: list[ExtractionInput], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[tuple[ExtractionInput, object]]:
        yield items[0], nlp_extractor.parse(items[0].text)
        raise ValueError("[E871] Error encountered in nlp.pipe with multiprocessing")

    monkeypatch.setattr(nlp_extractor, "pipe_docs", breaking)
    texts = ["Probation in Norway.", "Prisons in Canada.", "Courts in France."]
    results = list(nlp_extractor.pipe_each([ExtractionInput(t) for t in texts]))
    assert [sorted(c.code for c in r.countries) for r in results] == [["NO"], ["CA"], ["FR"]]  # type: ignore[union-attr]


def test_chunk_size_follows_spacys_limit(short_limit: Extractor) -> None:
    assert short_limit.chunk_chars == MAX_LENGTH
    assert extractor_module.CHUNK_CHARS > MAX_LENGTH
