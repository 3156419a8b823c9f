"""Rendering of dashboard pages: the Jinja2 environment, number formats and HTML error pages.

Every page route of the dashboard uses :class:`PageRoute`: any error raised while building a page
becomes an HTML page in the caller's language, under the signed-in header — a domain error (an
unknown firm, a forbidden firm, a chain that is down) with the status
:func:`~greenproof.api.http.problem_details.status_of` gives it, invalid parameters with 422, an HTTP
error (a body over its cap) with its status, anything unexpected with a logged 500 and no details —
and a missing session becomes a redirect to the sign-in page. The JSON API keeps its RFC 7807 problems.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from greenproof.attribution.errors import GreenproofError

from ..http.problem_details import status_of
from ..usecases.api_keys import Principal
from ..usecases.attribution_results import PARK_TZ
from ..usecases.units import mwh
from .i18n import LANGUAGES, Translator, request_language
from .session import LoginRequiredError, optional_caller

__all__ = ["PageRoute", "error_page", "json_script", "park_time", "render", "templates", "unexpected_error_page"]

_log = logging.getLogger(__name__)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _mwh(wh: int | float) -> str:
    """Format a Wh quantity as MWh with three decimals (kWh resolution)."""
    return f"{mwh(wh):,.3f}"


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.1f} %"


def park_time(moment: datetime | None) -> str:
    """Format an instant in park time (UTC+8), minutes resolution."""
    return "–" if moment is None else moment.astimezone(PARK_TZ).strftime("%Y-%m-%d %H:%M")


def _short_hash(value: str | None) -> str:
    return "–" if not value else f"{value[:10]}…{value[-6:]}"


def json_script(data: Any) -> Markup:
    """Serialise ``data`` for a ``<script type="application/json">`` block (``<``, ``>``, ``&`` escaped)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


templates.env.filters.update(mwh=_mwh, percent=_percent, park_time=park_time, short_hash=_short_hash,
                             json_script=json_script)


def render(request: Request, template: str, *, caller: Principal | None = None, status_code: int = 200,
           **context: Any) -> Response:
    """Render ``template`` in the request's language with the shared page context."""
    language = request_language(request)
    return templates.TemplateResponse(request, template, status_code=status_code, context={
        "t": Translator(language), "lang": language, "languages": LANGUAGES, "caller": caller,
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""), **context})


def error_page(request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None) -> Response:
    """Render the HTML error page of ``status`` with the signed-in header (if the request has a session)."""
    try:
        caller = optional_caller(request)
    except Exception:  # an error page must render even when the session store fails
        caller = None
    response = render(request, "error.html", caller=caller, status_code=status, status=status, detail=detail)
    response.headers.update(headers or {})
    return response


def unexpected_error_page(request: Request, exc: Exception) -> Response:
    """Log ``exc`` and render the 500 page (no details of the error reach the browser)."""
    _log.error("unexpected error on page %s", request.url.path, exc_info=exc)
    return error_page(request, 500, Translator(request_language(request))("error.logged"))


class PageRoute(APIRoute):
    """A route that answers errors with HTML pages (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler so that every error renders as a page."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequiredError:
                return RedirectResponse(f"/ui/login?next={quote(request.url.path, safe='/')}", status_code=303)
            except GreenproofError as exc:
                return error_page(request, status_of(exc), str(exc))
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ()))
                return error_page(request, 422, f"{where}: {first.get('msg', 'invalid request')}")
            except HTTPException as exc:
                return error_page(request, exc.status_code, str(exc.detail), exc.headers)
            except Exception as exc:
                return unexpected_error_page(request, exc)

        return page_handler
