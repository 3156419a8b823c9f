"""``greenproof serve``: the HTTP API and the dashboard."""

from __future__ import annotations

from typing import Annotated

import typer

from ..exit_codes import exit_codes
from ..options import DatabaseOption, settings

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    database_url: DatabaseOption = None,
) -> None:
    """Serve the HTTP API and the dashboard (migrates the database first); chain from the settings."""
    import uvicorn

    from ...app import create_app

    with exit_codes():
        api = create_app(settings(database_url=database_url))
    uvicorn.run(api, host=host, port=port)
