"""The linked-data HTML page: a resource's label, types, properties, links and evidence.

The page is data in, string out: :class:`ResourcePage` holds plain values that
the caller (``api.resources``) has already looked up; :func:`render_resource`
escapes every one of them (text with ``quote=True`` as attributes take it too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
line-height:1.45;color:#1b1b1b}
h1{margin-bottom:.2rem}.iri{color:#555;font-family:monospace;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #ddd}
th{width:14rem;font-weight:600;color:#333}.lit small{color:#777}
blockquote{margin:.3rem 0;padding:.2rem .8rem;border-left:3px solid #8ab;background:#f5f8fa}
nav.formats a{margin-right:.8rem}pre{white-space:pre-wrap}
"""


@dataclass(frozen=True)
class Link:
    """A link to a resource: a local URL where the service serves it, else the IRI."""

    href: str
    label: str
    title: str = ""


@dataclass(frozen=True)
class TextValue:
    """A literal: its text, and the language tag or datatype to show beside it."""

    text: str
    note: str = ""


PageValue = Link | TextValue


@dataclass(frozen=True)
class Evidence:
    """One quote that an entity was found in (``oa:exact`` of an annotation)."""

    quote: str
    entity: Link | None
    document: Link | None
    start: str = ""
    end: str = ""


@dataclass
class ResourcePage:
    iri: str
    title: str
    types: list[Link] = field(default_factory=list)
    properties: list[tuple[Link, list[PageValue]]] = field(default_factory=list)
    incoming: list[tuple[Link, Link]] = field(default_factory=list)  # (subject, predicate)
    incoming_truncated: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    evidence_truncated: bool = False
    evidence_in_document: bool = False  # a document's page: what was found in it
    text: str | None = None  # a document's stored text
    formats: list[tuple[str, str, str]] = field(default_factory=list)  # (name, media, href)


def _e(value: str) -> str:
    return escape(value, quote=True)


def _link(link: Link) -> str:
    title = f' title="{_e(link.title)}"' if link.title else ""
    return f'<a href="{_e(link.href)}"{title}>{_e(link.label)}</a>'


def _value(value: PageValue) -> str:
    if isinstance(value, Link):
        return _link(value)
    note = f" <small>{_e(value.note)}</small>" if value.note else ""
    return f'<span class="lit">{_e(value.text)}{note}</span>'


def _rows(rows: Iterable[str]) -> str:
    return "\n".join(rows)


def render_resource(page: ResourcePage) -> str:
    """The whole HTML document for one resource."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(page.title)} · PracticeGraph</title>",
        f"<style>{_STYLE}</style>",
    ]
    for name, media, href in page.formats:
        parts.append(
            f'<link rel="alternate" type="{_e(media)}" title="{_e(name)}" href="{_e(href)}">'
        )
    parts.append("</head><body>")
    parts.append(f"<h1>{_e(page.title)}</h1>")
    parts.append(f'<p class="iri">{_e(page.iri)}</p>')
    if page.types:
        parts.append("<p>" + ", ".join(_link(t) for t in page.types) + "</p>")
    if page.formats:
        links = " ".join(f'<a href="{_e(href)}">{_e(name)}</a>' for name, _m, href in page.formats)
        parts.append(f'<nav class="formats">Also as: {links}</nav>')

    if page.properties:
        parts.append("<h2>Properties</h2><table>")
        parts.append(
            _rows(
                f"<tr><th>{_link(pred)}</th><td>{'<br>'.join(_value(v) for v in values)}</td></tr>"
                for pred, values in page.properties
            )
        )
        parts.append("</table>")

    if page.incoming:
        parts.append("<h2>Linked from</h2><table>")
        parts.append(
            _rows(
                f"<tr><td>{_link(subject)}</td><td>{_link(pred)}</td></tr>"
                for subject, pred in page.incoming
            )
        )
        parts.append("</table>")
        if page.incoming_truncated:
            parts.append(f"<p>Only the first {len(page.incoming)} links are shown.</p>")

    if page.evidence:
        heading = "Found in this document" if page.evidence_in_document else "Evidence"
        parts.append(f"<h2>{heading}</h2>")
        for item in page.evidence:
            where = []
            if page.evidence_in_document and item.entity is not None:
                where.append(_link(item.entity))
            if not page.evidence_in_document and item.document is not None:
                where.append("in " + _link(item.document))
            if item.start and item.end:
                where.append(f"characters {_e(item.start)}–{_e(item.end)}")
            parts.append(f"<blockquote>{_e(item.quote)}</blockquote>")
            if where:
                parts.append(f"<p><small>{', '.join(where)}</small></p>")
        if page.evidence_truncated:
            parts.append(f"<p>Only the first {len(page.evidence)} quotes are shown.</p>")

    if page.text is not None:
        parts.append("<details><summary>The document's text as stored</summary>")
        parts.append(f"<pre>{_e(page.text)}</pre></details>")

    parts.append("</body></html>")
    return "\n".join(parts)


__all__ = ["Evidence", "Link", "PageValue", "ResourcePage", "TextValue", "render_resource"]
