"""The HTTP API's application factory: app state, problem details and the routers of every resource."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from starlette.types import ASGIApp

from ..usecases.app_state import AppState
from ..usecases.settings import ApiSettings
from .docs import install_docs
from .problem_details import install_problem_handlers
from .rate_limits import RateLimitMiddleware, public_rules
from .request_limits import RequestLimitsMiddleware, restore_recursion_limit
from .routes import ROUTERS
from .security_headers import SecurityHeadersMiddleware

__all__ = ["create_api"]

_DESCRIPTION = """\
Green-power traceability for the Binhai port near-zero-carbon industrial park: renewable shares
traced by proportional sharing, certificates anchored as Merkle roots on an EVM chain.

Authenticate with an API key (`greenproof keys create`) as `Authorization: Bearer <key>` or
`X-API-Key: <key>`. Roles: park-operator, firm (one firm), auditor, exporter (one firm).
Every error is an RFC 7807 problem document (`application/problem+json`).
"""


class _GreenproofApi(FastAPI):
    """FastAPI with the security headers outermost, so that the server-error middleware's 500s carry them too."""

    def build_middleware_stack(self) -> ASGIApp:
        """Wrap Starlette's stack (server errors, user middleware, exception handlers) in the security headers."""
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def create_api(settings: ApiSettings | None = None) -> FastAPI:
    """Build the HTTP API (the dashboard is added by :func:`greenproof.api.create_app`).

    The ledger database is migrated to the newest schema before the app serves; the chain is
    connected lazily, on the first request that needs it.

    Parameters
    ----------
    settings : ApiSettings, optional
        Defaults to ``ApiSettings()`` read from ``GREENPROOF_*`` environment variables.
    """
    restore_recursion_limit()  # before serving untrusted input: py_ecc's import raised it to 100,000
    settings = settings or ApiSettings()
    state = AppState.start(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = _GreenproofApi(title="greenproof", version=version("greenproof"), description=_DESCRIPTION, lifespan=lifespan,
                         docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None)
    app.state.greenproof = state
    install_problem_handlers(app)
    app.add_middleware(RequestLimitsMiddleware)
    app.add_middleware(RateLimitMiddleware, rules=public_rules(settings))  # outside: refuses before any body
    for router in ROUTERS:  # the one place the API's routers are included
        app.include_router(router)
    install_docs(app)
    return app
