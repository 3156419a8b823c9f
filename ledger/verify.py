"""Independent verification: a leaf against the on-chain root, from the chain and the published leaf file only.

Nothing here reads the ledger database. Given a batch's leaf file (``greenproof-leaf-file/1``)
and a chain client, :func:`verify_leaf` rebuilds the Merkle tree from the file, checks the file
against itself (root, caps), then checks the leaf and its cap leaf with Merkle proofs against the
root *stored on-chain* for the batch id, and reads the anchoring transaction, the claim and the
retirements of the leaf from the contract's events. A directly issued batch has no root on-chain;
its leaf is checked against the mint (``TransferSingle`` from the zero address) in the issuing
transaction instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from greenproof.contracts.events import ChainEvent
from greenproof.contracts.leaves import AllocationLeaf, leaf_hash
from greenproof.contracts.merkle import verify_proof

from .chain_port import CertificateChain, from_hex32
from .errors import LeafFileError
from .leaf_file import LeafFile, hex32

__all__ = ["HolderVerification", "LeafVerification", "RetirementEvent", "verify_holder", "verify_leaf"]

_ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class RetirementEvent:
    """A ``Retired`` event of the leaf's token by its holder."""

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
        Root stated by the leaf file, and stored on-chain (None if the batch is not on-chain;
        zero for a direct batch).
    direct : bool
        The batch was issued directly (minted), not anchored.
    proof : tuple of str
        Merkle path of the leaf (sibling hashes, leaf to root), checked against ``chain_root``.
    cap_wh : int or None
        The plant-interval's cap from the file (its own proof is checked too).
    anchor_tx, anchor_block
        Transaction and block that registered the batch.
    claim_tx : str or None
        Transaction of the ``LeafClaimed`` event (or the direct mint).
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
    direct: bool
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
        """True when the leaf is minted on-chain (claimed with its proof, or issued directly)."""
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
        """Wh of those leaves minted on-chain."""
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
    hash_ = leaf_hash(leaf)
    in_file = leaf in set(file.allocation_leaves)
    proof = file.proof(leaf) if in_file else []
    cap = file.cap_of(leaf) if in_file else None
    if not in_file:
        problems.append(f"leaf {leaf} is not in the leaf file of batch {file.batch_id}")
    on_chain = chain.batch(from_hex32(file.batch_id))
    all_events = list(chain.events() if events is None else events)
    anchor = next((e for e in all_events if e.name in ("BatchAnchored", "BatchIssued")
                   and hex32(e.args["batchId"]) == file.batch_id), None)
    claim_tx: str | None = None
    chain_root: str | None = None
    if on_chain is None:
        problems.append(f"batch {file.batch_id} is not registered on-chain")
    else:
        chain_root = hex32(on_chain.root)
        if hex32(on_chain.input_hash) != file.input_hash:
            problems.append(f"input hash on-chain {hex32(on_chain.input_hash)} differs from the file's "
                            f"{file.input_hash}")
        if (on_chain.period_start_s, on_chain.period_end_s) != (file.period_start_s, file.period_end_s):
            problems.append("the batch period on-chain differs from the file's")
        if on_chain.direct:
            claim_tx = _direct_mint_tx(all_events, anchor, leaf)
            if claim_tx is None:
                problems.append(f"no mint of {leaf.amount_wh} Wh of token {leaf.token_id} to {leaf.holder} in the "
                                "transaction that issued the batch")
        else:
            if chain_root != file.root:
                problems.append(f"root on-chain {chain_root} differs from the file's {file.root}")
            if in_file and not verify_proof(hash_, proof, on_chain.root):
                problems.append("the leaf's Merkle proof does not reach the on-chain root")
            if cap is not None and not verify_proof(leaf_hash(cap), file.proof(cap), on_chain.root):
                problems.append("the cap leaf's Merkle proof does not reach the on-chain root")
            claim_tx = next((e.tx_hash for e in all_events if e.name == "LeafClaimed" and e.args["leafHash"] == hash_),
                            None)
    retirements = tuple(
        RetirementEvent(hex32(e.args["claimRef"]), e.args["amountWh"], e.args["beneficiary"], e.args["purpose"],
                        e.args["periodStart"], e.args["periodEnd"], hex32(e.args["shipmentRef"]), e.tx_hash,
                        e.block_number)
        for e in all_events
        if e.name == "Retired" and e.args["id"] == leaf.token_id and e.args["holder"].lower() == leaf.holder.lower()
    )
    return LeafVerification(
        batch_id=file.batch_id, leaf=leaf, leaf_hash=hex32(hash_), file_root=file.root, chain_root=chain_root,
        direct=bool(on_chain and on_chain.direct), proof=tuple(hex32(p) for p in proof),
        cap_wh=cap.cap_wh if cap else None, anchor_tx=anchor.tx_hash if anchor else None,
        anchor_block=on_chain.block_number if on_chain else None, claim_tx=claim_tx, retirements=retirements,
        problems=tuple(problems),
    )


def _direct_mint_tx(events: Sequence[ChainEvent], anchor: ChainEvent | None, leaf: AllocationLeaf) -> str | None:
    if anchor is None:
        return None
    for event in events:
        if (event.name == "TransferSingle" and event.tx_hash == anchor.tx_hash and event.args["from"] == _ZERO_ADDRESS
                and event.args["to"].lower() == leaf.holder.lower() and event.args["id"] == leaf.token_id
                and event.args["value"] == leaf.amount_wh):
            return event.tx_hash
    return None


def verify_holder(chain: CertificateChain, leaf_files: Iterable[bytes | LeafFile], holder: str, *,
                  period_start_s: int, period_end_s: int) -> HolderVerification:
    """Verify every leaf of ``holder`` with an interval in ``[period_start_s, period_end_s)`` in the files.

    The chain's events are read once for all leaves.
    """
    events = chain.events()
    verified = []
    for item in leaf_files:
        file = _as_file(item)
        for leaf in file.allocation_leaves:
            if leaf.holder.lower() == holder.lower() and period_start_s <= leaf.interval_start_s < period_end_s:
                verified.append(verify_leaf(chain, file, leaf, events=events))
    verified.sort(key=lambda v: (v.leaf.interval_start_s, v.leaf.plant_code))
    return HolderVerification(holder, period_start_s, period_end_s, tuple(verified))
