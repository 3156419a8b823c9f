"""``greenproof demo``: the whole pipeline on one park day, on a throwaway chain or (``--keep``) the local one."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from ...usecases.data_folder import DATA_FOLDER
from ..exit_codes import EXIT_BAD_INPUT, EXIT_MISMATCH, exit_codes, fail
from ..local_node import DEFAULT_PORT
from ..options import DatabaseOption
from ..output import console, print_checks, print_firms, wh

__all__ = ["demo"]


def demo(
    database_url: DatabaseOption = None,
    keep: Annotated[bool, typer.Option(
        "--keep/--no-keep",
        help="Leave what the other commands use: the local chain still running (stop it with `greenproof chain "
             "down`), the ledger and settings in greenproof-data/, the leaf file and the provenance record "
             "(JSON, HTML, PDF, QR code) in greenproof-data/demo/. Needs greenproof-data/ absent or empty.")] = False,
    port: Annotated[int, typer.Option(help="Port of the local chain, with --keep.", min=1, max=65535,
                                      envvar="GREENPROOF_CHAIN_PORT")] = DEFAULT_PORT,
) -> None:
    """Run the whole pipeline on one park day; no configuration needed.

    Builds the Binhai park, solves the day at 15 min, traces it, anchors the certificates (the battery's
    charge records with them), retires one storage discharge certificate, retires a hydrogen shipment
    for the GH2 exporter, and verifies it from the chain and the leaf file.
    Without --keep the chain (an in-memory Anvil) and the ledger are deleted at the end.
    Exits 1 if the verification fails.
    """
    from ..demo import DEMO_EXPORTER, run_demo

    if keep and DATA_FOLDER.is_dir() and any(DATA_FOLDER.iterdir()):
        fail(EXIT_BAD_INPUT, f"{DATA_FOLDER}/ is not empty (a chain, ledger or keys are there): run `greenproof "
                             f"chain down` and move {DATA_FOLDER}/ away first, or run the demo without --keep")
    started = time.perf_counter()
    with exit_codes():
        result = run_demo(database_url=database_url, keep=keep, port=port, progress=True,
                          report=lambda step: console.print(f"[cyan]•[/cyan] {step}"))
    print_firms(result.run)
    if result.storage is not None:
        s = result.storage
        console.print(f"park battery: {wh(s.charged_renewable_wh)} renewable charged (certificates cancelled into its "
                      f"storage account), {wh(s.charged_other_wh)} other; {wh(s.discharged_wh)} discharged, "
                      f"{wh(s.certified_wh)} re-issued as discharge certificates with their original plant and "
                      f"interval; {wh(s.retired_wh)} retired" + (f" by {s.retired_by}" if s.retired_by else ""))
    print_checks(result.record_check)
    leaves = result.leaves_check
    console.print(f"{len(leaves.leaves)} leaves of {DEMO_EXPORTER} checked from the chain and the published leaf "
                  f"file ({'all proven' if leaves.ok else 'NOT all proven'}); {wh(leaves.retired_wh)} retired "
                  "on-chain. A leaf is one line of the day's certificates (plant, 15-minute interval, holder, Wh): "
                  "its Merkle proof against the root anchored on-chain shows it was issued.")
    verdict = "[bold green]VERIFIED[/bold green]" if result.verified else "[bold red]FAILED[/bold red]"
    console.print(f"provenance record {result.record.claim_ref}: {verdict} ({time.perf_counter() - started:.1f} s)")
    kept = result.kept
    if kept is None:
        console.print("the chain and the ledger were temporary and are gone; `greenproof demo --keep` keeps them")
    else:
        console.print(f"kept: chain at {kept.rpc_url} (still running; `greenproof chain down` stops it), ledger "
                      f"{kept.database_url}, settings {kept.settings_file} (every command reads them), leaf file "
                      f"and provenance record in {kept.artifacts}/")
    if not result.verified:
        raise typer.Exit(EXIT_MISMATCH)
