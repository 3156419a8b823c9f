"""What one request may make the server read and parse: body size caps, JSON nesting depth, UTF-8.

:class:`RequestLimitsMiddleware` (pure ASGI, outermost but for error handling) wraps the ``receive``
channel of every request, so nothing is read until a route asks for its body:

- **size** — a body may be at most :func:`body_cap` bytes: :data:`MAX_BODY_BYTES` by default,
  more on the routes of :data:`ROUTE_BODY_BYTES`. A ``Content-Length`` over the cap is refused
  before one byte is read; a chunked body (no ``Content-Length``) is counted as it arrives and
  refused as soon as it passes the cap. Both answer 413.
- **anonymous callers** — without a valid API key (``Authorization: Bearer`` or ``X-API-Key``), the
  cap is at most :data:`ANONYMOUS_BODY_BYTES`, whatever the route: only the park operator's bulk
  uploads need more, and the key is checked before their bytes are read.
- **JSON** — a body that FastAPI may parse as JSON (``application/json``, ``application/*+json``,
  or no content type, which FastAPI parses too when its strict content-type check is off) is read
  whole (within the cap) and refused with 400 unless it is UTF-8 (RFC 8259 §8.1) and nests arrays
  and objects at most :data:`MAX_JSON_DEPTH` deep, counted in one linear pass before ``json``
  recurses into the body.

:func:`restore_recursion_limit` undoes what importing ``py_ecc`` (through web3 → eth-account →
eth-keyfile) does to the interpreter: it raises ``sys.setrecursionlimit`` to 100,000, far beyond
what the C stack holds, so a deeply nested body made ``json`` overflow the C stack and kill the
process instead of raising :class:`RecursionError`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

import numpy as np
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..usecases.api_keys import KeyStore
from ..usecases.errors import AuthenticationError
from ..usecases.provenance_verify import MAX_RECORD_BYTES

__all__ = [
    "ANONYMOUS_BODY_BYTES",
    "FORM_OVERHEAD_BYTES",
    "INTERPRETER_RECURSION_LIMIT",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "ROUTE_BODY_BYTES",
    "UPLOAD_BODY_BYTES",
    "RequestLimitsMiddleware",
    "body_cap",
    "json_depth",
    "restore_recursion_limit",
]

MIB = 1024 * 1024
#: Largest body of a route not listed in :data:`ROUTE_BODY_BYTES`, bytes.
MAX_BODY_BYTES = 1 * MIB
#: Largest body of the meter-reading uploads (JSON, or a CSV file of ≤ 32 MiB in a form), bytes.
UPLOAD_BODY_BYTES = 40 * MIB
#: Room for a form's field names and part headers around a record of :data:`MAX_RECORD_BYTES`, bytes.
FORM_OVERHEAD_BYTES = 64 * 1024
#: Largest body read from a caller without a valid API key, bytes (a provenance record with its form).
ANONYMOUS_BODY_BYTES = MAX_RECORD_BYTES + FORM_OVERHEAD_BYTES
#: Routes whose bodies may exceed :data:`MAX_BODY_BYTES`: path → cap, bytes.
ROUTE_BODY_BYTES: Mapping[str, int] = {
    "/park/meter-readings": UPLOAD_BODY_BYTES,
    "/park/meter-readings/csv": UPLOAD_BODY_BYTES,
    "/public/verify": MAX_RECORD_BYTES,
    "/ui/verify": MAX_RECORD_BYTES + FORM_OVERHEAD_BYTES,
}
#: Deepest nesting of arrays and objects accepted in a JSON body (a provenance record nests 5 deep).
MAX_JSON_DEPTH = 32
#: The interpreter's own default recursion limit, restored after py_ecc raised it.
INTERPRETER_RECURSION_LIMIT = 1000



def restore_recursion_limit() -> None:
    """Set the interpreter's recursion limit back to :data:`INTERPRETER_RECURSION_LIMIT`.

    ``py_ecc`` is imported first (a no-op once imported), so that no later import can raise the
    limit again behind this call's back.
    """
    import py_ecc  # noqa: F401  (its import raises the limit to 100,000)

    sys.setrecursionlimit(INTERPRETER_RECURSION_LIMIT)


def body_cap(path: str) -> int:
    """Return the largest body, bytes, a caller with a valid API key may send to ``path``."""
    return ROUTE_BODY_BYTES.get(path, MAX_BODY_BYTES)


def json_depth(body: bytes) -> int:
    """Return the deepest nesting of arrays and objects in ``body``, counting brackets outside strings.

    Linear in the body's length and vectorised (numpy): a quote is escaped when an odd run of
    backslashes precedes it, and a bracket lies inside a string when an odd number of unescaped
    quotes precedes it. On malformed JSON the count bounds the depth a parser reaches before it fails.
    """
    codes = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(codes == ord('"'))
    backslashes = np.flatnonzero(codes == ord("\\"))
    if quotes.size and backslashes.size:
        breaks = np.flatnonzero(np.diff(backslashes) != 1)
        run_starts = backslashes[np.r_[0, breaks + 1]]
        run_ends = backslashes[np.r_[breaks, backslashes.size - 1]]
        escaped = np.zeros(codes.size + 1, dtype=bool)
        escaped[run_ends[(run_ends - run_starts) % 2 == 0] + 1] = True  # right after a run of odd length
        quotes = quotes[~escaped[quotes]]
    opening = (codes == ord("[")) | (codes == ord("{"))
    brackets = np.flatnonzero(opening | (codes == ord("]")) | (codes == ord("}")))
    brackets = brackets[np.searchsorted(quotes, brackets) % 2 == 0]  # outside strings
    return int(np.cumsum(np.where(opening[brackets], 1, -1)).max(initial=0))


def _is_json(headers: Headers) -> bool:
    """Whether FastAPI may parse a body with these headers as JSON (see the module docstring)."""
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    return not media or media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _too_large(cap: int, anonymous: bool) -> HTTPException:
    who = " from a caller without a valid API key" if anonymous else ""
    return HTTPException(413, f"the request body is larger than the {cap}-byte cap of this endpoint{who}")


class _LimitedBody:
    """The ``receive`` channel of one request, with the caps and JSON checks of the module docstring."""

    def __init__(self, scope: Scope, receive: Receive, keys: KeyStore | None) -> None:
        self._receive = receive
        self._headers = Headers(scope=scope)
        self._keys = keys
        self._route_cap = body_cap(scope["path"])
        self._anonymous: bool | None = None  # decided only if the body needs more than the anonymous cap
        self._read = 0
        self._json = _is_json(self._headers)
        self._done = False

    def _cap(self) -> int:
        if self._route_cap <= ANONYMOUS_BODY_BYTES:
            return self._route_cap
        if self._anonymous is None:
            self._anonymous = not self._authenticated()
        return ANONYMOUS_BODY_BYTES if self._anonymous else self._route_cap

    def _authenticated(self) -> bool:
        authorization = self._headers.get("authorization", "")
        scheme, _, bearer = authorization.partition(" ")
        key = bearer.strip() if scheme.lower() == "bearer" else self._headers.get("x-api-key", "")
        if not key or self._keys is None:
            return False
        try:
            self._keys.authenticate(key)
        except AuthenticationError:
            return False
        return True

    def _check_declared(self) -> None:
        declared = self._headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._cap():
            raise _too_large(self._cap(), bool(self._anonymous))

    async def _next(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._read += len(message.get("body", b""))
            if self._read > self._cap():
                raise _too_large(self._cap(), bool(self._anonymous))
        return message

    async def __call__(self) -> Message:
        if self._done:
            return await self._receive()
        self._check_declared()
        if not self._json:
            message = await self._next()
            self._done = message["type"] != "http.request" or not message.get("more_body", False)
            return message
        chunks: list[bytes] = []
        while True:
            message = await self._next()
            if message["type"] != "http.request":
                return message
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        self._done = True
        body = b"".join(chunks)
        _check_json(body)
        return {"type": "http.request", "body": body, "more_body": False}


def _check_json(body: bytes) -> None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"the request body is not UTF-8 (invalid byte at offset {exc.start}); "
                                 "JSON must be sent as UTF-8") from exc
    depth = json_depth(body)
    if depth > MAX_JSON_DEPTH:
        raise HTTPException(400, f"the JSON body nests {depth} levels deep; at most {MAX_JSON_DEPTH} are accepted")


class RequestLimitsMiddleware:
    """Apply the body caps and JSON checks of the module docstring to every HTTP request.

    Refusals are raised as :class:`~starlette.exceptions.HTTPException` (413 or 400) from the
    body channel, so the route that reads the body answers them through the app's error handlers
    (problem documents for the API, HTML pages for the dashboard).

    Parameters
    ----------
    app : ASGI app
        The application; its ``state.greenproof.keys`` (if present) authenticates API keys.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with its body channel limited."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = getattr(getattr(scope.get("app"), "state", None), "greenproof", None)
        await self.app(scope, _LimitedBody(scope, receive, getattr(state, "keys", None)), send)
