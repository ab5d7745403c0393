"""Fixtures for the extractor tests: the session's real spaCy pipeline (tests/conftest.py)."""

from __future__ import annotations

import pytest

from practicegraph.nlp.extractor import Extractor


@pytest.fixture(scope="session")
def nlp_extractor(extractor: Extractor) -> Extractor:
    return extractor
