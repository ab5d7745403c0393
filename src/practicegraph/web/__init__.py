"""Web pages for people: home, search results, entity pages, the SPARQL editor.

Server-rendered with Jinja2 (``templates/``), styled by ``static/site.css``;
only the SPARQL editor needs JavaScript (YASGUI, vendored in
``static/yasgui/``, see docs/web.md). Linked-data IRIs get their pages
through ``api.resources``, which negotiates HTML or RDF and calls
:func:`resource_html`; this package never imports ``practicegraph.api``.

Mount with one line each in the app factory::

    app.include_router(web.router)
    app.mount(web.STATIC_PATH, web.static_files(), name="static")
"""

from __future__ import annotations

from pathlib import Path

from starlette.staticfiles import StaticFiles

from practicegraph.web.pages import router
from practicegraph.web.paths import LinkedDataPaths, served_path
from practicegraph.web.rendering import STATIC_PATH
from practicegraph.web.resource_pages import not_found_html, resource_html

STATIC_DIR = Path(__file__).parent / "static"


def static_files() -> StaticFiles:
    """The stylesheet, the editor's script and the vendored YASGUI, from the package."""
    return StaticFiles(directory=STATIC_DIR)


__all__ = [
    "STATIC_DIR",
    "STATIC_PATH",
    "LinkedDataPaths",
    "not_found_html",
    "resource_html",
    "router",
    "served_path",
    "static_files",
]
