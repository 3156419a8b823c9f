"""Storage records on-chain: register units, record a batch's charges, claim and retire its discharge certificates.

After a batch is anchored, its renewable Storage Charge Records (leaves of a storage account) are
recorded with ``recordCharges`` — one transaction per unit and batch; anyone may send it. The
contract then lets the unit discharge ``floor(charged × efficiency)`` Wh of each origin plant, and
refuses a discharge certificate above that (``GreenCertificateDischargeAboveStored``). Discharge
leaves are minted to their holder with ``claimDischarges`` (one transaction per holder and batch)
and retired like any minted certificate (``retire``). Each step first asks the chain what is
already done, so a rerun after a crash neither repeats nor skips one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.leaves import AllocationLeaf, DischargeLeaf, storage_account
from greenproof.contracts.records import BatchHeader, DischargeRef, LeafRef, RetirementClaim, StorageInfo
from greenproof.contracts.transactor import TxResult

from .batches import batch_by_id, load_leaf_file
from .database import session_scope
from .errors import InsufficientCertificatesError, IssuanceError
from .leaf_file import hex32
from .models import AllocationLeafRow, Firm
from .storage_models import DischargeLeafRow, DischargeRetirementRow, StorageChargeRow, StorageUnit

__all__ = [
    "StorageChain",
    "claim_discharges",
    "record_charges",
    "register_storage_on_chain",
    "retire_discharges",
    "storage_balances",
    "storage_retired_by_ref",
]


class StorageChain(Protocol):
    """The storage calls of the certificate contract (met by :class:`greenproof.contracts.ChainClient`)."""

    def register_storage(self, storage_index: int, storage_code: str, efficiency_ppm: int) -> TxResult:
        """Register a storage unit (issuer only)."""
        ...

    def storage_unit(self, storage_index: int) -> StorageInfo | None:
        """Return the registered unit, or None."""
        ...

    def record_charges(self, header: BatchHeader, storage_index: int, leaves: Sequence[LeafRef],
                       proof: Sequence[bytes]) -> TxResult:
        """Record charge records of an anchored batch."""
        ...

    def claim_discharges(self, header: BatchHeader, holder: str, leaves: Sequence[DischargeRef],
                         proof: Sequence[bytes]) -> TxResult:
        """Mint discharge leaves to ``holder``."""
        ...

    def is_leaf_claimed(self, holder: str, plant_index: int, interval_start_s: int) -> bool:
        """Return whether the holder's leaf of the plant-interval is used (for a storage account: recorded)."""
        ...

    def is_discharge_claimed(self, batch_id: bytes, position: int) -> bool:
        """Return whether a discharge leaf was claimed."""
        ...

    def retire(self, token_ids: Sequence[int], amounts_wh: Sequence[int], claim: RetirementClaim, *,
               holder_key: str | None = None) -> TxResult:
        """Retire minted balances of the holder signing."""
        ...


def register_storage_on_chain(session: Session, chain: StorageChain) -> list[str]:
    """Register on-chain the ledger's storage units the chain does not know yet; return their codes.

    Raises
    ------
    IssuanceError
        If the chain holds another unit (other efficiency) under a unit's index.
    """
    registered = []
    for unit in session.scalars(select(StorageUnit).order_by(StorageUnit.id)):
        on_chain = chain.storage_unit(unit.id)
        if on_chain is None:
            chain.register_storage(unit.id, unit.code, unit.efficiency_ppm)
            registered.append(unit.code)
        elif on_chain.efficiency_ppm != unit.efficiency_ppm:
            raise IssuanceError(f"storage {unit.code!r} is #{unit.id} at {unit.efficiency_ppm} ppm in the ledger, but "
                                f"the chain registers #{unit.id} at {on_chain.efficiency_ppm} ppm")
    return registered


def record_charges(factory: sessionmaker[Session], chain: StorageChain, batch_id: str) -> int:
    """Record on-chain the batch's renewable charge records not recorded yet; return how many were sent.

    Raises
    ------
    IssuanceError
        If the chain lists a charge as recorded that the ledger never sent (another ledger, a lost update).
    """
    with factory() as session:
        batch_pk = batch_by_id(session, batch_id).id
        rows = session.execute(
            select(StorageChargeRow.id, StorageChargeRow.storage_id, AllocationLeafRow.plant_id,
                   AllocationLeafRow.interval_start_s, AllocationLeafRow.amount_wh)
            .join(AllocationLeafRow, AllocationLeafRow.id == StorageChargeRow.leaf_id)
            .where(StorageChargeRow.batch_pk == batch_pk, StorageChargeRow.recorded_tx_hash.is_(None))
            .order_by(StorageChargeRow.id)).all()
        if not rows:
            return 0
        register_storage_on_chain(session, chain)
        file = load_leaf_file(session, batch_id)
    codes = {index: code for code, index in file.plants}
    per_unit: defaultdict[int, list[tuple[int, AllocationLeaf]]] = defaultdict(list)
    for row_id, unit_id, plant, start, wh in rows:
        leaf = AllocationLeaf(codes[plant], plant, start, file.interval_s, storage_account(unit_id), wh)
        if chain.is_leaf_claimed(leaf.holder, plant, start):
            raise IssuanceError(f"batch {batch_id}: the chain lists storage #{unit_id}'s charge of plant "
                                f"{leaf.plant_code!r} at {start} as recorded, but the ledger never sent it")
        per_unit[unit_id].append((row_id, leaf))
    sent = 0
    for unit_id, items in per_unit.items():
        leaves = [leaf for _, leaf in items]
        result = chain.record_charges(file.header, unit_id, file.leaf_refs(leaves), file.proof(leaves))
        with session_scope(factory) as session:
            for row_id, _ in items:
                session.get_one(StorageChargeRow, row_id).recorded_tx_hash = result.tx_hash
        sent += len(items)
    return sent


def claim_discharges(factory: sessionmaker[Session], chain: StorageChain, batch_id: str, *,
                     holder: str | None = None) -> int:
    """Mint the batch's discharge leaves (of ``holder``, or of every holder) not minted yet; return how many.

    The charges of their origin intervals must be recorded first (:func:`record_charges`).
    """
    with factory() as session:
        batch_pk = batch_by_id(session, batch_id).id
        query = select(DischargeLeafRow).where(DischargeLeafRow.batch_pk == batch_pk,
                                               DischargeLeafRow.claim_tx_hash.is_(None))
        if holder is not None:
            query = query.where(DischargeLeafRow.holder_address == holder)
        rows = {row.leaf_hash: row.id for row in session.scalars(query)}
        if not rows:
            return 0
        file = load_leaf_file(session, batch_id)
    per_holder: defaultdict[str, list[DischargeLeaf]] = defaultdict(list)
    for leaf in file.tree.discharges:
        if hex32(leaf.hash) in rows:
            per_holder[leaf.holder].append(leaf)
    claimed = 0
    for owner, leaves in per_holder.items():
        todo = [leaf for leaf in leaves
                if not chain.is_discharge_claimed(bytes.fromhex(batch_id[2:]), file.position(leaf))]
        tx_hash = "adopted"
        if todo:
            tx_hash = chain.claim_discharges(file.discharge_header, owner, file.discharge_refs(todo),
                                             file.discharge_proof(todo)).tx_hash
        with session_scope(factory) as session:
            for leaf in leaves:
                session.get_one(DischargeLeafRow, rows[hex32(leaf.hash)]).claim_tx_hash = (
                    tx_hash if leaf in todo else "adopted")
        claimed += len(todo)
    return claimed


def retire_discharges(factory: sessionmaker[Session], chain: StorageChain, *, firm_code: str, amount_wh: int,
                      claim: RetirementClaim, holder_key: str) -> TxResult:
    """Retire ``amount_wh`` of a firm's minted discharge certificates, oldest origin first, in one transaction.

    Raises
    ------
    InsufficientCertificatesError
        If the firm holds fewer minted, unretired discharge Wh with an origin inside the claim's period.
    """
    with factory() as session:
        firm = session.scalar(select(Firm).where(Firm.code == firm_code))
        rows = [] if firm is None else list(session.scalars(
            select(DischargeLeafRow).where(DischargeLeafRow.firm_id == firm.id,
                                           DischargeLeafRow.claim_tx_hash.is_not(None),
                                           DischargeLeafRow.retired_wh < DischargeLeafRow.amount_wh,
                                           DischargeLeafRow.origin_start_s >= claim.period_start_s,
                                           DischargeLeafRow.origin_start_s + DischargeLeafRow.origin_s
                                           <= claim.period_end_s)
            .order_by(DischargeLeafRow.origin_start_s, DischargeLeafRow.id)))
        plan: list[tuple[int, int, int]] = []
        left = amount_wh
        for row in rows:
            take = min(left, row.amount_wh - row.retired_wh)
            if take > 0:
                plan.append((row.id, int(row.token_id), take))
                left -= take
        if left > 0 or amount_wh <= 0:
            raise InsufficientCertificatesError(f"firm {firm_code!r} holds {amount_wh - left} Wh of minted discharge "
                                                f"certificates in the claim period, {amount_wh} Wh asked")
    by_token: defaultdict[int, int] = defaultdict(int)
    for _, token, take in plan:
        by_token[token] += take
    tokens = sorted(by_token)
    result = chain.retire(tokens, [by_token[t] for t in tokens], claim, holder_key=holder_key)
    with session_scope(factory) as session:
        for row_id, _, take in plan:
            row = session.get_one(DischargeLeafRow, row_id)
            row.retired_wh += take
            row.retire_tx_hash = result.tx_hash
            session.add(DischargeRetirementRow(leaf_id=row_id, chain_claim_ref=hex32(claim.claim_ref), amount_wh=take,
                                               tx_hash=result.tx_hash))
    return result


def storage_retired_by_ref(session: Session) -> dict[tuple[str, str, str], int]:
    """Return discharge Wh retired per (claim reference, holder, token id), for reconciliation."""
    rows = session.execute(select(DischargeRetirementRow.chain_claim_ref, DischargeLeafRow.holder_address,
                                  DischargeLeafRow.token_id, DischargeRetirementRow.amount_wh)
                           .join(DischargeLeafRow, DischargeLeafRow.id == DischargeRetirementRow.leaf_id))
    out: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    for ref, holder, token, wh in rows:
        out[(ref, holder, token)] += int(wh)
    return dict(out)


def storage_balances(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """Return (minted, retired) discharge Wh per (holder, token id), for reconciliation."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for holder, token, minted, retired in session.execute(
            select(DischargeLeafRow.holder_address, DischargeLeafRow.token_id, func.sum(DischargeLeafRow.amount_wh),
                   func.sum(DischargeLeafRow.retired_wh))
            .where(DischargeLeafRow.claim_tx_hash.is_not(None))
            .group_by(DischargeLeafRow.holder_address, DischargeLeafRow.token_id)):
        out[(holder, token)] = (int(minted), int(retired))
    return out
