"""Export traced energy per (injection, withdrawal, interval) of any grid as a streamed CSV file.

The work behind ``greenproof trace``: open a source (the Binhai park with its profiles, a
pandapower/SimBench case by name, or a pandapower JSON file), solve each interval
(:func:`~greenproof.grids.solve_series`, or :func:`~greenproof.grids.map_intervals` on a Dask
scheduler), trace it (:func:`~greenproof.attribution.trace_many`) and write every nonzero
allocation entry as one CSV row as soon as its interval is traced. Nothing grows with the
number of intervals except the per-withdrawal totals of the summary (one entry per device).

CSV columns (:data:`TRACE_COLUMNS`): ``interval_start_utc`` (ISO 8601, ``Z``; empty for a
source without profiles, which is one stored operating point), ``injection_id``, ``technology``
(the injecting device's own key; a storage unit's discharge is split into one row per origin
technology its state of charge holds — pro-rata pool, 85 % round trip, carried in time order
across intervals and Dask chunks by :mod:`.storage_provenance` — and ``storage`` for energy of
unknown origin, e.g. what it held before the period), ``withdrawal_id``, ``withdrawal_kind``
(``load``, ``export``, ``storage_charge``), ``mwh`` (> 0). Rows are sorted by injection id, then
withdrawal id, within each interval; intervals are in time order. Device ids and signs are those
of :mod:`greenproof.grids` (``"sgen:3"``).

The public names load their module on first use (:mod:`greenproof.attribution._lazy_exports`):
``greenproof --help`` reads :class:`TraceMethod` without importing pandapower or dask.
"""

from typing import TYPE_CHECKING

from greenproof.attribution._lazy_exports import lazy_exports

if TYPE_CHECKING:
    from .csv_output import INTENSITY_COLUMNS as INTENSITY_COLUMNS
    from .csv_output import TRACE_COLUMNS as TRACE_COLUMNS
    from .csv_output import write_intervals as write_intervals
    from .dask_scheduler import SCHEDULER_TIMEOUT_S as SCHEDULER_TIMEOUT_S
    from .export import export_trace as export_trace
    from .interval_trace import IntervalTrace as IntervalTrace
    from .interval_trace import trace_intervals as trace_intervals
    from .sources import PARK as PARK
    from .sources import STATIC_HOURS as STATIC_HOURS
    from .summary import TraceSummary as TraceSummary
    from .summary import WithdrawalTotal as WithdrawalTotal
    from .trace_method import TraceMethod as TraceMethod

__all__, __getattr__, __dir__ = lazy_exports(__name__)
