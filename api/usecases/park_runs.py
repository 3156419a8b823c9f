"""Park operations shared by the CLI and the HTTP API: attribution runs and issuance of pending batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.client import ChainClient
from greenproof.ledger.database import session_scope
from greenproof.ledger.issuance import resume_unfinished
from greenproof.ledger.models import IssuanceBatch

from .park_attribution import AttributionRun, attribute_period
from .park_setup import register_park
from .park_simulation import DEFAULT_SEED, check_interval_grid, simulate_period
from .periods import utc_from_s
from .schemas import BatchPublic

__all__ = ["batch_public", "issue_pending", "run_attribution"]


def run_attribution(factory: sessionmaker[Session], issuer_key: str, start: datetime, end: datetime, *,
                    simulated_meters: bool, mode: str = "anchor", seed: int = DEFAULT_SEED,
                    progress: bool = False) -> AttributionRun:
    """Register the park (if needed), solve and trace ``[start, end)``, and store results and a pending batch.

    Everything is written in one transaction: on any error nothing is.

    Raises
    ------
    InvalidPeriodError, GridError, AttributionError, BatchError, MeterDataError
        Naming the period, interval or reading at fault.
    """
    check_interval_grid(start, end)
    with session_scope(factory) as session:
        register_park(session, issuer_key)
        return attribute_period(session, simulate_period(start, end, seed=seed, progress=progress),
                                period_start=start, period_end=end, simulated_meters=simulated_meters, mode=mode)


def issue_pending(factory: sessionmaker[Session], client: ChainClient) -> list[IssuanceBatch]:
    """Send every pending (or interrupted) batch to the chain and confirm it, oldest first."""
    return resume_unfinished(factory, client)


def batch_public(batch: IssuanceBatch) -> BatchPublic:
    """Return the wire form of a batch."""
    return BatchPublic(batch_id=batch.batch_id, period_start=utc_from_s(batch.period_start_s),
                       period_end=utc_from_s(batch.period_end_s), mode=batch.mode, state=batch.state, root=batch.root,
                       input_hash=batch.input_hash, tx_hash=batch.tx_hash, block_number=batch.block_number,
                       error=batch.error)
