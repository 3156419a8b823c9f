"""The CSV files of an export: columns, gzip by file name, rows written as each interval arrives."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import numpy as np

from .interval_trace import IntervalTrace
from .summary import RunningTotals

__all__ = ["INTENSITY_COLUMNS", "TRACE_COLUMNS", "open_output", "write_intervals"]

#: Columns of the trace CSV.
TRACE_COLUMNS = ("interval_start_utc", "injection_id", "technology", "withdrawal_id", "withdrawal_kind", "mwh")
#: Columns of the nodal-intensity CSV (bus ids as in the Snapshot: fused buses, negative trafo3w star buses).
INTENSITY_COLUMNS = ("interval_start_utc", "bus", "t_co2_per_mwh")


def write_intervals(items: Iterable[IntervalTrace], trace_out: IO[str], intensity_out: IO[str] | None = None,
                    *, on_interval: Callable[[], None] | None = None) -> RunningTotals:
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
    totals = RunningTotals()
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


def open_output(path: Path) -> IO[str]:
    """Open ``path`` for writing CSV text, gzip-compressed when its name ends in ``.gz``."""
    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8", newline="")
    return path.open("w", encoding="utf-8", newline="")
