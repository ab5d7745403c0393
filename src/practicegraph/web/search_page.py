"""The search results page as data: the form, the hits, the facets, the filters, the pages.

Facets are rendered from whatever the :class:`SearchResponse` holds, so a
facet the index gains (``source``) appears without a change here. A filter
reaches the index only through a :class:`SearchRequest` field that exists;
the URL keeps the JSON API's parameter names (``org`` for organisation).
Every link on the page is a plain GET URL, so filtering, removing a filter
and paging work without JavaScript and can be bookmarked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from markupsafe import Markup

from practicegraph.search import SearchRequest, SearchResponse
from practicegraph.web.lookups import Item

PAGE_SIZE = 10
FACET_VALUES_SHOWN = 12
PAGE_WINDOW = 2  # page links either side of the current one
#: facet name -> (URL parameter, SearchRequest field, heading)
FACETS: dict[str, tuple[str, str, str]] = {
    "kind": ("kind", "kinds", "Kind"),
    "theme": ("theme", "themes", "Theme"),
    "country": ("country", "countries", "Country"),
    "organisation": ("org", "organisations", "Organisation"),
    "year": ("year", "years", "Year"),
    "source": ("source", "sources", "Source"),
}
KIND_NAMES = {"document": "Document", "practice": "Practice"}
SORTS = {"relevance": "Relevance", "date": "Newest first"}


def _param(facet: str) -> str:
    return FACETS[facet][0] if facet in FACETS else facet


def _heading(facet: str) -> str:
    return FACETS[facet][2] if facet in FACETS else facet.replace("_", " ").capitalize()


@dataclass
class SearchForm:
    """What the user asked: words, filters per facet, page and order."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    sort: str = "relevance"

    @classmethod
    def from_params(cls, params: Sequence[tuple[str, str]]) -> SearchForm:
        """Read query parameters leniently: a bad page number means page 1, not an error."""
        by_param = {_param(name): name for name in FACETS}
        form = cls()
        for key, value in params:
            value = value.strip()
            if key == "q":
                form.q = value
            elif key == "page":
                form.page = max(1, int(value)) if value.isdigit() else 1
            elif key == "sort" and value in SORTS:
                form.sort = value
            elif key in by_param and value:
                values = form.filters.setdefault(by_param[key], [])
                if value not in values:
                    values.append(value)
        return form

    def params(self, **changes: object) -> list[tuple[str, str]]:
        q = str(changes.get("q", self.q))
        filters: dict[str, list[str]] = changes.get("filters", self.filters)  # type: ignore[assignment]
        page = int(changes.get("page", 1))  # type: ignore[call-overload]
        pairs: list[tuple[str, str]] = [("q", q)] if q else []
        for facet, values in filters.items():
            pairs += [(_param(facet), value) for value in values]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if page > 1:
            pairs.append(("page", str(page)))
        return pairs

    def url(self, **changes: object) -> str:
        """This search with ``changes`` (q, filters, page); a new filter starts at page 1."""
        query = urlencode(self.params(**changes))
        return "/find" + ("?" + query if query else "")

    def toggled(self, facet: str, value: str) -> dict[str, list[str]]:
        filters = {name: list(values) for name, values in self.filters.items()}
        values = filters.setdefault(facet, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        return {name: v for name, v in filters.items() if v}

    def request(self) -> SearchRequest:
        """The index request, with the filters the current SearchRequest knows."""
        known = {f.name for f in dataclasses.fields(SearchRequest)}
        extra = {
            FACETS[facet][1]: values
            for facet, values in self.filters.items()
            if facet in FACETS and FACETS[facet][1] in known
        }
        return SearchRequest(self.q, page=self.page, page_size=PAGE_SIZE, sort=self.sort, **extra)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    active: bool
    href: str  # toggles this value


@dataclass(frozen=True)
class Facet:
    name: str
    heading: str
    values: list[FacetValue]
    hidden: int  # values not shown


@dataclass(frozen=True)
class ActiveFilter:
    heading: str
    label: str
    remove_href: str


@dataclass(frozen=True)
class Result:
    item: Item
    kind: str
    snippet: Markup
    document: Item | None
    meta: list[str]
    #: How it matched words the query did not use: "reentry → resettlement".
    matched_via: list[str]


@dataclass(frozen=True)
class PageLink:
    number: int
    href: str
    current: bool


@dataclass
class SearchPage:
    form: SearchForm
    total: int
    results: list[Result]
    facets: list[Facet]
    active: list[ActiveFilter]
    suggestion: str | None
    suggestion_href: str
    pages: list[PageLink]
    previous_href: str
    next_href: str
    last_page: int
    first_number: int  # the rank of the first hit shown
    clear_href: str
    sorts: dict[str, str] = field(default_factory=lambda: dict(SORTS))


Labeller = Callable[[str, str], str]  # (facet, value) -> what the page calls the value


def search_page(
    form: SearchForm,
    response: SearchResponse,
    label: Labeller,
    href: Callable[[str], str],
    documents: Mapping[str, str],
) -> SearchPage:
    """Lay a response out for the page; ``href`` maps IRIs to local paths and
    ``documents`` document IRIs to titles."""
    facets = []
    for name, counts in response.facets.items():
        chosen = form.filters.get(name, [])
        values = [
            FacetValue(value, label(name, value), count, value in chosen, "")
            for value, count in counts
        ]
        # Active values always show, even when they fall outside the top ones.
        shown = [v for v in values if v.active] + [v for v in values if not v.active]
        shown = shown[: max(FACET_VALUES_SHOWN, len(chosen))]
        shown = [
            dataclasses.replace(v, href=form.url(filters=form.toggled(name, v.value)))
            for v in shown
        ]
        if shown:
            facets.append(Facet(name, _heading(name), shown, len(values) - len(shown)))
    order = list(FACETS)
    facets.sort(key=lambda f: order.index(f.name) if f.name in order else len(order))
    active = [
        ActiveFilter(
            _heading(name), label(name, value), form.url(filters=form.toggled(name, value))
        )
        for name, values in form.filters.items()
        for value in values
    ]
    results = []
    for hit in response.hits:
        meta = [m for m in (hit.year or "",) if m]
        meta += [label("country", c) for c in hit.countries[:3]]
        document = None
        if hit.kind == "practice" and hit.document:
            document = Item(
                hit.document, href(hit.document), documents.get(hit.document, hit.source)
            )
        results.append(
            Result(
                Item(hit.id, href(hit.id), hit.title or hit.source),
                KIND_NAMES.get(hit.kind, hit.kind),
                Markup(hit.snippet),  # noqa: S704 - the index escapes the text and adds only <mark>
                document,
                meta,
                hit.matched_via,
            )
        )
    last = response.pages
    low, high = max(1, form.page - PAGE_WINDOW), min(last, form.page + PAGE_WINDOW)
    pages = [PageLink(n, form.url(page=n), n == form.page) for n in range(low, high + 1)]
    return SearchPage(
        form=form,
        total=response.total,
        results=results,
        facets=facets,
        active=active,
        suggestion=response.suggestion,
        suggestion_href=form.url(q=response.suggestion) if response.suggestion else "",
        pages=pages if last > 1 else [],
        previous_href=form.url(page=form.page - 1) if form.page > 1 else "",
        next_href=form.url(page=form.page + 1) if form.page < last else "",
        last_page=last,
        first_number=(form.page - 1) * PAGE_SIZE + 1,
        clear_href=form.url(filters={}),
    )


__all__ = ["FACETS", "PAGE_SIZE", "SearchForm", "SearchPage", "search_page"]
