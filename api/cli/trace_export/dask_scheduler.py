"""Tracing on a Dask scheduler's workers, gathered window by window in time order."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd
from dask.distributed import Client

from greenproof.grids import map_intervals

from ...usecases.errors import SchedulerUnavailableError
from .interval_trace import IntervalTrace
from .sources import GridSource

__all__ = ["SCHEDULER_TIMEOUT_S", "trace_on_scheduler"]

#: Seconds to wait for the Dask scheduler before giving up.
SCHEDULER_TIMEOUT_S = 10.0


def trace_on_scheduler(address: str, source: GridSource, profiles: pd.DataFrame,
                       task: Callable[..., list[IntervalTrace]], chunk: int,
                       default_technology: str | None) -> Iterator[IntervalTrace]:
    """Run windows of (workers × chunk) intervals through ``map_intervals``; yield them in time order.

    One window at a time is gathered and written, so the driver holds at most one window of rows.
    """
    try:
        client = Client(address, timeout=SCHEDULER_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise SchedulerUnavailableError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        window = chunk * max(1, sum(client.nthreads().values()))
        for first in range(0, len(profiles), window):
            for result in map_intervals(client, source.factory, profiles.iloc[first:first + window], task,
                                        chunk=chunk, default_technology=default_technology):
                yield from result
