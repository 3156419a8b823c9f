"""Per-firm reports: renewable share over time and hourly matching against certificates."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greenproof.ledger.models import AllocationLeafRow, BatchState, Firm, IssuanceBatch

from .attribution_results import firm_series
from .errors import InvalidPeriodError
from .periods import Period, utc_from_s
from .schemas import HourlyMatchingPublic, HourMatch, Resolution, SeriesPointPublic, ShareSeriesPublic
from .units import mwh

__all__ = ["MAX_QUARTER_HOUR_DAYS", "hourly_matching", "share_series"]

#: Longest period served at 15-minute resolution (2,976 points).
MAX_QUARTER_HOUR_DAYS = 31


def share_series(session: Session, firm_code: str, period: Period, resolution: Resolution) -> ShareSeriesPublic:
    """Return the firm's traced renewable share per step of ``resolution`` and over the whole period.

    Raises
    ------
    InvalidPeriodError
        If a 15-minute series is asked for more than :data:`MAX_QUARTER_HOUR_DAYS` days.
    """
    if resolution is Resolution.QUARTER_HOUR and period.end - period.start > timedelta(days=MAX_QUARTER_HOUR_DAYS):
        raise InvalidPeriodError(f"15-minute series are served for at most {MAX_QUARTER_HOUR_DAYS} days; ask "
                                 f"{period.start.isoformat()} .. {period.end.isoformat()} by hour, day or month")
    points = firm_series(session, firm_code, period.start_s, period.end_s, resolution)
    consumed = sum(p.consumption_wh for p in points)
    renewable = sum(p.renewable_wh for p in points)
    return ShareSeriesPublic(
        firm_code=firm_code, resolution=resolution,
        renewable_share=min(renewable / consumed, 1.0) if consumed else 0.0,
        points=[SeriesPointPublic(start=p.start, end=p.end, consumption_mwh=mwh(p.consumption_wh),
                                  renewable_mwh=mwh(p.renewable_wh),
                                  renewable_share=min(p.renewable_share, 1.0),
                                  carbon_intensity_t_per_mwh=p.carbon_intensity_t_per_mwh) for p in points],
    )


def _certificates_per_hour(session: Session, firm_code: str, period: Period) -> dict[int, int]:
    hour = AllocationLeafRow.interval_start_s - AllocationLeafRow.interval_start_s % 3600
    rows = session.execute(
        select(hour, func.sum(AllocationLeafRow.amount_wh))
        .join(Firm, Firm.id == AllocationLeafRow.firm_id)
        .join(IssuanceBatch, IssuanceBatch.id == AllocationLeafRow.batch_pk)
        .where(Firm.code == firm_code, IssuanceBatch.state == BatchState.CONFIRMED,
               AllocationLeafRow.interval_start_s >= period.start_s, AllocationLeafRow.interval_start_s < period.end_s)
        .group_by(hour))
    return {int(start): int(wh) for start, wh in rows}


def hourly_matching(session: Session, firm_code: str, period: Period) -> HourlyMatchingPublic:
    """Return, hour by hour, how much of the firm's consumption its certificates of the same hour cover.

    An hour's matched energy is ``min(consumption, certificates)``: surplus certificates of one
    hour never cover another hour (EnergyTag hourly matching).
    """
    consumption: defaultdict[int, int] = defaultdict(int)
    for point in firm_series(session, firm_code, period.start_s, period.end_s, Resolution.HOUR):
        consumption[int(point.start.timestamp())] += point.consumption_wh
    certificates = _certificates_per_hour(session, firm_code, period)
    hours = [HourMatch(hour_start=utc_from_s(start), consumption_wh=consumption.get(start, 0),
                       certificates_wh=certificates.get(start, 0),
                       matched_wh=min(consumption.get(start, 0), certificates.get(start, 0)))
             for start in sorted(consumption.keys() | certificates.keys())]
    consumed = sum(h.consumption_wh for h in hours)
    matched = sum(h.matched_wh for h in hours)
    return HourlyMatchingPublic(firm_code=firm_code, period_start=period.start, period_end=period.end,
                                consumption_wh=consumed, matched_wh=matched,
                                score=matched / consumed if consumed else None, hours=hours)
