"""Security headers on every response: what a browser may load, frame, sniff, send as referrer and keep in its cache.

:class:`SecurityHeadersMiddleware` adds, unless the response set them itself:

- ``Content-Security-Policy`` :data:`CONTENT_SECURITY_POLICY`: scripts, styles, fonts and requests
  from this origin only (no inline script or style), images also as ``data:`` URIs, no plugins, no
  ``<base>``, forms post only here, and no framing by any site (``frame-ancestors 'none'``);
- ``X-Frame-Options: DENY`` (the same for browsers that predate ``frame-ancestors``);
- ``X-Content-Type-Options: nosniff`` (a PNG or JSON answer is never run as a script or page);
- ``Referrer-Policy: same-origin`` (verify URLs and page paths never leak to other sites);
- ``Cross-Origin-Opener-Policy: same-origin``;
- ``Cache-Control: no-store`` on everything but the static files (:data:`STATIC_PREFIXES`): pages
  show signed-in data and the API answers per key, so nothing may be kept by the browser or a proxy;
- ``Strict-Transport-Security`` when the request came over HTTPS.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_SECURITY_POLICY", "STATIC_PREFIXES", "SecurityHeadersMiddleware"]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Paths served as static files (cacheable): the dashboard's and the API docs' vendored files.
STATIC_PREFIXES = ("/static/", "/docs/assets/")
_ALWAYS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
_HSTS = "max-age=31536000"


class SecurityHeadersMiddleware:
    """Add the headers of the module docstring to every HTTP response.

    Parameters
    ----------
    app : ASGI app
        The application whose responses get the headers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, adding the headers to its response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(STATIC_PREFIXES)
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
                if not static:
                    headers.setdefault("cache-control", "no-store")
                if https:
                    headers.setdefault("strict-transport-security", _HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
