"""What a holder holds, per allocation leaf: amount, claimed on-chain or not, retired, status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from greenproof.contracts.leaves import AllocationLeaf

from .certificate_status import certificate_status
from .errors import UnknownRecordError
from .models import AllocationLeafRow, BatchState, ClaimRow, IssuanceBatch, Plant, RetirementLine, RetirementRow

__all__ = ["Holding", "holding_of_leaf", "holdings"]


@dataclass(frozen=True)
class Holding:
    """One allocation leaf of a holder with its retired amount (Wh) and status."""

    leaf_id: int
    batch_id: str
    batch_mode: str
    leaf: AllocationLeaf
    token_id: int
    claimed: bool
    retired_wh: int
    status: str

    @property
    def available_wh(self) -> int:
        """Wh not yet retired (0 when expired). ``claimed``: minted (or used straight from its proof)."""
        return 0 if self.status == "expired" else self.leaf.amount_wh - self.retired_wh


def holdings(session: Session, holder_address: str, *, period_start_s: int, period_end_s: int, now: datetime,
             validity_months: int = 24, tz: str = "Asia/Shanghai") -> list[Holding]:
    """Return the holder's leaves of confirmed batches with intervals in ``[period_start_s, period_end_s)``.

    Sorted by interval then plant. Retired amounts count retirement lines of retirements that are
    not ``failed``; ``status`` is computed at ``now`` with the validity rule of
    :func:`~greenproof.ledger.certificate_status.certificate_status`.
    """
    return _holdings(session, now, validity_months, tz,
                     AllocationLeafRow.holder_address == holder_address,
                     AllocationLeafRow.interval_start_s >= period_start_s,
                     AllocationLeafRow.interval_start_s < period_end_s)


def holding_of_leaf(session: Session, leaf_id: int, *, now: datetime, validity_months: int = 24,
                    tz: str = "Asia/Shanghai") -> Holding:
    """Return the holding of allocation leaf ``leaf_id`` (its batch must be confirmed).

    Raises
    ------
    UnknownRecordError
        If no leaf of a confirmed batch has that id.
    """
    found = _holdings(session, now, validity_months, tz, AllocationLeafRow.id == leaf_id)
    if not found:
        raise UnknownRecordError(f"allocation leaf {leaf_id} is not a leaf of a confirmed batch")
    return found[0]


def _holdings(session: Session, now: datetime, validity_months: int, tz: str,
              *where: ColumnElement[bool]) -> list[Holding]:
    retired = (select(RetirementLine.leaf_id, func.sum(RetirementLine.amount_wh).label("wh"))
               .join(RetirementRow).where(RetirementRow.state != "failed")
               .group_by(RetirementLine.leaf_id).subquery())
    rows = session.execute(
        select(AllocationLeafRow, IssuanceBatch.batch_id, IssuanceBatch.mode, Plant.code, ClaimRow.id,
               func.coalesce(retired.c.wh, 0))
        .join(IssuanceBatch, AllocationLeafRow.batch_pk == IssuanceBatch.id)
        .join(Plant, AllocationLeafRow.plant_id == Plant.id)
        .outerjoin(ClaimRow, ClaimRow.leaf_id == AllocationLeafRow.id)
        .outerjoin(retired, retired.c.leaf_id == AllocationLeafRow.id)
        .where(IssuanceBatch.state == BatchState.CONFIRMED, *where)
        .order_by(AllocationLeafRow.interval_start_s, Plant.code)
    ).all()
    return [
        Holding(leaf_id=row.id, batch_id=batch_id, batch_mode=mode,
                leaf=AllocationLeaf(code, row.plant_id, row.interval_start_s, row.interval_s, row.holder_address,
                                    row.amount_wh),
                token_id=int(row.token_id), claimed=claim_id is not None, retired_wh=int(retired_wh),
                status=certificate_status(amount_wh=row.amount_wh, retired_wh=int(retired_wh),
                                          interval_start_s=row.interval_start_s, now=now,
                                          validity_months=validity_months, tz=tz))
        for row, batch_id, mode, code, claim_id, retired_wh in rows
    ]
