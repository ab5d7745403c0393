"""``practicegraph sparql`` as a researcher meets it: the predefined prefixes need no
declaration, and a query that does not parse gets one line naming where and why
(issue 16). The CLI runs queries through ``PracticeGraphService.query``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from practicegraph.config import Settings
from practicegraph.errors import QueryError
from practicegraph.graph.sparql_syntax import PREDEFINED
from practicegraph.service import PracticeGraphService
from test_cli import one_error_line, run  # noqa: F401 - the CLI fixture

EVENTS = "SELECT ?e WHERE { ?e a schema:Event }"


def test_the_service_answers_queries_using_predefined_prefixes(
    corpus_service: PracticeGraphService,
) -> None:
    undeclared = corpus_service.query(EVENTS)
    spelt_out = corpus_service.query("SELECT ?e WHERE { ?e a <https://schema.org/Event> }")
    assert undeclared.rows and undeclared.rows == spelt_out.rows
    own = corpus_service.query("PREFIX schema: <http://example.org/other/>\n" + EVENTS)
    assert own.rows == []  # the query's own declaration wins


def test_the_service_says_where_a_query_does_not_parse_in_one_line(
    corpus_service: PracticeGraphService,
) -> None:
    with pytest.raises(QueryError) as refused:
        corpus_service.query("SELECT ?n WHERE {\n  ?e a schema:Event ;\n     sdo:name ?n }")
    message = str(refused.value)
    assert message.startswith(
        "SPARQL query does not parse: line 3, column 6: unknown prefix 'sdo:'"
    )
    assert "\n" not in message and "['" not in message
    assert all(name in message for name in PREDEFINED)


def test_cli_sparql_with_predefined_prefixes(
    run: Callable[..., object],  # noqa: F811 - the fixture imported above
    corpus_settings: Settings,
) -> None:
    result = run("sparql", "--data", corpus_settings.data_dir, EVENTS + " LIMIT 2")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert "2 rows" in result.stdout  # type: ignore[attr-defined]
    bad = run("sparql", "--data", corpus_settings.data_dir, "SELECT * WHERE { ?s a sdo:Event }")
    assert bad.exit_code == 1  # type: ignore[attr-defined]
    line = one_error_line(bad.stderr)  # type: ignore[attr-defined]
    assert "line 1, column 23: unknown prefix 'sdo:'" in line
    assert "expected one of" not in line
