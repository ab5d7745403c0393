"""Errors that PracticeGraph reports to its users.

Every error a user can cause derives from :class:`PracticeGraphError`, so the
CLI and the API turn them into one clear line (or one JSON envelope) and treat
anything else as a bug::

    PracticeGraphError
    ├── ConfigError            a setting has an unusable value
    ├── IngestError            one input file cannot be read (the batch goes on)
    │   ├── MissingFileError       the path does not exist
    │   ├── UnsupportedFormatError the file is not text, Markdown, HTML or PDF
    │   ├── DecodeError            bytes that are not text in any supported encoding
    │   ├── EmptyDocumentError     no usable text after cleaning
    │   └── DocumentLimitError     past a limit: text length, HTML nesting
    ├── QueryError             a SPARQL query or update does not parse or cannot run
    ├── StoreError             the store (or a SPARQL server) refused an operation
    │   └── StorageFullError       the disk is full: the write was not made
    ├── SearchQueryError       a keyword search is past its length limits
    ├── ValidationError        data does not conform to the SHACL shapes
    ├── DumpError              an imported dump is refused (says file, line, column)
    │   ├── InvalidDumpError       it fails validation; ``report`` lists each violation
    │   ├── DumpTooLargeError      past max_import_bytes or max_import_triples
    │   └── UnknownSourceError     no imported source of that name
    ├── CanonicalizationError  RDFC-1.0 cannot label a dataset's blank nodes in time
    └── BackupError            a backup file cannot be restored (says which member)
        └── RestoreConflictError   the target instance is not empty, or has another base IRI

QueryError and StoreError are siblings: a query that does not parse is the
sender's to fix (HTTP 400), a store that cannot be reached or written is the
operator's (HTTP 503). Code that handles both names both.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any


class PracticeGraphError(Exception):
    """Base class of every error a user can cause."""


class ConfigError(PracticeGraphError):
    """A setting has an unusable value."""


class IngestError(PracticeGraphError):
    """One input file cannot be ingested; says which file and why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class MissingFileError(IngestError):
    """The path does not exist or is not readable."""


class UnsupportedFormatError(IngestError):
    """The file is binary or of a kind the readers do not handle."""


class DecodeError(IngestError):
    """The bytes are not text in any encoding we accept."""


class EmptyDocumentError(IngestError):
    """Nothing usable is left once markup and boilerplate are removed."""


class DocumentLimitError(IngestError):
    """The file is past a limit (text length, HTML nesting); the message names it."""


class QueryError(PracticeGraphError):
    """A SPARQL query or update does not parse or fails while running.

    Not a :class:`StoreError`: it is about the text sent, not the store's health.
    """


class StoreError(PracticeGraphError):
    """The store refused an operation."""


class StorageFullError(StoreError):
    """The disk holding the data directory is full, so a write was refused whole.

    Its message never names files: it reaches HTTP clients. The service resumes
    by itself once space is freed (see ``OxigraphStore.recover``).
    """

    def __init__(self, consequence: str = "the write was refused and nothing was changed") -> None:
        self.consequence = consequence
        super().__init__(
            f"the disk holding the data directory is full: {consequence}; "
            "free some space and try again"
        )


#: errno values meaning "no room": out of space and out of quota.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
#: How RocksDB (through pyoxigraph, which sets no errno) words the same conditions.
_FULL_WORDS = ("no space left on device", "disk quota exceeded")


def is_disk_full(exc: BaseException) -> bool:
    """True for an OSError that says the disk (or the user's quota) is full.

    Why by message as well: pyoxigraph turns RocksDB's I/O errors into OSErrors
    without an errno, with the C library's wording in the text.
    """
    if not isinstance(exc, OSError):
        return False
    if exc.errno in _FULL_ERRNOS:
        return True
    text = str(exc).lower()
    return any(words in text for words in _FULL_WORDS)


class SearchQueryError(PracticeGraphError):
    """A keyword search is longer than the settings allow (it would take seconds)."""


class ValidationError(PracticeGraphError):
    """Data does not conform to the SHACL shapes; ``report`` holds the text."""

    def __init__(self, message: str, report: str = "") -> None:
        self.report = report
        super().__init__(message)


class DumpError(PracticeGraphError):
    """An imported dump is refused as a whole; nothing of it was written."""

    def __init__(
        self, reason: str, filename: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.reason = reason
        self.filename = filename
        self.line = line
        self.column = column
        where = filename
        if line is not None:
            where += f", line {line}" + (f", column {column}" if column is not None else "")
        super().__init__(f"{where}: {reason}")

    def detail(self) -> dict[str, Any]:
        return {"file": self.filename, "line": self.line, "column": self.column}


class InvalidDumpError(DumpError):
    """The dump parses but breaks the SHACL shapes or this instance's rules."""

    def __init__(self, reason: str, filename: str, report: Any) -> None:
        self.report = report
        super().__init__(reason, filename)


class UnknownSourceError(DumpError):
    """No imported source has that name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no source named {name!r} (see `practicegraph sources`)", name)


class DumpTooLargeError(DumpError):
    """The dump is past a size limit (bytes, after decompression, or statements)."""


def mentions_disk_full(exc: BaseException) -> bool:
    """:func:`is_disk_full`, or any error whose text says the disk is full.

    Why: tantivy's Python binding raises ValueError for every I/O error of the
    engine, with the operating system's wording ("os error 28") in the text.
    """
    if is_disk_full(exc):
        return True
    text = str(exc).lower()
    return any(words in text for words in (*_FULL_WORDS, "os error 28", "os error 122"))


class BackupError(PracticeGraphError):
    """A backup file cannot be restored: damaged, incomplete or not a backup."""

    def __init__(self, reason: str, filename: str, member: str | None = None) -> None:
        self.reason = reason
        self.filename = filename
        self.member = member
        where = filename + (f", member {member}" if member else "")
        super().__init__(f"{where}: {reason}")

    def detail(self) -> dict[str, Any]:
        return {"file": self.filename, "member": self.member}


class RestoreConflictError(BackupError):
    """The backup is sound, but this instance cannot take it (it is not empty, or it
    mints IRIs under another base); nothing was written."""


class CanonicalizationError(PracticeGraphError):
    """RDFC-1.0 could not label the blank nodes within ``max_canonical_seconds``: many
    blank nodes that nothing tells apart make it exponential."""

    def __init__(self, seconds: float, blank_statements: int) -> None:
        self.seconds = seconds
        self.blank_statements = blank_statements
        super().__init__(
            f"RDFC-1.0 canonicalisation of {blank_statements} statements with blank nodes "
            f"did not finish within {seconds:g} s (setting max_canonical_seconds): blank "
            "nodes that nothing tells apart (a clique, say) make it exponential; give them "
            "IRIs or distinguishing statements"
        )
