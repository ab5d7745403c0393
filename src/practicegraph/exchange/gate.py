"""The checks every quad of an imported dump passes on its way in, while streaming.

The parser (pyoxigraph, strict mode) already refuses what is not RDF: bad
syntax, IRIs with spaces, unterminated literals, each with line and column.
The gate adds what a well-formed file can still get wrong:

* literals whose text is not a value of their XSD datatype (``"soon"^^xsd:date``);
* statements about this instance's own resources: its minted IRIs, its
  ontology and theme scheme. An identical copy of our own ontology (every dump
  from another PracticeGraph carries one) passes and is dropped; anything that
  would add to or contradict it is refused, so an import cannot rename a theme.
  Exempt is the namespace of the source being imported (``source_prefixes``,
  where the dump's relative IRIs resolve by default: see
  :mod:`.import_names`);
* more statements than the import limit;
* more text than the byte limit, counted on what the parser produced (each
  statement as its N-Quads line), not on the file: prefixes, a JSON-LD
  ``@context``, ``xml:base`` or RDF/XML entities let a small file stand for
  much longer statements, and the limit is about what would be stored.

It also notes what the dump says about itself (a VoID or DCAT dataset's licence
and publisher), which the import's provenance records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from practicegraph import vocab
from practicegraph.errors import DumpError, DumpTooLargeError
from practicegraph.sparql_terms import iri

XSD = str(vocab.XSD)
RDF_TYPE = str(vocab.RDF.type)
LICENSE = str(vocab.DCTERMS.license)
PUBLISHER = str(vocab.DCTERMS.publisher)
DATASET_TYPES = frozenset({str(vocab.VOID.Dataset), str(vocab.DCAT.Dataset)})

_INT = r"[+-]?\d+"
_DEC = r"[+-]?(\d+(\.\d*)?|\.\d+)"
_TZ = r"(Z|[+-]\d{2}:\d{2})?"
_DATE = r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
LEXICAL_FORMS: dict[str, re.Pattern[str]] = {
    XSD + name: re.compile(pattern)
    for name, pattern in {
        "integer": _INT,
        "int": _INT,
        "long": _INT,
        "short": _INT,
        "nonNegativeInteger": r"\+?\d+|-0+",
        "positiveInteger": r"\+?0*[1-9]\d*",
        "decimal": _DEC,
        "double": rf"{_DEC}([eE][+-]?\d+)?|[+-]?INF|NaN",
        "float": rf"{_DEC}([eE][+-]?\d+)?|[+-]?INF|NaN",
        "boolean": r"true|false|1|0",
        "date": _DATE + _TZ,
        "dateTime": _DATE
        + r"T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
        + _TZ
        + "|"
        + _DATE
        + r"T24:00:00(\.0+)?"
        + _TZ,
        "gYear": r"-?\d{4,}" + _TZ,
        "gYearMonth": r"-?\d{4,}-(0[1-9]|1[0-2])" + _TZ,
    }.items()
}


@dataclass
class DumpDescription:
    """What a dump's own VoID/DCAT record says about it."""

    licence: str | None = None
    publisher: str | None = None
    _datasets: set[str] = field(default_factory=set)
    _licences: dict[str, str] = field(default_factory=dict)
    _publishers: dict[str, str] = field(default_factory=dict)

    def note(self, quad: ox.Quad) -> None:
        predicate = quad.predicate.value
        subject = _display(quad.subject)
        if predicate == RDF_TYPE and _display(quad.object) in DATASET_TYPES:
            self._datasets.add(subject)
        elif predicate == LICENSE:
            self._licences.setdefault(subject, _display(quad.object))
        elif predicate == PUBLISHER:
            self._publishers.setdefault(subject, _display(quad.object))

    def settle(self) -> None:
        for subject in sorted(self._datasets):
            self.licence = self.licence or self._licences.get(subject)
            self.publisher = self.publisher or self._publishers.get(subject)


@dataclass
class GateCounts:
    accepted: int = 0
    own_copies: int = 0  # identical copies of this instance's ontology, dropped
    produced_bytes: int = 0  # the accepted statements as N-Quads, in UTF-8


class Gate:
    """Screens a stream of parsed quads; raises :class:`DumpError` on the first bad one."""

    def __init__(
        self,
        filename: str,
        *,
        own_prefixes: Iterable[str],
        vocabulary_prefixes: Iterable[str],
        source_prefixes: Iterable[str] = (),
        is_own_statement: Callable[[ox.Quad], bool],
        max_triples: int,
        max_bytes: int,
        locate: Callable[[str], tuple[int | None, int | None]] = lambda _needle: (None, None),
    ) -> None:
        self.filename = filename
        self.own_prefixes = tuple(own_prefixes)
        self.vocabulary_prefixes = tuple(vocabulary_prefixes)
        self.source_prefixes = tuple(source_prefixes)
        self.is_own_statement = is_own_statement
        self.max_triples = max_triples
        self.max_bytes = max_bytes
        self.locate = locate
        self.counts = GateCounts()
        self.description = DumpDescription()

    def screen(self, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        for quad in quads:
            subject = quad.subject
            if isinstance(subject, ox.NamedNode):
                value = subject.value
                if value.startswith(self.vocabulary_prefixes):
                    if self.is_own_statement(quad):
                        self.counts.own_copies += 1
                        continue
                    self._refuse(
                        f"the dump redefines this instance's vocabulary: {_nt(quad)} is not "
                        "in the ontology or theme scheme installed here",
                        iri(value),
                    )
                if value.startswith(self.own_prefixes) and not value.startswith(
                    self.source_prefixes
                ):
                    self._refuse(
                        f"the dump makes statements about this instance's own resource <{value}> "
                        f"(IRIs under {self.own_prefixes[0]}, the base_iri setting, are minted "
                        "here; a dump may link to them but not describe them. Each instance "
                        "needs a base IRI of its own: is the exporter's the same as this one's? "
                        "To move an instance to another data directory, use `practicegraph "
                        "backup` and `practicegraph restore`)",
                        iri(value),
                    )
            term = quad.object
            if isinstance(term, ox.Literal) and not term.language:
                pattern = LEXICAL_FORMS.get(term.datatype.value)
                if pattern is not None and not pattern.fullmatch(term.value):
                    name = term.datatype.value.removeprefix(XSD)
                    self._refuse(
                        f"the literal {term.value!r} is not a valid xsd:{name} (in {_nt(quad)})",
                        str(ox.Literal(term.value)),  # quoted as the file writes it
                    )
            self.counts.accepted += 1
            if self.counts.accepted > self.max_triples:
                raise DumpTooLargeError(
                    f"the dump has more than {self.max_triples:,} statements, the import limit "
                    "(setting max_import_triples); nothing was imported",
                    self.filename,
                )
            self.counts.produced_bytes += statement_bytes(quad)
            if self.counts.produced_bytes > self.max_bytes:
                raise DumpTooLargeError(
                    f"the statements parsed so far come to more than {self.max_bytes:,} bytes "
                    "as N-Quads, the import limit (setting max_import_bytes), which counts "
                    "what the file expands to (prefixes, contexts, entities), not only its "
                    "own size; nothing was imported",
                    self.filename,
                )
            self.description.note(quad)
            yield quad
        self.description.settle()

    def _refuse(self, reason: str, needle: str) -> None:
        line, column = self.locate(needle)
        raise DumpError(reason + "; nothing was imported", self.filename, line, column)


def statement_bytes(quad: ox.Quad | ox.Triple) -> int:
    """The size of a statement written as N-Quads (UTF-8): what storing it costs."""
    text = str(quad)
    return (len(text) if text.isascii() else len(text.encode("utf-8"))) + 3  # " .\n"


def _display(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def _nt(quad: ox.Quad) -> str:
    text = f"{quad.subject} {quad.predicate} {quad.object}"
    return text if len(text) <= 300 else text[:297] + "..."


def line_locator(
    open_text: Callable[[], Iterable[bytes]],
) -> Callable[[str], tuple[int | None, int | None]]:
    """Finds where a piece of text first occurs in the dump: used on the error path only
    (the parser does not give quads' positions), so it can afford a second read."""

    def locate(needle: str) -> tuple[int | None, int | None]:
        wanted = needle.encode("utf-8")
        try:
            for number, line in enumerate(open_text(), 1):
                column = line.find(wanted)
                if column >= 0:
                    return number, column + 1
        except (DumpError, OSError):
            pass
        return None, None

    return locate
