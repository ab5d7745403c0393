"""Which local URL path serves which IRI: shared by the linked-data routes and the pages.

The project's fixed namespaces live under ``https://w3id.org/practicegraph/``
(the *site*), which w3id.org redirects to the service's origin path for path.
Minted IRIs start with the ``base_iri`` setting: under the site the rest of
the site path is the route prefix (``/id/``); any other base is served at its
own path. A base ending in ``#`` mints fragment IRIs that cannot be told apart
on the wire, so nothing serves them. This module sits in ``web`` (not
``api``) because the pages link every entity to its local path and ``web``
must not import the API package that imports it.
"""

from __future__ import annotations

from urllib.parse import quote, urlparse

from practicegraph.vocab import PG, THEME_SCHEME, THEMES

SITE = str(THEMES).removesuffix("themes/")
ONTOLOGY_NS = str(PG._NS)
ONTOLOGY_IRI = ONTOLOGY_NS.rstrip("#")


def served_path(iri: str) -> str:
    """The local path of an IRI under the site, else the IRI's own path."""
    if iri.startswith(SITE):
        return "/" + iri[len(SITE) :]
    return urlparse(iri).path or "/"


def web_address(value: str) -> str:
    """``value`` when it is an http(s) address a page may link to, else "".

    Values written through SPARQL Update, the Graph Store or an imported dump can
    hold any IRI or text, ``javascript:`` and ``data:`` URLs included; only web
    addresses become links.
    """
    return value if urlparse(value).scheme.lower() in ("http", "https") else ""


class LinkedDataPaths:
    """Which local URL path serves which IRI, for one ``base_iri``."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri
        self.prefix: str | None = None if "#" in base_iri else served_path(base_iri)

    def local(self, iri: str) -> str | None:
        """The local path (URI-escaped) that dereferences ``iri``, or None."""
        path: str | None = None
        if self.prefix is not None and iri.startswith(self.base):
            path = self.prefix + iri[len(self.base) :]
        elif iri.startswith(str(THEMES)) or iri == str(THEME_SCHEME):
            path = "/" + iri[len(SITE) :]
        elif iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_NS):
            path = "/ontology" + iri[len(ONTOLOGY_IRI) :]
        if path is None:
            return None
        return quote(path, safe="/#~:@!$&'()*+,;=-._%")

    def href(self, iri: str) -> str:
        """Where a page links ``iri``: its local path when served here, else the IRI if
        it is a web address. Anything else (an imported dump may hold
        ``javascript:...`` IRIs) gets no link target at all."""
        local = self.local(iri)
        if local:
            return local
        return web_address(iri)

    def kind_of(self, iri: str) -> str | None:
        """``document``, ``organisation``, … for a minted IRI; ``theme``; else None."""
        if iri.startswith(str(THEMES)) and len(iri) > len(str(THEMES)):
            return "theme"
        if not iri.startswith(self.base):
            return None
        kind, slash, _rest = iri[len(self.base) :].partition("/")
        return kind if slash else None


__all__ = ["ONTOLOGY_IRI", "ONTOLOGY_NS", "SITE", "LinkedDataPaths", "served_path", "web_address"]
