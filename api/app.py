"""The served application: the HTTP API with the web dashboard on the same FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from .http.app import create_api
from .usecases.settings import ApiSettings
from .web import install_dashboard

__all__ = ["create_app"]


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the API and add the dashboard (pages under ``/ui``, static files under ``/static``).

    The ledger database is migrated to the newest schema before the app serves; the chain is
    connected lazily, on the first request that needs it.

    Parameters
    ----------
    settings : ApiSettings, optional
        Defaults to ``ApiSettings()`` read from ``GREENPROOF_*`` environment variables.
    """
    app = create_api(settings)
    install_dashboard(app)
    return app
