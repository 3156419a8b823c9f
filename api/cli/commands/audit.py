"""Checks from the outside: ``audit`` a holder from leaf files, ``reconcile`` the ledger with the chain."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..exit_codes import EXIT_MISMATCH, exit_codes
from ..options import DatabaseOption, app_state, settings, utc
from ..output import console, err_console

if TYPE_CHECKING:
    from greenproof.ledger.leaf_file import LeafFile

__all__ = ["audit", "reconcile"]


def audit(
    holder: Annotated[str, typer.Argument(
        help="EVM address (0x…) of the certificate account to audit: a firm's account, printed by "
             "`greenproof leaves export` and written in its provenance records (claim.holder).", show_default=False)],
    leaf_files: Annotated[list[Path], typer.Argument(
        help="Published leaf files of the batches to check (`greenproof leaves export` writes them; format in "
             "docs/ledger.md).", exists=True, dir_okay=False, show_default=False)],
    start: Annotated[str | None, typer.Option(help="Only intervals from this instant (ISO 8601 with offset).",
                                              show_default="every interval")] = None,
    end: Annotated[str | None, typer.Option(help="Only intervals before this instant (ISO 8601 with offset).",
                                            show_default="every interval")] = None,
) -> None:
    """Verify a holder's certificates from published leaf files against the chain alone; exit 1 if any fails.

    No database is read: each leaf's Merkle proof is checked against the root the contract stores
    (chain from the settings), and its claims and retirements are read from the chain's events.
    """
    from greenproof.ledger.verify import verify_holder

    from ...usecases.chain_gateway import ChainGateway
    from ...usecases.chain_probe import is_evm_address

    if not is_evm_address(holder):
        raise typer.BadParameter(f"{holder!r} is not an EVM address (0x and 40 hex digits)", param_hint="HOLDER")
    period_start_s = int(utc(start, "--start").timestamp()) if start else 0
    period_end_s = int(utc(end, "--end").timestamp()) if end else 2**63 - 1
    with exit_codes():
        files = [_read_leaf_file(path) for path in leaf_files]
        result = verify_holder(ChainGateway(settings()).client(), files, holder,
                               period_start_s=period_start_s, period_end_s=period_end_s)
    table = Table("interval (UTC)", "plant", "Wh", "claimed", "retired Wh", "result", title=f"Certificates of {holder}")
    for item in result.leaves:
        table.add_row(datetime.fromtimestamp(item.leaf.interval_start_s, UTC).strftime("%Y-%m-%d %H:%M"),
                      item.leaf.plant_code, f"{item.leaf.amount_wh:,}", "yes" if item.claimed else "no",
                      f"{item.retired_wh:,}",
                      "[green]ok[/green]" if item.ok else f"[red]FAILED[/red] {'; '.join(item.problems)}")
    console.print(table)
    console.print(f"{len(result.leaves)} leaves; verified {result.allocated_wh:,} Wh allocated, "
                  f"{result.claimed_wh:,} Wh claimed, {result.retired_wh:,} Wh retired on-chain")
    if not result.leaves:
        err_console.print(f"no leaf of {holder} in the given files and period")
        raise typer.Exit(EXIT_MISMATCH)
    if not result.ok:
        raise typer.Exit(EXIT_MISMATCH)


def _read_leaf_file(path: Path) -> LeafFile:
    from greenproof.ledger.errors import LeafFileError
    from greenproof.ledger.leaf_file import LeafFile

    try:
        return LeafFile.from_bytes(path.read_bytes())
    except LeafFileError as exc:
        raise LeafFileError(f"{path}: {exc}") from exc


def reconcile(
    database_url: DatabaseOption = None,
    from_block: Annotated[int, typer.Option(help="First block to read events from.", min=0)] = 0,
) -> None:
    """Compare the ledger database with the chain's events and balances; exit 1 on any difference."""
    from greenproof.ledger.reconcile import reconcile as reconcile_ledger

    with exit_codes(), app_state(database_url) as state, state.session_factory() as session:
        differences = reconcile_ledger(session, state.chain.client(), from_block=from_block)
    if not differences:
        console.print("[bold green]ledger and chain agree[/bold green]")
        return
    table = Table("kind", "subject", "problem", "database", "chain", title="Differences")
    for item in differences:
        table.add_row(item.kind, item.subject, item.problem, item.db or "", item.chain or "")
    console.print(table)
    raise typer.Exit(EXIT_MISMATCH)
