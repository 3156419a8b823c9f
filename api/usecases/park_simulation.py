"""Solved snapshots of the Binhai park model for any period (deterministic profiles, fast power flow)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

import pandas as pd

from greenproof.attribution import Snapshot
from greenproof.grids import GridError, binhai
from greenproof.grids.binhai_registry import DEFAULT_SEED
from greenproof.grids.timeseries import solve_series
from greenproof.ledger.meters import MeterReading

from .attribution_results import PARK_TZ
from .errors import InvalidPeriodError
from .periods import Period
from .units import WH_PER_MWH

__all__ = [
    "DEFAULT_SEED",
    "INTERVAL",
    "check_interval_grid",
    "park_profiles",
    "simulate_period",
    "simulate_readings",
    "snapshot_readings",
]

#: Interval length of the park model.
INTERVAL = timedelta(minutes=15)


def check_interval_grid(start: datetime, end: datetime) -> None:
    """Check that ``[start, end)`` is a non-empty run of whole 15-minute intervals.

    Raises
    ------
    InvalidPeriodError
        Naming the bound that is off the grid, or an empty period.
    """
    for name, moment in (("start", start), ("end", end)):
        if int(moment.timestamp()) % int(INTERVAL.total_seconds()) or moment.microsecond:
            raise InvalidPeriodError(f"period {name} {moment.isoformat()} is not on the 15-minute grid")
    Period.nonempty(start, end)


def park_profiles(start: datetime, end: datetime, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Return the park's 15-minute device profiles of ``[start, end)`` (UTC index).

    Profiles are generated per park-local calendar year (:func:`greenproof.grids.binhai.profiles`);
    a period crossing New Year joins two years.

    Raises
    ------
    InvalidPeriodError
        If the period is off the 15-minute grid or in a year the model has no profiles for.
    """
    check_interval_grid(start, end)
    first, last = start.astimezone(PARK_TZ).year, (end - INTERVAL).astimezone(PARK_TZ).year
    try:
        frame = pd.concat([binhai.profiles(year=year, seed=seed) for year in range(first, last + 1)])
    except GridError as exc:  # e.g. China's public holidays are known for a limited range of years
        years = str(first) if first == last else f"{first}–{last}"
        raise InvalidPeriodError(f"the park model has no profiles for {years}: {exc}") from exc
    return frame.loc[pd.Timestamp(start):pd.Timestamp(end - INTERVAL)]


def simulate_period(start: datetime, end: datetime, *, seed: int = DEFAULT_SEED, progress: bool = False
                    ) -> Iterator[Snapshot]:
    """Yield the solved park snapshot of every 15-minute interval of ``[start, end)``, in time order.

    Raises
    ------
    InvalidPeriodError
        If the period is not a run of whole 15-minute intervals.
    GridError
        If an interval does not converge (named by its start).
    """
    return solve_series(binhai.build_park(), park_profiles(start, end, seed), progress=progress)


def snapshot_readings(snapshot: Snapshot, plant_devices: Mapping[str, str], interval_s: int = 900
                      ) -> list[MeterReading]:
    """Return the solved output of each plant in ``snapshot`` as a meter reading (whole Wh, ``source="simulated"``).

    Parameters
    ----------
    snapshot : Snapshot
        A solved interval with its ``start`` set.
    plant_devices : mapping
        Injection device id → plant code; a plant absent from the snapshot reads 0 Wh.
    interval_s : int
        Interval length, seconds.
    """
    if snapshot.start is None:
        raise InvalidPeriodError("a snapshot without a start time cannot become meter readings")
    output_mw = dict(zip(snapshot.injections.device_id.tolist(), snapshot.injections.p_mw.tolist(), strict=True))
    start_s = int(snapshot.start.timestamp())
    return [MeterReading(plant_code=code, interval_start=start_s, interval_s=interval_s,
                         energy_wh=int(output_mw.get(device, 0.0) * snapshot.duration_h * WH_PER_MWH),
                         source="simulated")
            for device, code in sorted(plant_devices.items())]


def simulate_readings(start: datetime, end: datetime, *, seed: int = DEFAULT_SEED, progress: bool = False
                      ) -> list[MeterReading]:
    """Return the park model's renewable plants' output over ``[start, end)`` as 15-minute meter readings."""
    plant_devices = {plant.device_id: plant.code for plant in binhai.PLANTS if plant.renewable}
    return [reading for snapshot in simulate_period(start, end, seed=seed, progress=progress)
            for reading in snapshot_readings(snapshot, plant_devices)]
