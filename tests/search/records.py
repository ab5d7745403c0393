"""Index records for the search tests, written by hand: a document unless told otherwise."""

from __future__ import annotations

from practicegraph.search import IndexRecord


def record(ident: str, title: str, body: str, **extra: object) -> IndexRecord:
    values: dict[str, object] = {
        "id": f"https://example.org/{ident}",
        "kind": "document",
        "source": f"{ident}.txt",
        "doc_iri": f"https://example.org/{ident}",
        "title": title,
        "body": body,
        "content_hash": ident,
    }
    values.update(extra)
    return IndexRecord(**values)  # type: ignore[arg-type]
