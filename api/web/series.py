"""Time series of the dashboard: periods chosen in park dates, server-side aggregation, chart payloads.

The browser never receives per-interval arrays of a long period: the step (15 min, hour, day,
month) is the finest whose point count stays within :data:`MAX_POINTS`, so a park year arrives
as 365 daily points. Shares of a step are energy-weighted (``Σ renewable / Σ consumption``), never
means of shares; the park's series sums every firm's energies per step.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greenproof.ledger.models import Firm, FirmIntervalResult

from ..usecases.attribution_results import PARK_TZ, SeriesPoint, firm_series
from ..usecases.periods import Period, utc_from_s
from ..usecases.schemas import HourMatch, Resolution
from ..usecases.units import KG_PER_T, mwh

__all__ = [
    "MAX_POINTS",
    "DateRange",
    "SeriesTotals",
    "chart_payload",
    "choose_resolution",
    "data_span",
    "default_range",
    "matching_payload",
    "park_series",
    "totals",
]

#: Most points a chart receives.
MAX_POINTS = 1500
_STEP_HOURS = {Resolution.QUARTER_HOUR: 0.25, Resolution.HOUR: 1.0, Resolution.DAY: 24.0, Resolution.MONTH: 24 * 28.0}
#: Days shown when the caller names no period: the last week of stored results.
DEFAULT_DAYS = 7


@dataclass(frozen=True)
class DateRange:
    """Whole park-local days ``first .. last`` (inclusive), the period a page shows."""

    first: date
    last: date

    @property
    def period(self) -> Period:
        """The UTC period ``[first 00:00, last + 1 day 00:00)`` in park time (UTC+8)."""
        start = datetime.combine(self.first, time(), PARK_TZ)
        end = datetime.combine(self.last + timedelta(days=1), time(), PARK_TZ)
        return Period(start.astimezone(UTC), end.astimezone(UTC))


def data_span(session: Session) -> DateRange | None:
    """Return the park-local days holding attribution results, or ``None`` before the first run."""
    first, last = session.execute(select(func.min(FirmIntervalResult.interval_start_s),
                                         func.max(FirmIntervalResult.interval_start_s))).one()
    if first is None or last is None:
        return None
    return DateRange(utc_from_s(first).astimezone(PARK_TZ).date(), utc_from_s(last).astimezone(PARK_TZ).date())


def default_range(session: Session, first: date | None, last: date | None) -> DateRange:
    """Return the days asked for, filling missing ends from the stored results (the last week of them).

    Without stored results the default is the current park-local day.
    """
    span = data_span(session)
    today = datetime.now(PARK_TZ).date()
    end = last or (span.last if span else today)
    start = first or max(end - timedelta(days=DEFAULT_DAYS - 1), span.first if span else end)
    return DateRange(start, end)


def choose_resolution(period: Period, requested: Resolution | None) -> Resolution:
    """Return ``requested`` if it yields at most :data:`MAX_POINTS` points, else the finest step that does."""
    hours = (period.end - period.start) / timedelta(hours=1)
    order = list(Resolution)
    first = order.index(requested) if requested is not None else 0
    for resolution in order[first:]:
        if hours / _STEP_HOURS[resolution] <= MAX_POINTS:
            return resolution
    return Resolution.MONTH


@dataclass(frozen=True)
class SeriesTotals:
    """Energies of a whole series: consumption and renewable MWh, emissions tCO2, renewable share."""

    consumption_mwh: float
    renewable_mwh: float
    emissions_t: float

    @property
    def renewable_share(self) -> float | None:
        """Energy-weighted renewable share, ``None`` when nothing was consumed."""
        return self.renewable_mwh / self.consumption_mwh if self.consumption_mwh > 0 else None


def totals(points: Sequence[SeriesPoint]) -> SeriesTotals:
    """Sum a series (Wh → MWh, kg → tCO2)."""
    return SeriesTotals(consumption_mwh=mwh(sum(p.consumption_wh for p in points)),
                        renewable_mwh=mwh(sum(p.renewable_wh for p in points)),
                        emissions_t=sum(p.emissions_kg for p in points) / KG_PER_T)


def park_series(session: Session, period: Period, resolution: Resolution
                ) -> tuple[list[SeriesPoint], dict[str, SeriesTotals]]:
    """Return the park's energies (every firm summed) per step of ``resolution``, and each firm's totals.

    One read of every firm's results serves both the park series and the firm table.
    """
    sums: dict[tuple[datetime, datetime], list[float]] = {}
    firms: dict[str, SeriesTotals] = {}
    for code in session.scalars(select(Firm.code).order_by(Firm.code)):
        points = firm_series(session, code, period.start_s, period.end_s, resolution)
        firms[code] = totals(points)
        for point in points:
            step = sums.setdefault((point.start, point.end), [0, 0, 0.0])
            step[0] += point.consumption_wh
            step[1] += point.renewable_wh
            step[2] += point.emissions_kg
    park = [SeriesPoint(start=start, end=end, consumption_wh=int(c), renewable_wh=int(r), emissions_kg=e)
            for (start, end), (c, r, e) in sorted(sums.items())]
    return park, firms


def _label(moment: datetime, resolution: Resolution) -> str:
    local = moment.astimezone(PARK_TZ)
    pattern = {Resolution.DAY: "%Y-%m-%d", Resolution.MONTH: "%Y-%m"}.get(resolution, "%Y-%m-%d %H:%M")
    return local.strftime(pattern)


def chart_payload(points: Sequence[SeriesPoint], resolution: Resolution) -> dict[str, list[object]]:
    """Return a series as chart columns: step labels (park time), share %, consumption and renewable MWh."""
    return {
        "x": [_label(p.start, resolution) for p in points],
        "share": [round(100 * min(p.renewable_share, 1.0), 2) for p in points],
        "consumption": [round(mwh(p.consumption_wh), 3) for p in points],
        "renewable": [round(mwh(p.renewable_wh), 3) for p in points],
    }


def matching_payload(hours: Sequence[HourMatch], steps: Sequence[SeriesPoint], resolution: Resolution
                     ) -> dict[str, list[object]]:
    """Sum hourly matching into the steps of a share series (hours outside every step are dropped).

    Returns chart columns: step labels, matched MWh and unmatched consumption MWh per step.
    """
    starts = [p.start for p in steps]
    matched = [0] * len(steps)
    consumed = [0] * len(steps)
    for hour in hours:
        i = bisect_right(starts, hour.hour_start) - 1
        if i >= 0 and hour.hour_start < steps[i].end:
            matched[i] += hour.matched_wh
            consumed[i] += hour.consumption_wh
    return {
        "x": [_label(p.start, resolution) for p in steps],
        "matched": [round(mwh(m), 3) for m in matched],
        "unmatched": [round(mwh(c - m), 3) for m, c in zip(matched, consumed, strict=True)],
    }
