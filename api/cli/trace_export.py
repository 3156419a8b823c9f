"""Export traced energy per (injection, withdrawal, interval) of any grid as a streamed CSV file.

The work behind ``greenproof trace``: open a source (the Binhai park with its profiles, a
pandapower/SimBench case by name, or a pandapower JSON file), solve each interval
(:func:`~greenproof.grids.solve_series`, or :func:`~greenproof.grids.map_intervals` on a Dask
scheduler), trace it (:func:`~greenproof.attribution.trace_many`) and write every nonzero
allocation entry as one CSV row as soon as its interval is traced. Nothing grows with the
number of intervals except the per-withdrawal totals of the summary (one entry per device).

CSV columns (:data:`TRACE_COLUMNS`): ``interval_start_utc`` (ISO 8601, ``Z``; empty for a
source without profiles, which is one stored operating point), ``injection_id``, ``technology``
(the injecting device's own key; storage discharge is ``storage``: no state-of-charge provenance is
carried here), ``withdrawal_id``, ``withdrawal_kind`` (``load``, ``export``, ``storage_charge``),
``mwh`` (> 0). Rows are sorted by injection id, then withdrawal id, within each interval; intervals
are in time order. Device ids and signs are those of :mod:`greenproof.grids` (``"sgen:3"``).
"""

from __future__ import annotations

import csv
import functools
import gzip
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO

import numpy as np
import pandapower as pp
import pandas as pd
from dask.distributed import Client
from numpy.typing import NDArray
from pandapower.auxiliary import pandapowerNet
from rich.progress import Progress

from greenproof.attribution import (
    TECHNOLOGY_KEYS,
    Allocation,
    Snapshot,
    carbon_intensity,
    emission_factors,
    renewable_technologies,
    trace_many,
)
from greenproof.grids import (
    GridError,
    binhai,
    from_pandapower,
    load_case,
    map_intervals,
    simbench_profiles,
    solve_power_flow,
    solve_series,
    technology_of_type,
)
from greenproof.grids.timeseries import CHUNK

from ..usecases.attribution_results import PARK_TZ
from ..usecases.errors import SchedulerUnavailableError
from ..usecases.park_simulation import DEFAULT_SEED, INTERVAL, park_profiles

__all__ = [
    "INTENSITY_COLUMNS",
    "PARK",
    "SCHEDULER_TIMEOUT_S",
    "STATIC_HOURS",
    "TRACE_COLUMNS",
    "IntervalTrace",
    "TraceMethod",
    "TraceSummary",
    "WithdrawalTotal",
    "export_trace",
    "trace_intervals",
    "write_intervals",
]

#: Source name of the Binhai park model.
PARK = "park"
#: Columns of the trace CSV.
TRACE_COLUMNS = ("interval_start_utc", "injection_id", "technology", "withdrawal_id", "withdrawal_kind", "mwh")
#: Columns of the nodal-intensity CSV (bus ids as in the Snapshot: fused buses, negative trafo3w star buses).
INTENSITY_COLUMNS = ("interval_start_utc", "bus", "t_co2_per_mwh")
#: Length given to the one interval of a source without profiles (its stored operating point), h.
STATIC_HOURS = 1.0
#: Seconds to wait for the Dask scheduler before giving up.
SCHEDULER_TIMEOUT_S = 10.0
#: First interval of the park when no --start is given: the park-local year of its default profiles.
_PARK_DEFAULT_START = datetime(2025, 1, 1, tzinfo=PARK_TZ)
#: Untracked storage discharge has no emission factor (attribution: NaN); the nodal-intensity export
#: charges it the national average (``other``, China 2022, 0.5366 tCO2/MWh) rather than failing.
_UNTRACKED_STORAGE_PROXY = "other"
_RENEWABLE = np.isin(np.array(TECHNOLOGY_KEYS), sorted(renewable_technologies()))
_GENERATOR_TABLES = ("gen", "sgen", "asymmetric_sgen")


class TraceMethod(StrEnum):
    """How losses are charged (see docs/attribution.md): to withdrawals, to injections, or split."""

    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    AVERAGE = "average"


@dataclass(frozen=True)
class WithdrawalTotal:
    """Totals of one withdrawal (or of one withdrawal kind) over the exported intervals.

    Attributes
    ----------
    withdrawal_id : str
        Device id, or the kind itself for a per-kind total.
    kind : str
        ``load``, ``export`` or ``storage_charge``.
    demand_mwh : float
        Its own demand, MWh.
    supplied_mwh : float
        Traced energy reaching it (upstream: demand plus its share of losses), MWh.
    renewable_mwh : float
        Renewable part of ``supplied_mwh``, MWh.
    """

    withdrawal_id: str
    kind: str
    demand_mwh: float
    supplied_mwh: float
    renewable_mwh: float

    @property
    def renewable_share(self) -> float:
        """Renewable share of the traced supply (NaN when nothing was supplied)."""
        return self.renewable_mwh / self.supplied_mwh if self.supplied_mwh > 0 else float("nan")



@dataclass(frozen=True)
class TraceSummary:
    """What ``export_trace`` wrote and the energy balance of the exported intervals (MWh).

    Attributes
    ----------
    source, method : str
    intervals : int
        Intervals traced.
    rows : int
        Data rows written to the trace CSV.
    generation_mwh, consumption_mwh : float
        Sum of all injections / all withdrawals (loads, export, storage charging), MWh.
    withdrawals : tuple of WithdrawalTotal
        One per withdrawal device, largest ``supplied_mwh`` first.
    """

    source: str
    method: str
    intervals: int
    rows: int
    generation_mwh: float
    consumption_mwh: float
    withdrawals: tuple[WithdrawalTotal, ...]

    @property
    def losses_mwh(self) -> float:
        """Network losses, generation minus consumption, MWh."""
        return self.generation_mwh - self.consumption_mwh

    @property
    def traced_mwh(self) -> float:
        """Sum of the ``mwh`` column, MWh."""
        return sum(w.supplied_mwh for w in self.withdrawals)

    def by_kind(self) -> tuple[WithdrawalTotal, ...]:
        """Totals per withdrawal kind (``withdrawal_id`` ``"all <kind>"``), sorted by kind."""
        kinds: dict[str, list[float]] = {}
        for w in self.withdrawals:
            acc = kinds.setdefault(w.kind, [0.0, 0.0, 0.0])
            acc[0] += w.demand_mwh
            acc[1] += w.supplied_mwh
            acc[2] += w.renewable_mwh
        return tuple(WithdrawalTotal(f"all {kind}", kind, *acc) for kind, acc in sorted(kinds.items()))


@dataclass(frozen=True)
class IntervalTrace:
    """One traced interval, ready to write (picklable: what a Dask task sends back).

    Attributes
    ----------
    start_utc : str
        Interval start, ISO 8601 UTC (``""`` for a stored operating point).
    injection_id, technology, withdrawal_id, withdrawal_kind : (n_row,) str
    mwh : (n_row,) float64
        Nonzero allocation entries, MWh, sorted by (injection id, withdrawal id).
    totals_id, totals_kind : (n_wd,) str
    demand_mwh, supplied_mwh, renewable_mwh : (n_wd,) float64
        Per withdrawal: own demand, traced supply, its renewable part, MWh.
    generation_mwh : float
        All injections of the interval, MWh.
    bus_ids : (n_bus,) int64 or None
    bus_t_per_mwh : (n_bus,) float64 or None
        Nodal carbon intensity, tCO2/MWh (NaN where nothing flows), when asked for.
    """

    start_utc: str
    injection_id: NDArray[np.str_]
    technology: NDArray[np.str_]
    withdrawal_id: NDArray[np.str_]
    withdrawal_kind: NDArray[np.str_]
    mwh: NDArray[np.float64]
    totals_id: NDArray[np.str_]
    totals_kind: NDArray[np.str_]
    demand_mwh: NDArray[np.float64]
    supplied_mwh: NDArray[np.float64]
    renewable_mwh: NDArray[np.float64]
    generation_mwh: float
    bus_ids: NDArray[np.int64] | None = None
    bus_t_per_mwh: NDArray[np.float64] | None = None


@dataclass
class _Totals:
    """Per-withdrawal accumulators of the summary (one entry per device, not per interval)."""

    intervals: int = 0
    rows: int = 0
    generation_mwh: float = 0.0
    by_withdrawal: dict[str, list[float]] = field(default_factory=dict)
    kind_of: dict[str, str] = field(default_factory=dict)

    def add(self, item: IntervalTrace) -> None:
        self.intervals += 1
        self.rows += len(item.mwh)
        self.generation_mwh += item.generation_mwh
        for k, wid in enumerate(item.totals_id.tolist()):
            acc = self.by_withdrawal.setdefault(wid, [0.0, 0.0, 0.0])
            acc[0] += float(item.demand_mwh[k])
            acc[1] += float(item.supplied_mwh[k])
            acc[2] += float(item.renewable_mwh[k])
            self.kind_of[wid] = str(item.totals_kind[k])

    def summary(self, source: str, method: str) -> TraceSummary:
        withdrawals = sorted((WithdrawalTotal(wid, self.kind_of[wid], *acc) for wid, acc in self.by_withdrawal.items()),
                             key=lambda w: (-w.supplied_mwh, w.withdrawal_id))
        return TraceSummary(source=source, method=method, intervals=self.intervals, rows=self.rows,
                            generation_mwh=self.generation_mwh,
                            consumption_mwh=sum(w.demand_mwh for w in withdrawals), withdrawals=tuple(withdrawals))


@dataclass(frozen=True)
class _Source:
    """A network to trace: built locally once, rebuilt on Dask workers by ``factory``."""

    name: str
    net: pandapowerNet
    factory: Callable[[], pandapowerNet]
    profiles: pd.DataFrame | None  # None: one stored operating point


def _utc_text(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _interval_trace(snapshot: Snapshot, allocation: Allocation, intensity: bool) -> IntervalTrace:
    """Nonzero entries of ``allocation`` in MWh sorted by (injection id, withdrawal id), and its totals."""
    entries = allocation.mwh.tocoo()
    keep = entries.data > 0
    rows, cols, mwh = entries.row[keep], entries.col[keep], entries.data[keep]
    order = np.lexsort((allocation.withdrawal_id[cols], allocation.injection_id[rows]))
    rows, cols, mwh = rows[order], cols[order], mwh[order]
    hours = allocation.duration_h
    renewable_mw = allocation.technology_mix_mw[:, _RENEWABLE].sum(axis=1)
    buses, bus_intensity = None, None
    if intensity:
        ci = carbon_intensity(snapshot, {"storage": emission_factors()[_UNTRACKED_STORAGE_PROXY]})
        buses, bus_intensity = ci.bus_ids, ci.bus_t_per_mwh
    return IntervalTrace(
        start_utc=_utc_text(allocation.start), injection_id=allocation.injection_id[rows],
        technology=allocation.injection_technology[rows], withdrawal_id=allocation.withdrawal_id[cols],
        withdrawal_kind=allocation.withdrawal_kind[cols], mwh=mwh,
        totals_id=allocation.withdrawal_id, totals_kind=allocation.withdrawal_kind,
        demand_mwh=allocation.withdrawal_mw * hours, supplied_mwh=allocation.supplied_mw * hours,
        renewable_mwh=renewable_mw * hours, generation_mwh=float(allocation.injection_mw.sum() * hours),
        bus_ids=buses, bus_t_per_mwh=bus_intensity)


def trace_intervals(snapshots: Iterable[Snapshot], method: str, intensity: bool) -> Iterator[IntervalTrace]:
    """Yield each snapshot's :class:`IntervalTrace`, consuming ``snapshots`` one at a time.

    ``trace_many`` reuses the topology work between consecutive snapshots; ``intensity`` adds the
    nodal carbon intensity (one more sparse solve per interval).
    """
    current: list[Snapshot] = []

    def feed() -> Iterator[Snapshot]:
        for snapshot in snapshots:
            current[:] = [snapshot]
            yield snapshot

    for allocation in trace_many(feed(), method=method):
        yield _interval_trace(current[0], allocation, intensity)


def _trace_chunk(snapshots: Iterator[Snapshot], *, method: str, intensity: bool) -> list[IntervalTrace]:
    """Dask task body: one chunk's traced intervals (rows, not snapshots, travel back)."""
    return list(trace_intervals(snapshots, method, intensity))


def write_intervals(items: Iterable[IntervalTrace], trace_out: IO[str], intensity_out: IO[str] | None = None,
                    *, on_interval: Callable[[], None] | None = None) -> _Totals:
    """Write each traced interval's rows as soon as it arrives; return the running totals.

    Parameters
    ----------
    items : iterable of traced intervals
        Consumed lazily, one at a time; nothing but the per-withdrawal totals is kept.
    trace_out, intensity_out : text streams
        Receive the rows (headers are the caller's).
    on_interval : callable, optional
        Called after each interval is written (progress).
    """
    rows = csv.writer(trace_out, lineterminator="\n")
    buses = csv.writer(intensity_out, lineterminator="\n") if intensity_out is not None else None
    totals = _Totals()
    for item in items:
        rows.writerows(zip([item.start_utc] * len(item.mwh), item.injection_id.tolist(), item.technology.tolist(),
                           item.withdrawal_id.tolist(), item.withdrawal_kind.tolist(),
                           [f"{v:.12g}" for v in item.mwh.tolist()], strict=True))
        if buses is not None and item.bus_ids is not None and item.bus_t_per_mwh is not None:
            buses.writerows((item.start_utc, bus, "" if np.isnan(e) else f"{e:.9g}")
                            for bus, e in zip(item.bus_ids.tolist(), item.bus_t_per_mwh.tolist(), strict=True))
        totals.add(item)
        if on_interval is not None:
            on_interval()
    return totals


def _read_json(path: Path) -> pandapowerNet:
    try:
        net: pandapowerNet = pp.from_json(str(path))
    except Exception as exc:  # pandapower raises many kinds (JSON, KeyError, UserWarning as error)
        raise GridError(f"{path} is not a pandapower JSON network: {exc}") from exc
    return net


def _open_source(source: str, start: datetime | None, end: datetime | None, intervals: int | None,
                 seed: int) -> _Source:
    if source == PARK:
        first = start or _PARK_DEFAULT_START.astimezone(UTC)
        last = end or (first + intervals * INTERVAL if intervals else
                       datetime(first.astimezone(PARK_TZ).year + 1, 1, 1, tzinfo=PARK_TZ).astimezone(UTC))
        return _Source(PARK, binhai.build_park(), binhai.build_park, park_profiles(first, last, seed))
    path = Path(source)
    if path.is_file():
        factory = functools.partial(_read_json, path.resolve())
        return _Source(source, factory(), factory, None)
    try:
        net = load_case(source)
    except GridError as exc:
        raise GridError(f"unknown source {source!r}: not {PARK!r}, not a pandapower JSON file, and {exc}") from exc
    has_profiles = "profiles" in net and any(len(v) for v in net.profiles.values())
    return _Source(source, net, functools.partial(load_case, source), simbench_profiles(net) if has_profiles else None)


def _rows_of_period(profiles: pd.DataFrame, start: datetime | None, end: datetime | None,
                    intervals: int | None) -> pd.DataFrame:
    """Contiguous profile rows of [start, end) or ``intervals`` rows from ``start`` (a view, not a copy)."""
    index = profiles.index
    first = 0 if start is None else int(index.searchsorted(pd.Timestamp(start)))
    stop = len(index) if end is None else int(index.searchsorted(pd.Timestamp(end)))
    if intervals is not None:
        stop = min(len(index), first + intervals)
    if stop <= first:
        raise GridError(f"no profile interval in the requested period: the profiles cover {index[0].isoformat()} .. "
                        f"{index[-1].isoformat()}")
    return profiles.iloc[first:stop]


def _check_technologies(net: pandapowerNet, source: str, default_technology: str | None) -> None:
    """Refuse before solving when in-service generators have no technology (all are named at once)."""
    if default_technology is not None:
        return
    untyped = []
    for table in _GENERATOR_TABLES:
        df = net.get(table)
        if not isinstance(df, pd.DataFrame) or not len(df):
            continue
        for index, row in df[df["in_service"].astype(bool)].iterrows():
            if technology_of_type(row.get("type")) is None and technology_of_type(row.get("profile")) is None:
                untyped.append(f"{table}:{index} (type {row.get('type')!r})")
    if untyped:
        raise GridError(f"{source}: no technology for {', '.join(untyped[:10])}"
                        f"{f' and {len(untyped) - 10} more' if len(untyped) > 10 else ''}; pass --default-technology "
                        f"KEY (one of {', '.join(TECHNOLOGY_KEYS)})")


def _static_interval(source: _Source, start: datetime | None, default_technology: str | None) -> Iterator[Snapshot]:
    net = source.net
    solve_power_flow(net)
    yield from_pandapower(net, duration_h=STATIC_HOURS, start=start, default_technology=default_technology)


def _distributed(address: str, source: _Source, profiles: pd.DataFrame, task: Callable[..., list[IntervalTrace]],
                 chunk: int, default_technology: str | None) -> Iterator[IntervalTrace]:
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


def _opener(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8", newline="")
    return path.open("w", encoding="utf-8", newline="")


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
        Kang et al. 2015; untracked storage discharge charged the national average factor).
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
    grid = _open_source(source, start, end, intervals, seed)
    _check_technologies(grid.net, source, default_technology)
    intensity = nodal_intensity is not None
    items: Iterator[IntervalTrace]
    if grid.profiles is None:
        if end is not None or (intervals or 1) != 1 or scheduler is not None:
            raise GridError(f"{source} has no profiles: it is one stored operating point ({STATIC_HOURS:g} h); "
                            "omit --end, --intervals and --scheduler")
        total = 1
        items = trace_intervals(_static_interval(grid, start, default_technology), method, intensity)
    else:
        profiles = _rows_of_period(grid.profiles, start, end, intervals)
        total = len(profiles)
        if scheduler is None:
            snapshots = solve_series(grid.net, profiles, progress=False, default_technology=default_technology)
            items = trace_intervals(snapshots, method, intensity)
        else:
            task = functools.partial(_trace_chunk, method=method, intensity=intensity)
            items = _distributed(scheduler, grid, profiles, task, chunk, default_technology)
    with ExitStack() as files, Progress(disable=not progress, transient=True) as bar:
        trace_out = files.enter_context(_opener(out))
        trace_out.write(",".join(TRACE_COLUMNS) + "\n")
        intensity_out = files.enter_context(_opener(nodal_intensity)) if nodal_intensity is not None else None
        if intensity_out is not None:
            intensity_out.write(",".join(INTENSITY_COLUMNS) + "\n")
        task_id = bar.add_task(f"tracing {source} ({method})", total=total)
        totals = write_intervals(items, trace_out, intensity_out, on_interval=lambda: bar.advance(task_id))
    return totals.summary(source, method)

