"""``/docs``: Swagger UI for the OpenAPI schema, served from the package (works offline, no CDN).

Swagger UI (npm ``swagger-ui-dist``, pinned in ``package.json``) is vendored in ``api/http/docs_assets/``
with its Apache-2.0 ``LICENSE`` and ``NOTICE``, next to a small start script (``docs-init.js``), so
the page obeys the service's Content-Security-Policy: no inline script, nothing from other origins.
FastAPI's own ``/docs`` and ``/redoc`` (which load from a CDN) are switched off in the app factory.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["DOCS_ASSETS_PATH", "install_docs"]

#: URL path of the vendored Swagger UI files.
DOCS_ASSETS_PATH = "/docs/assets"
_ASSETS_DIR = Path(__file__).resolve().parent / "docs_assets"
_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>greenproof API · Swagger UI</title>
<link rel="stylesheet" href="{DOCS_ASSETS_PATH}/swagger-ui.css">
<link rel="icon" href="data:,">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{DOCS_ASSETS_PATH}/docs-init.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Serve the API docs page at ``/docs`` and its vendored files under :data:`DOCS_ASSETS_PATH`."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=_ASSETS_DIR), name="docs-assets")
