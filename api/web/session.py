"""Sign-in of the web dashboard: server-side sessions that expire and are revoked on sign-out.

The browser posts an API key to ``/ui/session``; the server checks it against the key store and
starts a session: a random 256-bit token goes to the browser as the ``gp_session`` cookie
(``HttpOnly`` so page scripts never see it, ``SameSite=Strict`` so other sites cannot make the
browser send it, ``Secure`` behind HTTPS, ``Max-Age`` the session's lifetime), and the ledger keeps
its SHA-256 with the key's id and the expiry (table ``web_sessions``). The API key is kept by
neither. Each page request looks the token up, refuses it after :data:`SESSION_LIFETIME`, and reads
the key id's role from the key store again, so revoking a key ends its sessions at once; signing
out deletes the session on the server, so a copied cookie is worthless afterwards. Roles and firm
scopes are exactly the JSON API's (:mod:`greenproof.api.http.access`).

Forms that change state are also refused unless their ``Origin`` (or, lacking it, ``Referer``)
is this server, a second guard against cross-site requests besides ``SameSite``.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import quote, unquote, urlsplit

from fastapi import Depends, Request
from sqlalchemy import delete, select
from starlette.responses import Response

from greenproof.ledger.database import session_scope
from greenproof.ledger.models import WebSessionRow

from ..usecases.api_keys import Principal, Role
from ..usecases.app_state import AppState
from ..usecases.errors import AuthenticationError, PermissionDeniedError

__all__ = [
    "SESSION_COOKIE",
    "SESSION_LIFETIME",
    "LoginRequiredError",
    "PageCaller",
    "check_same_origin",
    "end_session",
    "landing_path",
    "optional_caller",
    "safe_next",
    "start_session",
]

SESSION_COOKIE = "gp_session"
#: How long a session lasts after sign-in (then the sign-in page again).
SESSION_LIFETIME = timedelta(hours=8)
#: Longest cookie value looked up (tokens are 43 characters).
_MAX_TOKEN = 128
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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def optional_caller(request: Request) -> Principal | None:
    """Return the signed-in caller, or ``None`` when the request has no live session."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > _MAX_TOKEN:
        return None
    state = _state(request)
    with state.session_factory() as session:
        key_id = session.scalar(select(WebSessionRow.key_id).where(
            WebSessionRow.token_sha256 == _token_hash(token), WebSessionRow.expires_at > datetime.now(UTC)))
    if key_id is None:
        return None
    try:
        return state.keys.principal(key_id)
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
    """Check ``key`` and, if valid, start a session and set its token as the cookie on ``response``.

    Expired sessions of every caller are deleted on the way.

    Raises
    ------
    AuthenticationError
        If the key is malformed or unknown (the message never echoes the secret).
    """
    state = _state(request)
    principal = state.keys.authenticate(key.strip())
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with session_scope(state.session_factory) as session:
        session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
        session.add(WebSessionRow(token_sha256=_token_hash(token), key_id=principal.key_id, created_at=now,
                                  expires_at=now + SESSION_LIFETIME))
    response.set_cookie(SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/")
    return principal


def end_session(request: Request, response: Response) -> None:
    """Delete the request's session on the server and its cookie in the browser."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with session_scope(_state(request).session_factory) as session:
            session.execute(delete(WebSessionRow).where(WebSessionRow.token_sha256 == _token_hash(token)))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")


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
