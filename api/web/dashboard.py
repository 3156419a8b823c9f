"""The dashboard added to an app: its pages and its static files.

Pages are Jinja2 templates (``api/web/templates``) with a small script (``api/web/static/app.js``)
that draws ECharts charts from JSON embedded in the page; numbers are aggregated server-side.
Sign-in starts a server-side session (:mod:`greenproof.api.web.session`: a random token in an
HttpOnly cookie, never the API key), and the roles and firm scopes are the JSON API's. Pages call
the same use cases (and, for verification and retirement, the same route functions) as the JSON
API; no business logic lives in the dashboard.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ..http.problem_details import http_problem, unexpected_problem
from .pages import ROUTERS
from .render import error_page, unexpected_error_page

__all__ = ["install_dashboard"]

_STATIC_DIR = Path(__file__).resolve().parent / "static"


def _is_page(request: Request) -> bool:
    """Whether the request asked for a dashboard page (``/ui`` and everything under it)."""
    path = request.url.path
    return path == "/ui" or path.startswith("/ui/")


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if _is_page(request):
        return error_page(request, exc.status_code, str(exc.detail), exc.headers)
    return await http_problem(request, exc)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    if _is_page(request):
        return unexpected_error_page(request, exc)
    return await unexpected_problem(request, exc)


def install_dashboard(app: FastAPI) -> None:
    """Add the dashboard's pages and its static files (``/static``) to ``app``.

    Errors outside any page route under ``/ui`` (an unknown ``/ui/...`` path, a wrong method, an
    error before a route ran) answer HTML pages too; everything else keeps the API's problem documents.
    """
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=_STATIC_DIR), name="static")
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_error)
