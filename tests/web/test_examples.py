"""The SPARQL editor's example queries answer their questions over the seed corpus."""

from __future__ import annotations

import pytest

from practicegraph.service import PracticeGraphService
from practicegraph.web.examples import EXAMPLES, Example


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.slug for e in EXAMPLES])
def test_each_example_returns_rows(corpus_service: PracticeGraphService, example: Example) -> None:
    rows = list(corpus_service.store.select(example.query))
    assert rows, f"{example.slug} found nothing"


def test_events_by_year_counts_the_corpus_events(corpus_service: PracticeGraphService) -> None:
    query = next(e for e in EXAMPLES if e.slug == "events-by-year").query
    years = {
        row["year"].value: int(row["events"].value) for row in corpus_service.store.select(query)
    }
    assert years.get("2016", 0) >= 1 and sum(years.values()) >= 5
