"""Options and arguments shared by several commands, and how their values are read.

Every option shows its default in ``--help``; where the default comes from the settings
(:mod:`greenproof.api.usecases.settings`), the help names the variable and the settings file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..usecases.errors import SettingsError
from ..usecases.firm_codes import canonical_firm_code

if TYPE_CHECKING:
    from ..usecases.app_state import AppState
    from ..usecases.settings import ApiSettings

__all__ = [
    "DatabaseOption",
    "EndArgument",
    "FirmArgument",
    "KeyFileOption",
    "SeedOption",
    "StartArgument",
    "app_state",
    "settings",
    "utc",
]

#: Where a setting's default comes from, shown in ``--help``.
_FROM_SETTINGS = "GREENPROOF_{variable}, else greenproof-data/settings.json, else {default}"

DatabaseOption = Annotated[str | None, typer.Option(
    help="Ledger database URL (SQLAlchemy: sqlite:///path or postgresql://…).",
    show_default=_FROM_SETTINGS.format(variable="DATABASE_URL", default="sqlite:///greenproof-data/ledger.sqlite"))]
KeyFileOption = Annotated[Path | None, typer.Option(
    "--key-file", help="API key file (salted hashes of the keys).",
    show_default=_FROM_SETTINGS.format(variable="KEY_FILE", default="greenproof-data/api-keys.json"))]
StartArgument = Annotated[str, typer.Argument(help="Period start, ISO 8601 with offset, e.g. 2025-06-20T16:00Z.",
                                              show_default=False)]
EndArgument = Annotated[str, typer.Argument(help="Period end (exclusive), ISO 8601 with offset.", show_default=False)]
SeedOption = Annotated[int, typer.Option(help="Seed of the park profiles (same seed, same weather and loads).")]
FirmArgument = Annotated[str, typer.Argument(
    help="Firm code, any case: GH2, STL, NMT, WEQ, IDC, CCL, CRN or LNG (the park's firms).", show_default=False,
    parser=canonical_firm_code)]


def settings(**overrides: object) -> ApiSettings:
    """Return the settings, overridden by the options given (``None``: not given); see the settings' precedence.

    Raises
    ------
    SettingsError
        If a setting is malformed (names the setting and the value's problem).
    """
    from pydantic import ValidationError

    from ..usecases.settings import ApiSettings
    from ..usecases.validation_summary import validation_summary

    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return ApiSettings(**given)
    except ValidationError as exc:
        raise SettingsError(f"invalid setting ({validation_summary(exc)}); check the options, GREENPROOF_* "
                            "variables, .env and the settings file") from exc


@contextmanager
def app_state(database_url: str | None = None) -> Iterator[AppState]:
    """Yield the app state of the settings (ledger migrated to the newest schema); close it on exit."""
    from ..usecases.app_state import AppState

    state = AppState.start(settings(database_url=database_url))
    try:
        yield state
    finally:
        state.close()


def utc(text: str, name: str) -> datetime:
    """Parse an ISO 8601 instant with an offset (``2025-06-20T16:00Z``); naive times are refused."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=name) from exc
    if moment.utcoffset() is None:
        raise typer.BadParameter(f"{text!r} has no UTC offset (write e.g. 2025-06-20T16:00Z)", param_hint=name)
    return moment.astimezone(UTC)
