"""``greenproof serve``: the HTTP API and the dashboard."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ..exit_codes import exit_codes
from ..options import DatabaseOption, settings

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(
        help="Worker processes (uvicorn --workers), one app each. Rate limits are counted per worker: with N "
             "workers a client may make up to N times a limit.", min=1, max=64)] = 1,
    database_url: DatabaseOption = None,
) -> None:
    """Serve the HTTP API and the dashboard (migrates the database first); chain from the settings."""
    import uvicorn

    from ...app import create_app

    with exit_codes():
        api = create_app(settings(database_url=database_url))  # settings checked, database migrated, once
    if workers == 1:
        uvicorn.run(api, host=host, port=port)
        return
    if database_url is not None:
        os.environ["GREENPROOF_DATABASE_URL"] = database_url  # the workers read their settings from it
    uvicorn.run("greenproof.api.app:create_app", factory=True, host=host, port=port, workers=workers)
