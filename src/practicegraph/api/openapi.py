"""The OpenAPI schema, made truthful in one place: what each route takes and answers.

FastAPI derives the schema from the route signatures, which is not the whole
truth here: several routes read their parameters and bodies themselves (the
SPARQL and Graph Store protocols), most answer in RDF or SPARQL results rather
than JSON, errors come in the one envelope of :mod:`practicegraph.api.errors`
with 400 (not FastAPI's 422) for invalid parameters, and writes need the bearer
token. :func:`install_openapi` replaces ``app.openapi`` with a function that
builds FastAPI's schema once and then applies the tables below:
:data:`ANSWERS` (status codes and media types per route and method),
:data:`PARAMETERS` and :data:`BODIES` (what the hand-read routes take) and
:data:`WRITES` (the operations that need the token).

A test (tests/api/test_schemathesis.py) holds the tables to the truth: it runs
schemathesis with all its checks against a live server, so an answer the
tables do not list fails it, and so does a request they allow but the server
refuses.
"""

from __future__ import annotations

import copy
import re
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from practicegraph import formats
from practicegraph.api.protocol import GRAPH_MEDIA
from practicegraph.api.resources import OFFERS
from practicegraph.api.sparql import MIN_QUERY_TIMEOUT
from practicegraph.config import Settings
from practicegraph.search.records import LOCAL_SOURCE
from practicegraph.sources import SOURCE_NAME

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "description": "The one error envelope every route answers its errors in.",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message", "detail"],
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status again"},
                "message": {"type": "string", "description": "One human sentence"},
                "detail": {"description": "What was wrong and where, or null"},
            },
        }
    },
}
ERROR_CONTENT = {formats.JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}
JSON = (formats.JSON,)
#: The graph syntaxes of the SPARQL protocol: Turtle, N-Triples, JSON-LD, RDF/XML.
RDF = tuple(formats.media_type(fmt) for fmt in formats.GRAPH_SYNTAXES.values())
#: SPARQL results (JSON, XML, CSV, TSV), then the graph syntaxes.
RESULTS = (
    *(formats.media_type(fmt) for fmt in formats.RESULTS_FORMATS.values()),
    *RDF,
)


def _syntaxes(*names: str) -> tuple[str, ...]:
    return tuple(formats.media_type(formats.RDF_SYNTAXES[name]) for name in names)


DUMP_TYPES = (formats.GZIP, *_syntaxes("trig", "turtle", "jsonld"))
SOURCE_DUMP_TYPES = _syntaxes("nquads", "trig", "turtle", "nt", "jsonld")


@dataclass(frozen=True)
class Body:
    """A success answer: its description and the media types its body comes in."""

    description: str
    media: tuple[str, ...] = ()


#: Status -> an error's description (the body is the envelope) or a success :class:`Body`.
Answers = dict[int, str | Body]

_INVALID = "A parameter is not valid (detail: where and what)"
_TOKEN = {
    401: "No or a wrong bearer token",
    403: "Read-only: the server has no write token",
}
_FULL = "The store or index cannot be written now (e.g. the disk is full); try later"
_GRAPH_READ: Answers = {
    200: Body("The graph", RDF),
    400: "The graph is not named, or not by an absolute IRI (detail: which)",
    404: "There is no such graph",
    406: "None of the accepted media types is a graph syntax",
}
_GRAPH_WRITE: Answers = {
    201: Body("The graph was created"),
    204: Body("The graph was replaced or merged into"),
    400: "The graph's name or the RDF body is not valid (detail: which, where)",
    **_TOKEN,
    413: "The body is larger than max_body_bytes",
    415: "The body is not Turtle, N-Triples, JSON-LD or RDF/XML in UTF-8",
    503: _FULL,
}
_GRAPH_DELETE: Answers = {
    204: Body("The graph was dropped"),
    400: "The graph is not named, or not by an absolute IRI",
    **_TOKEN,
    404: "There is no such graph",
    503: _FULL,
}
_LINKED_DATA: Answers = {
    200: Body("The resource's description", OFFERS),
    304: Body("The client's copy is current (ETag / Last-Modified)"),
    400: "Unknown ?format=",
    404: Body("No resource has this IRI (an HTML page when HTML was negotiated)"),
    406: "None of the accepted media types can be produced",
}
_SOURCE_NAMED: Answers = {400: "Not a usable source name", 404: "No source has this name"}

#: What each operation answers, by path and method (HEAD as GET, without a body).
ANSWERS: dict[str, dict[str, Answers]] = {
    "/search": {"get": {200: Body("Hits, facets, suggestion", JSON), 400: _INVALID}},
    "/sparql": {
        "get": {
            200: Body("Query results, or the Service Description without a query", RESULTS),
            304: Body("The client's copy (If-None-Match) is current"),
            400: "The query, a parameter or its combination is not valid (detail: where)",
            406: "None of the accepted media types fits the query's results",
            499: "The client went away; its query was stopped (access log only)",
            502: "The query calls an allow-listed SERVICE that failed (its answer is not shown)",
            503: "The query ran out of time, or every worker was busy (Retry-After)",
        },
        "post": {
            200: Body("Query results", RESULTS),
            204: Body("The update was applied"),
            400: "The query or update, a parameter or its combination is not valid",
            **_TOKEN,
            406: "None of the accepted media types fits the query's results",
            413: "The body is larger than max_body_bytes",
            415: "The body is not a form, a SPARQL query or a SPARQL update in UTF-8",
            499: "The client went away; its query was stopped (access log only)",
            502: "The query or update calls an allow-listed SERVICE that failed",
            503: "The query ran out of time, every worker was busy, or the store cannot be "
            "written now (Retry-After)",
            507: "The disk holding the data directory is full; nothing was written",
        },
    },
    "/graph-store": {
        "get": _GRAPH_READ,
        "head": _GRAPH_READ,
        "put": _GRAPH_WRITE,
        "post": _GRAPH_WRITE,
        "delete": _GRAPH_DELETE,
    },
    "/graph-store/{path}": {
        "get": _GRAPH_READ,
        "head": _GRAPH_READ,
        "put": _GRAPH_WRITE,
        "post": _GRAPH_WRITE,
        "delete": _GRAPH_DELETE,
    },
    "/documents": {
        "get": {200: Body("A page of documents", JSON), 400: _INVALID},
        "post": {
            200: Body("Replaced an earlier version, or unchanged", JSON),
            201: Body("Added; Location names it", JSON),
            400: "No file in the field 'file', or a file name that cannot be used",
            **_TOKEN,
            413: "Larger than max_body_bytes or max_file_bytes",
            415: "Not multipart/form-data, or not text, Markdown, HTML, PDF or Word (.docx)",
            422: "No usable text in the file",
            503: _FULL,
        },
    },
    "/documents/{source}": {
        "get": {200: Body("The document", JSON), 404: "No document has this name"},
        "delete": {
            204: Body("Removed"),
            **_TOKEN,
            404: "No document has this name",
            503: _FULL,
        },
    },
    "/dumps": {"get": {200: Body("The dumps and their URLs", JSON)}},
    "/dumps/{name}": {
        "get": {200: Body("The dump", DUMP_TYPES), 404: "No dump has this name"},
        "head": {200: Body("The dump's headers", DUMP_TYPES), 404: "No dump has this name"},
    },
    "/.well-known/void": {
        method: {
            200: Body("VoID + DCAT", RDF),
            304: Body("The client's copy is current"),
            400: "Unknown ?format=",
            406: "None of the accepted media types can be produced",
        }
        for method in ("get", "head")
    },
    "/sources": {"get": {200: Body("The imported sources", JSON)}},
    "/sources/{name}": {
        "get": {200: Body("The source", JSON), **_SOURCE_NAMED},
        "put": {
            200: Body("Imported (or quarantined: see status)", JSON),
            400: "Not a usable name, an empty body, a syntax error (detail: line, column)",
            **_TOKEN,
            413: "Larger than max_import_bytes",
            415: "The dump's syntax is not given",
            422: "The dump fails validation (detail: the violations)",
            503: _FULL,
        },
        "delete": {204: Body("Removed"), **_TOKEN, **_SOURCE_NAMED, 503: _FULL},
    },
    "/sources/{name}/report": {"get": {200: Body("The import report", JSON), **_SOURCE_NAMED}},
    "/sources/{name}/rollback": {
        "post": {
            200: Body("Rolled back", JSON),
            **_TOKEN,
            400: "Not a usable source name, or no earlier import to restore",
            404: "No source has this name",
            503: _FULL,
        }
    },
    "/sources/{name}/dump": {
        "get": {200: Body("The source's data", SOURCE_DUMP_TYPES), **_SOURCE_NAMED}
    },
    "/admin/backup": {
        "get": {200: Body("The whole instance as one tar file", ("application/x-tar",)), **_TOKEN}
    },
    "/admin/restore": {
        "put": {
            200: Body("Restored: what was put back", JSON),
            400: "Not a backup, or a damaged one (detail: the member); nothing was written",
            **_TOKEN,
            409: "This instance is not empty, or mints IRIs under another base IRI",
            413: "Larger than max_import_bytes",
            503: _FULL,
        }
    },
}
#: Answers of the linked-data routes, whose paths depend on the base_iri setting.
TAG_ANSWERS: dict[str, Answers] = {"linked data": _LINKED_DATA}

#: Operations that need the bearer token (POST /sparql only for updates: not listed).
WRITES = {
    ("/graph-store", "put"),
    ("/graph-store", "post"),
    ("/graph-store", "delete"),
    ("/graph-store/{path}", "put"),
    ("/graph-store/{path}", "post"),
    ("/graph-store/{path}", "delete"),
    ("/documents", "post"),
    ("/documents/{source}", "delete"),
    ("/sources/{name}", "put"),
    ("/sources/{name}", "delete"),
    ("/sources/{name}/rollback", "post"),
    ("/admin/backup", "get"),
    ("/admin/restore", "put"),
}

# -- what the hand-read routes take ---------------------------------------------------------

_UNIT = r"[A-Za-z0-9\-._~!$&'()*+,;=\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]|%[0-9A-Fa-f]{2}"
#: An IRI path (RFC 3987 ``ipath``): what the graph store accepts after /graph-store/.
IRI_PATH = rf"^(?:{_UNIT}|[:@/])*$"
#: An absolute IRI without IPv6 hosts (RFC 3987 ``absolute-IRI`` + fragment), for ?graph=.
ABSOLUTE_IRI = (
    rf"^[A-Za-z][A-Za-z0-9+.\-]*:"
    rf"(?://(?:(?:{_UNIT}|:)*@)?(?:{_UNIT})*(?::[0-9]*)?(?:/(?:{_UNIT}|[:@])*)*"
    rf"|(?!//)(?:{_UNIT}|[:@/])*)"
    rf"(?:\?(?:{_UNIT}|[:@/?])*)?(?:#(?:{_UNIT}|[:@/?])*)?$"
)
SOURCE_NAME_PATTERN = rf"^(?!{LOCAL_SOURCE}$){SOURCE_NAME.pattern}$"
SPARQL_FORMATS = ("json", "xml", "csv", "tsv", "turtle", "nt", "jsonld", "rdfxml", "rdf")


def _param(
    name: str, description: str, schema: dict[str, Any], *, where: str = "query", **extra: Any
) -> dict[str, Any]:
    """One OpenAPI parameter; optional unless it is in the path."""
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
        **extra,
    }


def _iris(name: str, description: str) -> dict[str, Any]:
    schema = {"type": "array", "items": {"type": "string", "pattern": ABSOLUTE_IRI}}
    return _param(name, description, schema, style="form", explode=True)


def parameters(settings: Settings) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Parameters the hand-read routes take, by path and method (replacing FastAPI's)."""
    timeout = _param(
        "timeout",
        "Seconds the query may run once it starts: at most the setting "
        "max_query_timeout with the write token, anonymous_max_query_timeout without",
        {"type": "number", "minimum": MIN_QUERY_TIMEOUT, "maximum": settings.max_query_timeout},
    )
    query = _param(
        "query", "The SPARQL query; without it, the Service Description", {"type": "string"}
    )
    fmt = _param("format", "Overrides Accept", {"type": "string", "enum": list(SPARQL_FORMATS)})
    dataset = [
        _iris("default-graph-uri", "A graph of the query's default graph"),
        _iris("named-graph-uri", "A named graph of the query's dataset"),
    ]
    graph = _param(
        "graph",
        "The graph's IRI (absolute); or give ?default instead",
        {"type": "string", "pattern": ABSOLUTE_IRI},
    )
    default = _param(
        "default",
        "The store's default graph (a flag; its value is ignored)",
        {"type": "string"},
        allowEmptyValue=True,
    )
    path = _param(
        "path",
        "The rest of the graph's IRI, which is this request's URL",
        {"type": "string", "pattern": IRI_PATH},
        where="path",
    )
    graph_store = {m: [graph, default] for m in ("get", "head", "put", "post", "delete")}
    return {
        "/sparql": {"get": [query, *dataset, fmt, timeout], "post": [*dataset, fmt, timeout]},
        "/graph-store": graph_store,
        "/graph-store/{path}": {m: [path] for m in ("get", "head", "put", "post", "delete")},
    }


_RDF_BODY = {
    # pyoxigraph reads any JSON value as JSON-LD (a bare string is an empty graph)
    media: {"schema": {} if media.endswith("json") else {"type": "string"}}
    for media in GRAPH_MEDIA
} | {
    formats.MULTIPART_FORM: {
        "schema": {
            "type": "object",
            "additionalProperties": {"type": "string", "format": "binary"},
        }
    }
}
_SPARQL_FORM = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "update": {"type": "string"},
        "default-graph-uri": {"type": "string", "pattern": ABSOLUTE_IRI},
        "named-graph-uri": {"type": "string", "pattern": ABSOLUTE_IRI},
        "using-graph-uri": {"type": "string", "pattern": ABSOLUTE_IRI},
        "using-named-graph-uri": {"type": "string", "pattern": ABSOLUTE_IRI},
    },
}
#: Request bodies the hand-read routes take, by path and method.
BODIES: dict[str, dict[str, dict[str, Any]]] = {
    "/sparql": {
        "post": {
            "required": True,
            "content": {
                formats.FORM: {"schema": _SPARQL_FORM},
                formats.SPARQL_QUERY: {"schema": {"type": "string"}},
                formats.SPARQL_UPDATE: {"schema": {"type": "string"}},
            },
        }
    },
    "/graph-store": {m: {"required": True, "content": _RDF_BODY} for m in ("put", "post")},
    "/graph-store/{path}": {m: {"required": True, "content": _RDF_BODY} for m in ("put", "post")},
}


# -- building ------------------------------------------------------------------------------


def _response(status: int, answer: str | Body) -> dict[str, Any]:
    if isinstance(answer, str):
        return {"description": answer, "content": copy.deepcopy(ERROR_CONTENT)}
    response: dict[str, Any] = {"description": answer.description}
    if answer.media:
        response["content"] = {media: {} for media in answer.media}
    if status == 404:  # the linked-data 404: the envelope, or a page for browsers
        response["content"] = copy.deepcopy(ERROR_CONTENT) | {formats.HTML: {}}
    return response


_METHOD_SUFFIX = re.compile(r"_(get|head|post|put|patch|delete|options)$")


def truthful(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """FastAPI's schema with the tables of this module applied (changed in place)."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "The write token"}
    }
    params = parameters(settings)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            # A route with several methods has one id for all; each operation needs its own.
            base = _METHOD_SUFFIX.sub("", operation.get("operationId", path))
            operation["operationId"] = f"{base}_{method}"
            answers = ANSWERS.get(path, {}).get(method)
            if answers is None:
                tag = next((t for t in operation.get("tags", ()) if t in TAG_ANSWERS), None)
                answers = TAG_ANSWERS.get(tag) if tag else None
            if answers is not None:
                operation["responses"] = {
                    str(status): _response(status, answer) for status, answer in answers.items()
                }
            responses = operation.setdefault("responses", {})
            if "422" in responses and "HTTPValidationError" in str(responses["422"]):
                del responses["422"]  # invalid parameters are answered 400, in the envelope
                responses["400"] = {"description": _INVALID, "content": ERROR_CONTENT}
            if method in params.get(path, {}):
                operation["parameters"] = params[path][method]
            for parameter in operation.get("parameters", ()):
                if path.startswith("/sources/{name}") and parameter["name"] == "name":
                    parameter["schema"] = {"type": "string", "pattern": SOURCE_NAME_PATTERN}
                if path in ("/search", "/find") and parameter["name"] == "q":
                    # the limits the service enforces (settings max_search_chars/_words)
                    parameter["schema"] = parameter.get("schema", {}) | {
                        "maxLength": settings.max_search_chars
                    }
                    parameter["description"] = (
                        f"{parameter.get('description', 'Search words')}; at most "
                        f"{settings.max_search_chars} characters and "
                        f"{settings.max_search_words} words and filters"
                    )
            if method in BODIES.get(path, {}):
                operation["requestBody"] = BODIES[path][method]
            if (path, method) in WRITES:
                operation["security"] = [{"bearer": []}]
                # every write can meet a full disk (graph/store.py: nothing is written)
                operation.setdefault("responses", {}).setdefault(
                    "507", _response(507, "The disk holding the data directory is full")
                )
    if "HTTPValidationError" not in str(schema.get("paths")):
        for name in ("HTTPValidationError", "ValidationError"):
            components["schemas"].pop(name, None)
    return schema


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Make ``app.openapi`` build the truthful schema, once, on first use.

    FastAPI warns about the shared operation id of every route with several
    methods (and a warning is an error under the test suite); the ids are made
    unique right after, so that one warning is silenced while the schema is built.
    """
    lock = threading.Lock()

    def openapi() -> dict[str, Any]:
        with lock:
            if app.openapi_schema is None:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
                    schema = get_openapi(
                        title=app.title,
                        version=app.version,
                        openapi_version=app.openapi_version,
                        description=app.description,
                        routes=app.routes,
                    )
                app.openapi_schema = truthful(schema, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["ANSWERS", "ERROR_SCHEMA", "WRITES", "install_openapi", "truthful"]
