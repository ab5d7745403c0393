"""Bytes to text: the encodings ingest accepts, binary detection, normalisation.

A file's text is what every offset points into, so the rules are few and fixed:
UTF-8, UTF-16 with its BOM, a charset an HTML page declares, then cp1252.
Control characters do not make a file binary (a terminal log, a text with a
form feed per page is still text): :func:`normalise` drops them, keeping line
breaks. Only NULs in numbers, or control bytes in a file that is not UTF-8,
mean binary data.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from practicegraph.errors import DecodeError, UnsupportedFormatError

__all__ = ["SNIFF_BYTES", "declared_charset", "decode", "normalise"]

#: Bytes sniffed for a PDF or HTML signature, and for a declared charset.
SNIFF_BYTES = 2048
#: Share of control characters above which bytes that are not UTF-8 are taken
#: for binary data. Why not zero: real text files do contain the odd form feed
#: or escape. (Only for single-byte encodings, which decode nearly anything.)
_MAX_CONTROL_SHARE = 0.05
#: Share of NULs above which decoded text is binary data (an image, an archive,
#: UTF-16 without its BOM). Why not zero: a stray NUL in an exported text is
#: dropped like any other control character.
_MAX_NUL_SHARE = 0.01

#: Control bytes other than the whitespace ones (tab, line feed, vertical tab,
#: form feed, carriage return).
_CONTROL_BYTES = bytes(c for c in range(0x20) if c not in b"\t\n\v\f\r") + b"\x7f"


def _nul_heavy(text: str) -> bool:
    return text.count("\x00") > len(text) * _MAX_NUL_SHARE


def _bytes_look_binary(raw: bytes) -> bool:
    """For bytes that are not UTF-8 or UTF-16: any NUL, or many control bytes.

    Why strict here: single-byte encodings decode nearly any bytes, so
    controls are the only sign left that the file is not text.
    """
    if b"\x00" in raw:
        return True
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    return controls > len(raw) * _MAX_CONTROL_SHARE


_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(raw: bytes) -> str | None:
    match = _CHARSET_RE.search(raw[:SNIFF_BYTES])
    if not match:
        return None
    name = match.group(1).decode("ascii")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(raw: bytes, path: Path, *, declared: str | None = None) -> str:
    """Decode bytes as UTF-8, UTF-16 (with BOM), a declared charset, then cp1252.

    Why this order: UTF-8 is by far the most common and almost never decodes
    anything else by accident; UTF-16 is only trusted with its BOM; cp1252 (a
    superset of Latin-1's printable range) is the usual encoding of old Windows
    files, but it decodes nearly any bytes, so it comes last and only for
    bytes that do not look binary.
    """
    binary = UnsupportedFormatError(path, "binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    else:
        # Valid UTF-8 is text even with control characters in it (a terminal
        # log, a form feed per page): normalise drops them. Only NULs in
        # numbers say "binary".
        if _nul_heavy(text):
            raise binary
        return text
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
        else:
            if _nul_heavy(text):
                raise binary
            return text.removeprefix("\ufeff")
    if _bytes_look_binary(raw):
        raise binary
    for encoding in (declared, "cp1252"):
        if encoding is None or encoding in ("utf-8", "utf-16"):
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_printable(text):
            return text
    bad = raw[utf8_error.start]
    raise DecodeError(
        path,
        f"not UTF-8, UTF-16 or cp1252 text: byte 0x{bad:02x} at offset {utf8_error.start} "
        "cannot be decoded",
    )


def _mostly_printable(text: str) -> bool:
    """Why: cp1252 maps most bytes to something, so demand that it reads as text."""
    if not text:
        return True
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\n\r\f\v\u00a0\u00ad")
    return printable / len(text) >= 1 - _MAX_CONTROL_SHARE


#: Terminal escape sequences (colours, cursor moves, window titles), dropped
#: whole: dropping only their ESC would leave "[31m" in the text.
_ESCAPE_SEQUENCE_RE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)|[@-Z\\-_])"
)
#: C0 controls but tab and line breaks, DEL and the C1 controls are dropped;
#: form feed, vertical tab and NEL end a line, which keeps page breaks apart.
_CONTROLS = {
    code: None for code in [*range(0x20), *range(0x7F, 0xA0)] if code not in (0x09, 0x0A, 0x0D)
} | {0x0B: "\n", 0x0C: "\n", 0x85: "\n"}


def normalise(text: str) -> str:
    """Line endings to ``\\n``, no leading BOM, no control characters, NFC."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCE_RE.sub("", text)
    return unicodedata.normalize("NFC", text.translate(_CONTROLS))
