"""An independent encoding of GreenCertificate v2 leaves, trees and proofs, written from docs/contracts.md.

Nothing here imports ``greenproof.contracts.leaves``, ``.merkle`` or ``.multiproof``: the attack
tests build whatever tree they like (faulty roots, overlapping intervals, duplicate leaves) with
``eth_abi`` and ``eth_utils.keccak`` and talk to the contract through raw ABI calls
(``ChainClient.prepare_raw``), and the ledger tests rebuild a leaf file's root with it, so a bug
shared by the project's encoder and the contract cannot hide. As the docs say, a node with no leaf
below it is 32 zero bytes with sum 0; unlike the project's builder, this tree computes every level
in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

ZERO = bytes(32)


def allocation_leaf(plant: int, start: int, seconds: int, holder: str, amount_wh: int) -> bytes:
    return keccak(encode(["uint8", "uint32", "uint64", "uint32", "address", "uint64"],
                         [1, plant, start, seconds, holder, amount_wh]))


def discharge_leaf(storage: int, plant: int, origin_start: int, origin_seconds: int, holder: str,
                   amount_wh: int) -> bytes:
    return keccak(encode(["uint8", "uint32", "uint32", "uint64", "uint32", "address", "uint64"],
                         [3, storage, plant, origin_start, origin_seconds, holder, amount_wh]))


def plant_interval_node(plant: int, start: int, seconds: int, cap_wh: int, subtree: bytes, subtree_sum: int) -> bytes:
    return keccak(encode(["uint8", "uint32", "uint64", "uint32", "uint256", "bytes32", "uint256"],
                         [2, plant, start, seconds, cap_wh, subtree, subtree_sum]))


def sum_node(left: bytes, left_sum: int, right: bytes, right_sum: int) -> bytes:
    return keccak(encode(["bytes32", "uint256", "bytes32", "uint256"], [left, left_sum, right, right_sum]))


def plain_node(left: bytes, right: bytes) -> bytes:
    return keccak(encode(["bytes32", "bytes32"], [left, right]))


def commitment(root: bytes, input_hash: bytes, plants: list[int], shape: tuple) -> bytes:
    plants_hash = keccak(b"".join(encode(["uint32"], [p]) for p in plants))
    return keccak(encode(["bytes32", "bytes32", "bytes32", "(uint64,uint32,uint32,uint8,uint8)"],
                         [root, input_hash, plants_hash, shape]))


def storage_account(storage: int) -> str:
    return to_checksum_address(keccak(encode(["string", "uint32"], ["greenproof storage account", storage]))[12:])


def token_id(plant: int, start: int, seconds: int, kind: int = 1, storage: int = 0) -> int:
    return kind << 160 | storage << 128 | plant << 96 | start << 32 | seconds


def bits(count: int) -> int:
    depth = 0
    while (1 << depth) < count:
        depth += 1
    return depth


@dataclass
class GenerationTree:
    """A generation tree laid out by hand: leaves by position, caps by plant-interval position."""

    period_start: int
    seconds: int
    count: int
    plants: list[int]
    slot_bits: int
    leaves: dict[int, tuple[bytes, int]] = field(default_factory=dict)  # position -> (hash, Wh)
    caps: dict[int, int] = field(default_factory=dict)  # plant-interval position -> cap Wh

    @property
    def shape(self) -> tuple[int, int, int, int, int]:
        return (self.period_start, self.seconds, self.count, self.slot_bits, 0)

    def header(self, batch_id: bytes, input_hash: bytes) -> tuple:
        """The BatchHeader of a proof of this tree (no discharge tree)."""
        return (batch_id, input_hash, ZERO, self.plants, self.shape)

    @property
    def plant_bits(self) -> int:
        return bits(len(self.plants))

    @property
    def upper_bits(self) -> int:
        return bits(self.count) + self.plant_bits

    def pi(self, interval_index: int, plant_slot: int) -> int:
        return interval_index << self.plant_bits | plant_slot

    def put(self, interval_index: int, plant_slot: int, slot: int, holder: str, amount_wh: int,
            seconds: int | None = None) -> int:
        """Place an allocation leaf (its interval length may lie: ``seconds``); return its position."""
        start = self.period_start + interval_index * self.seconds
        position = self.pi(interval_index, plant_slot) << self.slot_bits | slot
        self.leaves[position] = (allocation_leaf(self.plants[plant_slot], start, seconds or self.seconds, holder,
                                                 amount_wh), amount_wh)
        return position

    def levels(self) -> tuple[list[list[tuple[bytes, int]]], list[list[bytes]]]:
        width = 1 << (self.upper_bits + self.slot_bits)
        level = [self.leaves.get(p, (ZERO, 0)) for p in range(width)]
        sums = [level]
        for _ in range(self.slot_bits):
            level = [(ZERO, 0) if level[2 * i] == level[2 * i + 1] == (ZERO, 0) else
                     (sum_node(*level[2 * i], *level[2 * i + 1]), level[2 * i][1] + level[2 * i + 1][1])
                     for i in range(len(level) // 2)]
            sums.append(level)
        upper_level = []
        for pi, (subtree, subtree_sum) in enumerate(level):
            interval_index, slot = pi >> self.plant_bits, pi & ((1 << self.plant_bits) - 1)
            if pi in self.caps:
                upper_level.append(plant_interval_node(self.plants[slot], self.period_start + interval_index *
                                                       self.seconds, self.seconds, self.caps[pi], subtree,
                                                       subtree_sum))
            else:
                upper_level.append(ZERO)
        uppers = [upper_level]
        for _ in range(self.upper_bits):
            upper_level = [ZERO if upper_level[2 * i] == upper_level[2 * i + 1] == ZERO else
                           plain_node(upper_level[2 * i], upper_level[2 * i + 1]) for i in range(len(upper_level) // 2)]
            uppers.append(upper_level)
        return sums, uppers

    @property
    def root(self) -> bytes:
        _, uppers = self.levels()
        return keccak(encode(["bytes32", "bytes32"], [uppers[-1][0], ZERO]))

    def proof(self, positions: list[int]) -> list[bytes]:
        sums, uppers = self.levels()
        positions = sorted(positions)
        out: list[bytes] = []
        for level in sums[:-1]:
            missing, positions = walk(positions)
            for p in missing:
                out += [level[p][0], level[p][1].to_bytes(32, "big")]
        out += [self.caps.get(p, 0).to_bytes(32, "big") for p in positions]
        for level in uppers[:-1]:
            missing, positions = walk(positions)
            out += [level[p] for p in missing]
        return out


def walk(positions: list[int]) -> tuple[list[int], list[int]]:
    """Siblings a fold needs from the proof (in order) and the parents' positions."""
    missing, parents, i = [], [], 0
    while i < len(positions):
        p = positions[i]
        if p % 2 == 0 and i + 1 < len(positions) and positions[i + 1] == p + 1:
            i += 2
        else:
            missing.append(p ^ 1)
            i += 1
        parents.append(p // 2)
    return missing, parents


def header(batch_id: bytes, input_hash: bytes, sibling_root: bytes, plants: list[int], shape: tuple) -> tuple:
    return (batch_id, input_hash, sibling_root, plants, shape)


def claim(ref: bytes, start: int, end: int, beneficiary: str = "Attacker Ltd.") -> tuple:
    return (ref, beneficiary, "squat", start, end, keccak(text="attacker shipment"))
