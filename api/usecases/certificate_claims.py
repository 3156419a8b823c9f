"""A firm claims its anchored certificate leaves on-chain: one leaf with its proof, or a whole park day at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.ledger.chain_port import CertificateChain
from greenproof.ledger.leaf_claims import claim_holder_leaves
from greenproof.ledger.models import AllocationLeafRow, ClaimRow, Firm
from greenproof.ledger.registry import firm_by_code
from greenproof.ledger.retirements import claim_leaf
from greenproof.ledger.settings import LedgerSettings

from .attribution_results import PARK_TZ
from .errors import NotFoundError

__all__ = ["claim_firm_day", "claim_firm_leaf"]


def claim_firm_leaf(session: Session, chain: CertificateChain, firm_code: str, leaf_hash: str) -> ClaimRow:
    """Mint the firm's allocation leaf ``leaf_hash`` to its account and record the claim (caller commits).

    Raises
    ------
    NotFoundError
        If firm ``firm_code`` holds no leaf with that hash.
    greenproof.ledger.errors.RetirementError
        If the leaf is already claimed or was minted directly.
    """
    leaf_id = session.scalar(select(AllocationLeafRow.id).join(Firm, Firm.id == AllocationLeafRow.firm_id)
                             .where(AllocationLeafRow.leaf_hash == leaf_hash.lower(), Firm.code == firm_code))
    if leaf_id is None:
        raise NotFoundError(f"firm {firm_code} holds no certificate leaf {leaf_hash}")
    return claim_leaf(session, chain, leaf_id)


def claim_firm_day(session: Session, chain: CertificateChain, firm_code: str, day: date,
                   rule: LedgerSettings) -> list[ClaimRow]:
    """Mint the firm's active, unclaimed leaves of park day ``day`` (UTC+8), one transaction per batch (caller commits).

    Expiry is judged by the chain's block time (the clock the contract refuses expired leaves by).

    Raises
    ------
    UnknownRecordError
        If the firm is not registered.
    greenproof.ledger.errors.RetirementError, greenproof.contracts.errors.ContractRevertError
        If the chain used a leaf otherwise, or refuses a claim.
    """
    firm = firm_by_code(session, firm_code)
    start = datetime.combine(day, time(), PARK_TZ)
    return claim_holder_leaves(session, chain, firm.address, period_start_s=int(start.timestamp()),
                               period_end_s=int((start + timedelta(days=1)).timestamp()),
                               now=datetime.fromtimestamp(chain.chain_time(), UTC),
                               validity_months=rule.validity_months, tz=rule.production_month_tz)
