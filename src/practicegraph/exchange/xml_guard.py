"""RDF/XML entity declarations: the short, plain ones pass; anything that can explode is refused.

pyoxigraph's RDF/XML parser (oxrdfxml over quick-xml) expands internal DTD
entities and has no switch to turn that off. It builds each entity's value when
the declaration is read, expanding the entities the value refers to, so ten
nested declarations in a 1 kB file ("billion laughs") ask for gigabytes before
a single statement comes out. No setting bounds it, so the bytes are screened
here, on their way from the file to the parser, and a bad declaration is
refused before the parser has seen it.

What is accepted, and why
    Real dumps use entities as namespace abbreviations: Protégé writes
    ``<!ENTITY owl "http://www.w3.org/2002/07/owl#">`` and ``rdf:about="&owl;Thing"``.
    Those import. A declaration passes when it is exactly
    ``<!ENTITY name "text">`` with a text of at most :data:`MAX_ENTITY_BYTES`
    bytes that contains no ``&`` (no reference to another entity, so no nesting
    and no recursion) and no ``<``.

What is refused (a :class:`~practicegraph.errors.DumpError` naming the file,
line and column)
    * a value that refers to another entity, or a character reference (``&...;``);
    * a value longer than :data:`MAX_ENTITY_BYTES`: one 50 kB entity referenced
      thousands of times is the "quadratic blowup";
    * external entities (``SYSTEM``/``PUBLIC``): nothing is ever fetched or read
      from disk; parameter entities (``<!ENTITY % ...>``); any other form.

Expansion counts against the byte limit
    Every reference to an accepted entity adds its value's length to the bytes
    read, and the total must stay within the limit (``max_import_bytes`` for an
    import, ``max_body_bytes`` for the Graph Store), so a small file cannot
    reach the parser as more than the limit lets through. The guard judges each
    block before the parser receives it.

Why a scan of the whole stream rather than an XML parser's view of the DOCTYPE
    oxrdfxml reads declarations in its own way: it splits the DOCTYPE's text at
    every ``<``, so a declaration inside a DTD comment counts, and it honours a
    DOCTYPE anywhere in the document. A standard XML parser (expat, defusedxml)
    would see neither, and would pass what oxrdfxml then expands. The guard
    therefore treats every ``<!ENTITY`` in the file as a declaration, wherever
    it stands: never less than oxrdfxml sees. Unescaped ``<!ENTITY`` can only
    stand in a DTD, a comment, CDATA or a processing instruction, so a dump
    that is refused for one outside its DTD had a malformed declaration there.
"""

from __future__ import annotations

import re

from practicegraph.errors import DumpError, DumpTooLargeError

#: The longest entity value accepted, in bytes (a namespace IRI needs a few dozen).
MAX_ENTITY_BYTES = 4096
_MAX_NAME = 200
#: ASCII only: the parser trims Unicode white space (a no-break space, U+3000) before
#: a name, so a name starting with such bytes would be counted under another name than
#: the one the parser defines, and its references never counted.
_NAME = rb"[A-Za-z_:][-A-Za-z0-9_.:]{0,%d}" % (_MAX_NAME - 1)
_WS = rb"[ \t\r\n]"
_DECLARATION = re.compile(
    rb"<!ENTITY"
    + _WS
    + rb"{1,64}(?P<name>"
    + _NAME
    + rb")"
    + _WS
    + rb'{1,64}"(?P<value>[^"<&]*)"'
    + _WS
    + rb"{0,64}>"
)
#: A complete declaration that passes is never longer than this.
_WINDOW = MAX_ENTITY_BYTES + _MAX_NAME + 3 * 64 + 16
_TAIL = _MAX_NAME + 8  # a reference or "<!ENTITY" cut by the end of a block is read with the next
_PREDEFINED = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})  # resolved first by the parser

_PARAMETER = re.compile(rb"<!ENTITY" + _WS + rb"*%")
_EXTERNAL = re.compile(rb"<!ENTITY" + _WS + rb"+\S+" + _WS + rb"+(SYSTEM|PUBLIC)\b")
_NESTED = re.compile(rb"<!ENTITY" + _WS + rb"+\S+" + _WS + rb'+"[^"<]*&')
_OPEN_VALUE = re.compile(rb"<!ENTITY" + _WS + rb"+\S+" + _WS + rb'+"(?P<value>[^"<&]*)')

_WHY = "entity expansion can blow up memory"


class EntityGuard:
    """Screens RDF/XML bytes block by block, before the parser reads them.

    ``feed`` raises :class:`DumpError` at a refused declaration and
    :class:`DumpTooLargeError` when the bytes read plus the expansion of every
    reference so far pass ``max_bytes``; ``expanded`` is that expansion.
    """

    def __init__(
        self,
        filename: str,
        max_bytes: int,
        setting: str = "max_import_bytes",
        outcome: str = "nothing was imported",
    ) -> None:
        self.filename = filename
        self.max_bytes = max_bytes
        self.setting = setting
        self.outcome = outcome  # what the refusal means, said at the end of each message
        self.entities: dict[bytes, int] = {}  # name -> length of its value in bytes
        self.expanded = 0
        self._references = re.compile(b"(?!)")  # "&(name|...);" of the declared entities
        self._carry = b""
        self._offset = 0  # position in the file of the carry's first byte
        self._line = 1  # line number there
        self._line_start = 0  # position in the file where that line starts

    def feed(self, data: bytes, *, final: bool = False) -> None:
        """Judge the next block (``final`` once the file has ended).

        The block is read as stretches between declarations; in each, the
        references to declared entities are counted in one ``findall`` (a
        Protégé file has one every few dozen bytes, too many for a loop).
        """
        buffer = self._carry + data if self._carry else data
        position, keep = 0, len(buffer)
        while True:
            start = buffer.find(b"<!ENTITY", position)
            if start < 0:
                keep = len(buffer) if final else self._cut(buffer, position)
                self._count(buffer, position, keep)
                break
            self._count(buffer, position, start)  # a name has no '<': no reference is cut
            end = self._declaration(buffer, start, final)
            if end is None:  # cut by the end of the block: judged with the next one
                keep = start
                break
            position = end
        self._advance(buffer, keep)
        self._carry = buffer[keep:]

    @staticmethod
    def _cut(buffer: bytes, position: int) -> int:
        """Where to stop reading a block so that no reference or declaration is split:
        the tail from there on is read again with the next block."""
        cut = max(position, len(buffer) - _TAIL)
        # A reference that straddles ``cut`` starts within _TAIL bytes before it, and
        # a name has no '&': cutting at the last '&' there splits none.
        ampersand = buffer.rfind(b"&", max(position, cut - _TAIL), cut)
        return cut if ampersand < 0 else ampersand

    def _count(self, buffer: bytes, start: int, end: int) -> None:
        """Add what the references in ``buffer[start:end]`` expand to; refuse past the limit."""
        if not self.entities or start >= end:
            return
        names = self._references.findall(buffer, start, end)
        if not names:
            return
        self.expanded += sum(self.entities[name] for name in names)
        if self._offset + end + self.expanded <= self.max_bytes:
            return
        # The limit is passed: find the reference that passed it, to say where.
        running = self.expanded - sum(self.entities[name] for name in names)
        at, name = end, names[-1]
        for found in self._references.finditer(buffer, start, end):
            name = found.group(1)
            running += self.entities[name]
            if self._offset + found.end() + running > self.max_bytes:
                at = found.start()
                break
        line, column = self._where(buffer, at)
        raise DumpTooLargeError(
            f"with its entity references expanded (this &{name.decode(errors='replace')}; and "
            f"those before it add {running:,} bytes) the RDF/XML exceeds the limit of "
            f"{self.max_bytes:,} bytes (setting {self.setting}); {self.outcome}",
            self.filename,
            line,
            column,
        )

    def _declaration(self, buffer: bytes, start: int, final: bool) -> int | None:
        """Where an accepted declaration ends; None when the block cuts it; else refused."""
        match = _DECLARATION.match(buffer, start)
        if match is not None and len(match.group("value")) <= MAX_ENTITY_BYTES:
            name = match.group("name")
            if name not in _PREDEFINED:  # the parser resolves those first: never expanded
                self.entities[name] = max(self.entities.get(name, 0), len(match.group("value")))
                alternatives = b"|".join(re.escape(n) for n in sorted(self.entities))
                self._references = re.compile(b"&(" + alternatives + b");")
            return match.end()
        window = buffer[start : start + _WINDOW]
        if match is None and len(window) < _WINDOW and not final:
            return None
        line, column = self._where(buffer, start)
        raise DumpError(f"{self._reason(window)}; {self.outcome}", self.filename, line, column)

    @staticmethod
    def _reason(window: bytes) -> str:
        refused = "RDF/XML with this DTD entity declaration is refused"
        if _PARAMETER.match(window):
            return f"{refused}: parameter entities (<!ENTITY % ...>) are not accepted; {_WHY}"
        if _EXTERNAL.match(window):
            return f"{refused}: external entities (SYSTEM or PUBLIC) are never fetched or read"
        if _NESTED.match(window):
            return (
                f"{refused}: its value refers to other entities or characters (&...;), and "
                f"nested entities are how a few hundred bytes expand to gigabytes; {_WHY}"
            )
        value = _OPEN_VALUE.match(window)
        if value is not None and len(value.group("value")) > MAX_ENTITY_BYTES:
            return (
                f"{refused}: its value is longer than {MAX_ENTITY_BYTES:,} bytes (an entity "
                f"abbreviates a namespace, and a long one referenced thousands of times is how "
                f"a small file expands to gigabytes); {_WHY}"
            )
        return (
            f'{refused}: only the form <!ENTITY name "text"> is accepted, with a name of '
            f"ASCII letters, digits, '_', '-', '.' or ':' and a text without '&' or '<' of at most "
            f"{MAX_ENTITY_BYTES:,} bytes; {_WHY}"
        )

    def _where(self, buffer: bytes, position: int) -> tuple[int, int]:
        newlines = buffer.count(b"\n", 0, position)
        if newlines:
            return self._line + newlines, position - buffer.rfind(b"\n", 0, position)
        return self._line, self._offset + position - self._line_start + 1

    def _advance(self, buffer: bytes, keep: int) -> None:
        newlines = buffer.count(b"\n", 0, keep)
        if newlines:
            self._line += newlines
            self._line_start = self._offset + buffer.rfind(b"\n", 0, keep) + 1
        self._offset += keep


def screen_rdfxml(data: bytes, filename: str, max_bytes: int, setting: str) -> int:
    """Screen a whole RDF/XML document held in memory (a request body, so a refusal
    means nothing was written); the bytes its entity references add."""
    guard = EntityGuard(filename, max_bytes, setting, "nothing was written")
    guard.feed(data, final=True)
    return guard.expanded
