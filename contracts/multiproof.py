"""Checking multiproofs off-chain exactly as ``GreenCertificate.sol`` does, for auditors and the ledger.

:func:`generation_commitment` folds allocation leaves (given by position, hash and Wh) with a proof
made by :meth:`~greenproof.contracts.merkle.BatchTree.multiproof` and returns the batch commitment
they imply, checking on the way what the contract checks: positions strictly increasing and
inside the batch, Σ leaves ≤ cap at every plant-interval node (and cap ≤ capacity × duration
when capacities are given), every proof entry used. Comparing the result with the commitment the
chain stores (``chain.batch(id).commitment``) proves the leaves without trusting whoever built
the tree. It is written apart from the tree builder on purpose: it reads only the proof.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import ProofError
from .leaves import PlantIntervalCap
from .merkle import BatchLayout, batch_root, commitment, node_hash, sum_node_hash

__all__ = ["ProvenLeaf", "discharge_commitment", "generation_commitment"]

_MAX_SIBLING_SUM = (1 << 128) - 1


@dataclass(frozen=True)
class ProvenLeaf:
    """A leaf as a proof takes it: position in its tree, 32-byte hash, Wh (0 for discharge leaves)."""

    position: int
    hash: bytes
    amount_wh: int = 0


class _Reader:
    def __init__(self, proof: Sequence[bytes]) -> None:
        self.proof = proof
        self.cursor = 0

    def next(self) -> bytes:
        if self.cursor >= len(self.proof):
            raise ProofError(f"the proof has {len(self.proof)} entries, too few for these leaves")
        entry = self.proof[self.cursor]
        self.cursor += 1
        if len(entry) != 32:
            raise ProofError(f"proof entry {self.cursor - 1} is {len(entry)} bytes, not 32")
        return bytes(entry)

    def done(self) -> None:
        if self.cursor != len(self.proof):
            raise ProofError(f"the proof has {len(self.proof)} entries; {len(self.proof) - self.cursor} left unused")


def _fold_sums(nodes: list[tuple[int, bytes, int]], reader: _Reader) -> list[tuple[int, bytes, int]]:
    parents = []
    i = 0
    while i < len(nodes):
        p, h, s = nodes[i]
        if p & 1 == 0 and i + 1 < len(nodes) and nodes[i + 1][0] == p | 1:
            _, rh, rs = nodes[i + 1]
            parents.append((p >> 1, sum_node_hash(h, s, rh, rs), s + rs))
            i += 2
            continue
        sibling_hash, sibling_sum = reader.next(), int.from_bytes(reader.next(), "big")
        if sibling_sum > _MAX_SIBLING_SUM:
            raise ProofError(f"a sibling sum of {sibling_sum} Wh exceeds 2^128 - 1")
        pair = (h, s, sibling_hash, sibling_sum) if p & 1 == 0 else (sibling_hash, sibling_sum, h, s)
        parents.append((p >> 1, sum_node_hash(*pair), s + sibling_sum))
        i += 1
    return parents


def _fold(nodes: list[tuple[int, bytes]], reader: _Reader) -> list[tuple[int, bytes]]:
    parents = []
    i = 0
    while i < len(nodes):
        p, h = nodes[i]
        if p & 1 == 0 and i + 1 < len(nodes) and nodes[i + 1][0] == p | 1:
            parents.append((p >> 1, node_hash(h, nodes[i + 1][1])))
            i += 2
            continue
        sibling = reader.next()
        parents.append((p >> 1, node_hash(h, sibling) if p & 1 == 0 else node_hash(sibling, h)))
        i += 1
    return parents


def _check_positions(leaves: Sequence[ProvenLeaf], depth: int) -> None:
    if not leaves:
        raise ProofError("no leaves to prove")
    for i, leaf in enumerate(leaves):
        if leaf.position >> depth or (i and leaf.position <= leaves[i - 1].position):
            raise ProofError(f"leaf {i} has position {leaf.position}: not strictly after the previous one or "
                             f"outside a tree of depth {depth}")


def _root(nodes: Sequence[tuple[int, bytes] | tuple[int, bytes, int]], reader: _Reader) -> bytes:
    reader.done()
    if len(nodes) != 1:
        raise ProofError(f"the fold ended with {len(nodes)} nodes instead of one root")
    return nodes[0][1]


def generation_commitment(layout: BatchLayout, *, input_hash: bytes, discharge_root: bytes,
                          leaves: Sequence[ProvenLeaf], proof: Sequence[bytes],
                          max_wh: Mapping[int, int] | None = None) -> bytes:
    """Return the batch commitment implied by allocation leaves and their multiproof.

    Parameters
    ----------
    layout : BatchLayout
        The batch's period, plants and ``slot_bits`` (as registered on-chain).
    input_hash, discharge_root : bytes
        The other parts of the commitment (32 bytes each).
    leaves : sequence of ProvenLeaf
        Allocation leaves by strictly increasing position, with their hashes and Wh.
    proof : sequence of bytes
        The multiproof.
    max_wh : mapping, optional
        ``{plant_index: capacity × interval Wh}``; when given, each cap is checked against it.

    Raises
    ------
    ProofError
        If a position is out of order or outside the batch, the proof is too short or too long, or a
        plant-interval's leaves sum above its cap (or its cap above the plant's capacity).
    """
    _check_positions(leaves, layout.upper_bits + layout.slot_bits)
    reader = _Reader(proof)
    nodes = [(leaf.position, leaf.hash, leaf.amount_wh) for leaf in leaves]
    for _ in range(layout.slot_bits):
        nodes = _fold_sums(nodes, reader)
    plant_intervals = []
    for pi, subtree_hash, subtree_sum in nodes:
        try:
            plant_index, start = layout.plant_interval(pi)
        except ValueError as exc:
            raise ProofError(str(exc)) from exc
        cap = PlantIntervalCap("", plant_index, start, layout.interval_s, int.from_bytes(reader.next(), "big"))
        if subtree_sum > cap.cap_wh:
            raise ProofError(f"leaves of plant {plant_index} at {start} sum to {subtree_sum} Wh, above the cap "
                             f"{cap.cap_wh} Wh")
        if max_wh is not None and cap.cap_wh > max_wh[plant_index]:
            raise ProofError(f"cap {cap.cap_wh} Wh of plant {plant_index} at {start} exceeds its capacity "
                             f"({max_wh[plant_index]} Wh per interval)")
        plant_intervals.append((pi, cap.node_hash(subtree_hash, subtree_sum)))
    for _ in range(layout.upper_bits):
        plant_intervals = _fold(plant_intervals, reader)
    return commitment(batch_root(_root(plant_intervals, reader), discharge_root), input_hash, layout)


def discharge_commitment(layout: BatchLayout, *, input_hash: bytes, generation_root: bytes,
                         leaves: Sequence[ProvenLeaf], proof: Sequence[bytes]) -> bytes:
    """Return the batch commitment implied by discharge leaves and their multiproof.

    Raises
    ------
    ProofError
        If a position is out of order or outside the discharge tree, or the proof is too short or too long.
    """
    _check_positions(leaves, layout.discharge_bits)
    reader = _Reader(proof)
    nodes = [(leaf.position, leaf.hash) for leaf in leaves]
    for _ in range(layout.discharge_bits):
        nodes = _fold(nodes, reader)
    return commitment(batch_root(generation_root, _root(nodes, reader)), input_hash, layout)
