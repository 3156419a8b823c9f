"""Per-client rate limits of the endpoints anyone may call without a key (the ``limits`` library, moving windows).

Each rule of :func:`public_rules` names the requests it counts and its limit; requests are counted
per client address (``scope["client"]``: run uvicorn with ``--proxy-headers`` behind a reverse
proxy, so that this is the caller's address and not the proxy's). A request over its limit is
answered 429 before its body is read, with ``Retry-After`` (seconds until the window frees a slot),
through the app's own handler of HTTP errors: a problem document for the API, an HTML page under
``/ui``. Counters live in the process's memory: each worker process counts on its own.

- ``verify`` — ``POST /public/verify`` and ``POST /ui/verify`` (each verification reads the chain):
  :attr:`~greenproof.api.usecases.settings.ApiSettings.public_verify_rate_limit`;
- ``sign-in`` — ``POST /ui/session`` (guessing keys): the same limit, counted apart;
- ``read`` — ``GET`` under ``/public/`` and ``/ui/verify`` (records and their verification by claim
  reference): :attr:`~greenproof.api.usecases.settings.ApiSettings.public_rate_limit`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ..usecases.settings import ApiSettings

__all__ = ["RateLimitMiddleware", "RateRule", "public_rules"]


@dataclass(frozen=True)
class RateRule:
    """Requests counted together: ``method`` and a path equal to one of ``paths`` or under one of ``prefixes``."""

    bucket: str
    method: str
    limit: RateLimitItem
    paths: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    def matches(self, method: str, path: str) -> bool:
        """Whether a request of ``method`` to ``path`` counts against this rule."""
        return method == self.method and (path in self.paths or path.startswith(self.prefixes))


def public_rules(settings: ApiSettings) -> tuple[RateRule, ...]:
    """Return the rate rules of the public endpoints (see the module docstring)."""
    verify, read = parse(settings.public_verify_rate_limit), parse(settings.public_rate_limit)
    return (
        RateRule("verify", "POST", verify, paths=("/public/verify", "/ui/verify")),
        RateRule("sign-in", "POST", verify, paths=("/ui/session",)),
        RateRule("read", "GET", read, paths=("/ui/verify",), prefixes=("/public/", "/ui/verify/")),
    )


class RateLimitMiddleware:
    """Answer 429 to a client over the limit of a :class:`RateRule` (see the module docstring).

    Parameters
    ----------
    app : ASGI app
        The application; its handler of :class:`~starlette.exceptions.HTTPException` answers the 429.
    rules : sequence of RateRule
        The first rule a request matches counts it.
    """

    def __init__(self, app: ASGIApp, rules: Sequence[RateRule]) -> None:
        self.app = app
        self.rules = tuple(rules)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request against its rule; answer 429 if the client is over the limit."""
        if scope["type"] == "http":
            rule = next((r for r in self.rules if r.matches(scope["method"], scope["path"])), None)
            client = (scope.get("client") or ("unknown", 0))[0]
            if rule is not None and not self._limiter.hit(rule.limit, rule.bucket, client):
                await self._refuse(scope, receive, send, rule, client)
                return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, rule: RateRule, client: str) -> None:
        reset_s = self._limiter.get_window_stats(rule.limit, rule.bucket, client).reset_time
        retry_after = max(1, math.ceil(reset_s - time.time()))
        error = HTTPException(429, f"more than {rule.limit} requests of this kind ({rule.bucket}) from {client}; "
                                   f"retry after {retry_after} s", headers={"Retry-After": str(retry_after)})
        handler = scope["app"].exception_handlers[HTTPException]
        response = await handler(Request(scope, receive), error)
        await response(scope, receive, send)
