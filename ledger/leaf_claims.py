"""Claim many anchored leaves of one holder at once: one ``claimLeaves`` transaction per batch.

A firm that takes a whole day's certificates on-chain (to hold, transfer or sell them) would send
one claim per leaf with :func:`~greenproof.ledger.retirements.claim_leaf` — about a hundred per
day. :func:`claim_holder_leaves` sends the leaves of each batch together with one Merkle
multiproof (at most :data:`~greenproof.ledger.retirements.PART_MAX_LEAVES` per transaction).
Anyone may send a claim (the contract mints to the leaves' holder), so custodial and firm-held
accounts alike are claimed without the holder's signature. A leaf the chain already lists as used
(a claim sent before a crash, or by someone else) is recorded from its event by ``claim_leaf``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from .batches import load_leaf_file
from .chain_port import CertificateChain
from .holdings import Holding, holdings
from .models import ClaimRow, utc_now
from .retirements import PART_MAX_LEAVES, claim_leaf

__all__ = ["claim_holder_leaves"]


def claim_holder_leaves(session: Session, chain: CertificateChain, holder: str, *, period_start_s: int,
                        period_end_s: int, now: datetime, validity_months: int = 24,
                        tz: str = "Asia/Shanghai") -> list[ClaimRow]:
    """Mint ``holder``'s active, unclaimed, unretired leaves of intervals in the period; record the claims (flushed).

    Parameters
    ----------
    period_start_s, period_end_s : int
        Interval starts in ``[period_start_s, period_end_s)``, UNIX s UTC.
    now : datetime
        Expiry clock (the chain's block time: the contract refuses expired leaves).

    Returns
    -------
    list of ClaimRow
        One per leaf claimed, in the order sent; leaves of one batch share a transaction.

    Raises
    ------
    RetirementError
        If the chain used a leaf in another way (from :func:`~greenproof.ledger.retirements.claim_leaf`).
    ContractRevertError
        If the chain refuses a batch's claim (the message names the custom error).
    """
    todo = [h for h in holdings(session, holder, period_start_s=period_start_s, period_end_s=period_end_s, now=now,
                                validity_months=validity_months, tz=tz)
            if not h.claimed and h.retired_wh == 0 and h.status == "active" and h.batch_mode == "anchor"]
    claims: list[ClaimRow] = []
    by_batch: dict[str, list[Holding]] = {}
    for holding in todo:
        leaf = holding.leaf
        if chain.is_leaf_claimed(leaf.holder, leaf.plant_index, leaf.interval_start_s):
            claims.append(claim_leaf(session, chain, holding.leaf_id))  # adopts the chain's event
        else:
            by_batch.setdefault(holding.batch_id, []).append(holding)
    for batch_id, items in by_batch.items():
        file = load_leaf_file(session, batch_id)
        ordered = sorted(items, key=lambda h: file.position(h.leaf))
        for start in range(0, len(ordered), PART_MAX_LEAVES):
            part = ordered[start:start + PART_MAX_LEAVES]
            leaves = [h.leaf for h in part]
            result = chain.claim_leaves(file.header, holder, file.leaf_refs(leaves), file.proof(leaves))
            for holding in part:
                row = ClaimRow(leaf_id=holding.leaf_id, mode="proof", tx_hash=result.tx_hash,
                               block_number=result.block_number, created_at=utc_now())
                session.add(row)
                claims.append(row)
    session.flush()
    return claims
