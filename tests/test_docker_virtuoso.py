"""docker-compose's "virtuoso" profile, without Docker: its entrypoint run here on
Debian's Virtuoso, and the service's settings in the compose file pointed at it.

What the image adds to Debian's package is the entrypoint (an ini written from the
template into the data folder, the dba password set on a new database, SIGTERM
passed on); those are what these tests run. Building the image needs a Docker
daemon, which CI lacks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import yaml

import sparql_servers
from practicegraph.config import Settings
from practicegraph.graph.factory import open_store

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "docker" / "virtuoso" / "entrypoint.sh"
PASSWORD = "not-the-default"


def _compose() -> dict[str, object]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture
def entrypoint(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:
    missing = sparql_servers.available("virtuoso")
    if missing is not None:
        if os.environ.get("PRACTICEGRAPH_REQUIRE_SERVERS") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    http_port, sql_port = sparql_servers.free_ports(2)
    environment = os.environ | {
        "VIRTUOSO_DATA": str(tmp_path / "data"),
        "VIRTUOSO_HTTP": f"127.0.0.1:{http_port}",
        "VIRTUOSO_SQL": f"127.0.0.1:{sql_port}",
        "VIRTUOSO_BUFFERS": "20000",
        "VIRTUOSO_DBA_PASSWORD": PASSWORD,
    }
    log = (tmp_path / "entrypoint.log").open("wb")
    process = subprocess.Popen(
        ["/bin/sh", str(ENTRYPOINT)], env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_for_password(base, process)
        yield process, base, tmp_path / "data"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        log.close()


def _wait_for_password(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the entrypoint exited while starting"
        try:
            answer = httpx.post(
                f"{base}/sparql-auth",
                data={"query": "ASK {}"},
                auth=httpx.DigestAuth("dba", PASSWORD),
                timeout=5,
            )
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("Virtuoso never took the new dba password")


def test_the_profile_points_the_service_at_the_virtuoso_it_starts() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    virtuoso, service = services["virtuoso"], services["practicegraph-virtuoso"]
    assert virtuoso["profiles"] == service["profiles"] == ["virtuoso"]
    assert virtuoso["build"] == "docker/virtuoso"
    environment = service["environment"]
    assert (
        environment["PRACTICEGRAPH_SPARQL_PASSWORD"]
        == virtuoso["environment"]["VIRTUOSO_DBA_PASSWORD"]
    ), "the service signs in with the password the database was given"
    ignored = environment["PRACTICEGRAPH_SPARQL_IGNORED_GRAPHS"].split(",")
    assert ignored == list(sparql_servers.VIRTUOSO_SYSTEM_GRAPHS)


def test_the_entrypoint_sets_the_password_serves_the_service_and_stops_on_sigterm(
    entrypoint: tuple[subprocess.Popen[bytes], str, Path], tmp_path: Path
) -> None:
    process, base, data = entrypoint
    refused = httpx.post(
        f"{base}/sparql-auth", data={"query": "ASK {}"}, auth=httpx.DigestAuth("dba", "dba")
    )
    assert refused.status_code == 401, "the default password no longer opens the database"
    environment = _compose()["services"]["practicegraph-virtuoso"]["environment"]  # type: ignore[index]
    urls = {
        name: environment[name].replace("http://virtuoso:8890", base)
        for name in (
            "PRACTICEGRAPH_SPARQL_QUERY_URL",
            "PRACTICEGRAPH_SPARQL_UPDATE_URL",
            "PRACTICEGRAPH_SPARQL_GRAPH_STORE_URL",
        )
    }
    sparql = {k: v for k, v in environment.items() if k.startswith("PRACTICEGRAPH_SPARQL")}
    sparql |= urls | {"PRACTICEGRAPH_SPARQL_PASSWORD": PASSWORD}
    settings = Settings.from_env(
        environ={**sparql, "PRACTICEGRAPH_STORE_BACKEND": "sparql"}, data_dir=tmp_path / "service"
    )
    store = open_store(settings)
    try:
        example = "https://example.org/"
        triple = ox.Triple(
            ox.NamedNode(example + "a"), ox.NamedNode(example + "p"), ox.Literal("x")
        )
        store.write_graph("https://example.org/g", [triple], replace=True)
        assert store.graph_triples("https://example.org/g") == [triple]
        assert store.named_graphs() == ["https://example.org/g"], "system graphs left out"
    finally:
        store.close()
    ini = (data / "virtuoso.ini").read_text(encoding="utf-8")
    assert "ResultSetMaxRows           = 1000000" in ini and "@" not in ini
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) in (0, 143)
    assert not (data / "virtuoso.lck").exists(), "a clean shutdown removes the lock"
