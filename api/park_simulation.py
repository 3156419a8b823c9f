"""Solved snapshots of the Binhai park model for any period (deterministic profiles, fast power flow)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pandas as pd

from greenproof.attribution import Snapshot
from greenproof.grids import binhai
from greenproof.grids.timeseries import solve_series

from .attribution_results import PARK_TZ
from .errors import InvalidPeriodError

__all__ = ["DEFAULT_SEED", "INTERVAL", "check_interval_grid", "park_profiles", "simulate_period"]

#: Seed of the park profiles used unless another is given (same seed, same year, same data).
DEFAULT_SEED = 20250101
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
    if end <= start:
        raise InvalidPeriodError(f"period end {end.isoformat()} is not after its start {start.isoformat()}")


def park_profiles(start: datetime, end: datetime, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Return the park's 15-minute device profiles of ``[start, end)`` (UTC index).

    Profiles are generated per park-local calendar year (:func:`greenproof.grids.binhai.profiles`);
    a period crossing New Year joins two years.
    """
    check_interval_grid(start, end)
    first, last = start.astimezone(PARK_TZ).year, (end - INTERVAL).astimezone(PARK_TZ).year
    frame = pd.concat([binhai.profiles(year=year, seed=seed) for year in range(first, last + 1)])
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
