"""Schemathesis against a real uvicorn server: the OpenAPI schema tells the truth.

The server runs over a throwaway copy of the corpus data directory, with the
write token, and schemathesis drives every operation its ``/openapi.json``
lists: the schema's examples, the coverage phase (boundary values, every
documented status, methods the path does not allow, values the schema
refuses) and a bounded number of fuzzed cases, all checks enabled. So no
answer may be a 5xx, and each status code, content type, body and header must
be one the schema documents; a request the schema allows must not be refused
with a 400, and one it forbids must not be accepted.

Writes are sent with the bearer token, so the write routes run for real (and
may delete documents of this test's own data directory). The run is
deterministic: a fixed seed, derandomised Hypothesis, no example database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from schemathesis import engine
from schemathesis.engine import events

from api.conftest import TOKEN
from api.live import LiveServer, live_server
from practicegraph.config import Settings

pytestmark = pytest.mark.slow

#: Fuzzed cases per operation (the examples and coverage phases add their own).
MAX_EXAMPLES = 8
SEED = 20240611


@pytest.fixture
def server(api_settings: Settings) -> Iterator[LiveServer]:
    with live_server(api_settings) as live:
        yield live


#: What positive_data_acceptance expects of any schema-valid request (its default;
#: a 5xx is not_a_server_error's to report).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
#: Operations whose validity a JSON Schema cannot state, and what else they may answer.
#: A schema-valid request to these may still be refused, for the reason given.
BEYOND_THE_SCHEMA: list[tuple[str, str | None, list[str], str]] = [
    ("/sparql", None, ["400"], "SPARQL grammar; one query or one update, not both"),
    ("/graph-store", None, ["400"], "exactly one of ?graph and ?default; RDF syntax"),
    ("/graph-store/{path}", None, ["400"], "the decoded URL must be an IRI; RDF syntax"),
    ("/documents", "POST", ["400", "415", "422"], "the file's name and its content"),
    ("/sources/{name}", "PUT", ["400", "415", "422"], "the dump's syntax and validation"),
    ("/admin/restore", "PUT", ["400"], "a tar archive that backup wrote, intact"),
]


def fuzz_config() -> schemathesis.Config:
    """All phases a pytest run has and all checks, bounded and deterministic."""
    settings: dict[str, Any] = {
        "seed": SEED,
        "headers": {"Authorization": f"Bearer {TOKEN}"},
        "request-timeout": 60,
        # Hypothesis times its own data generation; on a shared two-core machine the
        # SPARQL body strategy can exceed that budget while nothing is wrong with the API.
        "suppress-health-check": ["too_slow"],
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "no-shrink": True,
        },
        "checks": {"enabled": True},
        "operations": [
            {
                "include-path": path,
                **({"include-method": method} if method else {}),
                "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + more}},
            }
            for path, method, more, _why in BEYOND_THE_SCHEMA
        ],
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
        },
    }
    return schemathesis.Config.from_dict(settings)


@dataclass
class Findings:
    """What one schemathesis run saw: cases sent, and each distinct failure once."""

    cases: int = 0
    operations: set[str] = field(default_factory=set)
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def report(self) -> str:
        lines = [f"{len(self.failures)} distinct failures in {self.cases} cases:"]
        for (label, check, title), sample in sorted(self.failures.items()):
            lines.append(f"- {label} [{check}] {title}\n    {sample}")
        return "\n".join(lines)


def run_schemathesis(url: str) -> Findings:
    """Every phase and check of ``st run``, through the engine the CLI itself drives.

    Why the engine and not ``schema.parametrize()``: the pytest integration of
    schemathesis 4.x does not run under pytest 9 (it reads a private attribute
    pytest removed), and the engine runs exactly what the command line runs.
    """
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=fuzz_config())
    findings = Findings()
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            findings.cases += len(recorder.cases)
            findings.operations.add(recorder.label)
            for checks in recorder.checks.values():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    key = (recorder.label, check.name, failure.title)
                    sample = (
                        f"{failure.message.strip()[:300]}\n    {check.failure_info.code_sample}"
                    )
                    findings.failures.setdefault(key, sample)
        elif isinstance(event, events.NonFatalError):
            findings.failures.setdefault((event.label, "error", str(event.value)[:200]), "")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return findings


def test_the_openapi_schema_holds_against_a_live_server(server: LiveServer) -> None:
    findings = run_schemathesis(server.url)
    assert len(findings.operations) >= 40, findings.operations
    assert findings.cases > 1000, findings.report()
    assert not findings.failures, findings.report()
