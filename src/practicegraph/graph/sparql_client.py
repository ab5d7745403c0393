"""The HTTP side of a SPARQL server: its Query, Update and Graph Store endpoints.

Requests only, no store semantics: :class:`SparqlClient` sends what
:class:`practicegraph.graph.sparql_store.SparqlServerStore` asks for and turns
the server's refusals, cut answers and transport failures into the project's
errors, worded as the embedded store words them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

import httpx
import pyoxigraph as ox

from practicegraph.errors import QueryError, StoreError
from practicegraph.graph.sparql_answers import (
    NTRIPLES,
    AnswerError,
    Solutions,
    accept_for,
    is_parse_error,
    parse_answer,
    query_form,
)
from practicegraph.graph.sparql_writes import ntriples


class SyntaxQueryError(QueryError):
    """The server says the request does not parse (so it changed nothing)."""


class NoDefaultGraphError(StoreError):
    """The server has no default graph of its own (Virtuoso)."""


class TruncatedAnswerError(StoreError):
    """The server cut its answer at its own row limit (and said so)."""


def server_auth(user: str | None, password: str | None, kind: str) -> httpx.Auth | None:
    """The credentials the service signs in to the server with (None: anonymous)."""
    if user is None:
        return None
    if kind == "digest":
        return httpx.DigestAuth(user, password or "")
    if kind == "basic":
        return httpx.BasicAuth(user, password or "")
    raise StoreError(f"unknown SPARQL server authentication {kind!r}")


class SparqlClient:
    """Requests to one SPARQL 1.1 server (Query and Update, and the Graph Store if any)."""

    def __init__(
        self,
        query_url: str,
        update_url: str,
        graph_store_url: str | None,
        *,
        auth: httpx.Auth | None,
        timeout: float,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self._http = httpx.Client(auth=auth, timeout=timeout)

    def post(self, url: str, content: Any, accept: str) -> httpx.Response:
        """One form-encoded request (the one way every SPARQL server takes); transport
        failures and refusals become StoreErrors or QueryErrors."""
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        try:
            response = self._http.post(url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise StoreError(f"the SPARQL server at {url} cannot be reached: {exc}") from exc
        if response.status_code in (401, 403):
            raise StoreError(
                f"the SPARQL server at {url} refused the service's credentials "
                f"({response.status_code}); check sparql_user and sparql_password"
            )
        if response.status_code == 400 and is_parse_error(response.text):
            raise SyntaxQueryError(_server_message(response))
        if 400 <= response.status_code < 500:
            raise QueryError(_server_message(response))
        if response.status_code >= 500:
            # Servers answer 500 for evaluation errors as well as for their own faults.
            raise QueryError(_server_message(response))
        return response

    def answer(
        self, sparql: str, form: str | None = None
    ) -> Solutions | ox.QueryBoolean | list[ox.Triple]:
        """The answer to a query; ``form`` when the caller knows it (else read off the text).

        A server that cut its answer at its own row limit (Virtuoso says so in
        ``X-SPARQL-MaxRows``) is an error: the service never works from part of
        an answer it took for the whole.
        """
        accept = accept_for(form or query_form(sparql))
        response = self.post(self.query_url, _form("query", sparql), accept)
        if "x-sql-state" in response.headers:
            # Virtuoso's "anytime" answer: what it had when its time limit struck
            raise TruncatedAnswerError(
                "the SPARQL server stopped the query and answered with part of it: "
                f"{response.headers.get('x-sql-message', response.headers['x-sql-state'])}"
            )
        if "x-sparql-maxrows" in response.headers:
            raise TruncatedAnswerError(
                f"the SPARQL server cut its answer at {response.headers['x-sparql-maxrows']} "
                "rows (its own result limit, e.g. Virtuoso's ResultSetMaxRows): raise it"
            )
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            return parse_answer(response.content, media)
        except AnswerError as exc:
            # servers stream answers: an evaluation error midway cuts the body off
            raise QueryError(f"SPARQL query failed: {exc}") from exc

    def update(self, sparql: str, then: str | None = None) -> None:
        """Send an update, followed by the operations ``then`` in the same request.

        A request that does not parse is sent again without ``then``, so that the
        error the caller sees is about the caller's own text (a request that does
        not parse changes nothing); should that one be taken after all, ``then``
        follows on its own.
        """
        if then is None:
            self.post(self.update_url, _form("update", sparql), "text/plain, */*")
            return
        try:
            self.post(self.update_url, _form("update", f"{sparql}\n;\n{then}"), "*/*")
        except SyntaxQueryError:
            self.post(self.update_url, _form("update", sparql), "text/plain, */*")
            self.post(self.update_url, _form("update", then), "text/plain, */*")

    def default_graph(self) -> list[ox.Triple]:
        """The server's own default graph, read with the Graph Store Protocol's ``GET
        ?default`` (NoDefaultGraphError on a server that has none of its own)."""
        assert self.graph_store_url is not None  # noqa: S101 - callers check
        try:
            response = self._http.get(
                self.graph_store_url,
                params={"default": ""},
                headers={"Accept": NTRIPLES},
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"the SPARQL server cannot be reached: {exc}") from exc
        if _no_default_graph(response):
            raise NoDefaultGraphError("the SPARQL server has no default graph of its own")
        if response.status_code == 404:
            return []
        if response.status_code >= 400:
            raise StoreError(f"the server's default graph cannot be read: {response.text}")
        return [q.triple for q in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)]

    def graph_store_post(
        self,
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph,
        quads: list[ox.Quad] | list[ox.Triple],
    ) -> None:
        """Add statements to one graph with a Graph Store Protocol POST (the statements'
        own graph names, if any, are not sent)."""
        self.graph_store_send("POST", graph, quads)

    def graph_store_send(
        self,
        method: str,
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph,
        quads: list[ox.Quad] | list[ox.Triple],
    ) -> None:
        """Write statements to one graph with a Graph Store Protocol PUT or POST."""
        assert self.graph_store_url is not None  # noqa: S101 - callers check
        if isinstance(graph, ox.BlankNode):
            raise StoreError("a graph named by a blank node cannot be written to a server")
        params = {"default": ""} if isinstance(graph, ox.DefaultGraph) else {"graph": graph.value}
        try:
            response = self._http.request(
                method,
                self.graph_store_url,
                params=params,
                content=ntriples(quads),
                # a connection of its own: Virtuoso leaves a refused write's body unread,
                # and the next request on that connection got "501" with no body
                headers={"Content-Type": NTRIPLES, "Connection": "close"},
            )
        except httpx.HTTPError as exc:
            raise StoreError(
                f"the SPARQL server's Graph Store at {self.graph_store_url} "
                f"cannot be reached: {exc}"
            ) from exc
        if response.status_code in (401, 403):
            raise StoreError(
                f"the Graph Store at {self.graph_store_url} refused the service's credentials "
                f"({response.status_code}); check sparql_user and sparql_password"
            )
        if isinstance(graph, ox.DefaultGraph) and _no_default_graph(response):
            raise NoDefaultGraphError("the SPARQL server has no default graph of its own")
        if response.status_code >= 400:
            raise StoreError(
                f"the Graph Store at {self.graph_store_url} refused a write to {graph}: "
                f"{_server_message(response)}"
            )

    def close(self) -> None:
        self._http.close()


def _no_default_graph(response: httpx.Response) -> bool:
    """Whether a refused ``GET ?default`` says the server has no default graph at all."""
    text = response.text.lower()
    return response.status_code in (400, 500, 501) and "default graph" in text


def _form(name: str, value: str) -> bytes:
    return f"{name}={quote_plus(value)}".encode("ascii")


def _server_message(response: httpx.Response) -> str:
    """The first lines of a server's error, prefixed the way the embedded store words it."""
    text = " ".join(response.text.split())[:500] or f"HTTP {response.status_code}"
    if is_parse_error(text):
        return f"SPARQL does not parse: {text}"
    return f"SPARQL request failed: {text}"
