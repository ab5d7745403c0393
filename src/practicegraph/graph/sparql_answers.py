"""Reading a SPARQL server's answers into pyoxigraph's term classes, whatever the server.

Shared by the SPARQL server backend (:mod:`practicegraph.graph.sparql_store`) and
the endpoint's runner on it (:mod:`practicegraph.api.server_queries`). Why not
just ``pyoxigraph.parse_query_results``: servers write things it refuses --
Virtuoso names blank nodes ``nodeID://b10001``, older servers write
``typed-literal`` -- and an answer must never fail to read because of a
spelling. And why the query form matters: Virtuoso ignores the q-values of an
``Accept`` list, so a client that offers both results and RDF gets JSON results
for a CONSTRUCT; the Accept must name the one media type the form answers with.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from practicegraph import formats

RESULTS_JSON = formats.media_type(ox.QueryResultsFormat.JSON)
NTRIPLES = formats.media_type(ox.RdfFormat.N_TRIPLES)
TURTLE = formats.media_type(ox.RdfFormat.TURTLE)
#: What a server's JSON results come as: SPARQL JSON results, or plain JSON.
_JSON_TYPES = (RESULTS_JSON, formats.JSON)
#: What its N-Triples come as: the registered type, or ``text/plain`` (the old one).
_NTRIPLES_TYPES = tuple(media for media, name in formats.GRAPH_MEDIA.items() if name == "nt")

#: The query form's keyword after the prologue (comments, BASE and PREFIX declarations).
_FORM = re.compile(
    r"\A(?:\s+|#[^\n]*(?:\n|\Z)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*"
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)
_BLANK_LABEL = re.compile(r"[^A-Za-z0-9_]")


def _boolean(value: bool) -> ox.QueryBoolean:
    """pyoxigraph builds QueryBoolean only by parsing; parse the two there are."""
    text = b'{"head":{},"boolean":%s}' % (b"true" if value else b"false")
    answer = ox.parse_query_results(text, ox.QueryResultsFormat.JSON)
    assert isinstance(answer, ox.QueryBoolean)  # noqa: S101 - a boolean document
    return answer


_TRUE, _FALSE = _boolean(True), _boolean(False)


def query_form(sparql: str) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe``; None when it cannot tell."""
    match = _FORM.match(sparql)
    return match.group(1).lower() if match else None


def accept_for(form: str | None) -> str:
    """The Accept header for a query of ``form``: one media type when it is known."""
    if form in ("select", "ask"):
        return RESULTS_JSON
    if form in ("construct", "describe"):
        return NTRIPLES
    return f"{RESULTS_JSON}, {NTRIPLES};q=0.9"


@dataclass
class Solutions:
    """SELECT solutions read from a server: ``variables`` and rows of terms (None for
    unbound), in the shape the query workers' serialiser reads."""

    variables: list[ox.Variable]
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]

    def __iter__(self) -> Iterator[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
        return iter(self.rows)


class AnswerError(ValueError):
    """The server's answer could not be read."""


def parse_results_json(body: bytes) -> Solutions | ox.QueryBoolean:
    """SPARQL 1.1 Query Results JSON into terms (lenient about servers' spellings)."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AnswerError(f"the server's JSON results do not parse: {exc}") from exc
    if not isinstance(document, dict):
        raise AnswerError("the server's JSON results are not an object")
    if "boolean" in document:
        return _TRUE if document["boolean"] in (True, "true", 1, "1") else _FALSE
    names = [str(n) for n in document.get("head", {}).get("vars", [])]
    bindings = document.get("results", {}).get("bindings", [])
    if not isinstance(bindings, list):
        raise AnswerError("the server's JSON results have no bindings list")
    rows = [[_term(b[name]) if name in b else None for name in names] for b in bindings]
    return Solutions([ox.Variable(n) for n in names], rows)


def _term(value: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind = value.get("type")
    text = value.get("value", "")
    try:
        if kind == "uri":
            return ox.NamedNode(text)
        if kind == "bnode":
            return ox.BlankNode(_BLANK_LABEL.sub("_", text.removeprefix("nodeID://")) or "b")
        if kind in ("literal", "typed-literal"):
            language = value.get("xml:lang")
            if language:
                return ox.Literal(text, language=language)
            datatype = value.get("datatype")
            if datatype:
                return ox.Literal(text, datatype=ox.NamedNode(datatype))
            return ox.Literal(text)
    except ValueError as exc:
        raise AnswerError(f"the server's answer holds a term pyoxigraph refuses: {exc}") from exc
    raise AnswerError(f"the server's answer holds a term of unknown type {kind!r}")


def parse_triples(body: bytes, media_type: str) -> list[ox.Triple]:
    """An RDF answer (N-Triples or Turtle) as triples."""
    syntax = ox.RdfFormat.TURTLE if media_type == TURTLE else ox.RdfFormat.N_TRIPLES
    try:
        return [quad.triple for quad in ox.parse(body, syntax)]
    except SyntaxError as exc:
        raise AnswerError(f"the server's RDF answer does not parse: {exc}") from exc


def parse_answer(body: bytes, media_type: str) -> Solutions | ox.QueryBoolean | list[ox.Triple]:
    """Any answer by its media type (the part before ``;``, lower case)."""
    if media_type in _JSON_TYPES:
        return parse_results_json(body)
    if media_type in (*_NTRIPLES_TYPES, TURTLE):
        return parse_triples(body, media_type)
    raise AnswerError(f"the server answered in {media_type or 'no media type'}")


#: How servers word a request that does not parse (Oxigraph; Virtuoso's SPARQL compiler).
_PARSE_WORDS = ("parse", "syntax", "expected", "error at ", "sp030")


def is_parse_error(message: str) -> bool:
    """Whether a server's error message says the request does not parse."""
    lowered = message.lower()
    return any(word in lowered for word in _PARSE_WORDS)


#: "error at 3:17" (Oxigraph), "line 3" (Virtuoso and others).
_LINE_NUMBER = re.compile(r"(error at |line )(\d+)", re.IGNORECASE)


def lines_back(message: str, lines: int) -> str:
    """A server's error position in the caller's text, when ``lines`` lines were put in
    front of it (a BASE declaration the protocol has no parameter for)."""

    def back(match: re.Match[str]) -> str:
        return f"{match.group(1)}{max(1, int(match.group(2)) - lines)}"

    return _LINE_NUMBER.sub(back, message, count=1) if lines else message


async def read_capped(
    chunks: AsyncIterator[bytes], media_type: str, max_rows: int
) -> tuple[Solutions | ox.QueryBoolean | list[ox.Triple], bool]:
    """An answer read only as far as ``max_rows`` rows (or triples) and one more:
    (the answer, whether there was more). The caller then drops the connection.

    Why: a server sends every row it found; reading a million to keep ten
    thousand would cost the time limit the embedded workers never spend (they
    stop evaluating at the cap). SPARQL JSON results are read binding by binding,
    N-Triples line by line; anything else is read whole.
    """
    if media_type in _JSON_TYPES:
        reader = _BindingsReader(max_rows)
        async for chunk in chunks:
            if reader.feed(chunk):
                return reader.solutions(), True
        return reader.finish(), False
    if media_type in _NTRIPLES_TYPES:
        lines: list[bytes] = []
        pending = b""
        async for chunk in chunks:
            pending += chunk
            *complete, pending = pending.split(b"\n")
            lines += [line for line in complete if line.strip()]
            if len(lines) > max_rows:
                return parse_triples(b"\n".join(lines[:max_rows]) + b"\n", NTRIPLES), True
        if pending.strip():
            lines.append(pending)
        return parse_triples(b"\n".join(lines) + b"\n", NTRIPLES), False
    body = b"".join([chunk async for chunk in chunks])
    answer = parse_answer(body, media_type)
    if isinstance(answer, list) and len(answer) > max_rows:
        return answer[:max_rows], True
    return answer, False


class _BindingsReader:
    """SPARQL JSON results read incrementally: the head's variables, then one binding
    object at a time (servers write the head first); stops after ``max_rows`` + 1."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.position = 0  # where the next binding may start, once inside the array
        self.names: list[str] | None = None
        self.inside = False
        self.rows: list[dict[str, dict[str, str]]] = []
        self.whole = ""  # everything, for answers that are not a bindings list

    def feed(self, chunk: bytes) -> bool:
        """Take a chunk; True once more than ``max_rows`` bindings have been read."""
        piece = self.decoder.decode(chunk)
        self.whole += piece if not self.inside else ""
        self.text += piece
        if not self.inside and not self._enter():
            return False
        return self._bindings()

    def _enter(self) -> bool:
        match = re.search(r'"bindings"\s*:\s*\[', self.text)
        head = re.search(r'"vars"\s*:\s*(\[[^\]]*\])', self.text)
        if match is None or head is None:
            return False
        self.names = [str(n) for n in json.loads(head.group(1))]
        self.inside = True
        self.text = self.text[match.end() :]
        self.whole = ""
        return True

    def _bindings(self) -> bool:
        decoder = json.JSONDecoder()
        while True:
            rest = self.text.lstrip(" \t\r\n,")
            if not rest.startswith("{"):
                self.text = rest
                return False
            try:
                binding, end = decoder.raw_decode(rest)
            except ValueError:  # the object goes on in the next chunk
                self.text = rest
                return False
            self.rows.append(binding)
            self.text = rest[end:]
            if len(self.rows) > self.max_rows:
                return True

    def solutions(self) -> Solutions:
        names = self.names or []
        rows = self.rows[: self.max_rows]
        return Solutions(
            [ox.Variable(n) for n in names],
            [[_term(b[n]) if n in b else None for n in names] for b in rows],
        )

    def finish(self) -> Solutions | ox.QueryBoolean:
        if not self.inside:  # a boolean, or results that did not look like a stream
            return parse_results_json((self.whole + self.decoder.decode(b"", final=True)).encode())
        if not self.text.lstrip(" \t\r\n").startswith("]"):
            raise AnswerError("the server's JSON results were cut off")
        return self.solutions()
