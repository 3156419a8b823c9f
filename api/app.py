"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI

from .app_state import AppState
from .problem_details import install_problem_handlers
from .routes import ROUTERS
from .routes.pages import install_dashboard
from .settings import ApiSettings

__all__ = ["create_app"]

_DESCRIPTION = """\
Green-power traceability for the Binhai port near-zero-carbon industrial park: renewable shares
traced by proportional sharing, certificates anchored as Merkle roots on an EVM chain.

Authenticate with an API key (`greenproof keys create`) as `Authorization: Bearer <key>` or
`X-API-Key: <key>`. Roles: park-operator, firm (one firm), auditor, exporter (one firm).
Every error is an RFC 7807 problem document (`application/problem+json`).
"""


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the API.

    The ledger database is migrated to the newest schema before the app serves; the chain is
    connected lazily, on the first request that needs it.

    Parameters
    ----------
    settings : ApiSettings, optional
        Defaults to ``ApiSettings()`` read from ``GREENPROOF_*`` environment variables.
    """
    settings = settings or ApiSettings()
    state = AppState.start(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(title="greenproof", version=version("greenproof"), description=_DESCRIPTION, lifespan=lifespan)
    app.state.greenproof = state
    install_problem_handlers(app)
    for router in ROUTERS:  # the one place routers are included; the dashboard adds its own here
        app.include_router(router)
    install_dashboard(app)  # web dashboard: pages under /ui, static files under /static
    return app
