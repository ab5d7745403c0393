"""The editor page's rules for linking result IRIs to their local pages."""

from __future__ import annotations

import pytest

from practicegraph.web.paths import LinkedDataPaths
from practicegraph.web.query_page import local_iri_rules


def _apply(rules: list[dict[str, object]], iri: str) -> str | None:
    """What query.js does with the rules (before escaping)."""
    for rule in rules:
        prefix = str(rule["iri"])
        if (iri == prefix) if rule["exact"] else iri.startswith(prefix):
            return str(rule["path"]) + iri[len(prefix) :]
    return None


@pytest.mark.parametrize(
    "base", ["https://w3id.org/practicegraph/id/", "https://data.example.org/pg/", "urn:x:#"]
)
def test_the_rules_link_what_the_linked_data_routes_serve(base: str) -> None:
    paths = LinkedDataPaths(base)
    rules = local_iri_rules(base)
    for iri in (
        base + "practice/doc-1",
        "https://w3id.org/practicegraph/themes/radicalisation",
        "https://w3id.org/practicegraph/themes",
        "https://w3id.org/practicegraph/ontology#Practice",
        "https://w3id.org/practicegraph/ontology",
        "https://schema.org/Event",
    ):
        assert _apply(rules, iri) == paths.local(iri), iri
