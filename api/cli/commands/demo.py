"""``greenproof demo``: the whole pipeline on one park day with a throwaway chain."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ...usecases.units import mwh
from ..demo import DEMO_EXPORTER, run_demo
from ..exit_codes import EXIT_MISMATCH, exit_codes
from ..options import DatabaseOption
from ..output import console, print_checks, print_firms

__all__ = ["demo"]


def demo(
    database_url: DatabaseOption = None,
    keep: Annotated[bool, typer.Option(
        "--keep", help="Keep the leaf file, provenance record (JSON/HTML/PDF/QR) and database in a new folder "
                       "./greenproof-demo-<UTC time> and print its name.")] = False,
) -> None:
    """Run the whole pipeline on one park day with a throwaway Anvil chain; no configuration needed.

    Builds the Binhai park, solves the day at 15 min, traces it, anchors the certificates, retires a
    hydrogen shipment for the GH2 exporter, verifies it from the chain and the leaf file, and stops Anvil.
    Exits 1 if the verification fails.
    """
    folder = Path.cwd() / f"greenproof-demo-{datetime.now(UTC):%Y%m%dT%H%M%SZ}" if keep else None
    started = time.perf_counter()
    with exit_codes():
        result = run_demo(database_url=database_url, keep=folder, progress=True,
                          report=lambda step: console.print(f"[cyan]•[/cyan] {step}"))
    print_firms(result.run)
    print_checks(result.record_check)
    leaves = result.leaves_check
    console.print(f"ledger.verify from chain + leaf file: {len(leaves.leaves)} leaves of {DEMO_EXPORTER}, "
                  f"{'all proven' if leaves.ok else 'NOT all proven'}; {mwh(leaves.retired_wh):,.3f} MWh retired "
                  f"on-chain")
    console.print(f"provenance record {result.record.claim_ref}: "
                  f"{'[bold green]VERIFIED[/bold green]' if result.verified else '[bold red]FAILED[/bold red]'} "
                  f"({time.perf_counter() - started:.1f} s)")
    if result.artifacts is not None:
        console.print(f"artifacts kept in {result.artifacts}")
    if not result.verified:
        raise typer.Exit(EXIT_MISMATCH)
