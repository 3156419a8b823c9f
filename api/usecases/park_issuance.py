"""Issuance of the park's pending batches, shared by the CLI and the HTTP API (no power flow imported here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.client import ChainClient
from greenproof.ledger.issuance import resume_unfinished
from greenproof.ledger.models import BatchState, IssuanceBatch

from .periods import utc_from_s
from .schemas import BatchPublic

__all__ = ["batch_public", "issue_pending", "newest_issued_batch"]


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
