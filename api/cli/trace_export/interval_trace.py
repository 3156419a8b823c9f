"""One traced interval: its nonzero allocation entries, per-withdrawal totals and, on request, nodal intensity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from greenproof.attribution import (
    TECHNOLOGY_KEYS,
    Allocation,
    Snapshot,
    carbon_intensity,
    renewable_technologies,
    trace_snapshots,
)

__all__ = ["IntervalTrace", "trace_chunk", "trace_intervals"]

_RENEWABLE = np.isin(np.array(TECHNOLOGY_KEYS), sorted(renewable_technologies()))


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
        ci = carbon_intensity(snapshot)  # discharge of unknown provenance: the ``storage`` row's factor
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

    ``trace_snapshots`` traces consecutive intervals of one network together; ``intensity`` adds the
    nodal carbon intensity (one more sparse solve per interval).
    """
    for snapshot, allocation in trace_snapshots(snapshots, method=method):
        yield _interval_trace(snapshot, allocation, intensity)


def trace_chunk(snapshots: Iterator[Snapshot], *, method: str, intensity: bool) -> list[IntervalTrace]:
    """Dask task body: one chunk's traced intervals (rows, not snapshots, travel back)."""
    return list(trace_intervals(snapshots, method, intensity))
