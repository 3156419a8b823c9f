"""Checks from the outside: ``audit`` a holder from leaf files, ``reconcile`` the ledger with the chain."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from greenproof.ledger.leaf_file import LeafFile
from greenproof.ledger.reconcile import reconcile as reconcile_ledger
from greenproof.ledger.verify import verify_holder

from ...usecases.app_state import AppState
from ...usecases.chain_gateway import ChainGateway
from ..exit_codes import EXIT_MISMATCH, exit_codes
from ..options import DatabaseOption, settings, utc
from ..output import console

__all__ = ["audit", "reconcile"]


def audit(
    holder: Annotated[str, typer.Argument(help="EVM address (0x…) of the certificate account to audit.")],
    leaf_files: Annotated[list[Path], typer.Argument(
        help="Published leaf files (canonical JSON, see docs/ledger.md) of the batches to check.", exists=True,
        dir_okay=False)],
    start: Annotated[str | None, typer.Option(help="Only intervals from this instant (ISO 8601 with offset).")] = None,
    end: Annotated[str | None, typer.Option(help="Only intervals before this instant (ISO 8601 with offset).")] = None,
) -> None:
    """Verify a holder's certificates from published leaf files against the chain alone; exit 1 if any fails.

    No database is read: each leaf's Merkle proof is checked against the root the contract stores
    (GREENPROOF_CHAIN_* settings), and its claims and retirements are read from the chain's events.
    """
    period_start_s = int(utc(start, "--start").timestamp()) if start else 0
    period_end_s = int(utc(end, "--end").timestamp()) if end else 2**63 - 1
    with exit_codes():
        files = [LeafFile.from_bytes(path.read_bytes()) for path in leaf_files]
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
        console.print(f"[bold red]no leaf of {holder} in the given files and period[/bold red]")
        raise typer.Exit(EXIT_MISMATCH)
    if not result.ok:
        raise typer.Exit(EXIT_MISMATCH)


def reconcile(
    database_url: DatabaseOption = None,
    from_block: Annotated[int, typer.Option(help="First block to read events from.", min=0)] = 0,
) -> None:
    """Compare the ledger database with the chain's events and balances; exit 1 on any difference."""
    with exit_codes():
        state = AppState.start(settings(database_url=database_url))
        try:
            with state.session_factory() as session:
                differences = reconcile_ledger(session, state.chain.client(), from_block=from_block)
        finally:
            state.close()
    if not differences:
        console.print("[bold green]ledger and chain agree[/bold green]")
        return
    table = Table("kind", "subject", "problem", "database", "chain", title="Differences")
    for item in differences:
        table.add_row(item.kind, item.subject, item.problem, item.db or "", item.chain or "")
    console.print(table)
    raise typer.Exit(EXIT_MISMATCH)
