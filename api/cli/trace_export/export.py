"""The export job: open the source, solve and trace each interval, stream the rows, return the summary."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from rich.progress import Progress

from greenproof.attribution import StorageLedger
from greenproof.grids import GridError, solve_series
from greenproof.grids.binhai_registry import DEFAULT_SEED
from greenproof.grids.timeseries import CHUNK

from .csv_output import INTENSITY_COLUMNS, TRACE_COLUMNS, open_output, write_intervals
from .dask_scheduler import trace_on_scheduler
from .interval_trace import IntervalTrace, trace_chunk, trace_intervals
from .sources import STATIC_HOURS, check_technologies, open_source, rows_of_period, static_interval
from .storage_provenance import carry_storage
from .summary import TraceSummary
from .trace_method import TraceMethod

__all__ = ["export_trace"]


def export_trace(source: str, out: Path, *, start: datetime | None = None, end: datetime | None = None,
                 intervals: int | None = None, method: str = "upstream", nodal_intensity: Path | None = None,
                 default_technology: str | None = None, scheduler: str | None = None, chunk: int = CHUNK,
                 seed: int = DEFAULT_SEED, progress: bool = False) -> TraceSummary:
    """Trace ``source`` interval by interval and stream MWh per (injection, withdrawal, interval) to ``out``.

    Parameters
    ----------
    source : str
        ``"park"``, a pandapower case (``"case9"`` …) or SimBench code, or a pandapower JSON file.
    out : Path
        Trace CSV (:data:`TRACE_COLUMNS`); gzip-compressed when it ends in ``.gz``.
    start, end : datetime, optional
        Period [start, end), UTC; default the whole profile table (the park: the park-local year of
        ``start``, 2025 by default). A source without profiles is one interval of
        :data:`STATIC_HOURS` at its stored operating point; ``start`` then only labels it.
    intervals : int, optional
        Number of intervals from ``start`` instead of ``end``.
    method : {"upstream", "downstream", "average"}
        Loss treatment (see docs/attribution.md).
    nodal_intensity : Path, optional
        Also write each bus's carbon intensity per interval (:data:`INTENSITY_COLUMNS`, tCO2/MWh,
        Kang et al. 2015; storage discharge of unknown provenance charged the East China grid factor).
    default_technology : str, optional
        Technology key of generators whose type maps to none.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``): intervals run through
        :func:`~greenproof.grids.map_intervals` in chunks of ``chunk``; output identical in order.
    seed : int
        Seed of the park profiles.
    progress : bool
        Show a rich progress bar.

    Raises
    ------
    GridError
        Unknown source (the message lists the valid names), untyped generators without
        ``default_technology`` (named), bad period, non-converging interval.
    SchedulerUnavailableError
        The scheduler cannot be reached.
    """
    if method not in tuple(TraceMethod):
        raise GridError(f"method {method!r} is not one of {', '.join(TraceMethod)}")
    if end is not None and intervals is not None:
        raise GridError("give either an end or a number of intervals, not both")
    grid = open_source(source, start, end, intervals, seed)
    check_technologies(grid.net, source, default_technology)
    intensity = nodal_intensity is not None
    items: Iterator[IntervalTrace]
    if grid.profiles is None:
        if end is not None or (intervals or 1) != 1 or scheduler is not None:
            raise GridError(f"{source} has no profiles: it is one stored operating point ({STATIC_HOURS:g} h); "
                            "omit --end, --intervals and --scheduler")
        total = 1
        items = trace_intervals(static_interval(grid, start, default_technology), method, intensity)
    else:
        profiles = rows_of_period(grid.profiles, start, end, intervals)
        total = len(profiles)
        if scheduler is None:
            snapshots = solve_series(grid.net, profiles, progress=False, default_technology=default_technology)
            items = trace_intervals(snapshots, method, intensity)
        else:
            task = functools.partial(trace_chunk, method=method, intensity=intensity)
            items = trace_on_scheduler(scheduler, grid, profiles, task, chunk, default_technology)
    items = carry_storage(items, StorageLedger())  # state-of-charge provenance, in time order across chunks
    with ExitStack() as files, Progress(disable=not progress, transient=True) as bar:
        trace_out = files.enter_context(open_output(out))
        trace_out.write(",".join(TRACE_COLUMNS) + "\n")
        intensity_out = files.enter_context(open_output(nodal_intensity)) if nodal_intensity is not None else None
        if intensity_out is not None:
            intensity_out.write(",".join(INTENSITY_COLUMNS) + "\n")
        task_id = bar.add_task(f"tracing {source} ({method})", total=total)
        totals = write_intervals(items, trace_out, intensity_out, on_interval=lambda: bar.advance(task_id))
    return totals.summary(source, method)
