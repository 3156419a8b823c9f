"""The park operator's commands: ``simulate``, ``attribute`` and ``issue``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ...usecases.app_state import AppState
from ...usecases.meter_upload import readings_to_csv
from ...usecases.park_runs import batch_public, issue_pending, run_attribution
from ...usecases.park_simulation import DEFAULT_SEED, simulate_readings
from ...usecases.schemas import IssuanceMode
from ...usecases.units import mwh
from ..exit_codes import exit_codes
from ..options import DatabaseOption, EndArgument, SeedOption, StartArgument, settings, utc
from ..output import console, print_firms

__all__ = ["attribute", "issue", "simulate"]


def simulate(
    start: StartArgument, end: EndArgument,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write the readings as a meter-data CSV file.")] = None,
    seed: SeedOption = DEFAULT_SEED,
) -> None:
    """Solve the Binhai park model over [START, END) and report each renewable plant's generation.

    With --csv, the 15-minute readings are written in the upload format of POST /park/meter-readings/csv.
    """
    with exit_codes():
        readings = simulate_readings(utc(start, "START"), utc(end, "END"), seed=seed, progress=True)
    totals: dict[str, int] = {}
    for reading in readings:
        totals[reading.plant_code] = totals.get(reading.plant_code, 0) + int(reading.energy_wh or 0)
    table = Table("plant", "generation MWh", title="Simulated renewable generation")
    for code, wh in sorted(totals.items()):
        table.add_row(code, f"{mwh(wh):,.3f}")
    console.print(table)
    if csv_file is not None:
        csv_file.write_text(readings_to_csv(readings), encoding="utf-8")
        console.print(f"wrote {len(readings)} readings to {csv_file}")


def attribute(
    start: StartArgument, end: EndArgument, database_url: DatabaseOption = None,
    simulated_meters: Annotated[bool, typer.Option(
        "--simulated-meters/--uploaded-meters",
        help="Store the model's plant output as meter readings, or use readings already uploaded.")] = False,
    mode: Annotated[IssuanceMode, typer.Option(help="Issuance mode of the batch.")] = IssuanceMode.ANCHOR,
    seed: SeedOption = DEFAULT_SEED,
) -> None:
    """Solve and trace the park over [START, END); store per-firm results and a pending certificate batch.

    Needs GREENPROOF_ISSUER_KEY (the firms' custodial accounts derive from it). Send the batch with `issue`.
    """
    with exit_codes():
        state = AppState.start(settings(database_url=database_url))
        try:
            run = run_attribution(state.session_factory, state.chain.issuer_key(), utc(start, "START"),
                                  utc(end, "END"), simulated_meters=simulated_meters, mode=mode.value, seed=seed,
                                  progress=True)
        finally:
            state.close()
    print_firms(run)
    console.print(f"pending batch {run.batch_id} ({run.intervals} intervals); send it with `greenproof issue`")


def issue(database_url: DatabaseOption = None) -> None:
    """Send every pending or interrupted batch to the chain and confirm it (GREENPROOF_CHAIN_* settings)."""
    with exit_codes():
        state = AppState.start(settings(database_url=database_url))
        try:
            batches = [batch_public(b) for b in issue_pending(state.session_factory, state.chain.client())]
        finally:
            state.close()
    table = Table("batch", "period start (UTC)", "mode", "state", "block", title="Issued batches")
    for batch in batches:
        table.add_row(batch.batch_id, batch.period_start.isoformat(), batch.mode, batch.state,
                      str(batch.block_number))
    console.print(table if batches else "no pending batch")
