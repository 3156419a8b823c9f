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

from .csv_output import INTENSITY_COLUMNS, TRACE_COLUMNS, write_intervals
from .dask_scheduler import SCHEDULER_TIMEOUT_S
from .export import TraceMethod, export_trace
from .interval_trace import IntervalTrace, trace_intervals
from .sources import PARK, STATIC_HOURS
from .summary import TraceSummary, WithdrawalTotal

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
