"""/documents: upload through the ingest pipeline, list, show, remove; limits and auth."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pypdf
import pytest
from fastapi.testclient import TestClient

from api.conftest import TOKEN, client_for
from api.live import live_server
from conftest import CORPUS_NAMES, EUROPRIS_TEXT, ICPA_TEXT
from practicegraph.api.documents import safe_name
from practicegraph.api.errors import ApiError
from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor


def upload(
    client: TestClient, name: str, data: bytes, headers: dict[str, str] | None = None
) -> Any:
    return client.post("/documents", files={"file": (name, data, "text/plain")}, headers=headers)


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == response.status_code
    return body["error"]  # type: ignore[no-any-return]


def test_upload_add_replace_unchanged_delete(client: TestClient, auth: dict[str, str]) -> None:
    created = client.post(
        "/documents",
        files={"file": ("../../latvia-report.txt", ICPA_TEXT.encode(), "text/plain")},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["result"] == "added" and body["source"] == "latvia-report.txt"
    assert body["iri"] == "https://w3id.org/practicegraph/id/document/latvia-report.txt"
    assert body["counts"]["organisations"] >= 1 and body["counts"]["countries"] >= 1
    assert created.headers["location"] == "/documents/latvia-report.txt"
    assert body["links"]["resource"] == "/id/document/latvia-report.txt"

    shown = client.get("/documents/latvia-report.txt")
    assert shown.status_code == 200 and shown.json()["title"] == "Prison Reform in Latvia"
    assert client.get(body["links"]["resource"], headers={"Accept": "text/html"}).status_code == 200
    hits = client.get("/search", params={"q": "Latvian Prison Administration"}).json()["hits"]
    assert any(hit["source"] == "latvia-report.txt" for hit in hits)

    same = upload(client, "latvia-report.txt", ICPA_TEXT.encode(), auth)
    assert same.status_code == 200 and same.json()["result"] == "unchanged"
    changed = upload(client, "latvia-report.txt", EUROPRIS_TEXT.encode(), auth)
    assert changed.status_code == 200 and changed.json()["result"] == "replaced"

    assert client.delete("/documents/latvia-report.txt", headers=auth).status_code == 204
    assert client.get("/documents/latvia-report.txt").status_code == 404
    assert client.get("/id/document/latvia-report.txt").status_code == 404
    assert error_of(client.delete("/documents/latvia-report.txt", headers=auth))["status"] == 404
    hits = client.get("/search", params={"q": "EuroPris mentoring"}).json()["hits"]
    assert all(hit["source"] != "latvia-report.txt" for hit in hits)


def test_writes_need_the_token(client: TestClient) -> None:
    refused = upload(client, "a.txt", ICPA_TEXT.encode())
    assert refused.status_code == 401 and "Bearer" in refused.headers["www-authenticate"]
    error_of(refused)
    wrong = client.delete(f"/documents/{CORPUS_NAMES[0]}", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    assert client.get(f"/documents/{CORPUS_NAMES[0]}").status_code == 200, "nothing removed"


def test_uploads_that_cannot_be_ingested(client: TestClient, auth: dict[str, str]) -> None:
    unsupported = upload(client, "tool.exe", b"MZ\x90\x00", auth)
    assert unsupported.status_code == 415 and ".pdf" in str(error_of(unsupported)["detail"])
    assert error_of(upload(client, "empty.txt", b"", auth))["status"] == 422
    assert error_of(upload(client, "binary.txt", bytes(range(256)) * 8, auth))["status"] in (
        415,
        422,
    )
    assert error_of(upload(client, ".hidden.txt", b"text", auth))["status"] == 400
    not_multipart = client.post("/documents", content=b"plain", headers=auth)
    assert error_of(not_multipart)["status"] == 415
    no_file = client.post(
        "/documents", data={"other": "x"}, files={"x": ("a.txt", b"t")}, headers=auth
    )
    assert error_of(no_file)["status"] == 400
    assert client.get("/documents").json()["total"] == len(CORPUS_NAMES), "nothing was added"


def test_a_failed_upload_is_answered_from_the_ingests_own_error(
    client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The status comes from the kind of error the ingest met: the file is not read
    a second time to learn it (a damaged PDF took pypdf two passes)."""
    opened: list[object] = []
    real = pypdf.PdfReader

    def counting_reader(*args: Any, **kwargs: Any) -> Any:
        opened.append(args[0] if args else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(pypdf, "PdfReader", counting_reader)
    broken = upload(client, "broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF", auth)
    error = error_of(broken)
    assert error["status"] == 415 and "unreadable PDF" in error["message"]
    assert error["detail"]["file"] == "broken.pdf"
    assert len(opened) == 1


@pytest.fixture
def small_client(api_settings: Settings, extractor: Extractor) -> Iterator[TestClient]:
    with client_for(api_settings.with_(max_body_bytes=2000), extractor) as test_client:
        yield test_client


def test_body_limit_holds_by_header_and_while_streaming(
    small_client: TestClient, auth: dict[str, str]
) -> None:
    big = b"word " * 1000
    declared = upload(small_client, "big.txt", big, auth)
    assert error_of(declared)["status"] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        boundary = b"--xyz\r\n"
        yield boundary + b'Content-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        for _ in range(50):
            yield big[:500]
        yield b"\r\n--xyz--\r\n"

    streamed = small_client.post(
        "/documents",
        content=chunks(),
        headers=auth | {"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert "content-length" not in streamed.request.headers
    assert error_of(streamed)["status"] == 413
    assert upload(small_client, "small.txt", ICPA_TEXT.encode(), auth).status_code == 201


def test_read_only_service_refuses_uploads(corpus_settings: Settings, extractor: Extractor) -> None:
    with client_for(corpus_settings, extractor) as read_only:
        refused = upload(read_only, "a.txt", ICPA_TEXT.encode())
        assert error_of(refused)["status"] == 403
        assert "read-only" in str(error_of(refused)["message"])


def test_list_pages(client: TestClient) -> None:
    first = client.get("/documents", params={"size": 2}).json()
    assert first["total"] == len(CORPUS_NAMES)
    assert [d["source"] for d in first["documents"]] == CORPUS_NAMES[:2]
    assert first["links"] == {"next": "/documents?page=2&size=2", "prev": None}
    last = client.get("/documents", params={"size": 2, "page": 3}).json()
    assert [d["source"] for d in last["documents"]] == CORPUS_NAMES[4:]
    assert last["links"]["next"] is None
    doc = first["documents"][0]
    assert doc["iri"].endswith("/document/" + doc["source"]) and doc["title"]
    assert error_of(client.get("/documents", params={"size": 0}))["status"] == 400


def test_show_counts_entities(client: TestClient) -> None:
    info = client.get(f"/documents/{CORPUS_NAMES[0]}").json()
    assert set(info["counts"]) >= {"organisations", "countries", "themes", "practices", "evidence"}
    assert info["media_type"] == "text/plain" and info["words"] > 0 and info["ingested_at"]
    assert error_of(client.get("/documents/no-such-file.txt"))["status"] == 404


def test_safe_names() -> None:
    assert safe_name("C:\\Users\\me\\report.MD") == "report.MD"
    assert safe_name("a/b/c.pdf") == "c.pdf"
    for bad, status in [("", 400), ("..", 400), ("x/", 400), ("a\x00.txt", 400), ("a.odt", 415)]:
        with pytest.raises(ApiError) as caught:
            safe_name(bad)
        assert caught.value.status == status, bad


def test_pages_escape_what_documents_say(client: TestClient, auth: dict[str, str]) -> None:
    text = "# <script>alert('x')</script> & Reform\n\n" + ICPA_TEXT
    created = upload(client, "xss.md", text.encode(), auth)
    assert created.status_code == 201, created.text
    page = client.get(created.json()["links"]["resource"], headers={"Accept": "text/html"}).text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(" in page and "&lt;/script&gt; &amp; Reform" in page


def test_a_page_past_the_bound_is_400_naming_page_not_the_parser(client: TestClient) -> None:
    """Issue 11: a page whose OFFSET overflows 64 bits got the SPARQL parser's text."""
    response = client.get("/documents", params={"page": "10281869072316069888"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["detail"][0]["where"] == "query.page"
    assert "1000000" in error["detail"][0]["problem"]
    assert "parse" not in str(error).lower()
    assert client.get("/documents", params={"page": 1_000_000}).status_code == 200


@pytest.mark.slow
def test_other_writes_go_on_while_an_upload_is_being_read(api_settings: Settings) -> None:
    """spaCy reads a long document for seconds; the single writer lock is held only
    while the document is written, so an update sent meanwhile is not kept waiting."""
    paragraph = (
        "The probation service of the region trained forty new officers in motivational "
        "interviewing, and each was paired with a mentor for the first year of work.\n\n"
    )
    long_text = "Mentoring new probation officers\n\n" + paragraph * 400  # ~70,000 characters
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with live_server(api_settings) as server, concurrent.futures.ThreadPoolExecutor(1) as pool:
        upload = pool.submit(
            httpx.post,
            f"{server.url}/documents",
            files={"file": ("long-mentoring.txt", long_text.encode(), "text/plain")},
            headers=auth,
            timeout=120,
        )
        time.sleep(0.5)  # the upload has reached spaCy
        update = httpx.post(
            f"{server.url}/sparql",
            data={"update": "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }"},
            headers=auth,
            timeout=120,
        )
        assert update.status_code == 204
        assert not upload.done(), "the update waited for the upload's extraction"
        assert upload.result().status_code == 201
