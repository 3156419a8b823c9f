"""The served application: the HTTP API with the web dashboard on the same FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from .http.app import create_api
from .usecases.settings import ApiSettings
from .web import install_dashboard

__all__ = ["create_app"]


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the HTTP API with the dashboard (pages under ``/ui``, static files under ``/static``).

    ``settings`` (default: ``ApiSettings()`` from ``GREENPROOF_*`` variables) go to
    :func:`~greenproof.api.http.app.create_api`, which migrates the ledger database to the newest
    schema and prepares, without opening, the chain connection.
    """
    app = create_api(settings)
    install_dashboard(app)
    return app
