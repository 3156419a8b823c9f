"""Sign-in of the web dashboard: the API key kept in an HttpOnly cookie, checked on every page.

The browser posts an API key to ``/ui/session``; the server checks it against the key store and
sets it as the ``gp_session`` cookie (``HttpOnly`` so page scripts never see it, ``SameSite=Strict``
so other sites cannot make the browser send it, ``Secure`` behind HTTPS). Each page request
authenticates the cookie's key again, so revoking a key signs its sessions out at once; the
roles and firm scopes are exactly the JSON API's (:mod:`greenproof.api.http.access`).

Forms that change state are also refused unless their ``Origin`` (or, lacking it, ``Referer``)
is this server, a second guard against cross-site requests besides ``SameSite``.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated
from urllib.parse import quote, unquote, urlsplit

from fastapi import Depends, Request
from starlette.responses import Response

from ..usecases.api_keys import Principal, Role
from ..usecases.app_state import AppState
from ..usecases.errors import AuthenticationError, PermissionDeniedError

__all__ = [
    "SESSION_COOKIE",
    "LoginRequiredError",
    "PageCaller",
    "check_same_origin",
    "clear_session",
    "landing_path",
    "optional_caller",
    "safe_next",
    "start_session",
]

SESSION_COOKIE = "gp_session"
#: Longest redirect target kept, characters.
_MAX_NEXT = 500
#: Percent-decodings a redirect target is checked through (deeper encodings are refused).
_DECODINGS = 2
#: Unicode categories refused in a redirect target: controls, format (bidi, zero-width), line/paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
#: Characters kept as they are in a redirect path (reserved characters of RFC 3986 and ``%``).
_PATH_SAFE = "/?#[]@!$&'()*+,;=:%-._~"


class LoginRequiredError(AuthenticationError):
    """A dashboard page was asked for without a valid session; the dashboard answers with the sign-in page."""


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.greenproof
    return state


def optional_caller(request: Request) -> Principal | None:
    """Return the signed-in caller, or ``None`` when the request has no valid session cookie."""
    key = request.cookies.get(SESSION_COOKIE)
    if not key:
        return None
    try:
        return _state(request).keys.authenticate(key)
    except AuthenticationError:
        return None


def _required_caller(request: Request) -> Principal:
    principal = optional_caller(request)
    if principal is None:
        raise LoginRequiredError(f"sign in to open {request.url.path}")
    return principal


#: The signed-in caller of a dashboard page (the sign-in page otherwise).
PageCaller = Annotated[Principal, Depends(_required_caller)]


def start_session(request: Request, response: Response, key: str) -> Principal:
    """Check ``key`` and, if valid, set it as the session cookie on ``response``.

    Raises
    ------
    AuthenticationError
        If the key is malformed or unknown (the message never echoes the secret).
    """
    principal = _state(request).keys.authenticate(key.strip())
    response.set_cookie(SESSION_COOKIE, key.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return principal


def clear_session(response: Response) -> None:
    """Delete the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def landing_path(principal: Principal) -> str:
    """Return the page a caller lands on after signing in, by role."""
    if principal.role is Role.PARK_OPERATOR:
        return "/ui/park"
    if principal.role is Role.AUDITOR:
        return "/ui/auditor"
    if principal.role is Role.EXPORTER:
        return "/ui/exporter"
    return f"/ui/firms/{principal.firm_code}"


def _unsafe(path: str) -> bool:
    """Whether a (decoded) redirect path could leave this site or carries characters browsers drop or act on."""
    return (not path.startswith("/") or path.startswith(("//", "/\\")) or "\\" in path
            or any(ch.isspace() or unicodedata.category(ch) in _INVISIBLE for ch in path))


def safe_next(target: str | None) -> str | None:
    """Return ``target`` as a same-site path to redirect to, or ``None`` if it is not one.

    Refused: anything but a path (a scheme, ``//host``, ``/`` + backslash + ``host``), backslashes, whitespace and
    control or format characters (browsers drop TAB, CR and LF inside URLs, so ``/<TAB>/evil`` would
    become ``//evil``; bidi controls reorder what the user sees), and the same once or twice
    percent-decoded (``/%2F%2Fevil``, ``/%09/evil``, ``/%255C``), or encoded deeper than that. The
    path returned is percent-encoded outside the URL's reserved characters, as a ``Location`` header
    needs.
    """
    if not target or len(target) > _MAX_NEXT:
        return None
    seen = target
    for _ in range(_DECODINGS + 1):
        if _unsafe(seen):
            return None
        decoded = unquote(seen)
        if decoded == seen:
            return quote(target, safe=_PATH_SAFE)
        seen = decoded
    return None


def check_same_origin(request: Request) -> None:
    """Refuse a state-changing form whose ``Origin``/``Referer`` is not this server.

    Raises
    ------
    PermissionDeniedError
        Naming the foreign or missing origin.
    """
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    parts = urlsplit(source)
    if (parts.scheme, parts.netloc) != (request.url.scheme, request.url.netloc):
        raise PermissionDeniedError(f"form posted from {source or 'an unknown origin'!r}, not from "
                                    f"{request.url.scheme}://{request.url.netloc}")
