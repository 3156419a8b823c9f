"""The positional Merkle-sum tree of a batch and its multiproofs (the builder side of ``GreenCertificate.sol`` v2).

A batch covers ``interval_count`` intervals of ``interval_s`` seconds from ``period_start_s`` for
a strictly increasing list of plant indices. Its tree:

- **generation tree** of depth ``interval_bits + plant_bits + slot_bits`` (``*_bits`` =
  ``ceil(log2(count))``, 0 for one). A leaf's position is
  ``((interval_index << plant_bits) | plant_slot) << slot_bits | slot``; slots of a plant-interval
  hold its allocation leaves (storage charge records included) sorted by holder address, one leaf
  per holder.
  The ``slot_bits`` levels above the leaves are Merkle-sum nodes
  ``keccak256(abi.encode(leftHash, leftSum, rightHash, rightSum))`` (sum = left + right). At the
  plant-interval level the subtree is wrapped in a plant-interval node that commits to the metered
  cap (:meth:`PlantIntervalCap.node_hash`); the levels above are plain nodes
  ``keccak256(abi.encode(left, right))``.
- **discharge tree** of depth ``discharge_bits`` over the storage discharge leaves (plain nodes,
  positions 0.. in (storage, plant, origin, holder) order).
- A node with no leaf below it is 32 zero bytes with sum 0 (the contract never computes one: such
  nodes only ever appear as proof siblings).
- root = ``keccak256(abi.encode(generationRoot, dischargeRoot))`` (discharge root zero when the
  batch has no discharge); the contract stores only the commitment
  ``keccak256(abi.encode(root, inputHash, keccak256(abi.encodePacked(uint32[] plants)), shape))``
  (:func:`commitment`); proofs bring the rest in their header.

A multiproof for leaves at strictly increasing positions is the list of proof entries the
contract's fold reads, in the order it reads them: for each Merkle-sum level, per node whose
sibling is not folded itself, the sibling hash then its sum (as a 32-byte word); then the cap of
each plant-interval node reached; then, per plain level, the missing siblings' hashes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any

from .keccak import keccak256 as keccak
from .leaves import AllocationLeaf, DischargeLeaf, PlantIntervalCap, word

__all__ = [
    "ZERO_HASH",
    "BatchLayout",
    "BatchTree",
    "batch_root",
    "commitment",
    "depth_for",
    "node_hash",
    "sum_node_hash",
]

ZERO_HASH = bytes(32)


def depth_for(count: int) -> int:
    """Return the levels of a positional tree over ``count`` positions: ceil(log2(count)), 0 for 0 or 1."""
    return max(count - 1, 0).bit_length()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return a plain node: ``keccak256(abi.encode(left, right))``."""
    return keccak(left + right)


def sum_node_hash(left: bytes, left_sum: int, right: bytes, right_sum: int) -> bytes:
    """Return a Merkle-sum node: ``keccak256(abi.encode(leftHash, leftSum, rightHash, rightSum))`` (sums < 2^256)."""
    return keccak(left + left_sum.to_bytes(32, "big") + right + right_sum.to_bytes(32, "big"))


def batch_root(generation_root: bytes, discharge_root: bytes) -> bytes:
    """Return the root of a batch: ``keccak256(abi.encode(generationRoot, dischargeRoot))``."""
    return keccak(generation_root + discharge_root)


def commitment(root: bytes, input_hash: bytes, layout: BatchLayout) -> bytes:
    """Return what the contract stores for a batch.

    ``keccak256(abi.encode(root, inputHash, keccak256(abi.encodePacked(uint32[] plants)), shape))``
    with ``shape = (uint64 periodStart, uint32 intervalSeconds, uint32 intervalCount, uint8 slotBits,
    uint8 dischargeBits)``.
    """
    plants_hash = keccak(b"".join(word(p, 32, "plant index") for p in layout.plants))
    return keccak(root + input_hash + plants_hash + b"".join(word(v) for v in layout.shape))


@dataclass(frozen=True)
class BatchLayout:
    """The shape of a batch: its intervals, its plants and the depth of its subtrees.

    Attributes
    ----------
    period_start_s, interval_s, interval_count : int
        The batch covers ``[period_start_s, period_start_s + interval_s × interval_count)``, UNIX s.
    plants : tuple of int
        Plant indices, strictly increasing (a plant's slot is its place in this tuple).
    slot_bits, discharge_bits : int
        Depth of each plant-interval's subtree and of the discharge tree.
    """

    period_start_s: int
    interval_s: int
    interval_count: int
    plants: tuple[int, ...]
    slot_bits: int
    discharge_bits: int = 0

    def __post_init__(self) -> None:
        if self.interval_s <= 0 or self.interval_count <= 0:
            raise ValueError(f"a batch needs intervals: {self.interval_count} × {self.interval_s} s")
        if not self.plants or any(a >= b for a, b in pairwise(self.plants)):
            raise ValueError(f"plant indices {self.plants} must be non-empty and strictly increasing")

    @property
    def period_end_s(self) -> int:
        """End of the period (exclusive), UNIX s."""
        return self.period_start_s + self.interval_s * self.interval_count

    @property
    def shape(self) -> tuple[int, int, int, int, int]:
        """The ABI tuple of the Solidity ``BatchShape`` (period start, interval, count, slot and discharge bits)."""
        return (self.period_start_s, self.interval_s, self.interval_count, self.slot_bits, self.discharge_bits)

    @property
    def plant_bits(self) -> int:
        """Levels of the plant dimension."""
        return depth_for(len(self.plants))

    @property
    def upper_bits(self) -> int:
        """Levels from a plant-interval node up to the generation root."""
        return depth_for(self.interval_count) + self.plant_bits

    def pi_position(self, plant_index: int, interval_start_s: int) -> int:
        """Return the position of a plant-interval node (``interval_index << plant_bits | plant_slot``).

        Raises
        ------
        ValueError
            If the plant is not in the batch or the interval is not one of its intervals.
        """
        offset = interval_start_s - self.period_start_s
        if offset < 0 or offset % self.interval_s or offset // self.interval_s >= self.interval_count:
            raise ValueError(f"interval starting {interval_start_s} is not on the grid of the batch "
                             f"[{self.period_start_s}, {self.period_end_s}) of {self.interval_s} s intervals")
        try:
            slot = self.plants.index(plant_index)
        except ValueError:
            raise ValueError(f"plant index {plant_index} is not one of the batch's plants {self.plants}") from None
        return (offset // self.interval_s) << self.plant_bits | slot

    def plant_interval(self, pi_position: int) -> tuple[int, int]:
        """Return ``(plant_index, interval_start_s)`` of a plant-interval position."""
        slot = pi_position & ((1 << self.plant_bits) - 1)
        index = pi_position >> self.plant_bits
        if index >= self.interval_count or slot >= len(self.plants):
            raise ValueError(f"plant-interval position {pi_position} lies outside the batch")
        return self.plants[slot], self.period_start_s + index * self.interval_s


class BatchTree:
    """The generation and discharge trees of one batch, with positions and multiproofs.

    Parameters
    ----------
    period_start_s, interval_s, interval_count : int
        The batch's intervals (UNIX s).
    plants : sequence of int
        The batch's plant indices (any order; kept sorted).
    caps : sequence of PlantIntervalCap
        One per plant-interval that has leaves (it may also have none).
    allocations : sequence of AllocationLeaf
        Allocation leaves (storage charge records included), at most one per holder and plant-interval.
    discharges : sequence of DischargeLeaf
        Storage discharge leaves, at most one per (storage, plant, origin, holder).

    Raises
    ------
    ValueError
        If a leaf lies outside the batch, has no cap or a zero amount, two leaves share a holder in
        one plant-interval, a cap is listed twice, or a plant-interval's leaves sum above its cap.
    """

    def __init__(self, *, period_start_s: int, interval_s: int, interval_count: int, plants: Iterable[int],
                 caps: Sequence[PlantIntervalCap], allocations: Sequence[AllocationLeaf],
                 discharges: Sequence[DischargeLeaf] = ()) -> None:
        plant_tuple = tuple(sorted(plants))
        probe = BatchLayout(period_start_s, interval_s, interval_count, plant_tuple, 0)
        self._caps: dict[int, PlantIntervalCap] = {}
        for cap in caps:
            pi = probe.pi_position(cap.plant_index, cap.interval_start_s)
            if cap.interval_s != interval_s:
                raise ValueError(f"cap {cap} has a {cap.interval_s} s interval in a batch of {interval_s} s")
            if pi in self._caps:
                raise ValueError(f"plant {cap.plant_index} at {cap.interval_start_s} has two caps")
            self._caps[pi] = cap
        by_pi: defaultdict[int, list[AllocationLeaf]] = defaultdict(list)
        for leaf in allocations:
            pi = probe.pi_position(leaf.plant_index, leaf.interval_start_s)
            if pi not in self._caps or leaf.interval_s != interval_s:
                raise ValueError(f"allocation {leaf} has no cap of its plant-interval in the batch")
            if leaf.amount_wh <= 0:
                raise ValueError(f"allocation {leaf} has no energy")
            by_pi[pi].append(leaf)
        slot_bits = depth_for(max((len(leaves) for leaves in by_pi.values()), default=1))
        ordered_discharges = sorted(discharges, key=_discharge_key)
        self.layout = BatchLayout(period_start_s, interval_s, interval_count, plant_tuple, slot_bits,
                                  depth_for(len(ordered_discharges)))
        self._positions: dict[AllocationLeaf, int] = {}
        for pi, leaves in by_pi.items():
            leaves.sort(key=lambda x: int(x.holder, 16))
            for a, b in pairwise(leaves):
                if int(a.holder, 16) == int(b.holder, 16):
                    raise ValueError(f"holder {a.holder} has two allocations of plant {a.plant_index} at "
                                     f"{a.interval_start_s}: merge them")
            total = sum(leaf.amount_wh for leaf in leaves)
            if total > self._caps[pi].cap_wh:
                raise ValueError(f"allocations of plant {leaves[0].plant_index} at {leaves[0].interval_start_s} sum "
                                 f"to {total} Wh, above the cap {self._caps[pi].cap_wh} Wh")
            for slot, leaf in enumerate(leaves):
                self._positions[leaf] = pi << slot_bits | slot
        self._discharge_positions = {leaf: i for i, leaf in enumerate(ordered_discharges)}
        if len(self._discharge_positions) < len(ordered_discharges):
            raise ValueError("a discharge leaf appears twice")
        if any(leaf.amount_wh <= 0 for leaf in ordered_discharges):
            raise ValueError("a discharge leaf has no energy")

    # -- levels ----------------------------------------------------------------------------------

    @cached_property
    def _sum_levels(self) -> list[dict[int, tuple[bytes, int]]]:
        """Merkle-sum levels from the leaves (level 0) to the plant-interval subtrees' roots."""
        level = {position: (leaf.hash, leaf.amount_wh) for leaf, position in self._positions.items()}
        levels = [level]
        for _ in range(self.layout.slot_bits):
            parents: dict[int, tuple[bytes, int]] = {}
            for position in level:
                parent = position >> 1
                if parent in parents:
                    continue
                (lh, ls), (rh, rs) = level.get(parent << 1, (ZERO_HASH, 0)), level.get(parent << 1 | 1, (ZERO_HASH, 0))
                parents[parent] = (sum_node_hash(lh, ls, rh, rs), ls + rs)
            level = parents
            levels.append(level)
        return levels

    @cached_property
    def _upper_levels(self) -> list[dict[int, bytes]]:
        """Plain levels from the plant-interval nodes (level 0) to the generation root."""
        subtrees = self._sum_levels[-1]
        level = {pi: cap.node_hash(*subtrees.get(pi, (ZERO_HASH, 0))) for pi, cap in self._caps.items()}
        return _plain_levels(level, self.layout.upper_bits)

    @cached_property
    def _discharge_levels(self) -> list[dict[int, bytes]]:
        level = {position: leaf.hash for leaf, position in self._discharge_positions.items()}
        return _plain_levels(level, self.layout.discharge_bits)

    @property
    def generation_root(self) -> bytes:
        """Root of the generation tree."""
        return self._upper_levels[-1].get(0, ZERO_HASH)

    @property
    def discharge_root(self) -> bytes:
        """Root of the discharge tree (zero bytes when the batch has no discharge)."""
        return self._discharge_levels[-1].get(0, ZERO_HASH)

    @property
    def root(self) -> bytes:
        """The batch root anchored on-chain: ``keccak256(abi.encode(generationRoot, dischargeRoot))``."""
        return batch_root(self.generation_root, self.discharge_root)

    def commitment(self, input_hash: bytes) -> bytes:
        """Return the commitment the contract stores for this batch and ``input_hash``."""
        return commitment(self.root, input_hash, self.layout)

    # -- positions and proofs ---------------------------------------------------------------------

    @property
    def allocations(self) -> list[AllocationLeaf]:
        """Allocation leaves in position order."""
        return sorted(self._positions, key=self._positions.__getitem__)

    @property
    def discharges(self) -> list[DischargeLeaf]:
        """Discharge leaves in position order."""
        return sorted(self._discharge_positions, key=self._discharge_positions.__getitem__)

    @property
    def caps(self) -> list[PlantIntervalCap]:
        """Plant-interval caps in position order."""
        return [self._caps[pi] for pi in sorted(self._caps)]

    def position(self, leaf: AllocationLeaf | DischargeLeaf) -> int:
        """Return the position of a leaf in its tree.

        Raises
        ------
        KeyError
            If the leaf is not in this batch.
        """
        table: dict[Any, int] = self._discharge_positions if isinstance(leaf, DischargeLeaf) else self._positions
        try:
            return table[leaf]
        except KeyError:
            raise KeyError(f"leaf {leaf} is not in this batch") from None

    def plant_interval_hash(self, cap: PlantIntervalCap) -> bytes:
        """Return the plant-interval node of ``cap`` (it commits to the cap and the Σ of its leaves).

        Raises
        ------
        KeyError
            If the cap is not in this batch.
        """
        pi = self.layout.pi_position(cap.plant_index, cap.interval_start_s)
        if self._caps.get(pi) != cap:
            raise KeyError(f"cap {cap} is not in this batch")
        return self._upper_levels[0][pi]

    def cap_of(self, leaf: AllocationLeaf) -> PlantIntervalCap:
        """Return the cap of the leaf's plant-interval."""
        return self._caps[self.position(leaf) >> self.layout.slot_bits]

    def multiproof(self, leaves: Iterable[AllocationLeaf]) -> list[bytes]:
        """Return the proof of allocation leaves (any order; the contract takes them by position).

        Raises
        ------
        KeyError
            If a leaf is not in this batch.
        """
        positions = sorted({self.position(leaf) for leaf in leaves})
        proof: list[bytes] = []
        for level in self._sum_levels[:-1]:
            missing, positions = _walk(positions)
            for sibling in missing:
                sibling_hash, sibling_sum = level.get(sibling, (ZERO_HASH, 0))
                proof += [sibling_hash, word(sibling_sum)]
        proof.extend(word(self._caps[pi].cap_wh) for pi in positions)
        _plain_proof(self._upper_levels, positions, proof)
        return proof

    def discharge_multiproof(self, leaves: Iterable[DischargeLeaf]) -> list[bytes]:
        """Return the proof of discharge leaves (any order).

        Raises
        ------
        KeyError
            If a leaf is not in this batch.
        """
        proof: list[bytes] = []
        _plain_proof(self._discharge_levels, sorted({self.position(leaf) for leaf in leaves}), proof)
        return proof


def _discharge_key(leaf: DischargeLeaf) -> tuple[int, int, int, int]:
    return leaf.storage_index, leaf.plant_index, leaf.origin_start_s, int(leaf.holder, 16)


def _plain_levels(level: dict[int, bytes], depth: int) -> list[dict[int, bytes]]:
    levels = [level]
    for _ in range(depth):
        parents: dict[int, bytes] = {}
        for position in level:
            parent = position >> 1
            if parent not in parents:
                parents[parent] = node_hash(level.get(parent << 1, ZERO_HASH), level.get(parent << 1 | 1, ZERO_HASH))
        level = parents
        levels.append(level)
    return levels


def _plain_proof(levels: list[dict[int, bytes]], positions: list[int], proof: list[bytes]) -> None:
    """Append to ``proof`` the siblings a fold of plain ``levels`` needs for nodes at ``positions``."""
    for level in levels[:-1]:
        missing, positions = _walk(positions)
        proof.extend(level.get(sibling, ZERO_HASH) for sibling in missing)


def _walk(positions: list[int]) -> tuple[list[int], list[int]]:
    """Walk one level as the contract's fold does.

    Returns the positions of the siblings the proof must supply (those not folded themselves), in
    the order the fold reads them, and the parents' positions.
    """
    missing: list[int] = []
    parents: list[int] = []
    i = 0
    while i < len(positions):
        p = positions[i]
        if p & 1 == 0 and i + 1 < len(positions) and positions[i + 1] == p | 1:
            i += 2
        else:
            missing.append(p ^ 1)
            i += 1
        parents.append(p >> 1)
    return missing, parents
