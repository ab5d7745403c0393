"""A query worker process: runs SPARQL queries on a read-only store snapshot.

Started by :mod:`practicegraph.api.query_runner` as ``python snapshot_worker.py
PARENT_PID`` (by file path, so that it imports only the standard library and pyoxigraph and
starts in a few tens of milliseconds). It reads requests from stdin and writes
answers to stdout, one at a time, until stdin closes. The parent kills it when
a query overruns its time limit: pyoxigraph cannot cancel a running query, a
process can always be killed.

Framing, both ways: a 4-byte big-endian length, a JSON header of that length,
then (answers only) ``header["size"]`` bytes of payload.

Request header: ``snapshot`` (directory of a store checkpoint), ``query``,
``base_iri``, ``default_graph`` / ``named_graphs`` (lists of IRIs or null),
``union`` (default graph as the union of all graphs), ``results`` (json, xml,
csv, tsv), ``graph`` (turtle, nt, jsonld, rdfxml), ``max_rows``.

Answer header: ``ok``; then either ``kind`` (solutions, boolean, graph),
``media_type``, ``truncated``, ``rows``, ``size``; or ``error`` (syntax,
failed, snapshot) and ``message``.
"""

from __future__ import annotations

import json
import os
import struct
import sys
from json.encoder import encode_basestring as _json_str  # "...", non-ASCII kept
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

#: The formats by their SPARQL protocol names (practicegraph.formats.RESULTS_FORMATS and
#: GRAPH_SYNTAXES: this process imports nothing of the project), with the Content-Type
#: an answer carries (practicegraph.formats.content_type).
RESULT_MEDIA_TYPES = {
    "json": ox.QueryResultsFormat.JSON.media_type,
    "xml": ox.QueryResultsFormat.XML.media_type,
    "csv": ox.QueryResultsFormat.CSV.media_type,
    "tsv": ox.QueryResultsFormat.TSV.media_type,
}
GRAPH_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, f"{ox.RdfFormat.TURTLE.media_type}; charset=utf-8"),
    "nt": (ox.RdfFormat.N_TRIPLES, f"{ox.RdfFormat.N_TRIPLES.media_type}; charset=utf-8"),
    "jsonld": (ox.RdfFormat.JSON_LD, ox.RdfFormat.JSON_LD.media_type),
    "rdfxml": (ox.RdfFormat.RDF_XML, ox.RdfFormat.RDF_XML.media_type),
}
#: The answer's ``error`` when the snapshot cannot be opened (deleted meanwhile):
#: the parent makes a new one and sends the query again.
SNAPSHOT_GONE = "snapshot"
#: The IRI that names the store's own default graph in ``default-graph-uri`` (queries
#: see the union of all graphs by default); the Virtuoso backend keeps that graph's
#: statements in a named graph of this name (sparql_store.DEFAULT_STANDIN).
DEFAULT_GRAPH_IRI = "urn:x-practicegraph:default-graph"
_BOOLEAN_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


def read_message(stream: IO[bytes]) -> tuple[dict[str, Any], bytes] | None:
    """One framed message (header, payload) or None at end of stream."""
    raw = stream.read(4)
    if len(raw) < 4:
        return None
    (length,) = struct.unpack(">I", raw)
    header: dict[str, Any] = json.loads(stream.read(length))
    size = int(header.get("size", 0))
    payload = stream.read(size) if size else b""
    return header, payload


def write_message(stream: IO[bytes], header: dict[str, Any], payload: bytes = b"") -> None:
    header = {**header, "size": len(payload)}
    encoded = json.dumps(header).encode()
    stream.write(struct.pack(">I", len(encoded)) + encoded + payload)
    stream.flush()


# -- SPARQL results serialisations (rows are capped, so we write them ourselves) --
Term = Any  # ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_term(term: Term) -> dict[str, Any]:
    kind = type(term)  # exact types first: this runs for every value of every row
    if kind is ox.NamedNode:
        return {"type": "uri", "value": term.value}
    if kind is ox.Literal:
        language = term.language
        if language:
            return {"type": "literal", "value": term.value, "xml:lang": language}
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": datatype}
    if kind is ox.BlankNode:
        return {"type": "bnode", "value": term.value}
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _json_term_text(term: Term) -> str:
    """``_json_term(term)`` as compact JSON text."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _json_str(term.value) + "}"
    if kind is ox.Literal:
        value = _json_str(term.value)
        language = term.language
        if language:
            return '{"type":"literal","value":' + value + ',"xml:lang":' + _json_str(language) + "}"
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return '{"type":"literal","value":' + value + ',"datatype":' + _json_str(datatype) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _csv_field(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def serialize_solutions(fmt: str, variables: list[str], rows: list[list[Term | None]]) -> bytes:
    if fmt == "json":
        # written as text: the same bytes as json.dumps(..., ensure_ascii=False,
        # separators=(",", ":")) of the dict form, in about half the time
        names = [_json_str(name) + ":" for name in variables]
        bindings = [
            "{"
            + ",".join(
                name + _json_term_text(value)
                for name, value in zip(names, row, strict=True)
                if value is not None
            )
            + "}"
            for row in rows
        ]
        head = ",".join(_json_str(name) for name in variables)
        return (
            '{"head":{"vars":[' + head + ']},"results":{"bindings":[' + ",".join(bindings) + "]}}"
        ).encode()
    if fmt == "xml":
        parts = [
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
            "<head>",
            *(f"<variable name={quoteattr(v)}/>" for v in variables),
            "</head><results>",
        ]
        for row in rows:
            parts.append("<result>")
            for name, value in zip(variables, row, strict=True):
                if value is not None:
                    parts.append(f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>")
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        return "".join(parts).encode()
    if fmt == "csv":
        lines = [",".join(_csv_field(ox.Literal(v)) for v in variables)]
        lines += [",".join(_csv_field(value) for value in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    # tsv: terms in their N-Triples/Turtle syntax
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if value is None else str(value) for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def execute(store: ox.Store, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Run one query on ``store`` and serialise its result as the request asks."""
    options: dict[str, Any] = {"base_iri": request.get("base_iri")}
    default_graph = request.get("default_graph")
    named_graphs = request.get("named_graphs")
    if default_graph is not None or named_graphs is not None:
        options["default_graph"] = [
            ox.DefaultGraph() if iri == DEFAULT_GRAPH_IRI else ox.NamedNode(iri)
            for iri in default_graph or []
        ]
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
    else:
        options["use_default_graph_as_union"] = bool(request.get("union", True))
    try:
        return serialise_answer(store.query(request["query"], **options), request)
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}, b""
    except (OSError, RuntimeError, ValueError) as exc:
        return {"ok": False, "error": "failed", "message": str(exc)}, b""


def serialise_answer(result: Any, request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """A query's answer as the request asks (``results``, ``graph``, ``max_rows``): the
    answer header and the payload. Shared with the SPARQL server backend's runner,
    which parses the server's answer into objects of the same shape (``result`` is
    a QueryBoolean, solutions with ``variables`` whose iteration gives the terms of
    each row, or triples), so both write the same bytes and cut at the same row."""
    max_rows = int(request["max_rows"])
    if isinstance(result, ox.QueryBoolean):
        fmt = request["results"] if request["results"] in _BOOLEAN_FORMATS else "json"
        payload = result.serialize(format=_BOOLEAN_FORMATS[fmt]) or b""
        header = {"kind": "boolean", "media_type": RESULT_MEDIA_TYPES[fmt], "rows": 0}
        return {"ok": True, "truncated": False, **header}, payload
    if hasattr(result, "variables"):
        variables = [v.value for v in result.variables]
        rows: list[list[Term | None]] = []
        truncated = False
        for solution in result:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append(list(solution))  # the values in the order of ``variables``
        fmt = request["results"]
        payload = serialize_solutions(fmt, variables, rows)
        return {
            "ok": True,
            "kind": "solutions",
            "media_type": RESULT_MEDIA_TYPES[fmt],
            "truncated": truncated,
            "rows": len(rows),
        }, payload
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(triple)
    rdf_format, media_type = GRAPH_FORMATS[request["graph"]]
    data = ox.serialize(triples, format=rdf_format) or b""
    return {
        "ok": True,
        "kind": "graph",
        "media_type": media_type,
        "truncated": truncated,
        "rows": len(triples),
    }, data


def trial_update(request: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Run an update on an empty in-memory store, to learn whether the engine survives it.

    Updates run in the server's own process, where an engine crash (a stack
    overflow on a deeply nested request) would take the server down; a worker
    that dies here only costs a replacement. Nothing is written anywhere.
    """
    try:
        ox.Store().update(request["query"], base_iri=request.get("base_iri"))
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}, b""
    except (OSError, RuntimeError, ValueError) as exc:
        return {"ok": False, "error": "failed", "message": str(exc)}, b""
    return {"ok": True, "kind": "trial", "media_type": "", "truncated": False, "rows": 0}, b""


def die_with_parent(parent: int) -> None:
    """Be killed when the server process ends, however it ends.

    A worker busy with a long query does not read its pipe, so it would not see
    the server go: after a crash (or a test run stopped mid-query) it would go on
    burning a core to no one. On Linux the kernel kills it instead
    (``PR_SET_PDEATHSIG``: sent when the thread that started it ends, which is
    why the runner starts every worker from one thread that lives as long as the
    pool). Elsewhere this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: run without, as elsewhere
        return
    if os.getppid() != parent:  # the server went before the request was made
        os._exit(1)


def _sandbox() -> Any:
    """sandbox.py beside this script, loaded by path: importing it through the
    ``practicegraph.api`` package would load the whole web application here."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "practicegraph_worker_sandbox", os.path.join(os.path.dirname(__file__), "sandbox.py")
    )
    if spec is None or spec.loader is None:
        raise ImportError("sandbox.py is missing beside the query worker")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The command-line flag that starts a worker without network access.
NO_NETWORK = "--no-network"


def main() -> None:
    if len(sys.argv) > 1:
        die_with_parent(int(sys.argv[1]))
    if NO_NETWORK in sys.argv[2:]:
        why_not = _sandbox().forbid_network()
        if why_not is not None:
            print(f"query worker: running with network access ({why_not})", file=sys.stderr)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers may reach the pipe
    store: ox.Store | None = None
    opened: str | None = None
    while (message := read_message(stdin)) is not None:
        request, _payload = message
        if request.get("ping"):
            write_message(stdout, {"ok": True, "pong": True})
            continue
        if request.get("trial_update"):
            write_message(stdout, *trial_update(request))
            continue
        if request.get("trial_query"):  # a query tried on an empty store (see trial_update)
            write_message(stdout, *execute(ox.Store(), request))
            continue
        if store is None or request["snapshot"] != opened:
            store = None  # release the previous snapshot before opening the next
            try:
                store = ox.Store.read_only(request["snapshot"])
            except OSError as exc:
                gone = not os.path.isdir(request["snapshot"])  # deleted before it was opened
                error = SNAPSHOT_GONE if gone else "failed"
                write_message(stdout, {"ok": False, "error": error, "message": str(exc)})
                continue
            opened = request["snapshot"]
        header, payload = execute(store, request)
        write_message(stdout, header, payload)


if __name__ == "__main__":
    main()
