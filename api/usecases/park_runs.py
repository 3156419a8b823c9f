"""Park operations shared by the CLI and the HTTP API: attribution runs and issuance of pending batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.client import ChainClient
from greenproof.ledger.database import session_scope
from greenproof.ledger.errors import MeterDataError
from greenproof.ledger.issuance import resume_unfinished
from greenproof.ledger.models import BatchState, IssuanceBatch, MeterReadingRow, Plant

from .park_attribution import AttributionRun, attribute_period
from .park_setup import register_park
from .park_simulation import DEFAULT_SEED, INTERVAL, check_interval_grid, simulate_period
from .periods import utc_from_s
from .schemas import BatchPublic

__all__ = ["batch_public", "check_uploaded_readings", "issue_pending", "newest_issued_batch", "run_attribution"]


def run_attribution(factory: sessionmaker[Session], issuer_key: str, start: datetime, end: datetime, *,
                    simulated_meters: bool, mode: str = "anchor", seed: int = DEFAULT_SEED,
                    progress: bool = False) -> AttributionRun:
    """Register the park (if needed), solve and trace ``[start, end)``, and store results and a pending batch.

    Everything is written in one transaction: on any error nothing is. Without ``simulated_meters``
    the uploaded readings are checked before the (long) power-flow solve.

    Raises
    ------
    InvalidPeriodError, GridError, AttributionError, BatchError, MeterDataError
        Naming the period, interval or reading at fault.
    """
    check_interval_grid(start, end)
    with session_scope(factory) as session:
        register_park(session, issuer_key)
        if not simulated_meters:
            check_uploaded_readings(session, start, end)
        return attribute_period(session, simulate_period(start, end, seed=seed, progress=progress),
                                period_start=start, period_end=end, simulated_meters=simulated_meters, mode=mode)


def check_uploaded_readings(session: Session, start: datetime, end: datetime) -> None:
    """Check that every renewable plant has a meter reading for every 15-minute interval of ``[start, end)``.

    Raises
    ------
    MeterDataError
        Naming the first plant with missing readings, how many, and the two ways to get them.
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
            raise MeterDataError(
                f"no meter reading for plant {code!r} in {expected - count} of the {expected} intervals of "
                f"[{start.isoformat()}, {end.isoformat()}): load the period's readings first (`greenproof meters "
                "load FILE`, POST /park/meter-readings) or trace with the model's output as readings "
                "(--simulated-meters, simulated_meters=true)")


def newest_issued_batch(factory: sessionmaker[Session]) -> IssuanceBatch | None:
    """Return the confirmed batch with the latest period, or ``None`` if none is confirmed."""
    with factory() as session:
        return session.scalars(select(IssuanceBatch).where(IssuanceBatch.state == BatchState.CONFIRMED)
                               .order_by(IssuanceBatch.period_end_s.desc()).limit(1)).first()


def issue_pending(factory: sessionmaker[Session], client: ChainClient) -> list[IssuanceBatch]:
    """Send every pending (or interrupted) batch to the chain and confirm it, oldest first."""
    return resume_unfinished(factory, client)


def batch_public(batch: IssuanceBatch) -> BatchPublic:
    """Return the wire form of a batch."""
    return BatchPublic(batch_id=batch.batch_id, period_start=utc_from_s(batch.period_start_s),
                       period_end=utc_from_s(batch.period_end_s), mode=batch.mode, state=batch.state, root=batch.root,
                       input_hash=batch.input_hash, tx_hash=batch.tx_hash, block_number=batch.block_number,
                       error=batch.error)
