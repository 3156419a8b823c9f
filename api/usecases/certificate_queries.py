"""Read-side queries over the ledger: certificates (allocation leaves) with their claim and retirement state.

Only leaves of ``confirmed`` batches are issued certificates; retirement lines count as retired
unless their retirement ``failed`` (the rule of :mod:`greenproof.ledger.holdings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Subquery, case, func, select
from sqlalchemy.orm import Session

from greenproof.ledger.certificate_status import certificate_status
from greenproof.ledger.models import (
    AllocationLeafRow,
    BatchState,
    ClaimRow,
    Firm,
    IssuanceBatch,
    Plant,
    RetirementLine,
    RetirementRow,
)
from greenproof.ledger.settings import LedgerSettings

from .firm_codes import canonical_firm_code
from .pagination import PageParams
from .periods import utc_from_s
from .schemas import BalanceLine, CertificatePublic, CertificateStatus

__all__ = ["CertificateQuery", "balances", "certificates", "expired_before_s"]

@dataclass(frozen=True)
class CertificateQuery:
    """Which certificates to list; ``None`` fields do not filter.

    Attributes
    ----------
    firm_code : str or None
        Holder firm, any case (compared upper case).
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
        retired = _retired_wh()
        return self._filtered(
            select(AllocationLeafRow, Plant.code, Plant.technology, IssuanceBatch.batch_id,
                   ClaimRow.id.is_not(None), func.coalesce(retired.c.wh, 0), Firm.code)
            .outerjoin(ClaimRow, ClaimRow.leaf_id == AllocationLeafRow.id), retired)

    def totals(self, expired_before_s: int) -> Select[Any]:
        """Return the filtered Wh per (plant code, technology): allocated, retired, and expired unretired.

        A certificate is expired when its interval starts before ``expired_before_s`` (UNIX s).
        """
        retired = _retired_wh()
        retired_wh = func.coalesce(retired.c.wh, 0)
        expired = case((AllocationLeafRow.interval_start_s < expired_before_s,
                        AllocationLeafRow.amount_wh - retired_wh), else_=0)
        return self._filtered(
            select(Plant.code, Plant.technology, func.sum(AllocationLeafRow.amount_wh), func.sum(retired_wh),
                   func.sum(expired)), retired).group_by(Plant.code, Plant.technology)

    def _filtered(self, query: Select[Any], retired: Subquery) -> Select[Any]:
        query = (query.join(Plant, Plant.id == AllocationLeafRow.plant_id)
                 .join(IssuanceBatch, IssuanceBatch.id == AllocationLeafRow.batch_pk)
                 .outerjoin(Firm, Firm.id == AllocationLeafRow.firm_id)
                 .outerjoin(retired, retired.c.leaf_id == AllocationLeafRow.id)
                 .where(IssuanceBatch.state == BatchState.CONFIRMED))
        filters = [
            (self.firm_code, Firm.code == canonical_firm_code(self.firm_code or "")),
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


def _retired_wh() -> Subquery:
    """Wh retired per leaf by retirements that did not fail."""
    return (select(RetirementLine.leaf_id, func.sum(RetirementLine.amount_wh).label("wh"))
            .join(RetirementRow, RetirementRow.id == RetirementLine.retirement_id)
            .where(RetirementRow.state != "failed")
            .group_by(RetirementLine.leaf_id).subquery())


def expired_before_s(now: datetime, rule: LedgerSettings) -> int:
    """Return the instant (UNIX s) before which an interval's certificates are expired at ``now``.

    A certificate expires at the first instant of its production month plus ``rule.validity_months``
    (:func:`greenproof.ledger.certificate_status.expires_at`), so at ``now`` the expired ones are those
    of production months up to ``now``'s month minus the validity: intervals starting before the
    first instant of the month after that, in the rule's time zone.
    """
    zone = ZoneInfo(rule.production_month_tz)
    local = now.astimezone(zone)
    months = local.year * 12 + (local.month - 1) - rule.validity_months + 1
    return int(datetime(months // 12, months % 12 + 1, 1, tzinfo=zone).timestamp())


def _public(row: Any, rule: LedgerSettings, now: datetime) -> CertificatePublic:
    leaf, plant_code, technology, batch_id, claimed, retired_wh, firm_code = row
    return CertificatePublic(
        token_id=leaf.token_id, plant_code=plant_code, technology=technology,
        interval_start=utc_from_s(leaf.interval_start_s), interval_s=leaf.interval_s,
        batch_id=batch_id, leaf_hash=leaf.leaf_hash, holder=leaf.holder_address, firm_code=firm_code,
        allocated_wh=leaf.amount_wh, claimed=bool(claimed), retired_wh=int(retired_wh),
        status=CertificateStatus(certificate_status(
            amount_wh=leaf.amount_wh, retired_wh=int(retired_wh), interval_start_s=leaf.interval_start_s, now=now,
            validity_months=rule.validity_months, tz=rule.production_month_tz)),
    )


def certificates(session: Session, query: CertificateQuery, page: PageParams, rule: LedgerSettings,
                 now: datetime | None = None) -> tuple[list[CertificatePublic], int]:
    """Return one page of certificates matching ``query``, ordered by interval and plant, and the total count.

    Statuses follow the ledger's validity ``rule`` (``validity_months``, ``production_month_tz``) at ``now``.
    """
    now = now or datetime.now(UTC)
    base = query.select()
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(base.order_by(AllocationLeafRow.interval_start_s, Plant.code, AllocationLeafRow.id)
                           .limit(page.limit).offset(page.offset)).all()
    return [_public(row, rule, now) for row in rows], total


def balances(session: Session, query: CertificateQuery, rule: LedgerSettings, now: datetime | None = None
             ) -> list[BalanceLine]:
    """Return allocated, retired, expired and active Wh per plant for the certificates matching ``query``.

    Summed by the database (one grouped query), expiry by :func:`expired_before_s`.
    """
    cutoff_s = expired_before_s(now or datetime.now(UTC), rule)
    rows = session.execute(query.totals(cutoff_s).order_by(Plant.code, Plant.technology)).all()
    return [BalanceLine(plant_code=plant, technology=tech, allocated_wh=int(a), retired_wh=int(r), expired_wh=int(e),
                        active_wh=int(a) - int(r) - int(e)) for plant, tech, a, r, e in rows]
