"""/admin over HTTP: a backup downloaded from one instance restores into another
empty one (same dump, same searches), with the token only; refusals say why and
leave the target as it was."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.conftest import TOKEN, client_for
from backends import ServerPool, settings_for
from practicegraph.exchange.backup import DATASET
from practicegraph.nlp.extractor import Extractor

TAR = {"Content-Type": "application/x-tar"}


@pytest.fixture
def empty_client(
    tmp_path: Path, store_backend: str, server_pool: ServerPool, extractor: Extractor
) -> Iterator[TestClient]:
    """A new instance with the corpus instance's base IRI and nothing in it yet."""
    settings = settings_for(store_backend, server_pool, tmp_path / "new", slot=1)
    with client_for(settings.with_(token=TOKEN), extractor) as test_client:
        yield test_client


def _dump(client: TestClient) -> bytes:
    response = client.get("/dumps/practicegraph.nq.gz")
    assert response.status_code == 200, response.text
    return response.content


def test_a_backup_downloaded_over_http_restores_into_an_empty_instance(
    client: TestClient, empty_client: TestClient, auth: dict[str, str]
) -> None:
    backup = client.get("/admin/backup", headers=auth)
    assert backup.status_code == 200, backup.text
    assert backup.headers["content-type"] == "application/x-tar"
    assert int(backup.headers["x-statements"]) > 1000

    restored = empty_client.put("/admin/restore", content=backup.content, headers=auth | TAR)

    assert restored.status_code == 200, restored.text
    assert restored.json()["documents"] == 5
    assert _dump(empty_client) == _dump(client), "the same canonical dump, byte for byte"
    for words in ("DACUM workshop", "peer mentoring"):
        here = client.get("/search", params={"q": words}).json()["total"]
        there = empty_client.get("/search", params={"q": words}).json()["total"]
        assert here == there > 0, words


def test_backup_and_restore_need_the_token(client: TestClient, empty_client: TestClient) -> None:
    assert client.get("/admin/backup").status_code == 401
    refused = empty_client.put("/admin/restore", content=b"anything", headers=TAR)
    assert refused.status_code == 401


def test_restoring_into_an_instance_that_holds_data_answers_409(
    client: TestClient, auth: dict[str, str]
) -> None:
    backup = client.get("/admin/backup", headers=auth).content
    before = _dump(client)
    response = client.put("/admin/restore", content=backup, headers=auth | TAR)
    assert response.status_code == 409
    assert "not empty" in response.json()["error"]["message"]
    assert _dump(client) == before


def test_a_damaged_backup_answers_400_naming_the_member(
    client: TestClient, empty_client: TestClient, auth: dict[str, str]
) -> None:
    backup = client.get("/admin/backup", headers=auth).content
    damaged = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(backup)) as old,
        tarfile.open(fileobj=damaged, mode="w") as new,
    ):
        for info in old.getmembers():
            data = old.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == DATASET:
                data = data[:-10] + b"0123456789"  # the last bytes of the statements
            new.addfile(info, io.BytesIO(data))
    before = _dump(empty_client)
    response = empty_client.put("/admin/restore", content=damaged.getvalue(), headers=auth | TAR)
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["detail"]["member"] == DATASET and "damaged" in body["message"]
    assert _dump(empty_client) == before
