"""/sources over HTTP: import a dump with the token, list, search it, report, dump,
roll back and remove, with the error envelope for each kind of refusal."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.conftest import TOKEN, client_for
from exchange.rdfxml_samples import PROTEGE_OWL, billion_laughs, document
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor


@pytest.fixture
def other_client(other_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    """Another organisation's instance (its own base IRI), with a write token."""
    with client_for(other_settings.with_(token=TOKEN), extractor) as test_client:
        yield test_client


NQ = {"Content-Type": "application/n-quads"}


def test_a_dump_imported_over_http_is_listed_searchable_and_removable(
    other_client: TestClient, auth: dict[str, str], corpus_dump: Path
) -> None:
    response = other_client.put(
        "/sources/alpha",
        params={"filename": "alpha.nq.gz"},
        content=corpus_dump.read_bytes(),
        headers=auth | NQ,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] == "current" and report["documents"] == 5
    assert report["validation"]["conforms"] is True

    listed = other_client.get("/sources").json()
    assert [(s["name"], s["file"], s["status"]) for s in listed] == [
        ("alpha", "alpha.nq.gz", "current")
    ]
    hits = other_client.get("/search", params={"q": "DACUM", "source": "alpha"}).json()
    assert hits["hits"] and hits["hits"][0]["dataset"] == "alpha"
    assert other_client.get("/sources/alpha/report").json()["file"] == "alpha.nq.gz"

    first = other_client.get("/sources/alpha/dump")
    second = other_client.get("/sources/alpha/dump")
    assert first.status_code == 200 and first.content == second.content
    assert first.headers["content-type"].startswith("application/n-quads")

    refused = other_client.post("/sources/alpha/rollback", headers=auth)
    assert refused.status_code == 400
    assert "no earlier import" in refused.json()["error"]["message"]

    assert other_client.delete("/sources/alpha", headers=auth).status_code == 204
    missing = other_client.get("/sources/alpha")
    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == 404


def test_importing_needs_the_token(other_client: TestClient, corpus_dump: Path) -> None:
    response = other_client.put("/sources/alpha", content=b"", headers=NQ)
    assert response.status_code == 401
    assert other_client.get("/sources").json() == []


def test_a_syntax_error_answers_400_with_line_and_column(
    other_client: TestClient, auth: dict[str, str]
) -> None:
    body = (
        b'<https://x.example/a> <https://schema.org/name> "ok" .\n'
        b'<https://x.example/b c> <p> "x" .\n'
    )
    response = other_client.put(
        "/sources/cep", content=body, headers=auth | {"Content-Type": "application/n-triples"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["detail"]["line"] == 2 and error["detail"]["column"] == 1
    assert "syntax error" in error["message"]


def test_a_dump_failing_validation_answers_422_with_the_violations(
    other_client: TestClient, auth: dict[str, str]
) -> None:
    body = gzip.compress(
        b"<https://x.example/lv> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<https://schema.org/Country> .\n"
    )
    response = other_client.put("/sources/cep", params={"format": "nt"}, content=body, headers=auth)
    assert response.status_code == 422
    violations = response.json()["error"]["detail"]["validation"]["violations"]
    assert {v["path"] for v in violations} == {
        "https://schema.org/name",
        "https://schema.org/identifier",
    }
    assert {v["focus_node"] for v in violations} == {"https://x.example/lv"}

    kept = other_client.put(
        "/sources/cep", params={"format": "nt", "quarantine": "true"}, content=body, headers=auth
    )
    assert kept.status_code == 200 and kept.json()["status"] == "quarantined"


def test_a_body_without_a_syntax_answers_415(
    other_client: TestClient, auth: dict[str, str]
) -> None:
    response = other_client.put("/sources/cep", content=b"<a> <b> <c> .", headers=auth)
    assert response.status_code == 415
    assert "application/n-quads" in response.json()["error"]["message"]


def test_a_dump_over_the_import_limit_answers_413(
    other_settings: Settings, extractor: Extractor, auth: dict[str, str]
) -> None:
    settings = other_settings.with_(token=TOKEN, max_import_bytes=1000)
    with client_for(settings, extractor) as client:
        response = client.put("/sources/cep", content=b"#" * 5000, headers=auth | NQ)
    assert response.status_code == 413
    assert response.json()["error"]["detail"]["max_import_bytes"] == 1000


def test_a_gzip_bomb_over_http_answers_413(
    other_settings: Settings, extractor: Extractor, auth: dict[str, str]
) -> None:
    settings = other_settings.with_(token=TOKEN, max_import_bytes=100_000)
    bomb = gzip.compress(b"#" * 2_000_000)
    assert len(bomb) < 100_000
    with client_for(settings, extractor) as client:
        response = client.put("/sources/cep", content=bomb, headers=auth | NQ)
    assert response.status_code == 413
    assert "decompressed content exceeds" in response.json()["error"]["message"]


XML = {"Content-Type": "application/rdf+xml"}


def _uploads(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "uploads").glob("dump-*"))


def test_nested_entities_over_http_answer_400_and_leave_no_upload_behind(
    other_settings: Settings, extractor: Extractor, auth: dict[str, str]
) -> None:
    settings = other_settings.with_(token=TOKEN)
    with client_for(settings, extractor) as client:
        response = client.put("/sources/cep", content=billion_laughs(4), headers=auth | XML)
        assert response.status_code == 400
        error = response.json()["error"]
        assert "refers to other entities" in error["message"]
        assert error["detail"] == {"file": "cep-upload.xml", "line": 4, "column": 1}
        assert _uploads(settings) == []
        assert client.get("/sources").json() == []
        owl = client.put(
            "/sources/prison",
            params={"filename": "prison.owl"},
            content=PROTEGE_OWL.encode(),
            headers=auth | XML,
        )
        assert owl.status_code == 200, owl.text
        assert owl.json()["statements"] == 7


def test_entity_expansion_past_the_import_limit_answers_413(
    other_settings: Settings, extractor: Extractor, auth: dict[str, str]
) -> None:
    settings = other_settings.with_(token=TOKEN, max_import_bytes=100_000)
    body = document(f'<!ENTITY e "{"e" * 4000}">\n', "&e;" * 100)
    assert len(body) < 5000
    with client_for(settings, extractor) as client:
        response = client.put("/sources/cep", content=body, headers=auth | XML)
    assert response.status_code == 413
    error = response.json()["error"]
    assert "with its entity references expanded" in error["message"]
    assert "setting max_import_bytes" in error["message"]
    assert error["detail"]["line"] == 6
    assert _uploads(settings) == []
