"""A firm claims one of its anchored certificate leaves on-chain with its Merkle proof."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.ledger.chain_port import CertificateChain
from greenproof.ledger.models import AllocationLeafRow, ClaimRow, Firm
from greenproof.ledger.retirements import claim_leaf

from .errors import NotFoundError

__all__ = ["claim_firm_leaf"]


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
