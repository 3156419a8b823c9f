"""``greenproof firms``: a firm's certificate account — custodial (the demo default) or an address the firm holds."""

from __future__ import annotations

from typing import Annotated

import typer

from ..exit_codes import exit_codes
from ..options import DatabaseOption, FirmArgument, app_state
from ..output import console

__all__ = ["app"]

app = typer.Typer(help="A firm's certificate account: custodial (key derived by the registry, the demo default) "
                       "or an address whose key only the firm holds.", no_args_is_help=True)


@app.command("set-account")
def firms_set_account(
    firm: FirmArgument,
    address: Annotated[str | None, typer.Argument(
        help="Address of the firm's own wallet (0x + 40 hex digits); omit with --custodial.",
        show_default=False)] = None,
    custodial: Annotated[bool, typer.Option(
        "--custodial", help="Give the firm back its custodial account (key derived by the registry).")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Register ADDRESS as FIRM's certificate account; only the firm's key, never the park's, retires what it holds.

    From then on FIRM's certificates are allocated to ADDRESS, and `greenproof retire` needs the
    firm's signature (--signer-key-file, or --prepare-only then --signature). The account can
    change only before the firm's first certificates are allocated.
    """
    from ...usecases.firm_accounts import CUSTODY_LABELS, register_firm_account

    if (address is None) == (not custodial):
        raise typer.BadParameter("give either ADDRESS or --custodial", param_hint="ADDRESS")
    with exit_codes(), app_state(database_url) as state:
        account = register_firm_account(state.session_factory, state.chain.issuer_key(), firm, address)
    console.print(f"firm {account.firm_code}: certificate account {account.address} "
                  f"({CUSTODY_LABELS[account.key_custody]})")


@app.command("show")
def firms_show(firm: FirmArgument, database_url: DatabaseOption = None) -> None:
    """Print FIRM's certificate account and who holds its key."""
    from ...usecases.firm_accounts import CUSTODY_LABELS, firm_account

    with exit_codes(), app_state(database_url) as state, state.session_factory() as session:
        account = firm_account(session, firm)
    console.print(f"firm {account.firm_code}: certificate account {account.address} "
                  f"({CUSTODY_LABELS[account.key_custody]})")
