"""The park operator's commands: ``simulate``, ``attribute`` and ``issue``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from greenproof.grids.binhai_registry import DEFAULT_SEED

from ...usecases.issuance_mode import IssuanceMode
from ..exit_codes import exit_codes
from ..options import DatabaseOption, EndArgument, SeedOption, StartArgument, app_state, utc
from ..output import console, print_firms

if TYPE_CHECKING:
    from datetime import datetime

    from ...usecases.schemas import BatchPublic

__all__ = ["MAX_BATCHES_LISTED", "attribute", "describe_batch", "issue", "simulate"]

#: Day batches ``attribute`` lists one by one; a longer run prints their count and the first and last.
MAX_BATCHES_LISTED = 7


def describe_batch(batch_id: str, start: datetime, end: datetime, state: str, block: int | None,
                   error: str | None = None) -> str:
    """Return one line naming a batch, its period and where it stands on-chain (``attribute`` and ``issue`` agree)."""
    where = {"confirmed": f"anchored in block {block}",
             "sent": f"sent in block {block}, not yet confirmed: `greenproof issue` confirms it",
             "pending": "pending: send it with `greenproof issue`"}.get(state, f"{state}: {error}")
    return f"batch {batch_id} ({start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC), {where}"


def _describe(batch: BatchPublic) -> str:
    return describe_batch(batch.batch_id, batch.period_start, batch.period_end, batch.state, batch.block_number,
                          batch.error)


def simulate(
    start: StartArgument, end: EndArgument,
    csv_file: Annotated[Path | None, typer.Option(
        "--csv", help="Write the 15-minute readings to this meter-data CSV file (`greenproof meters load` reads it).",
        show_default="no file")] = None,
    seed: SeedOption = DEFAULT_SEED,
) -> None:
    """Solve the Binhai park model over [START, END) and report each renewable plant's generation.

    The renewable plants are the offshore wind farms H1, H2 and H3 (SPIC Binhai North and South,
    100, 400 and 300 MW) and the fishery-pond solar plant PV147 (147 MW). With --csv, their
    15-minute output is written as meter readings, in the format `greenproof meters load` and
    POST /park/meter-readings/csv read.
    """
    from greenproof.grids.binhai_registry import PLANTS

    from ...usecases.meter_upload import readings_to_csv
    from ...usecases.park_simulation import simulate_readings
    from ...usecases.units import mwh

    with exit_codes():
        readings = simulate_readings(utc(start, "START"), utc(end, "END"), seed=seed, progress=True)
    totals: dict[str, int] = {}
    for reading in readings:
        totals[reading.plant_code] = totals.get(reading.plant_code, 0) + int(reading.energy_wh or 0)
    table = Table("plant", "name", "capacity MW", "generation MWh", title="Simulated renewable generation")
    for plant in PLANTS:
        if plant.code in totals:
            table.add_row(plant.code, plant.name_en, f"{plant.capacity_mw:,.0f}", f"{mwh(totals[plant.code]):,.3f}")
    console.print(table)
    if csv_file is not None:
        csv_file.write_text(readings_to_csv(readings), encoding="utf-8")
        console.print(f"wrote {len(readings):,} readings to {csv_file}; load them with "
                      f"`greenproof meters load {csv_file}`")


def attribute(
    start: StartArgument, end: EndArgument, database_url: DatabaseOption = None,
    simulated_meters: Annotated[bool, typer.Option(
        "--simulated-meters/--uploaded-meters",
        help="Store the model's plant output as meter readings, or use readings already loaded "
             "(`greenproof meters load`).")] = False,
    mode: Annotated[IssuanceMode, typer.Option(help="Issuance mode of the batch: one Merkle root the holders "
                                                    "claim from (anchor), or a mint of every line (direct).")
                    ] = IssuanceMode.ANCHOR,
    seed: SeedOption = DEFAULT_SEED,
) -> None:
    """Solve and trace the park over [START, END); store per-firm results and one certificate batch per park day.

    Park days run from midnight to midnight in park time (UTC+8); a period is read, traced and
    written one day at a time, so a year takes the memory of a day. Needs the issuer key (the
    firms' custodial accounts derive from it): `greenproof chain up` writes it to the settings
    file. Send new batches with `greenproof issue`; tracing a period again from the same inputs
    finds its batches, issued or not.
    """
    from ...usecases.park_runs import run_attribution

    with exit_codes(), app_state(database_url) as state:
        run = run_attribution(state.session_factory, state.chain.issuer_key(), utc(start, "START"), utc(end, "END"),
                              simulated_meters=simulated_meters, mode=mode.value, seed=seed, progress=True)
    print_firms(run)
    shown = run.batches if len(run.batches) <= MAX_BATCHES_LISTED else (run.batches[0], run.batches[-1])
    if len(shown) < len(run.batches):
        states = Counter(batch.state for batch in run.batches)
        console.print(f"certificates in {len(run.batches)} day batches ("
                      f"{', '.join(f'{n} {state}' for state, n in sorted(states.items()))}); first and last:")
    for batch in shown:
        line = describe_batch(batch.batch_id, batch.period_start, batch.period_end, batch.state, batch.block_number)
        console.print(f"already issued in {line}" if batch.state == "confirmed" else f"certificates in {line}")


def issue(database_url: DatabaseOption = None) -> None:
    """Send every pending or interrupted batch to the chain and confirm it (chain from the settings)."""
    from ...usecases.park_issuance import batch_public, issue_pending, newest_issued_batch

    with exit_codes(), app_state(database_url) as state:
        batches = [batch_public(b) for b in issue_pending(state.session_factory, state.chain.client())]
        newest = newest_issued_batch(state.session_factory)
    for batch in batches:
        console.print(f"issued {_describe(batch)}")
    if not batches:
        latest = f"; the latest issued is {_describe(batch_public(newest))}" if newest is not None else ""
        console.print(f"no pending batch: nothing to send{latest}")
