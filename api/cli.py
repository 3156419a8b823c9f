"""The ``greenproof`` command line (typer + rich); each command calls a function that holds its logic.

Exit codes: 0 success; 1 a verification or reconciliation found a mismatch; 2 bad input (file,
option or data the domain rejects); 3 a service (chain, database) is unavailable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from greenproof.attribution.errors import GreenproofError
from greenproof.contracts.errors import ChainError

from .api_keys import KeyStore, Role
from .app import create_app
from .errors import ChainUnavailableError
from .settings import ApiSettings

__all__ = ["EXIT_BAD_INPUT", "EXIT_MISMATCH", "EXIT_UNAVAILABLE", "app", "main"]

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3

app = typer.Typer(
    name="greenproof",
    help="Green-power traceability: power-flow attribution anchored as certificates on an EVM chain.",
    no_args_is_help=True,
    add_completion=False,
)
keys_app = typer.Typer(help="Create, list and revoke API keys (stored hashed in the key file).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
console = Console()

KeyFileOption = Annotated[Path | None, typer.Option(
    "--key-file", help="API key file [default: GREENPROOF_KEY_FILE or greenproof-data/api-keys.json].")]


@contextmanager
def _exit_codes() -> Iterator[None]:
    """Turn domain errors into a red message and the documented exit code."""
    try:
        yield
    except (ChainUnavailableError, ChainError) as exc:
        console.print(f"[bold red]unavailable:[/bold red] {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    except GreenproofError as exc:
        console.print(f"[bold red]error:[/bold red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc


def _settings(**overrides: object) -> ApiSettings:
    given = {name: value for name, value in overrides.items() if value is not None}
    return ApiSettings(**given)


def _print_version(value: bool) -> None:
    if value:
        console.print(f"greenproof {version('greenproof')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Green-power traceability: power-flow attribution anchored as certificates on an EVM chain."""


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="Role of the key.")],
    firm: Annotated[str | None, typer.Option(help="Firm code the key is bound to (roles firm and exporter).")] = None,
    label: Annotated[str, typer.Option(help="Free text to recognise the key by.")] = "",
    key_file: KeyFileOption = None,
) -> None:
    """Create an API key and print it once (only its salted hash is stored)."""
    with _exit_codes():
        record, key = KeyStore(_settings(key_file=key_file).key_file).create(role, firm_code=firm, label=label)
    console.print(f"key id {record.key_id} ({record.role.value}{', firm ' + firm if firm else ''}); "
                  "store this key now, it is not shown again:")
    console.print(key, soft_wrap=True, highlight=False)


@keys_app.command("list")
def keys_list(key_file: KeyFileOption = None) -> None:
    """List the stored keys (ids, roles and firms; never secrets)."""
    with _exit_codes():
        records = KeyStore(_settings(key_file=key_file).key_file).records()
    table = Table("key id", "role", "firm", "label", "created (UTC)")
    for record in records:
        table.add_row(record.key_id, record.role.value, record.firm_code or "", record.label, record.created_at)
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="Id of the key to revoke.")],
                key_file: KeyFileOption = None) -> None:
    """Revoke (delete) an API key."""
    with _exit_codes():
        KeyStore(_settings(key_file=key_file).key_file).revoke(key_id)
    console.print(f"revoked key {key_id}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    database_url: Annotated[str | None, typer.Option(help="Ledger database URL [default: GREENPROOF_DATABASE_URL].")
                            ] = None,
) -> None:
    """Serve the HTTP API (migrates the database first); settings come from GREENPROOF_* variables."""
    with _exit_codes():
        api = create_app(_settings(database_url=database_url))
    uvicorn.run(api, host=host, port=port)


def main() -> None:
    """Entry point of the ``greenproof`` console script."""
    app()
