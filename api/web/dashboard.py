"""The dashboard added to an app: its pages and its static files.

Pages are Jinja2 templates (``api/web/templates``) with a small script (``api/web/static/app.js``)
that draws ECharts charts from JSON embedded in the page; numbers are aggregated server-side.
Sign-in keeps the API key in an HttpOnly cookie (:mod:`greenproof.api.web.session`), so the roles
and firm scopes are the JSON API's. Pages call the same use cases (and, for verification and
retirement, the same route functions) as the JSON API; no business logic lives in the dashboard.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .pages import ROUTERS

__all__ = ["install_dashboard"]

_STATIC_DIR = Path(__file__).resolve().parent / "static"


def install_dashboard(app: FastAPI) -> None:
    """Add the dashboard's pages and its static files (``/static``) to ``app``."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=_STATIC_DIR), name="static")
