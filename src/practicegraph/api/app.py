"""The application factory: ``create_app(settings)``.

The service (store, keyword index; the spaCy pipeline loads on first ingest)
is opened once in the lifespan handler and lives on ``app.state``, with the
pool of SPARQL query worker processes (``app.state.queries``); there is no
module-level app or graph. Routes are plain ``def`` functions where they call
blocking libraries, so FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from practicegraph import __version__, web
from practicegraph.api import (
    admin,
    documents,
    dumps,
    graph_store,
    resources,
    search,
    sources,
    sparql,
)
from practicegraph.api.errors import install_error_handlers
from practicegraph.api.openapi import install_openapi
from practicegraph.api.protocol import LIMIT_HEADER, TRUNCATED_HEADER
from practicegraph.api.query_runner import QueryExecutor, QueryRunner
from practicegraph.api.result_cache import ResultCache
from practicegraph.api.server_queries import ServerQueryRunner
from practicegraph.config import Settings
from practicegraph.graph.store import GraphStore, snapshots
from practicegraph.service import PracticeGraphService

#: SPARQL query worker processes (each holds one query at a time).


class GzipWhenAsked:
    """Starlette's gzip for clients that accept it; others skip the wrapper entirely.

    The wrapper costs about a tenth of a small SPARQL request's time even when it
    ends up sending the body unchanged.
    """

    def __init__(self, app: ASGIApp, minimum_size: int = 1024) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(
            name == b"accept-encoding" and b"gzip" in value for name, value in scope["headers"]
        ):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class SparqlFastPath:
    """``GET``/``POST /sparql`` straight to the route's code, past FastAPI's router.

    The route is the hottest one (a small query costs well under a millisecond in
    the store), and FastAPI's routing, request wrapper and exception middleware
    were a large part of its per-request time. This sits inside the CORS and gzip
    middlewares, so those apply as on every route; :func:`sparql.handle` answers
    errors with the app's own handlers. Anything else (other methods, a
    ``root_path``) goes the usual way, to the same route function.
    """

    PATHS = frozenset(("/sparql", "/sparql/"))
    METHODS = frozenset(("GET", "POST"))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] in self.PATHS
            and scope["method"] in self.METHODS
            and not scope.get("root_path")
        ):
            await sparql.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class PageSecurityHeaders:
    """A Content-Security-Policy and two companions on every HTML page.

    The pages show text from documents and from other organisations' dumps.
    Jinja escapes all of it, and links go only to http(s) IRIs; the policy is the
    second line of defence should an escape ever be missed: scripts only from
    this server (the vendored YASGUI and the page scripts, no inline code, no
    eval), no plugins, no framing by other sites, forms posting only here.
    Inline styles stay allowed: YASGUI and CodeMirror set them. Only HTML is
    touched (the header means nothing to a SPARQL client), and /sparql never
    reaches this middleware (it sits inside :class:`SparqlFastPath`).

    FastAPI's OpenAPI pages (``/docs``, ``/redoc``) are left alone: they load
    Swagger UI and ReDoc from their CDN and start them with an inline script,
    and they show no data from the graph.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
    HEADERS = (
        (b"content-security-policy", POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    )

    def __init__(self, app: ASGIApp, exempt: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                ):
                    message = {**message, "headers": [*headers, *self.HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _leaf_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, looking inside included routers (FastAPI keeps each as one entry).

    The routers are included without a prefix, so each route matches by its own path.
    """
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _leaf_routes(inner.routes)
        else:
            yield route


class AllowEveryMethod:
    """A 405's ``Allow`` names every method of the path, not those of one of its routes.

    Starlette answers 405 with the methods of the first route whose path matched;
    where one path has a route per method (``GET`` and ``DELETE /documents/{source}``,
    the methods of ``/sources/{name}``), that header left the others out (RFC 9110
    §15.5.6 wants them all). Only 405 answers are touched.
    """

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    def allowed(self, scope: Scope) -> str:
        methods: set[str] = set()
        for route in _leaf_routes(self.router.routes):
            match, _child = route.matches(scope)
            if match is not Match.NONE:
                methods |= getattr(route, "methods", None) or set()
        return ", ".join(sorted(methods))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                headers.append((b"allow", self.allowed(scope).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_allow)


def _query_executor(settings: Settings, store: GraphStore) -> QueryExecutor:
    """Killable workers over snapshots where the store makes them; else its server."""
    if snapshots(store) is None:
        return ServerQueryRunner(store, settings)
    return QueryRunner(
        store,
        settings.data_dir / "snapshots",
        workers=settings.query_workers,
        # no endpoint may be called: the workers cannot open network sockets at all
        network=bool(settings.service_allowlist_iris),
    )


def create_app(settings: Settings, service: PracticeGraphService | None = None) -> FastAPI:
    """Build the HTTP application; pass ``service`` to share one already open (tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = service is None
        app.state.settings = settings
        app.state.service = service or PracticeGraphService(settings)
        app.state.queries = _query_executor(settings, app.state.service.store)
        app.state.results = ResultCache(settings.query_cache_bytes)
        try:
            yield
        finally:
            await app.state.queries.aclose()
            if owned:
                app.state.service.close()

    app = FastAPI(
        title="PracticeGraph",
        version=__version__,
        description="Good practices in corrections: SPARQL, keyword search and linked data.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_openapi(app, settings)
    openapi_pages = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    app.add_middleware(  # HTML pages only, never on /sparql's path
        PageSecurityHeaders, exempt=frozenset(page for page in openapi_pages if page)
    )
    app.add_middleware(AllowEveryMethod, router=app.router)
    app.add_middleware(SparqlFastPath)  # CORS and gzip apply to /sparql too
    app.add_middleware(GzipWhenAsked, minimum_size=1024)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origin_list,
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=[TRUNCATED_HEADER, LIMIT_HEADER, "Location", "ETag"],
    )
    # -- routers: one line each -------------------------------------------------
    app.include_router(search.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(documents.router)
    app.include_router(dumps.router)
    app.include_router(sources.router)
    app.include_router(admin.router)
    app.include_router(resources.router_for(settings))
    app.include_router(web.router)
    app.mount(web.STATIC_PATH, web.static_files(), name="static")
    # -- end of routers ---------------------------------------------------------
    return app
