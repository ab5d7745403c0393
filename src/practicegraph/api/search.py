"""GET /search: the keyword search of the CLI, as JSON."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from practicegraph.api.deps import get_service
from practicegraph.search import SearchRequest
from practicegraph.service import PracticeGraphService

router = APIRouter(tags=["search"])


@router.get("/search", summary="Keyword search over documents and practices")
def search(
    service: Annotated[PracticeGraphService, Depends(get_service)],
    q: Annotated[str, Query(description='Words, "quoted phrases", field:value filters')] = "",
    theme: Annotated[list[str] | None, Query(description="Theme id or label")] = None,
    country: Annotated[list[str] | None, Query(description="ISO code or name")] = None,
    org: Annotated[list[str] | None, Query(description="Organisation name")] = None,
    year: Annotated[list[str] | None, Query(description="Year (YYYY)")] = None,
    kind: Annotated[list[Literal["document", "practice"]] | None, Query()] = None,
    source: Annotated[
        list[str] | None, Query(description='"local" or an imported source\'s name')
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    sort: Annotated[Literal["relevance", "date"], Query()] = "relevance",
) -> dict[str, Any]:
    """Ranked hits with highlighted snippets, facet counts and a spelling suggestion.

    A plain ``def``: a search blocks (tantivy releases the GIL while it searches, so
    requests in FastAPI's thread pool overlap), and a slow one never holds the event
    loop.
    """
    request = SearchRequest(
        q,
        themes=theme or [],
        countries=country or [],
        organisations=org or [],
        years=year or [],
        kinds=list(kind or []),
        sources=source or [],
        page=page,
        page_size=size,
        sort=sort,
    )
    return service.search(request).to_dict()
