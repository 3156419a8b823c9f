"""Per-firm attribution results per interval, and their aggregation into time series.

Each row holds what one firm drew in one interval and how much of it tracing attributes to
renewable plants; the renewable share of a period is ``Σ renewable_wh / Σ consumption_wh`` (an
energy-weighted mean, never a mean of shares). Emissions follow the carbon emission flow of the
firm's supply (tCO2 = intensity tCO2/MWh × consumption MWh).

These rows are derived data, recomputable from the grid model, meter data and the tracer; they
live in the ledger table :class:`~greenproof.ledger.models.FirmIntervalResult` (migration 0002).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from greenproof.ledger.bulk_rows import insert_rows
from greenproof.ledger.models import FirmIntervalResult, TechnologyFlowRow

from .periods import utc_from_s
from .schemas import Resolution
from .units import KG_PER_T, mwh

__all__ = [
    "PARK_TZ",
    "FirmEnergies",
    "SeriesPoint",
    "firm_series",
    "replace_interval_rows",
]

#: Time zone in which days and months of the park are counted (China Standard Time, UTC+8).
PARK_TZ = ZoneInfo("Asia/Shanghai")


def replace_interval_rows(session: Session, model: type[FirmIntervalResult] | type[TechnologyFlowRow],
                          rows: Sequence[Mapping[str, object]], start_s: int, end_s: int) -> None:
    """Replace every stored ``model`` row with an interval start in ``[start_s, end_s)`` by ``rows`` (flushed).

    ``rows`` map column names to values (every column but ``id``); they are written through the
    database's bulk path (one ``executemany``), not as ORM objects.
    """
    session.execute(delete(model).where(model.interval_start_s >= start_s, model.interval_start_s < end_s))
    insert_rows(session, model.__table__, rows)
    session.flush()


class FirmEnergies:
    """Shares and intensities of a firm's energies; mixed into dataclasses holding the three fields below.

    Attributes
    ----------
    consumption_wh : int
        Energy the firm drew, Wh.
    renewable_wh : int
        Part of it traced to renewable plants, Wh.
    emissions_kg : float
        Traced emissions of that energy, kg CO2.
    """

    consumption_wh: int
    renewable_wh: int
    emissions_kg: float

    @property
    def renewable_share(self) -> float:
        """Renewable Wh / consumed Wh (0 when nothing was consumed)."""
        return self.renewable_wh / self.consumption_wh if self.consumption_wh else 0.0

    @property
    def carbon_intensity_t_per_mwh(self) -> float:
        """Emissions per consumed energy, tCO2/MWh (0 when nothing was consumed)."""
        return (self.emissions_kg / KG_PER_T) / mwh(self.consumption_wh) if self.consumption_wh else 0.0


@dataclass(frozen=True)
class SeriesPoint(FirmEnergies):
    """One step of a firm's (or the park's) series: energies summed over ``[start, end)``."""

    start: datetime
    end: datetime
    consumption_wh: int
    renewable_wh: int
    emissions_kg: float


def _bucket(start_s: int, interval_s: int, resolution: Resolution) -> tuple[datetime, datetime]:
    """Return the ``[start, end)`` of the step holding an interval; days and months in park time."""
    moment = utc_from_s(start_s)
    if resolution is Resolution.QUARTER_HOUR:
        return moment, utc_from_s(start_s + interval_s)
    if resolution is Resolution.HOUR:
        hour = start_s - start_s % 3600
        return utc_from_s(hour), utc_from_s(hour + 3600)
    local = moment.astimezone(PARK_TZ)
    if resolution is Resolution.DAY:
        first = local.replace(hour=0, minute=0, second=0, microsecond=0)
        following = datetime.fromordinal(first.toordinal() + 1).replace(tzinfo=PARK_TZ)
    else:
        first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return first.astimezone(UTC), following.astimezone(UTC)


def firm_series(session: Session, firm_code: str, start_s: int, end_s: int, resolution: Resolution
                ) -> list[SeriesPoint]:
    """Return a firm's energies in ``[start_s, end_s)`` summed per step of ``resolution``, in time order.

    Days and months are counted in park time (Asia/Shanghai, UTC+8); quarter-hours and hours in UTC.
    """
    rows: Iterable[tuple[int, int, int, int, float]] = session.execute(
        select(FirmIntervalResult.interval_start_s, FirmIntervalResult.interval_s, FirmIntervalResult.consumption_wh,
               FirmIntervalResult.renewable_wh, FirmIntervalResult.emissions_kg)
        .where(FirmIntervalResult.firm_code == firm_code, FirmIntervalResult.interval_start_s >= start_s,
               FirmIntervalResult.interval_start_s < end_s)
        .order_by(FirmIntervalResult.interval_start_s))
    sums: defaultdict[tuple[datetime, datetime], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for interval_start_s, interval_s, consumption_wh, renewable_wh, emissions_kg in rows:
        step = sums[_bucket(interval_start_s, interval_s, resolution)]
        step[0] += consumption_wh
        step[1] += renewable_wh
        step[2] += emissions_kg
    return [SeriesPoint(start=start, end=end, consumption_wh=int(c), renewable_wh=int(r), emissions_kg=e)
            for (start, end), (c, r, e) in sums.items()]
