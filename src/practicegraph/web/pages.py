"""The page routes that are not linked-data IRIs: home, search results, SPARQL editor.

Paths keep clear of the API: ``/search`` stays the JSON search and
``/sparql`` the protocol endpoint; their pages are ``/find`` and ``/query``.
Routes are plain ``def``: they read the store and the index, which block, so
FastAPI runs them in its thread pool. Query parameters are read leniently
(a bad page number shows page 1): a person who edits a URL gets a page,
not a validation error.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from practicegraph.config import Settings
from practicegraph.errors import SearchQueryError
from practicegraph.graph.store import GraphStore
from practicegraph.service import PracticeGraphService
from practicegraph.sparql_terms import literal
from practicegraph.web.home_page import home_view
from practicegraph.web.lookups import labels, select
from practicegraph.web.paths import LinkedDataPaths
from practicegraph.web.query_page import query_page
from practicegraph.web.rendering import render
from practicegraph.web.search_page import SearchForm, search_page

router = APIRouter(tags=["pages"], include_in_schema=False)

KIND_PLURALS = {"document": "Documents", "practice": "Practices"}


def _service(request: Request) -> PracticeGraphService:
    service: PracticeGraphService = request.app.state.service
    return service


def _paths(request: Request) -> LinkedDataPaths:
    settings: Settings = request.app.state.settings
    return LinkedDataPaths(settings.base_iri)


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)


@router.get("/", response_class=HTMLResponse, summary="Home page")
def home(request: Request) -> HTMLResponse:
    """Search box, ways in by theme and by country, recent documents."""
    view = home_view(_service(request).store, _paths(request))
    return _html(render("home.html", view=view, formats=[], page="home"))


def _country_names(store: GraphStore, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted({c for c in codes if c.isalpha() and len(c) == 2})
    if not wanted:
        return {}
    values = " ".join(literal(c.upper()) for c in wanted)
    rows = select(
        store,
        f"""SELECT ?code (SAMPLE(?name) AS ?n) WHERE {{ VALUES ?code {{ {values} }}
              ?c a schema:Country ; schema:identifier ?code ; schema:name ?name }}
            GROUP BY ?code""",
    )
    return {row["code"]: row["n"] for row in rows}


@router.get("/find", response_class=HTMLResponse, summary="Search results page")
def find(request: Request) -> HTMLResponse:
    """Ranked practices and documents with snippets, facets, filters, pages, a suggestion."""
    service = _service(request)
    paths = _paths(request)
    form = SearchForm.from_params(request.query_params.multi_items())
    try:
        response = service.search(form.request())
    except SearchQueryError as exc:
        return _html(render("search_refused.html", reason=str(exc), formats=[]), 400)
    if form.page > response.pages:  # past the end (an old link): show the last page
        form.page = response.pages
        response = service.search(form.request())
    codes = [v for v, _n in response.facets.get("country", [])]
    codes += form.filters.get("country", []) + [c for h in response.hits for c in h.countries]
    countries = _country_names(service.store, codes)
    themes = service.vocabulary.theme_labels

    def label(facet: str, value: str) -> str:
        if facet == "theme" and themes.get(value):
            return themes[value][0]
        if facet == "country":
            return countries.get(value.upper(), value)
        if facet == "kind":
            return KIND_PLURALS.get(value, value)
        return value

    documents = labels(service.store, {h.document for h in response.hits if h.document})
    view = search_page(form, response, label, paths.href, documents)
    return _html(render("find.html", view=view, formats=[], page="find"))


@router.get("/query", response_class=HTMLResponse, summary="SPARQL editor page")
def query_editor(request: Request) -> HTMLResponse:
    """YASGUI over this service's /sparql, with example questions (runnable without JS as
    CSV): the same page a browser gets at /sparql (web.query_page)."""
    settings: Settings = request.app.state.settings
    return _html(query_page(settings.base_iri))


__all__ = ["router"]
