"""The SPARQL editor page (YASGUI), as ``/query`` and ``/sparql`` serve it to browsers.

Besides the example questions, the page tells its script which IRIs this
service resolves and at which local path (:func:`local_iri_rules`), so that a
result's IRI links to its page here rather than to ``https://w3id.org/...``;
the rules are :class:`~practicegraph.web.paths.LinkedDataPaths`' own, written
out as prefixes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from practicegraph.graph.sparql_syntax import PREDEFINED
from practicegraph.web.examples import EXAMPLES
from practicegraph.web.paths import ONTOLOGY_IRI, ONTOLOGY_NS, SITE, LinkedDataPaths
from practicegraph.web.rendering import render


def local_iri_rules(base_iri: str) -> list[dict[str, Any]]:
    """How the editor's script maps an IRI to its local path, first match wins.

    Each rule: ``iri`` (a prefix, or the whole IRI when ``exact``) and ``path``
    (what replaces it). The script escapes the result as
    :meth:`LinkedDataPaths.local` does.
    """
    paths = LinkedDataPaths(base_iri)
    rules: list[dict[str, Any]] = []
    if paths.prefix is not None:
        rules.append({"iri": base_iri, "path": paths.prefix, "exact": False})
    themes = SITE + "themes"
    rules += [
        {"iri": themes + "/", "path": "/themes/", "exact": False},
        {"iri": themes, "path": "/themes", "exact": True},
        {
            "iri": ONTOLOGY_NS,
            "path": "/ontology" + ONTOLOGY_NS[len(ONTOLOGY_IRI) :],
            "exact": False,
        },
        {"iri": ONTOLOGY_IRI, "path": "/ontology", "exact": True},
    ]
    return rules


def examples() -> list[dict[str, str]]:
    """The example questions with their queries and a CSV link that needs no script."""
    return [
        {
            "slug": ex.slug,
            "title": ex.title,
            "question": ex.question,
            "query": ex.query,
            "csv": "/sparql?" + urlencode({"query": ex.query, "format": "csv"}),
        }
        for ex in EXAMPLES
    ]


def query_page(base_iri: str) -> str:
    """The editor page's HTML for a service minting IRIs under ``base_iri``."""
    return render(
        "query.html",
        examples=examples(),
        local_iris=local_iri_rules(base_iri),
        prefixes=PREDEFINED,
        formats=[],
        page="query",
    )


__all__ = ["examples", "local_iri_rules", "query_page"]
