"""Fixtures for the extractor tests: the real spaCy pipeline, loaded once per session."""

from __future__ import annotations

import pytest
from spacy.language import Language

from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.gazetteer import Gazetteer
from practicegraph.nlp.pipeline import load_pipeline


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_pipeline(Settings.from_env(environ={}, data_dir="unused").model)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer()


@pytest.fixture(scope="session")
def nlp_extractor(nlp: Language, gazetteer: Gazetteer) -> Extractor:
    return Extractor(nlp, gazetteer)
