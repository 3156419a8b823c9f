"""``greenproof leaves``: export the published leaf files an auditor checks a firm's certificates with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..exit_codes import EXIT_BAD_INPUT, exit_codes, fail
from ..options import DatabaseOption, FirmArgument, app_state, utc
from ..output import console

__all__ = ["app"]

app = typer.Typer(help="Export published leaf files (the certificates of a batch, with their Merkle root).",
                  no_args_is_help=True)


@app.command("export")
def leaves_export(
    firm: FirmArgument,
    out_dir: Annotated[Path, typer.Option(help="Folder to write the leaf files to (created if needed).")
                       ] = Path("leaves"),
    start: Annotated[str | None, typer.Option(help="Only batches with the firm's leaves from this instant (ISO "
                                                   "8601 with offset).", show_default="every interval")] = None,
    end: Annotated[str | None, typer.Option(help="Only batches with the firm's leaves before this instant.",
                                            show_default="every interval")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write the leaf file of every issued batch holding FIRM's certificates, and print FIRM's account last.

    Each file is leaf-file-BATCH_ID.json (canonical JSON, docs/ledger.md): every leaf of the
    batch, so anyone can rebuild its Merkle root and compare it with the root anchored on-chain.
    The last line printed is the firm's certificate account, the holder address that
    `greenproof audit HOLDER FILE...` checks: `HOLDER=$(greenproof leaves export GH2 | tail -1)`.
    """
    from ...usecases.leaf_export import holder_leaf_files
    from ...usecases.periods import OptionalPeriod

    with exit_codes():
        period = OptionalPeriod(utc(start, "--start") if start else None, utc(end, "--end") if end else None)
        with app_state(database_url) as state, state.session_factory() as session:
            exported = holder_leaf_files(session, firm, period, state.leaf_files)
    if not exported.files:
        fail(EXIT_BAD_INPUT, f"no issued batch holds certificates of {exported.firm_code} in that period: run "
                             "`greenproof attribute` and `greenproof issue` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    for file in exported.files:
        target = out_dir / f"leaf-file-{file.batch_id}.json"
        target.write_bytes(file.to_bytes())
        console.print(f"wrote {target} ({len(file.allocation_leaves):,} allocation leaves, root {file.root})")
    console.print(f"{exported.leaves:,} leaves of {exported.firm_code} in {len(exported.files)} file(s); "
                  f"its certificate account (the holder to audit):")
    console.print(exported.holder, soft_wrap=True, highlight=False)
