"""A SPARQL 1.1 server behind :class:`GraphStore`, through the standard protocols only.

For a deployment that outgrows one machine: the graph lives on an existing
server (Oxigraph server, Virtuoso, any conformant one) and this service talks to
it with SPARQL 1.1 Query and Update over HTTP, so no server-specific API is
needed. Answers are parsed with pyoxigraph into the same term classes the
embedded store returns.

How the service's guarantees carry over:

- **A document is switched in by one update request**, which a conformant
  server applies as one operation sequence. Without a Graph Store URL that
  request carries the statements (DROP, then INSERT DATA in pieces every server
  takes: :mod:`practicegraph.graph.sparql_writes`). With one, the statements
  are first POSTed to a fresh staging graph (:data:`STAGING_PREFIX`, fifty
  times faster on Virtuoso than SPARQL Update), and the one request then
  ``MOVE`` it in place, so readers see the old graph or the new one. A
  staging graph is visible to union queries for the moment it exists; one left
  by a process that died between the two requests is dropped by the next
  writable open after an hour (:meth:`SparqlServerStore.drop_stale_staging`).
  On a server whose update requests are not atomic (Virtuoso: operations before
  one that fails at run time stay applied) the switch is three operations on
  the server's own data, which leaves little to fail.
- **Bulk loads** (graphs nothing refers to yet) go in bounded requests, through
  the Graph Store Protocol when it is configured; a blank node's statements
  always travel in one request, so it stays one node.
- **The version is kept on the server**: every write request ends with
  operations that replace a random token in a graph of its own
  (:data:`VERSION_GRAPH`), so every process sharing the server sees each
  other's writes in :attr:`version`, and caches keyed on it stay correct. A
  token, not a counter: two processes incrementing a counter at once can both
  write the same next value (measured on Oxigraph and Virtuoso), while a fresh
  token always differs from what was there.
  The service's own listings (graphs, quads, counts, dumps) leave that graph out;
  SPARQL queries over the union see its one statement.
- **An update's dataset given by the protocol** (``using-graph-uri``,
  ``using-named-graph-uri``) reaches the server as USING / USING NAMED clauses
  in the update's text, as on the embedded store, or, on a server that refuses
  those (:meth:`SparqlServerStore.takes_using_clauses`), as the protocol
  parameters themselves, in the one request that carries the update and the
  bump (:func:`dataset_form`).
- **Reads go to the server each time**: nothing is cached here. A server that
  cuts an answer at its own row limit and says so (Virtuoso's
  ``X-SPARQL-MaxRows``) makes the read an error, never a silent part; the reads
  of everything (all quads, all graph names) then go graph by graph and page by
  page, so only a single graph larger than the limit stays out of reach.

What this backend does not offer: snapshots (the SPARQL endpoint's killable
query workers read the embedded store's snapshots; on a server, queries go to
the server itself) and compaction (the server's own business). Graphs a server
keeps for itself (Virtuoso's system graphs) are left out of the service's
listings by ``ignored_graph_prefixes``.

The requests themselves (endpoints, credentials, a server's refusals and cut
answers) are :mod:`practicegraph.graph.sparql_client`'s; this module decides
what to ask.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO
from urllib.parse import quote_plus, urlencode

import pyoxigraph as ox
from rdflib import Graph, URIRef

from practicegraph.errors import QueryError, StoreError
from practicegraph.graph.oxigraph_store import oxigraph_quads
from practicegraph.graph.snapshot_worker import serialise_answer
from practicegraph.graph.sparql_answers import Solutions, lines_back
from practicegraph.graph.sparql_client import (
    NoDefaultGraphError,
    SparqlClient,
    SyntaxQueryError,
    TruncatedAnswerError,
    server_auth,
)
from practicegraph.graph.sparql_writes import (
    GRAPH_STORE_STATEMENTS,
    blank_components,
    has_blank,
    insert_operations,
    requests,
    skolemised,
)
from practicegraph.graph.store import (
    DATASET_FORMATS,
    RDF_FORMATS,
    RESULT_FORMATS,
    AnswerFormatError,
    Capability,
    QueryAnswer,
    Row,
    Term,
)
from practicegraph.sparql_terms import iri, literal

#: The graph (and subject) of the version token every write request replaces.
VERSION_GRAPH = "urn:x-practicegraph:store"
VERSION_PREDICATE = "urn:x-practicegraph:version"
#: Graphs a write is staged in before it is moved in place (see the module doc).
STAGING_PREFIX = "urn:x-practicegraph:staging:"
#: Where the service keeps "the default graph" of the Graph Store Protocol on a server
#: that has none of its own (Virtuoso): a named graph, listed as no named graph.
DEFAULT_STANDIN = "urn:x-practicegraph:default-graph"
#: A staging graph older than this (s) was left by a process that died mid-write.
STALE_STAGING_S = 3_600
#: Graph names per page when the server cuts the list of all of them.
GRAPH_PAGE = 5_000
#: The graph the update that asks whether a server takes USING names (it never holds
#: anything: see :meth:`SparqlServerStore.takes_using_clauses`).
PROBE_GRAPH = "urn:x-practicegraph:probe"


class SparqlServerStore:
    """A store on a SPARQL 1.1 server (Query and Update endpoints over HTTP)."""

    capabilities: frozenset[Capability] = frozenset()

    def __init__(
        self,
        query_url: str,
        update_url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        timeout: float = 600.0,
        ignored_graph_prefixes: Iterable[str] = (),
        graph_store_url: str | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.needs_recovery = False  # a server recovers by itself; nothing to reopen here
        self.on_recovered: list[Callable[[], None]] = []
        self.ignored = (VERSION_GRAPH, STAGING_PREFIX, DEFAULT_STANDIN, *ignored_graph_prefixes)
        #: Whether the server turned out to have no default graph of its own (then
        #: DEFAULT_STANDIN serves as one); None until it has been asked.
        self.default_standin: bool | None = None
        #: Whether the server takes USING clauses in an update's text; None until
        #: it has been asked (:meth:`takes_using_clauses`).
        self.using_clauses: bool | None = None
        self._client = SparqlClient(
            query_url,
            update_url,
            graph_store_url,
            auth=server_auth(user, password, auth),
            timeout=timeout,
        )

    def _update(self, sparql: str, *, bump: bool = True) -> None:
        """Send an update followed by the version bump, as one request (a request that
        does not parse is sent again without it: :meth:`SparqlClient.update`)."""
        self._client.update(sparql, _bump() if bump else None)

    # -- reads -----------------------------------------------------------------------
    @property
    def version(self) -> int:
        """The server's write token: one request, so every process sees every write.

        Two writers at once can leave two tokens; the version is then a digest of
        both, which still differs from every earlier one.
        """
        rows = self._rows(
            f"SELECT ?v WHERE {{ GRAPH {iri(VERSION_GRAPH)} "
            f"{{ {iri(VERSION_GRAPH)} {iri(VERSION_PREDICATE)} ?v }} }}"
        )
        tokens = sorted(str(row["v"].value) for row in rows)
        if len(tokens) == 1 and tokens[0].isdigit():
            return int(tokens[0])
        digest = hashlib.blake2b(" ".join(tokens).encode(), digest_size=7).digest()
        return int.from_bytes(digest, "big")

    def _rows(self, sparql: str) -> list[Row]:
        return list(self.select(sparql))

    def select(self, sparql: str) -> Iterator[Row]:
        result = self._client.answer(sparql, "select")
        if not isinstance(result, Solutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        for values in result.rows:
            yield {n: v for n, v in zip(names, values, strict=True) if v is not None}

    def ask(self, sparql: str) -> bool:
        result = self._client.answer(sparql, "ask")
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def construct(self, sparql: str) -> list[ox.Triple]:
        result = self._client.answer(sparql, "construct")
        if not isinstance(result, list):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return result

    def query(self, sparql: str) -> QueryAnswer:
        result = self._client.answer(sparql)
        if isinstance(result, list):
            return QueryAnswer("graph", triples=result)
        if isinstance(result, ox.QueryBoolean):
            return QueryAnswer("boolean", boolean=bool(result))
        names = [v.value for v in result.variables]
        rows = [
            {n: v for n, v in zip(names, values, strict=True) if v is not None}
            for values in result.rows
        ]
        return QueryAnswer("solutions", variables=names, rows=rows)

    def write_answer(self, sparql: str, output: IO[bytes], fmt: str) -> str:
        """The server's answer re-serialised by pyoxigraph, so every backend writes the
        same bytes for the same answer."""
        result = self._client.answer(sparql)
        if isinstance(result, list):
            if fmt not in RDF_FORMATS or fmt in DATASET_FORMATS:
                raise AnswerFormatError(fmt, "graph")
            ox.serialize(result, output, RDF_FORMATS[fmt])
            return "graph"
        if fmt not in RESULT_FORMATS:
            raise AnswerFormatError(fmt, "solutions")
        if isinstance(result, ox.QueryBoolean):
            result.serialize(output, RESULT_FORMATS[fmt])
            return "boolean"
        # through JSON back into pyoxigraph's own results object, so that every
        # format is written by the serialiser the embedded store uses
        request = {"results": "json", "graph": "nt", "max_rows": len(result.rows)}
        as_json = serialise_answer(result, request)[1]
        solutions = ox.parse_query_results(as_json, ox.QueryResultsFormat.JSON)
        solutions.serialize(output, RESULT_FORMATS[fmt])
        return "solutions"

    def _ours(self, graph: str) -> bool:
        return not graph.startswith(self.ignored)

    def quads(
        self,
        subject: ox.NamedNode | ox.BlankNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: Term | None = None,
        graph: str | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads of the named graphs matching a pattern.

        A blank node of another store or request never names one on the server
        (blank nodes are local to where they were read), so it matches nothing.
        """
        if any(isinstance(t, ox.BlankNode) for t in (subject, object)):
            return
        s = str(subject) if subject is not None else "?s"
        p = str(predicate) if predicate is not None else "?p"
        o = str(object) if object is not None else "?o"
        g = iri(graph) if graph is not None else "?g"
        try:
            rows: Iterable[Row] = self._rows(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}")
        except TruncatedAnswerError:
            if graph is not None:
                raise
            for name in self.named_graphs():  # graph by graph, each under the server's limit
                yield from self.quads(subject, predicate, object, name)
            return
        for row in rows:
            name = graph if graph is not None else row["g"].value
            if graph is None and not self._ours(name):
                continue
            yield ox.Quad(
                subject or row["s"],  # type: ignore[arg-type]
                predicate or row["p"],  # type: ignore[arg-type]
                object or row["o"],
                ox.NamedNode(name),
            )

    def named_graph(self, graph: URIRef) -> Graph:
        out = Graph()
        text = "".join(f"{t} .\n" for t in self.graph_triples(str(graph)))
        out.parse(data=text, format="nt")
        return out

    def graph_triples(self, graph: str | None) -> list[ox.Triple]:
        """One named graph's triples, or the server's own default graph (None).

        Queries see the union of all graphs as their default graph, so the real
        default graph can only be read through the Graph Store Protocol (``GET
        ?default``); a server configured without that endpoint reads as holding
        nothing there, and on one that has no default graph of its own (Virtuoso:
        "the endpoint is not configured to have default graph") the named graph
        :data:`DEFAULT_STANDIN` stands in for it.
        """
        if graph is None:
            if self.graph_store_url is None:
                return []
            try:
                return self._client.default_graph()
            except NoDefaultGraphError:
                self.default_standin = True
                return self.graph_triples(DEFAULT_STANDIN)
        # a SELECT, not a CONSTRUCT: a server that cuts an answer short says so only there
        rows = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}")
        return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]

    def contains(self, quad: ox.Quad) -> bool:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            return False
        if not isinstance(quad.graph_name, ox.NamedNode):
            return False
        return self.ask(
            f"ASK {{ GRAPH {quad.graph_name} {{ {quad.subject} {quad.predicate} {quad.object} }} }}"
        )

    def has_graph(self, graph: str) -> bool:
        return self.ask(f"ASK {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}")

    def named_graphs(self) -> list[str]:
        names = (
            row["g"].value for row in self._graph_pages() if isinstance(row.get("g"), ox.NamedNode)
        )
        return sorted(name for name in names if self._ours(name))

    def _graph_pages(self) -> Iterator[Row]:
        """All graph names, a page at a time after the last name seen.

        Keyset paging (no OFFSET, which servers bound as they bound answers), so a
        server's row limit never cuts the list. It is also what Virtuoso plans
        well: a bare ``SELECT DISTINCT ?g`` took 7 s over 14,000 statements there,
        this 0.03 s.
        """
        after = ""
        while True:
            page = self._rows(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f"FILTER(STR(?g) > {literal(after)}) }} ORDER BY STR(?g) LIMIT {GRAPH_PAGE}"
            )
            yield from page
            if len(page) < GRAPH_PAGE:
                return
            after = page[-1]["g"].value

    def quad_count(self) -> int:
        excluded = " && ".join(f"!STRSTARTS(STR(?g), {literal(prefix)})" for prefix in self.ignored)
        rows = self._rows(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({excluded}) }}"
        )
        return int(rows[0]["n"].value) if rows else 0

    def dump(self, output: IO[bytes], fmt: str) -> None:
        """Everything in the service's graphs: datasets keep graphs, triple formats get
        their union."""
        if fmt not in RDF_FORMATS:
            raise StoreError(
                f"unknown export format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}"
            )
        if fmt in DATASET_FORMATS:
            ox.serialize(self.quads(), output, RDF_FORMATS[fmt])
            return
        triples = {q.triple for q in self.quads()}
        ox.serialize(sorted(triples, key=str), output, RDF_FORMATS[fmt])

    # -- writes ----------------------------------------------------------------------
    def replace_graph(
        self, graph: URIRef, triples: Graph, extra: Iterable[tuple[URIRef, Graph]] = ()
    ) -> None:
        """Switch ``graph`` to ``triples`` and add ``extra`` in one update request.

        With a Graph Store URL the statements are staged first (module doc);
        without one they travel in that request.
        """
        parts = [(graph, oxigraph_quads(graph, triples))]
        parts += [(other, oxigraph_quads(other, more)) for other, more in extra]
        drop = f"DROP SILENT GRAPH {iri(graph)}"
        if self.graph_store_url is None:
            everything = (q for _, quads in parts for q in quads)
            inserts = insert_operations(everything, across_graphs=skolemised)
            self._update(" ;\n".join([drop, *(text for text, _ in inserts)]))
            return
        moves = [(str(target), quads, "ADD") for target, quads in parts[1:]]
        self._switch_staged([drop], [(str(graph), parts[0][1], "MOVE"), *moves])

    def _switch_staged(
        self, first: list[str], parts: list[tuple[str, list[ox.Quad] | list[ox.Triple], str]]
    ) -> None:
        """Stage each part's statements in a graph of its own through the Graph Store,
        then send one update: ``first``, then each staged graph moved onto (``MOVE``)
        or added to (``ADD``) its target. A failure drops what was staged."""
        stage = f"{STAGING_PREFIX}{time.time_ns()}-{secrets.token_hex(6)}/"
        staged: list[str] = []
        try:
            switch = list(first)
            for index, (target, statements, verb) in enumerate(parts):
                if not statements:
                    continue
                staged.append(f"{stage}{index}")
                self._client.graph_store_post(ox.NamedNode(staged[-1]), statements)
                switch.append(f"{verb} SILENT GRAPH {iri(staged[-1])} TO GRAPH {iri(target)}")
                if verb == "ADD":
                    switch.append(f"DROP SILENT GRAPH {iri(staged[-1])}")
            self._update(" ;\n".join(switch))
        except BaseException:
            self._drop_quietly(staged)
            raise

    def write_graph(self, graph: str | None, triples: list[ox.Triple], *, replace: bool) -> None:
        """A Graph Store write. A named graph is staged and moved (PUT) or added (POST)
        in one request as documents are; the default graph is written through the
        server's Graph Store directly (there is nothing to stage it in), or through
        SPARQL Update without one, and on a server without a default graph of its
        own to :data:`DEFAULT_STANDIN`, which stands in for it.
        """
        if graph is not None and self.graph_store_url is not None:
            if not triples:  # PUT of nothing empties the graph; POST of nothing adds nothing
                create = f"CREATE SILENT GRAPH {iri(graph)}"
                self._update(f"DROP SILENT GRAPH {iri(graph)} ;\n{create}" if replace else create)
                return
            self._switch_staged([], [(graph, triples, "MOVE" if replace else "ADD")])
            return
        target: ox.NamedNode | ox.DefaultGraph = (
            ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        )
        quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
        if graph is None and self.default_standin:
            self.write_graph(DEFAULT_STANDIN, triples, replace=replace)
            return
        if graph is None and self.graph_store_url is not None:
            try:
                self._client.graph_store_send("PUT" if replace else "POST", target, quads)
            except NoDefaultGraphError:
                self.default_standin = True
                self.write_graph(DEFAULT_STANDIN, triples, replace=replace)
                return
            self._client.update(_bump())
            return
        operations = [text for text, _ in insert_operations(quads, across_graphs=skolemised)]
        if replace:
            operations.insert(
                0, "CLEAR SILENT DEFAULT" if graph is None else f"DROP SILENT GRAPH {iri(graph)}"
            )
        if operations:
            self._update(" ;\n".join(operations))
        else:  # a POST of nothing: nothing changes but the version, as on the embedded store
            self._client.update(_bump())

    def _drop_quietly(self, graphs: list[str]) -> None:
        """Best effort after a failed write: the stale-staging sweep covers the rest."""
        if graphs:
            with contextlib.suppress(StoreError, QueryError):
                self._update(" ;\n".join(f"DROP SILENT GRAPH {iri(g)}" for g in graphs), bump=False)

    def drop_stale_staging(self, older_than_s: float = STALE_STAGING_S) -> list[str]:
        """Drop staging graphs a process left when it died between staging and switch."""
        rows = self._rows(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {literal(STAGING_PREFIX)})) }}"
        )
        cutoff = time.time_ns() - int(older_than_s * 1e9)
        stale = []
        for row in rows:
            name = row["g"].value
            stamp = name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
            if stamp.isdigit() and int(stamp) < cutoff:
                stale.append(name)
        self._drop_quietly(stale)
        return stale

    def drop_graph(self, graph: URIRef) -> bool:
        if not self.has_graph(str(graph)):
            return False
        # SILENT although the graph is there: Virtuoso refuses a plain DROP of a graph
        # that INSERT made ("not explicitly created")
        self._update(f"DROP SILENT GRAPH {iri(graph)}")
        return True

    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using: Sequence[str] = (),
        using_named: Sequence[str] = (),
    ) -> None:
        """Apply a SPARQL Update, with the version bump, as one request.

        The caller's text is sent as it is, followed by the bump on a new line
        (so a trailing comment cannot swallow it); a ``BASE`` for relative IRIs is
        put in front when asked for.

        ``using`` / ``using_named``: the update's dataset as the SPARQL 1.1
        Protocol gives it (``using-graph-uri`` / ``using-named-graph-uri``), to
        go to the server as those same protocol parameters: for a server that
        does not take USING clauses in the text (:meth:`takes_using_clauses`;
        :func:`dataset_form` says why this is the way there).
        """
        text = f"BASE {iri(base_iri)}\n{sparql}" if base_iri else sparql
        try:
            if using or using_named:
                self._update_in_dataset(_without_trailing_separator(text), using, using_named)
            else:
                self._update(_without_trailing_separator(text))
        except QueryError as exc:
            if not base_iri:
                raise
            raise type(exc)(lines_back(str(exc), 1)) from exc

    def takes_using_clauses(self) -> bool:
        """Whether the server takes USING / USING NAMED in an update's text.

        Every conformant server should; Oxigraph server serving the union
        default graph (``--union-default-graph``, as the service needs) does
        not: it refuses such an update before running any of it, while it takes
        the same dataset as the protocol's ``using-graph-uri`` /
        ``using-named-graph-uri`` (:func:`dataset_form`). Asked once, by sending
        an update with USING that changes nothing whatever the server makes of
        it (a DELETE of a statement from :data:`PROBE_GRAPH`, which holds
        none): a server that answers with an error does not take the clauses.
        Nothing depends on a server's name or its messages.

        The clauses are the first choice where both are taken: the embedded
        store reads them, and Virtuoso 7.2 turns the protocol parameters into a
        pragma that also changes what other operations of the request do
        (``DROP ALL`` then aims at the ``using-graph-uri`` graphs alone, and fails
        on one that INSERT made: "has not been explicitly created before").
        """
        if self.using_clauses is None:
            probe = iri(PROBE_GRAPH)
            statement = f"{probe} {probe} {probe}"
            try:
                self._client.update(
                    f"DELETE {{ GRAPH {probe} {{ {statement} }} }} "
                    f"USING {probe} WHERE {{ {statement} }}"
                )
            except QueryError:
                self.using_clauses = False
            else:
                self.using_clauses = True
        return self.using_clauses

    def _update_in_dataset(
        self, sparql: str, using: Sequence[str], using_named: Sequence[str]
    ) -> None:
        """An update whose dataset the protocol gives, with the version bump, as one request.

        As :meth:`SparqlClient.update` does: a request that does not parse is
        sent again without the bump, so that the error is about the caller's
        text, and should the server take it after all the bump follows alone.
        """
        accept = "text/plain, */*"
        together = f"{sparql}\n;\n{_bump(in_dataset=True)}"
        try:
            self._client.post(self.update_url, dataset_form(together, using, using_named), accept)
        except SyntaxQueryError:
            self._client.post(self.update_url, dataset_form(sparql, using, using_named), accept)
            self._client.update(_bump())

    def bulk_extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add the quads in bounded requests (several: a bulk load is not atomic).

        Through the Graph Store Protocol when it is configured, else SPARQL
        Update in pieces (:mod:`practicegraph.graph.sparql_writes`). Statements
        with blank nodes are kept back and sent last, each node's statements in
        one request. The version is not bumped: as on the embedded store, loads
        fill graphs nothing refers to until the update that switches to them.
        """
        if self.graph_store_url is None:
            for text in requests(insert_operations(quads, across_graphs=skolemised)):
                self._update(text, bump=False)
            return
        blank: list[ox.Quad] = []
        # buffered per graph, all flushed when together they reach one request's worth:
        # few requests even when the input interleaves graphs, and bounded memory
        buffered: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Quad]]
        buffered = defaultdict(list)
        count = 0
        for quad in quads:
            if has_blank(quad):
                blank.append(quad)
                continue
            buffered[quad.graph_name].append(quad)
            count += 1
            if count >= GRAPH_STORE_STATEMENTS:
                for name, run in buffered.items():
                    self._client.graph_store_post(name, run)
                buffered.clear()
                count = 0
        for name, run in buffered.items():
            self._client.graph_store_post(name, run)
        in_one_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Quad]]
        in_one_graph = defaultdict(list)
        across: list[ox.Quad] = []
        for group in blank_components(blank):
            graphs = {quad.graph_name for quad in group}
            if len(graphs) == 1:
                in_one_graph[group[0].graph_name].extend(group)
            else:
                across.extend(group)
        for name, group in in_one_graph.items():
            self._client.graph_store_post(name, group)
        for text in requests(insert_operations(skolemised(across))):
            self._update(text, bump=False)

    def bulk_load(self, source: IO[bytes], fmt: str) -> None:
        if fmt not in RDF_FORMATS:
            raise StoreError(f"unknown RDF format {fmt!r}")
        try:
            self.bulk_extend(ox.parse(source, RDF_FORMATS[fmt]))
        except SyntaxError as exc:
            raise StoreError(f"the file does not parse: {exc}") from exc

    def flush(self) -> None:
        """Nothing to do: the server made each request's writes durable before answering."""

    def close(self) -> None:
        self._client.close()


def _bump(*, in_dataset: bool = False) -> str:
    """Operations that replace the version token with a fresh one (see the module doc).

    ``in_dataset``: for a request that carries ``using-graph-uri`` /
    ``using-named-graph-uri``. The protocol's dataset holds for every operation
    with a WHERE in the request, ``DELETE WHERE`` included (Oxigraph and
    Virtuoso both apply it there, as the SPARQL 1.1 Protocol says), so
    ``DELETE WHERE { GRAPH <version> ... }`` would match nothing and leave the
    old token beside the new one. ``CLEAR SILENT GRAPH`` names its graph
    outright and is the same on every dataset.
    """
    token = secrets.randbits(62)
    graph, predicate = iri(VERSION_GRAPH), iri(VERSION_PREDICATE)
    remove = (
        f"CLEAR SILENT GRAPH {graph}"
        if in_dataset
        else f"DELETE WHERE {{ GRAPH {graph} {{ {graph} {predicate} ?v }} }}"
    )
    return f"{remove} ;\nINSERT DATA {{ GRAPH {graph} {{ {graph} {predicate} {token} }} }}"


def dataset_form(update: str, using: Sequence[str], using_named: Sequence[str]) -> bytes:
    """The form-encoded body of an update request whose dataset the protocol gives:
    ``update`` plus one ``using-graph-uri`` / ``using-named-graph-uri`` per graph.

    For a server that refuses USING clauses in an update's text
    (:meth:`SparqlServerStore.takes_using_clauses`). Why the service then passes
    the protocol's dataset on as these parameters, rather than evaluating the
    update's WHERE parts itself:

    - **It is the standard.** SPARQL 1.1 Protocol section 2.2.3 defines these
      parameters as the RDF dataset of the request's operations, the same as
      USING / USING NAMED on each operation with a WHERE (SPARQL 1.1 Update
      section 3.1.3), so the service stays a plain protocol client. Measured:
      Oxigraph 0.5.13 and Virtuoso 7.2.5 both apply them to every such
      operation, ``DELETE WHERE`` included. Oxigraph server serving the union
      default graph refuses USING in the text ("using-union-graph must not be
      used with a SPARQL UPDATE containing USING") but takes the parameters,
      which replace the union for that request only.
    - **The server applies it, so the update keeps its meaning.** One request,
      all or nothing on an atomic server; each operation's WHERE sees what the
      operations before it wrote; fresh blank nodes per solution for INSERT
      templates; statements about stored blank nodes can be deleted. Evaluating
      the WHERE parts here as queries (FROM / FROM NAMED) and sending the
      instantiated statements as DELETE DATA / INSERT DATA would lose each of
      these: a stored blank node cannot be named in a later request, later
      operations would need the earlier ones applied first (several requests,
      no longer all or nothing), and Virtuoso refuses blank nodes in INSERT DATA.
    """
    pairs = [("update", update)]
    pairs += [("using-graph-uri", graph) for graph in using]
    pairs += [("using-named-graph-uri", graph) for graph in using_named]
    return urlencode(pairs, quote_via=quote_plus).encode("ascii")


def _without_trailing_separator(sparql: str) -> str:
    """The update without a final ``;`` (SPARQL allows one; two in a row do not parse)."""
    stripped = sparql.rstrip()
    last_line = stripped.rsplit("\n", 1)[-1]
    if stripped.endswith(";") and "#" not in last_line:
        return stripped[:-1]
    return sparql
