"""Fixtures for the pages: the real app over the seed corpus, in-process and in Chromium.

The in-process client (``pages``) carries most checks. The browser tests
share one uvicorn and one headless Chromium per session (Debian's
``chromium``; Playwright never downloads a browser here). Without Chromium
or Playwright they skip, saying why, unless PRACTICEGRAPH_REQUIRE_BROWSER=1
(CI), where a missing browser is a failure. Screenshots go to a temporary
folder unless PRACTICEGRAPH_REFRESH_SCREENSHOTS=1 (see ``screenshot_folder``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4.element import NavigableString, PageElement, Tag
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.live import LiveServer, live_server
from practicegraph.api import create_app
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
BROWSER_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
}
#: Debian's Chromium, headless, with nothing that phones home.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("PRACTICEGRAPH_REQUIRE_BROWSER") == "1"
#: Set to 1 to let the browser tests overwrite the tracked docs/screenshots/.
REFRESH_SCREENSHOTS = "PRACTICEGRAPH_REFRESH_SCREENSHOTS"


def service_of(client: TestClient) -> PracticeGraphService:
    """The service behind an in-process client of ``create_app``."""
    app = client.app
    assert isinstance(app, FastAPI), app
    service = app.state.service
    assert isinstance(service, PracticeGraphService), service
    return service


# Typed ways into a parsed page: each fails the test, saying what was missing,
# where BeautifulSoup would hand back None (or a list for an attribute).


def one(scope: Tag, selector: str) -> Tag:
    """The first element under ``scope`` that matches the CSS ``selector``."""
    found = scope.select_one(selector)
    if found is None:
        pytest.fail(f"nothing matches {selector!r} in <{scope.name}>")
    return found


def text_of(scope: Tag, selector: str) -> str:
    """The text of ``one(scope, selector)``."""
    return one(scope, selector).get_text()


def as_tag(found: PageElement | None, what: str) -> Tag:
    """``found`` (from ``find``, ``find_parent`` or ``tag.<child>``) as an element."""
    if not isinstance(found, Tag):
        pytest.fail(f"expected an element: {what}, found {found!r}")
    return found


def attr(tag: Tag, name: str, default: str | None = None) -> str:
    """The value of a single-valued attribute; ``default`` if given and it is absent."""
    value = tag.get(name)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        pytest.fail(f"<{tag.name}> has no single {name!r} attribute: {value!r}")
    return value


def section_of(page: Tag, element_id: str) -> Tag:
    """The section around the element with this id (its heading)."""
    return as_tag(one(page, f"#{element_id}").find_parent("section"), f"section of #{element_id}")


def leading_text(tag: Tag) -> str:
    """The text before ``tag``'s first child element, stripped (a heading without its count)."""
    first = tag.contents[0] if tag.contents else None
    if not isinstance(first, NavigableString):
        pytest.fail(f"<{tag.name}> does not start with text: {first!r}")
    return first.strip()


@pytest.fixture
def two_sources(
    other_settings: Settings,
    extractor: Extractor,
    corpus_dump: Path,
    write_doc: Callable[..., Path],
) -> Iterator[TestClient]:
    """Another organisation's instance: a local document about ICPA in Latvia, and the
    seed corpus imported as the source ``alpha``; a browser's Accept header."""
    with PracticeGraphService(other_settings, extractor=extractor) as service:
        service.ingest([write_doc("icpa.txt")])
        service.sources.import_dump(corpus_dump, "alpha")
        app = create_app(other_settings, service=service)
        with TestClient(app, headers=BROWSER_HEADERS) as client:
            yield client


@pytest.fixture
def pages(corpus_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """The whole app in-process over this test's copy of the corpus store."""
    service = PracticeGraphService(corpus_settings, extractor=extractor)
    try:
        with TestClient(create_app(corpus_settings, service=service)) as client:
            client.headers.update(BROWSER_HEADERS)
            yield client
    finally:
        service.close()


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (PRACTICEGRAPH_REQUIRE_BROWSER=1 requires the browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        _unavailable("no chromium on PATH: apt-get install -y chromium")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def live(
    tmp_path_factory: pytest.TempPathFactory, _pristine_corpus_store: Path
) -> Iterator[LiveServer]:
    """uvicorn on a free loopback port over a copy of the corpus store, for the session."""
    data = tmp_path_factory.mktemp("web-live") / "data"
    shutil.copytree(_pristine_corpus_store, data)
    with live_server(Settings.from_env(environ={}, data_dir=data)) as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[dev]'")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page_at(browser: Any, live: LiveServer) -> Iterator[Any]:
    """A factory of pages on the live server; any request off the loopback fails the test.

    Requests elsewhere are aborted before they leave and recorded, so a page or
    the vendored YASGUI that reached for a CDN or an online service shows up.
    """
    contexts: list[Any] = []
    outside: list[str] = []
    refused: list[str] = []  # what the Content-Security-Policy blocked

    def guard(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def make(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            base_url=live.url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(15_000)
        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not outside, f"pages asked for the network: {outside}"
    assert not refused, f"the pages' security policy blocked: {refused}"


def screenshot_folder(environ: Mapping[str, str], temporary: Callable[[], Path]) -> Path:
    """docs/screenshots/ when PRACTICEGRAPH_REFRESH_SCREENSHOTS=1 asks to refresh the
    tracked pictures the README shows; else a fresh temporary folder."""
    if environ.get(REFRESH_SCREENSHOTS) == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return temporary()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_folder(os.environ, lambda: tmp_path_factory.mktemp("screenshots"))
