"""Sign-in, sign-out and the language choice; ``/`` sends each caller to its landing page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...usecases.errors import AuthenticationError
from ..i18n import LANGUAGE_COOKIE, LANGUAGES
from ..render import PageRoute, render
from ..session import check_same_origin, end_session, landing_path, optional_caller, safe_next, start_session

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def home(request: Request) -> RedirectResponse:
    """Send signed-in callers to their landing page, others to the sign-in page."""
    caller = optional_caller(request)
    return RedirectResponse(landing_path(caller) if caller else "/ui/login", status_code=303)


@router.get("/ui/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    """Render the sign-in form."""
    return render(request, "login.html", next=safe_next(next))


@router.post("/ui/session")
def sign_in(request: Request, api_key: Annotated[str, Form(max_length=200)],
            next: Annotated[str | None, Form(max_length=500)] = None) -> Response:
    """Check the pasted API key, start a session and go to the landing page (or ``next``)."""
    check_same_origin(request)
    response = RedirectResponse("/", status_code=303)
    try:
        caller = start_session(request, response, api_key)
    except AuthenticationError as exc:
        return render(request, "login.html", status_code=401, next=safe_next(next), error=str(exc))
    response.headers["location"] = safe_next(next) or landing_path(caller)
    return response


@router.post("/ui/logout")
def sign_out(request: Request) -> RedirectResponse:
    """End the session on the server and delete its cookie."""
    check_same_origin(request)
    response = RedirectResponse("/ui/login", status_code=303)
    end_session(request, response)
    return response


@router.post("/ui/language")
def choose_language(request: Request, lang: Annotated[str, Form(max_length=8)],
                    next: Annotated[str | None, Form(max_length=500)] = None) -> RedirectResponse:
    """Remember the chosen language (a cookie) and return to the page."""
    response = RedirectResponse(safe_next(next) or "/", status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86_400, samesite="lax", path="/")
    return response
