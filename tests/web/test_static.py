"""The vendored YASGUI and the stylesheet are served by the service and ship in the package."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from practicegraph.web import STATIC_DIR
from web.conftest import ROOT

YASGUI = STATIC_DIR / "yasgui"


def test_yasgui_is_vendored_with_its_licence_and_the_pinned_version() -> None:
    pinned = json.loads((ROOT / "frontend" / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/@zazuko/yasgui"]["version"]
    assert pinned["@zazuko/yasgui"] == version, "package.json pins the exact locked version"
    assert (YASGUI / "VERSION").read_text().strip() == f"@zazuko/yasgui@{version}"
    assert "MIT License" in (YASGUI / "LICENSE").read_text()
    assert "dompurify" in (YASGUI / "THIRD_PARTY_LICENSES.txt").read_text()
    assert (YASGUI / "yasgui.min.js").stat().st_size > 100_000


def test_static_files_are_served(pages: TestClient) -> None:
    for name, media in [
        ("yasgui/yasgui.min.js", "text/javascript"),
        ("yasgui/yasgui.min.css", "text/css"),
        ("site.css", "text/css"),
        ("query.js", "text/javascript"),
    ]:
        response = pages.get(f"/static/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert pages.get("/static/nope.js").status_code == 404


def test_templates_and_scripts_name_no_other_host() -> None:
    """Nothing the pages load comes from elsewhere (links for people to follow are fine)."""
    for path in [*(STATIC_DIR.parent / "templates").glob("*.html"), STATIC_DIR / "query.js"]:
        text = path.read_text()
        assert not re.search(r'(src|href)="(https?:)?//[^"]+\.(js|css)', text), path
        assert "@import" not in text and "cdn" not in text.lower(), path
