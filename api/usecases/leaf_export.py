"""The published leaf files an auditor needs to check one firm's certificates (``greenproof audit``).

A firm's certificates sit at its certificate account (the holder address of its leaves). Each
confirmed batch holding at least one leaf of that account in the period gives its whole leaf file:
the auditor recomputes the batch's Merkle root from it, compares it with the root anchored on-chain,
and checks the firm's leaves against it (:func:`greenproof.ledger.verify.verify_holder`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.ledger.leaf_file import LeafFile
from greenproof.ledger.models import AllocationLeafRow, BatchState, IssuanceBatch
from greenproof.ledger.registry import firm_by_code

from .evidence import LeafFileCache
from .firm_codes import canonical_firm_code
from .periods import OptionalPeriod

__all__ = ["HolderLeafFiles", "holder_leaf_files"]


@dataclass(frozen=True)
class HolderLeafFiles:
    """A firm's certificate account and the leaf files of the confirmed batches holding its leaves.

    Attributes
    ----------
    firm_code : str
        The firm (canonical code).
    holder : str
        Its certificate account (checksummed address): the holder of its leaves.
    files : tuple of LeafFile
        Leaf files of the batches, oldest period first.
    leaves : int
        The firm's leaves in those files within the period.
    """

    firm_code: str
    holder: str
    files: tuple[LeafFile, ...]
    leaves: int


def holder_leaf_files(session: Session, firm_code: str, period: OptionalPeriod, files: LeafFileCache
                      ) -> HolderLeafFiles:
    """Return the firm's account and the leaf files of every confirmed batch holding its leaves in ``period``.

    Raises
    ------
    UnknownRecordError
        If the firm is not registered.
    """
    firm = firm_by_code(session, canonical_firm_code(firm_code))
    query = (select(IssuanceBatch.batch_id, AllocationLeafRow.id)
             .join(IssuanceBatch, IssuanceBatch.id == AllocationLeafRow.batch_pk)
             .where(AllocationLeafRow.holder_address == firm.address, IssuanceBatch.state == BatchState.CONFIRMED)
             .order_by(IssuanceBatch.period_start_s))
    if period.start_s is not None:
        query = query.where(AllocationLeafRow.interval_start_s >= period.start_s)
    if period.end_s is not None:
        query = query.where(AllocationLeafRow.interval_start_s < period.end_s)
    rows = session.execute(query).all()
    batch_ids = list(dict.fromkeys(batch_id for batch_id, _ in rows))
    return HolderLeafFiles(firm_code=firm.code, holder=firm.address,
                           files=tuple(files.get(session, batch_id) for batch_id in batch_ids), leaves=len(rows))
