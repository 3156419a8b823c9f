"""``/docs`` serves Swagger UI from the package: every file it loads comes from this server, none from a CDN."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDORED = REPO_ROOT / "api" / "http" / "docs_assets"
NPM_PACKAGE = REPO_ROOT / "node_modules" / "swagger-ui-dist"


def test_docs_load_only_files_of_this_server(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/assets/") or s.startswith("data:") for s in sources), sources
    for source in sources:
        if not source.startswith("data:"):
            assert client.get(source).status_code == 200, source
    init = client.get("/docs/assets/docs-init.js").text
    assert 'url: "/openapi.json"' in init
    assert client.get("/redoc").status_code == 404  # FastAPI's redoc loads from a CDN: switched off


def test_vendored_swagger_ui_is_the_pinned_npm_release() -> None:
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/swagger-ui-dist"]["version"]
    assert json.loads((REPO_ROOT / "package.json").read_text())["dependencies"]["swagger-ui-dist"] == pinned
    if not NPM_PACKAGE.is_dir():
        pytest.skip("node_modules absent (scripts/setup installs it)")
    assert json.loads((NPM_PACKAGE / "package.json").read_text())["version"] == pinned
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"):
        assert (VENDORED / name).read_bytes() == (NPM_PACKAGE / name).read_bytes(), name
