"""Options and arguments shared by several commands, and how their values are read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ..usecases.settings import ApiSettings

__all__ = ["DatabaseOption", "EndArgument", "KeyFileOption", "SeedOption", "StartArgument", "settings", "utc"]

DatabaseOption = Annotated[str | None, typer.Option(
    help="Ledger database URL [default: GREENPROOF_DATABASE_URL or sqlite:///greenproof-data/ledger.sqlite].")]
StartArgument = Annotated[str, typer.Argument(help="Period start, ISO 8601 with offset, e.g. 2025-06-20T16:00Z.")]
EndArgument = Annotated[str, typer.Argument(help="Period end (exclusive), ISO 8601 with offset.")]
SeedOption = Annotated[int, typer.Option(help="Seed of the park profiles.")]
KeyFileOption = Annotated[Path | None, typer.Option(
    "--key-file", help="API key file [default: GREENPROOF_KEY_FILE or greenproof-data/api-keys.json].")]


def settings(**overrides: object) -> ApiSettings:
    """Return the settings of ``GREENPROOF_*`` variables, overridden by the options given (``None``: not given)."""
    given = {name: value for name, value in overrides.items() if value is not None}
    return ApiSettings(**given)


def utc(text: str, name: str) -> datetime:
    """Parse an ISO 8601 instant with an offset (``2025-06-20T16:00Z``); naive times are refused."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=name) from exc
    if moment.utcoffset() is None:
        raise typer.BadParameter(f"{text!r} has no UTC offset (write e.g. 2025-06-20T16:00Z)", param_hint=name)
    return moment.astimezone(UTC)
