"""The HTTP app on a disk that fills up, then has space again (issue 11, finding 4).

Reported: the upload that filled the disk got 500, later writes 503 naming
internal files, even ``ASK {}`` 503 "cannot snapshot the store", and after
space was freed every SPARQL request and write kept failing until a restart.
Now: writes get 507 saying the disk is full (no file names), reads go on, and
the same app answers normally once the filler is deleted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.conftest import client_for
from api.live import live_server
from conftest import EUROPRIS_TEXT, ICPA_TEXT
from full_disk import SmallDisk, small_disk
from practicegraph.config import Settings
from practicegraph.errors import StorageFullError
from practicegraph.nlp.extractor import Extractor
from practicegraph.service import PracticeGraphService

TOKEN = "disk-full-token-7c1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SOURCES = (
    "SELECT ?s WHERE { ?d <http://purl.org/dc/terms/source> ?s FILTER(isLiteral(?s)) } ORDER BY ?s"
)
UPDATE = (
    "INSERT DATA { GRAPH <https://x.example/g> "
    '{ <https://x.example/a> <https://x.example/p> "v" } }'
)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk") as mounted:
        yield mounted


@pytest.fixture
def settings(disk: SmallDisk, tmp_path: Path, extractor: Extractor) -> Settings:
    """A data directory on the small disk, holding one document."""
    settings = Settings.from_env(environ={}, data_dir=disk.root / "data").with_(
        token=TOKEN, query_workers=1
    )
    source = tmp_path / "icpa.txt"
    source.write_text(ICPA_TEXT)
    with PracticeGraphService(settings, extractor=extractor) as service:
        assert service.ingest([source]).added == ["icpa.txt"]
    return settings


@pytest.fixture
def client(settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    with client_for(settings, extractor) as test_client:
        yield test_client


def upload(client: TestClient, name: str, text: str) -> Any:
    return client.post(
        "/documents", files={"file": (name, text.encode(), "text/plain")}, headers=AUTH
    )


def sources(client: TestClient) -> list[str]:
    response = client.get("/sparql", params={"query": SOURCES})
    assert response.status_code == 200, response.text
    return [row["s"]["value"] for row in response.json()["results"]["bindings"]]


def assert_disk_full(response: Any, disk: SmallDisk) -> None:
    assert response.status_code == 507, response.text
    error = response.json()["error"]
    assert error["status"] == 507
    assert "disk" in error["message"] and "full" in error["message"], error
    assert str(disk.root) not in response.text and ".log" not in response.text, response.text


@pytest.mark.parametrize("room", [0, 64 * 1024], ids=["no-room-for-the-upload", "no-room-to-store"])
def test_writes_on_a_full_disk_get_507_reads_go_on_and_all_resumes_once_freed(
    client: TestClient, disk: SmallDisk, room: int
) -> None:
    assert sources(client) == ["icpa.txt"]
    disk.fill(leave=room)

    assert_disk_full(upload(client, "europris.txt", EUROPRIS_TEXT), disk)
    assert_disk_full(client.post("/sparql", data={"update": UPDATE}, headers=AUTH), disk)
    assert_disk_full(
        client.put(
            "/graph-store",
            params={"graph": "https://x.example/put"},
            content=b"<https://x.example/a> <https://x.example/p> <https://x.example/b> .",
            headers={**AUTH, "Content-Type": "application/n-triples"},
        ),
        disk,
    )
    # reads: SPARQL (the snapshot behind the query workers), search, pages
    ask = client.get("/sparql", params={"query": "ASK {}"})
    assert ask.status_code == 200 and ask.json()["boolean"] is True, ask.text
    assert sources(client) == ["icpa.txt"], "nothing of the refused writes is visible"
    found = client.get("/search", params={"q": "Latvia"})
    assert found.status_code == 200 and found.json()["total"] >= 1, found.text
    assert client.get("/search", params={"q": "Romania"}).json()["total"] == 0
    assert client.get("/").status_code == 200
    assert client.get("/documents").status_code == 200

    disk.free()
    added = upload(client, "europris.txt", EUROPRIS_TEXT)
    assert added.status_code == 201, added.text
    assert sources(client) == ["europris.txt", "icpa.txt"]
    assert client.get("/search", params={"q": "Romania"}).json()["total"] >= 1
    updated = client.post("/sparql", data={"update": UPDATE}, headers=AUTH)
    assert updated.status_code == 204, updated.text
    asked = client.get("/sparql", params={"query": "ASK { GRAPH ?g { ?s ?p 'v' } }"})
    assert asked.json()["boolean"] is True


def test_the_query_workers_follow_the_store_after_it_recovers(
    client: TestClient, disk: SmallDisk
) -> None:
    """A write that succeeded just before the disk filled is seen by queries once
    a snapshot can be made again, with no write needed to bring that about."""
    app_service = client.app.state.service  # type: ignore[attr-defined]
    app_service.store.update(UPDATE)  # no query since: no snapshot of it yet
    disk.fill()
    with pytest.raises(StorageFullError):
        app_service.store.update(UPDATE.replace('"v"', f'"{"w" * 200_000}"'))
    asked = client.get("/sparql", params={"query": "ASK { GRAPH ?g { ?s ?p 'v' } }"})
    assert asked.status_code == 200  # answered from the last snapshot there is
    disk.free()
    asked = client.get("/sparql", params={"query": "ASK { GRAPH ?g { ?s ?p 'v' } }"})
    assert asked.json()["boolean"] is True, "the next query's snapshot has the write"


def test_a_live_server_on_a_full_disk_answers_507_then_recovers(
    settings: Settings, disk: SmallDisk
) -> None:
    with live_server(settings) as server:
        disk.fill()
        refused = httpx.post(
            f"{server.url}/sparql", data={"update": UPDATE}, headers=AUTH, timeout=30
        )
        assert refused.status_code == 507, refused.text
        assert str(disk.root) not in refused.text
        asked = httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=30)
        assert asked.status_code == 200, asked.text
        disk.free()
        done = httpx.post(f"{server.url}/sparql", data={"update": UPDATE}, headers=AUTH, timeout=30)
        assert done.status_code == 204, done.text
        body = httpx.get(
            f"{server.url}/sparql",
            params={"query": "ASK { GRAPH ?g { ?s ?p 'v' } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        ).text
        assert json.loads(body)["boolean"] is True
