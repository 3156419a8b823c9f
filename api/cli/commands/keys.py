"""``greenproof keys``: create, list and revoke API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ...usecases.api_keys import KeyStore, Role
from ...usecases.firm_codes import PARK_FIRM_CODES
from ..exit_codes import exit_codes
from ..options import KeyFileOption, settings
from ..output import console

__all__ = ["app"]

app = typer.Typer(help="Create, list and revoke API keys (stored hashed in the key file).", no_args_is_help=True)


@app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="Role of the key.", show_default=False)],
    firm: Annotated[str | None, typer.Option(
        help=f"Firm the key is bound to (roles firm and exporter), any case: {', '.join(PARK_FIRM_CODES)}.",
        show_default="none")] = None,
    label: Annotated[str, typer.Option(help="Free text to recognise the key by.", show_default="empty")] = "",
    key_file: KeyFileOption = None,
) -> None:
    """Create an API key and print it once, on the last line (only its salted hash is stored)."""
    with exit_codes():
        record, key = KeyStore(settings(key_file=key_file).key_file).create(role, firm_code=firm, label=label,
                                                                             known_firms=PARK_FIRM_CODES)
    bound = f", firm {record.firm_code}" if record.firm_code else ""
    console.print(f"key id {record.key_id} ({record.role.value}{bound}); store this key now, it is not shown again:")
    console.print(key, soft_wrap=True, highlight=False)


@app.command("list")
def keys_list(key_file: KeyFileOption = None) -> None:
    """List the stored keys (ids, roles and firms; never secrets)."""
    with exit_codes():
        records = KeyStore(settings(key_file=key_file).key_file).records()
    table = Table("key id", "role", "firm", "label", "created (UTC)")
    for record in records:
        table.add_row(record.key_id, record.role.value, record.firm_code or "", record.label, record.created_at)
    console.print(table)


@app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="Id of the key to revoke.", show_default=False)],
                key_file: KeyFileOption = None) -> None:
    """Revoke (delete) an API key."""
    with exit_codes():
        KeyStore(settings(key_file=key_file).key_file).revoke(key_id)
    console.print(f"revoked key {key_id}")
