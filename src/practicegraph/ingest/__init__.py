"""Ingest: read input files (text, Markdown, HTML, PDF, Word .docx) into source documents.

``iter_input_files`` expands the paths a user gives; ``read_document`` turns
one file into a :class:`SourceDocument` whose ``text`` later stages point into,
or raises an :class:`~practicegraph.errors.IngestError` that names the file.
"""

from practicegraph.ingest.readers import (
    DEFAULT_MAX_CHARS,
    SUPPORTED_SUFFIXES,
    DocumentLimitError,
    SourceDocument,
    iter_input_files,
    read_document,
)

__all__ = [
    "DEFAULT_MAX_CHARS",
    "SUPPORTED_SUFFIXES",
    "DocumentLimitError",
    "SourceDocument",
    "iter_input_files",
    "read_document",
]
