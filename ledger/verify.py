"""Independent verification: a leaf against the on-chain commitment, from the chain and the published leaf file only.

Nothing here reads the ledger database. Given a batch's leaf file (``greenproof-leaf-file/2``)
and a chain client, :func:`verify_leaf` rebuilds the batch tree from the file, checks the file
against itself (root, caps), compares the file's commitment with the one the contract stores for
the batch id, checks the leaf's multiproof off-chain with the contract's own fold
(:func:`greenproof.contracts.multiproof.generation_commitment`, caps checked against the plants'
registered capacities), and reads the anchoring transaction, the claim and the retirements of the
leaf from the contract's events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from greenproof.contracts.errors import ProofError
from greenproof.contracts.events import ChainEvent
from greenproof.contracts.leaves import AllocationLeaf
from greenproof.contracts.multiproof import ProvenLeaf, generation_commitment
from greenproof.contracts.records import AnchoredBatch, PlantInfo

from .chain_port import CertificateChain, from_hex32
from .errors import LeafFileError
from .leaf_file import LeafFile, hex32

__all__ = ["HolderVerification", "LeafVerification", "RetirementEvent", "verify_holder", "verify_leaf"]


@dataclass(frozen=True)
class RetirementEvent:
    """The part of a ``Retired`` event that retired the leaf's token for its holder."""

    claim_ref: str
    amount_wh: int
    beneficiary: str
    purpose: str
    period_start_s: int
    period_end_s: int
    shipment_ref: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class LeafVerification:
    """Outcome of :func:`verify_leaf`; ``ok`` is true when every check passed (``problems`` empty).

    Attributes
    ----------
    batch_id, leaf_hash : str
        ``0x`` hex.
    leaf : AllocationLeaf
    file_root, chain_root : str or None
        Root stated by the leaf file, and anchored on-chain (None if the batch is not on-chain).
    commitment : str or None
        What the contract stores for the batch (None if not on-chain); the file's must equal it.
    position : int or None
        The leaf's position in the batch tree.
    proof : tuple of str
        The leaf's multiproof (its plant-interval's cap included), checked against ``commitment``.
    cap_wh : int or None
        The plant-interval's cap from the file (proven with the leaf).
    anchor_tx, anchor_block
        Transaction and block that anchored the batch.
    claim_tx : str or None
        Transaction that minted the leaf (``LeavesClaimed``) or retired it straight from its proof.
    retirements : tuple of RetirementEvent
        Retirements of the leaf's token by its holder.
    problems : tuple of str
        Every failed check, in words.
    """

    batch_id: str
    leaf: AllocationLeaf
    leaf_hash: str
    file_root: str
    chain_root: str | None
    commitment: str | None
    position: int | None
    proof: tuple[str, ...]
    cap_wh: int | None
    anchor_tx: str | None
    anchor_block: int | None
    claim_tx: str | None
    retirements: tuple[RetirementEvent, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the leaf is proven against the on-chain batch."""
        return not self.problems

    @property
    def claimed(self) -> bool:
        """True when the leaf is used on-chain (minted to its holder, or retired straight from its proof)."""
        return self.claim_tx is not None

    @property
    def retired_wh(self) -> int:
        """Wh of the leaf's token retired by its holder."""
        return sum(r.amount_wh for r in self.retirements)


@dataclass(frozen=True)
class HolderVerification:
    """Outcome of :func:`verify_holder`: every leaf of the holder in the period, verified, and totals (Wh)."""

    holder: str
    period_start_s: int
    period_end_s: int
    leaves: tuple[LeafVerification, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when every leaf verified."""
        return all(leaf.ok for leaf in self.leaves)

    @property
    def allocated_wh(self) -> int:
        """Wh allocated to the holder in the period by verified leaves."""
        return sum(v.leaf.amount_wh for v in self.leaves if v.ok)

    @property
    def claimed_wh(self) -> int:
        """Wh of those leaves used on-chain (minted or retired from their proofs)."""
        return sum(v.leaf.amount_wh for v in self.leaves if v.ok and v.claimed)

    @property
    def retired_wh(self) -> int:
        """Wh of those leaves retired on-chain."""
        return sum(v.retired_wh for v in self.leaves if v.ok)


def _as_file(leaf_file: bytes | LeafFile) -> LeafFile:
    return leaf_file if isinstance(leaf_file, LeafFile) else LeafFile.from_bytes(leaf_file)


def verify_leaf(chain: CertificateChain, leaf_file: bytes | LeafFile, leaf: AllocationLeaf, *,
                events: Sequence[ChainEvent] | None = None) -> LeafVerification:
    """Verify one allocation leaf against the chain, trusting only the chain and the leaf file.

    Parameters
    ----------
    chain : CertificateChain
        Client of the certificate contract (read-only use).
    leaf_file : bytes or LeafFile
        The batch's published leaf file.
    leaf : AllocationLeaf
        The leaf to verify.
    events : sequence of ChainEvent, optional
        The contract's events, if already read (default: read them all).

    Raises
    ------
    LeafFileError
        If the leaf file is malformed (unparseable, or stated hashes that do not match its fields).
    """
    file = _as_file(leaf_file)
    problems: list[str] = []
    try:
        file.check()
    except LeafFileError as exc:
        problems.append(str(exc))
    in_file = leaf in set(file.allocation_leaves)
    position = file.position(leaf) if in_file else None
    proof = file.proof([leaf]) if in_file else []
    cap = file.cap_of(leaf) if in_file else None
    if not in_file:
        problems.append(f"leaf {leaf} is not in the leaf file of batch {file.batch_id}")
    on_chain = chain.batch(from_hex32(file.batch_id))
    if on_chain is None:
        problems.append(f"batch {file.batch_id} is not registered on-chain")
    else:
        if on_chain.commitment != file.commitment:
            problems.append(f"the chain's commitment {hex32(on_chain.commitment)} for the batch differs from the "
                            f"file's {hex32(file.commitment)} (root, input hash, plants or shape)")
        if position is not None:
            problems += _proof_problems(chain, file, leaf, position, proof, on_chain.commitment)
    all_events = list(chain.events() if events is None else events)
    return LeafVerification(
        batch_id=file.batch_id, leaf=leaf, leaf_hash=hex32(leaf.hash), file_root=file.root,
        chain_root=hex32(on_chain.root) if on_chain else None,
        commitment=hex32(on_chain.commitment) if on_chain else None, position=position,
        proof=tuple(hex32(p) for p in proof), cap_wh=cap.cap_wh if cap else None,
        anchor_tx=on_chain.tx_hash if on_chain else None, anchor_block=on_chain.block_number if on_chain else None,
        claim_tx=_use_tx(all_events, file.batch_id, leaf), retirements=_retirements(all_events, leaf),
        problems=tuple(problems),
    )


def _proof_problems(chain: CertificateChain, file: LeafFile, leaf: AllocationLeaf, position: int,
                    proof: Sequence[bytes], stored: bytes) -> list[str]:
    plant = chain.plant(leaf.plant_index)
    if plant is None:
        return [f"plant {leaf.plant_code!r} (#{leaf.plant_index}) is not registered on-chain"]
    max_wh = {leaf.plant_index: plant.capacity_w * file.interval_s // 3600}
    try:
        implied = generation_commitment(file.layout, input_hash=from_hex32(file.input_hash),
                                        discharge_root=file.tree.discharge_root,
                                        leaves=[ProvenLeaf(position, leaf.hash, leaf.amount_wh)], proof=proof,
                                        max_wh=max_wh)
    except ProofError as exc:
        return [f"the leaf's proof fails the contract's checks: {exc}"]
    return [] if implied == stored else ["the leaf's proof does not reach the commitment stored on-chain"]


def _use_tx(events: Sequence[ChainEvent], batch_id: str, leaf: AllocationLeaf) -> str | None:
    """Transaction that minted the leaf to its holder, or retired it straight from its proof."""
    for event in events:
        if event.name not in ("LeavesClaimed", "Retired") or hex32(event.args["batchId"]) != batch_id:
            continue
        if event.args["holder"].lower() == leaf.holder.lower() and leaf.token_id in event.args["ids"]:
            return event.tx_hash
    return None


def _retirements(events: Sequence[ChainEvent], leaf: AllocationLeaf) -> tuple[RetirementEvent, ...]:
    found = []
    for e in events:
        if e.name != "Retired" or e.args["holder"].lower() != leaf.holder.lower():
            continue
        for token, wh in zip(e.args["ids"], e.args["amountsWh"], strict=True):
            if token == leaf.token_id:
                found.append(RetirementEvent(hex32(e.args["claimRef"]), wh, e.args["beneficiary"], e.args["purpose"],
                                             e.args["periodStart"], e.args["periodEnd"], hex32(e.args["shipmentRef"]),
                                             e.tx_hash, e.block_number))
    return tuple(found)


def verify_holder(chain: CertificateChain, leaf_files: Iterable[bytes | LeafFile], holder: str, *,
                  period_start_s: int, period_end_s: int) -> HolderVerification:
    """Verify every leaf of ``holder`` with an interval in ``[period_start_s, period_end_s)`` in the files.

    The chain's events, and each batch and plant, are read once for all leaves.
    """
    events = chain.events()
    reads = _ReadOnce(chain)
    verified = []
    for item in leaf_files:
        file = _as_file(item)
        for leaf in file.allocation_leaves:
            if leaf.holder.lower() == holder.lower() and period_start_s <= leaf.interval_start_s < period_end_s:
                verified.append(verify_leaf(reads, file, leaf, events=events))  # type: ignore[arg-type]
    verified.sort(key=lambda v: (v.leaf.interval_start_s, v.leaf.plant_code))
    return HolderVerification(holder, period_start_s, period_end_s, tuple(verified))


class _ReadOnce:
    """A chain client's batch and plant reads, each made once (the rest of the client passed through)."""

    def __init__(self, chain: CertificateChain) -> None:
        self._chain = chain
        self._batches: dict[bytes, AnchoredBatch | None] = {}
        self._plants: dict[int, PlantInfo | None] = {}

    def batch(self, batch_id: bytes) -> AnchoredBatch | None:
        if batch_id not in self._batches:
            self._batches[batch_id] = self._chain.batch(batch_id)
        return self._batches[batch_id]

    def plant(self, plant_index: int) -> PlantInfo | None:
        if plant_index not in self._plants:
            self._plants[plant_index] = self._chain.plant(plant_index)
        return self._plants[plant_index]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chain, name)
