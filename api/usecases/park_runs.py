"""Park operations shared by the CLI and the HTTP API: attribution runs, and (from :mod:`.park_issuance`) issuance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.ledger.database import PARK_REGISTRY_LOCK, locked_scope, session_scope
from greenproof.ledger.errors import BatchError
from greenproof.ledger.models import MeterReadingRow, Plant

from .park_attribution import AttributionRun, attribute_period
from .park_issuance import batch_public, issue_pending, newest_issued_batch
from .park_setup import register_park
from .park_simulation import DEFAULT_SEED, INTERVAL, check_interval_grid, simulate_period

__all__ = ["batch_public", "check_uploaded_readings", "issue_pending", "newest_issued_batch", "run_attribution"]


def run_attribution(factory: sessionmaker[Session], issuer_key: str, start: datetime, end: datetime, *,
                    simulated_meters: bool, mode: str = "anchor", seed: int = DEFAULT_SEED,
                    progress: bool = False) -> AttributionRun:
    """Register the park (if needed), solve and trace ``[start, end)``, and store results and a pending batch.

    The park is registered first in a transaction of its own under the ledger's ``park-registry``
    lock (processes starting together on a fresh ledger take turns; the later find it registered).
    Everything else is written in one transaction: on any error nothing is. Without
    ``simulated_meters`` the uploaded readings are checked before the (long) power-flow solve.

    Raises
    ------
    InvalidPeriodError, GridError, AttributionError, BatchError, MeterDataError
        Naming the period, interval or reading at fault.
    """
    check_interval_grid(start, end)
    with locked_scope(factory, PARK_REGISTRY_LOCK) as session:
        register_park(session, issuer_key)
    with session_scope(factory) as session:
        if not simulated_meters:
            check_uploaded_readings(session, start, end)
        return attribute_period(session, simulate_period(start, end, seed=seed, progress=progress),
                                period_start=start, period_end=end, simulated_meters=simulated_meters, mode=mode)


def check_uploaded_readings(session: Session, start: datetime, end: datetime) -> None:
    """Check that every renewable plant has a meter reading for every 15-minute interval of ``[start, end)``.

    Raises
    ------
    BatchError
        Naming the first plant with missing readings, how many, and the two ways to get them (the
        error the ledger raises for a batch without readings, later and without the hint).
    """
    start_s, end_s = int(start.timestamp()), int(end.timestamp())
    expected = (end_s - start_s) // int(INTERVAL.total_seconds())
    counts = dict(session.execute(
        select(Plant.code, func.count(MeterReadingRow.id))
        .outerjoin(MeterReadingRow, (MeterReadingRow.plant_id == Plant.id)
                   & (MeterReadingRow.interval_start_s >= start_s) & (MeterReadingRow.interval_start_s < end_s))
        .where(Plant.renewable).group_by(Plant.code).order_by(Plant.code)).all())
    for code, count in counts.items():
        if count < expected:
            raise BatchError(
                f"no meter reading for plant {code!r} in {expected - count} of the {expected} intervals of "
                f"[{start.isoformat()}, {end.isoformat()}): load the period's readings first (`greenproof meters "
                "load FILE`, POST /park/meter-readings) or trace with the model's output as readings "
                "(--simulated-meters, simulated_meters=true)")
