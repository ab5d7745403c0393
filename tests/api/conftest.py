"""Fixtures for the HTTP API: the real app over a real store, in-process and on uvicorn."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from practicegraph.api import create_app
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService

TOKEN = "test-token-3f9a"


@pytest.fixture
def api_settings(corpus_settings: Settings) -> Settings:
    """Settings of a data directory already holding corpus/, with a write token."""
    return corpus_settings.with_(token=TOKEN)


@contextlib.contextmanager
def client_for(settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """The real app, in-process, over a service of its own for ``settings``."""
    with (
        PracticeGraphService(settings, extractor=extractor) as service,
        TestClient(create_app(settings, service=service)) as test_client,
    ):
        yield test_client


@pytest.fixture
def client(api_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    with client_for(api_settings, extractor) as test_client:
        yield test_client


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
