"""``greenproof trace``: traced energy of any grid streamed to a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..exit_codes import exit_codes
from ..options import utc
from ..output import console
from ..trace_export.trace_method import TraceMethod

if TYPE_CHECKING:
    from ..trace_export import TraceSummary

__all__ = ["trace"]


def trace(
    source: Annotated[str, typer.Argument(help="park, a pandapower case (case9, case118, case1354pegase, ...), a "
                                               "SimBench code (1-MV-rural--0-sw) or a pandapower JSON file.")],
    start: Annotated[str | None, typer.Option(help="First interval, ISO 8601 with offset.",
                                              show_default="start of the profiles; park: 2025-01-01 park time")
                     ] = None,
    end: Annotated[str | None, typer.Option(help="End of the period (exclusive), ISO 8601 with offset.",
                                            show_default="end of the profiles")] = None,
    intervals: Annotated[int | None, typer.Option(help="Number of intervals from --start (instead of --end).",
                                                  min=1, show_default="up to --end")] = None,
    method: Annotated[TraceMethod, typer.Option(help="Losses charged to loads (upstream), to generators "
                                                     "(downstream), or shared (average).")] = TraceMethod.UPSTREAM,
    out: Annotated[Path, typer.Option(help="Trace CSV, gzip-compressed if it ends in .gz.")] = Path("trace.csv.gz"),
    nodal_intensity: Annotated[Path | None, typer.Option(help="Also write each bus's carbon intensity (tCO2/MWh) "
                                                              "per interval to this CSV.", show_default="no file")
                               ] = None,
    default_technology: Annotated[str | None, typer.Option(help="Technology key of generators whose type maps to "
                                                                "none (e.g. gas, coal, other).",
                                                           show_default="none: such generators are refused")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786): run the intervals "
                                                       "on its workers, written in time order.",
                                                  show_default="none: solve here, one process")] = None,
) -> None:
    """Trace SOURCE interval by interval and stream MWh per (generator, load, interval) to a CSV file.

    Rows: interval_start_utc, injection_id, technology, withdrawal_id, withdrawal_kind, mwh.
    Nonzero entries only, sorted by injection then withdrawal id within each interval.
    A source without profiles is one 1 h interval at its stored operating point.
    Prints totals per withdrawal kind and the top loads with their renewable share.
    """
    from ..trace_export import export_trace

    with exit_codes():
        summary = export_trace(source, out, start=utc(start, "--start") if start else None,
                               end=utc(end, "--end") if end else None, intervals=intervals,
                               method=method.value, nodal_intensity=nodal_intensity,
                               default_technology=default_technology, scheduler=scheduler, progress=True)
    _print_trace(summary)
    console.print(f"wrote {summary.rows:,} rows ({summary.intervals:,} intervals) to {out}")


def _print_trace(summary: TraceSummary, top: int = 10) -> None:
    title = f"Traced energy, {summary.source}, {summary.intervals} interval(s), {summary.method}"
    table = Table("withdrawal", "kind", "demand MWh", "traced MWh", "renewable share", title=title)
    for row in (*summary.by_kind(), *[w for w in summary.withdrawals if w.kind == "load"][:top]):
        table.add_row(row.withdrawal_id, row.kind, f"{row.demand_mwh:,.3f}", f"{row.supplied_mwh:,.3f}",
                      f"{row.renewable_share:.1%}")
    console.print(table)
    console.print(f"generation {summary.generation_mwh:,.3f} MWh, consumption {summary.consumption_mwh:,.3f} MWh, "
                  f"losses {summary.losses_mwh:,.3f} MWh, traced {summary.traced_mwh:,.3f} MWh")
