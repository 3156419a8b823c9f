"""Read-side queries over the ledger: certificates (allocation leaves) with their claim and retirement state.

Only leaves of ``confirmed`` batches are issued certificates; only retirement lines with a mined
transaction (``block_number`` set) count as retired.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from greenproof.ledger.models import (
    AllocationLeafRow,
    BatchState,
    ClaimRow,
    Firm,
    IssuanceBatch,
    Plant,
    RetirementLine,
)
from greenproof.ledger.settings import LedgerSettings

from .pagination import PageParams
from .schemas import BalanceLine, CertificatePublic, CertificateStatus

__all__ = ["CertificateQuery", "ExpiryRule", "balances", "certificates", "expiry_rule"]

#: Expiry instant (UNIX s) of a certificate produced in the interval starting at the given UNIX s.
ExpiryRule = Callable[[int], int]


def expiry_rule(settings: LedgerSettings) -> ExpiryRule:
    """Return the ledger's certificate validity rule.

    Certificates expire ``validity_months`` after the first day of their production month, months
    counted in ``production_month_tz`` (China GEC: 24 months, Beijing time).
    """
    zone = ZoneInfo(settings.production_month_tz)
    months = settings.validity_months

    @lru_cache(maxsize=4096)
    def expiry_of_month(year: int, month: int) -> int:
        index = year * 12 + (month - 1) + months
        return int(datetime(index // 12, index % 12 + 1, 1, tzinfo=zone).timestamp())

    def expiry(interval_start_s: int) -> int:
        produced = datetime.fromtimestamp(interval_start_s, zone)
        return expiry_of_month(produced.year, produced.month)

    return expiry


@dataclass(frozen=True)
class CertificateQuery:
    """Which certificates to list; ``None`` fields do not filter.

    Attributes
    ----------
    firm_code : str or None
        Holder firm.
    plant_code : str or None
        Generating plant.
    token_id : str or None
        ERC-1155 token id (decimal).
    batch_id : str or None
        Issuance batch (``0x`` hex).
    period_start_s, period_end_s : int or None
        Interval starts in ``[period_start_s, period_end_s)``, UNIX seconds UTC.
    """

    firm_code: str | None = None
    plant_code: str | None = None
    token_id: str | None = None
    batch_id: str | None = None
    period_start_s: int | None = None
    period_end_s: int | None = None

    def select(self) -> Select[Any]:
        """Return the filtered query: (leaf, plant code, technology, batch id, claimed, retired Wh, firm code) rows."""
        retired = (select(RetirementLine.leaf_id, func.sum(RetirementLine.amount_wh).label("wh"))
                   .where(RetirementLine.block_number.is_not(None))
                   .group_by(RetirementLine.leaf_id).subquery())
        query = (
            select(AllocationLeafRow, Plant.code, Plant.technology, IssuanceBatch.batch_id,
                   ClaimRow.id.is_not(None), func.coalesce(retired.c.wh, 0), Firm.code)
            .join(Plant, Plant.id == AllocationLeafRow.plant_id)
            .join(IssuanceBatch, IssuanceBatch.id == AllocationLeafRow.batch_pk)
            .outerjoin(Firm, Firm.id == AllocationLeafRow.firm_id)
            .outerjoin(ClaimRow, ClaimRow.leaf_id == AllocationLeafRow.id)
            .outerjoin(retired, retired.c.leaf_id == AllocationLeafRow.id)
            .where(IssuanceBatch.state == BatchState.CONFIRMED)
        )
        filters = [
            (self.firm_code, Firm.code == self.firm_code),
            (self.plant_code, Plant.code == self.plant_code),
            (self.token_id, AllocationLeafRow.token_id == self.token_id),
            (self.batch_id, IssuanceBatch.batch_id == (self.batch_id or "").lower()),
            (self.period_start_s, AllocationLeafRow.interval_start_s >= (self.period_start_s or 0)),
            (self.period_end_s, AllocationLeafRow.interval_start_s < (self.period_end_s or 0)),
        ]
        for value, condition in filters:
            if value is not None:
                query = query.where(condition)
        return query


def _status(allocated_wh: int, retired_wh: int, interval_start_s: int, expiry: ExpiryRule, now_s: int
            ) -> CertificateStatus:
    if retired_wh >= allocated_wh:
        return CertificateStatus.RETIRED
    if now_s >= expiry(interval_start_s):
        return CertificateStatus.EXPIRED
    return CertificateStatus.ACTIVE


def _public(row: Any, expiry: ExpiryRule, now_s: int) -> CertificatePublic:
    leaf, plant_code, technology, batch_id, claimed, retired_wh, firm_code = row
    return CertificatePublic(
        token_id=leaf.token_id, plant_code=plant_code, technology=technology,
        interval_start=datetime.fromtimestamp(leaf.interval_start_s, UTC), interval_s=leaf.interval_s,
        batch_id=batch_id, leaf_hash=leaf.leaf_hash, holder=leaf.holder_address, firm_code=firm_code,
        allocated_wh=leaf.amount_wh, claimed=bool(claimed), retired_wh=int(retired_wh),
        status=_status(leaf.amount_wh, int(retired_wh), leaf.interval_start_s, expiry, now_s),
    )


def certificates(session: Session, query: CertificateQuery, page: PageParams, expiry: ExpiryRule,
                 now: datetime | None = None) -> tuple[list[CertificatePublic], int]:
    """Return one page of certificates matching ``query``, ordered by interval and plant, and the total count."""
    now_s = int((now or datetime.now(UTC)).timestamp())
    base = query.select()
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.order_by(AllocationLeafRow.interval_start_s, Plant.code, AllocationLeafRow.id)
                           .limit(page.limit).offset(page.offset)).all()
    return [_public(row, expiry, now_s) for row in rows], total


def balances(session: Session, query: CertificateQuery, expiry: ExpiryRule, now: datetime | None = None
             ) -> list[BalanceLine]:
    """Return allocated, retired, expired and active Wh per plant for the certificates matching ``query``."""
    now_s = int((now or datetime.now(UTC)).timestamp())
    totals: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    rows: Iterable[Any] = session.execute(query.select())
    for leaf, plant_code, technology, _batch, _claimed, retired_wh, _firm in rows:
        line = totals[(plant_code, technology)]
        line[0] += leaf.amount_wh
        line[1] += int(retired_wh)
        if now_s >= expiry(leaf.interval_start_s):
            line[2] += leaf.amount_wh - int(retired_wh)
    return [BalanceLine(plant_code=plant, technology=tech, allocated_wh=a, retired_wh=r, expired_wh=e,
                        active_wh=a - r - e) for (plant, tech), (a, r, e) in sorted(totals.items())]
