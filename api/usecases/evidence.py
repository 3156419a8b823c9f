"""Evidence bundles: one certificate leaf with its batch header, Merkle proofs and chain transactions."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.contracts.leaves import AllocationLeaf, PlantIntervalCap, leaf_hash
from greenproof.ledger.batches import load_leaf_file
from greenproof.ledger.leaf_file import LeafFile, hex32
from greenproof.ledger.models import AllocationLeafRow, ClaimRow, IssuanceBatch, Plant, RetirementLine

from .errors import NotFoundError
from .periods import utc_from_s
from .schemas import CapLeafPublic, EvidenceBundle, LeafPublic, RetirementLinePublic

__all__ = ["LeafFileCache", "LeafProofs", "cap_public", "evidence_bundle", "leaf_public"]


class LeafFileCache:
    """Leaf files of stored batches, rebuilt once per batch (a batch's leaves never change once stored).

    Parameters
    ----------
    size : int
        Batches kept (least recently used dropped first).
    """

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._files: OrderedDict[str, LeafFile] = OrderedDict()
        self._lock = Lock()

    def get(self, session: Session, batch_id: str) -> LeafFile:
        """Return the leaf file of ``batch_id`` (``0x`` hex), building it from the database on a miss."""
        with self._lock:
            if batch_id in self._files:
                self._files.move_to_end(batch_id)
                return self._files[batch_id]
        file = load_leaf_file(session, batch_id)
        with self._lock:
            self._files[batch_id] = file
            while len(self._files) > self._size:
                self._files.popitem(last=False)
        return file


def leaf_public(leaf: AllocationLeaf, position: int) -> LeafPublic:
    """Return the wire form of an allocation leaf at ``position`` of its batch tree."""
    return LeafPublic(plant_code=leaf.plant_code, plant_index=leaf.plant_index, position=position,
                      interval_start_s=leaf.interval_start_s, interval_s=leaf.interval_s, holder=leaf.holder,
                      amount_wh=leaf.amount_wh, token_id=str(leaf.token_id), leaf_hash=hex32(leaf_hash(leaf)))


def cap_public(cap: PlantIntervalCap, node: bytes) -> CapLeafPublic:
    """Return the wire form of a plant-interval cap and its node hash."""
    return CapLeafPublic(plant_code=cap.plant_code, interval_start_s=cap.interval_start_s, interval_s=cap.interval_s,
                         cap_wh=cap.cap_wh, token_id=str(cap.token_id), leaf_hash=hex32(node))


@dataclass(frozen=True)
class LeafProofs:
    """An allocation leaf, its cap, its multiproof (the cap included) and its batch's discharge root."""

    leaf: LeafPublic
    proof: list[str]
    cap: CapLeafPublic
    discharge_root: str

    @classmethod
    def of(cls, file: LeafFile, leaf: AllocationLeaf) -> LeafProofs:
        """Return the proofs of ``leaf`` in the batch whose leaf file is ``file``."""
        cap = file.cap_of(leaf)
        return cls(leaf=leaf_public(leaf, file.position(leaf)), proof=[hex32(p) for p in file.proof([leaf])],
                   cap=cap_public(cap, file.tree.plant_interval_hash(cap)),
                   discharge_root=hex32(file.tree.discharge_root))


def evidence_bundle(session: Session, leaf_hash_hex: str, files: LeafFileCache) -> EvidenceBundle:
    """Return the evidence bundle of the allocation leaf whose hash is ``leaf_hash_hex``.

    Raises
    ------
    NotFoundError
        If no stored allocation leaf has that hash.
    """
    found = session.execute(
        select(AllocationLeafRow, IssuanceBatch, Plant.code)
        .join(IssuanceBatch, IssuanceBatch.id == AllocationLeafRow.batch_pk)
        .join(Plant, Plant.id == AllocationLeafRow.plant_id)
        .where(AllocationLeafRow.leaf_hash == leaf_hash_hex.lower())).first()
    if found is None:
        raise NotFoundError(f"no certificate leaf with hash {leaf_hash_hex}")
    row, batch, plant_code = found
    file = files.get(session, batch.batch_id)
    proofs = LeafProofs.of(file, AllocationLeaf(plant_code, row.plant_id, row.interval_start_s, row.interval_s,
                                                row.holder_address, row.amount_wh))
    claim_tx = session.scalar(select(ClaimRow.tx_hash).where(ClaimRow.leaf_id == row.id))
    lines = session.scalars(select(RetirementLine).where(RetirementLine.leaf_id == row.id)
                            .order_by(RetirementLine.id)).all()
    return EvidenceBundle(
        batch_id=batch.batch_id, input_hash=batch.input_hash, root=batch.root, discharge_root=proofs.discharge_root,
        period_start=utc_from_s(batch.period_start_s),
        period_end=utc_from_s(batch.period_end_s), mode=batch.mode, state=batch.state,
        anchor_tx_hash=batch.tx_hash, anchor_block=batch.block_number,
        leaf=proofs.leaf, proof=proofs.proof, cap=proofs.cap,
        claim_tx_hash=claim_tx,
        retirements=[RetirementLinePublic(claim_ref=line.chain_claim_ref, amount_wh=line.amount_wh,
                                          tx_hash=line.tx_hash, block_number=line.block_number) for line in lines],
    )
