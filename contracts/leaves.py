"""On-chain encodings shared by the contracts and the ledger: plant keys, token ids, Merkle leaves.

Each function mirrors one Solidity expression in ``GreenCertificate.sol``; the chain tests prove
that both sides agree. Times are UNIX seconds (UTC); amounts are whole watt-hours (Wh).

- plant key: ``keccak256(bytes(plantCode))`` as ``bytes32``.
- token id: ``uint256(keccak256(abi.encode(bytes32 plantKey, uint64 intervalStart, uint32 intervalSeconds)))``.
- A batch has one Merkle root over two kinds of leaves, told apart by a leading tag so that one kind
  can never pass for the other:

  * allocation leaf (tag 1): ``abi.encode(uint8 1, bytes32 plantKey, uint64 intervalStart,
    uint32 intervalSeconds, address holder, uint256 amountWh)`` — ``amountWh`` of the plant's
    interval certificates belong to ``holder``;
  * cap leaf (tag 2): ``abi.encode(uint8 2, bytes32 plantKey, uint64 intervalStart,
    uint32 intervalSeconds, uint256 capWh)`` — the plant's metered generation in that interval,
    the most that may ever exist of that token id.

  The leaf hash is ``keccak256(bytes.concat(keccak256(encoded)))`` (double hashed, as in
  OpenZeppelin's StandardMerkleTree, so a leaf can never be confused with an inner node).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from .keccak import keccak256 as keccak

__all__ = ["ALLOCATION_TAG", "CAP_TAG", "AllocationLeaf", "CapLeaf", "leaf_hash", "plant_key", "token_id"]

ALLOCATION_TAG = 1
CAP_TAG = 2

_WORD = 32


def _uint(value: int, bits: int, name: str) -> bytes:
    """ABI-encode an unsigned integer as one 32-byte word, checking that it fits ``bits`` bits."""
    if not 0 <= value < 1 << bits:
        raise ValueError(f"{name} {value} does not fit a uint{bits}")
    return value.to_bytes(_WORD, "big")


def _address(holder: str) -> bytes:
    """ABI-encode a ``0x``-prefixed 20-byte hex address as one word (checksum case not required)."""
    try:
        raw = bytes.fromhex(holder[2:]) if holder[:2] in ("0x", "0X") else b""
    except ValueError:
        raw = b""
    if len(raw) != 20:
        raise ValueError(f"holder {holder!r} is not a 0x-prefixed 20-byte hex address")
    return raw.rjust(_WORD, b"\0")


@lru_cache(maxsize=4096)
def plant_key(plant_code: str) -> bytes:
    """Return the 32-byte on-chain key of a plant: ``keccak256`` of its UTF-8 code."""
    if not plant_code:
        raise ValueError("plant code must be a non-empty string")
    return keccak(plant_code.encode("utf-8"))


def token_id(plant_code: str, interval_start_s: int, interval_s: int) -> int:
    """Return the ERC-1155 token id of one plant's certificates for one interval.

    Parameters
    ----------
    plant_code : str
        The plant's registry code.
    interval_start_s : int
        Interval start, UNIX seconds (UTC).
    interval_s : int
        Interval length in seconds (900 for 15 minutes).
    """
    if interval_start_s < 0 or interval_s <= 0:
        raise ValueError(f"interval start {interval_start_s} s / length {interval_s} s must be >= 0 / > 0")
    return _token_id(plant_code, interval_start_s, interval_s)


@lru_cache(maxsize=1 << 18)
def _token_id(plant_code: str, interval_start_s: int, interval_s: int) -> int:
    encoded = plant_key(plant_code) + _uint(interval_start_s, 64, "interval start") + _uint(interval_s, 32, "interval")
    return int.from_bytes(keccak(encoded), "big")


@dataclass(frozen=True)
class AllocationLeaf:
    """``amount_wh`` whole Wh of plant ``plant_code``'s certificates for one interval belong to ``holder``."""

    plant_code: str
    interval_start_s: int
    interval_s: int
    holder: str
    amount_wh: int

    @property
    def token_id(self) -> int:
        """The ERC-1155 token id of the plant-interval (see :func:`token_id`)."""
        return token_id(self.plant_code, self.interval_start_s, self.interval_s)

    def encoded(self) -> bytes:
        """Return the ABI encoding hashed into the leaf (see module docstring)."""
        return b"".join((
            _uint(ALLOCATION_TAG, 8, "tag"), plant_key(self.plant_code),
            _uint(self.interval_start_s, 64, "interval start"), _uint(self.interval_s, 32, "interval"),
            _address(self.holder), _uint(self.amount_wh, 256, "amount_wh"),
        ))

    @cached_property
    def hash(self) -> bytes:
        """The double-hashed 32-byte Merkle leaf, computed once per leaf object."""
        return keccak(keccak(self.encoded()))


@dataclass(frozen=True)
class CapLeaf:
    """Plant ``plant_code`` generated ``cap_wh`` whole Wh (metered) in one interval: the token's supply cap."""

    plant_code: str
    interval_start_s: int
    interval_s: int
    cap_wh: int

    @property
    def token_id(self) -> int:
        """The ERC-1155 token id of the plant-interval (see :func:`token_id`)."""
        return token_id(self.plant_code, self.interval_start_s, self.interval_s)

    def encoded(self) -> bytes:
        """Return the ABI encoding hashed into the leaf (see module docstring)."""
        return b"".join((
            _uint(CAP_TAG, 8, "tag"), plant_key(self.plant_code),
            _uint(self.interval_start_s, 64, "interval start"), _uint(self.interval_s, 32, "interval"),
            _uint(self.cap_wh, 256, "cap_wh"),
        ))

    @cached_property
    def hash(self) -> bytes:
        """The double-hashed 32-byte Merkle leaf, computed once per leaf object."""
        return keccak(keccak(self.encoded()))


def leaf_hash(leaf: AllocationLeaf | CapLeaf) -> bytes:
    """Return the double-hashed 32-byte Merkle leaf (OpenZeppelin StandardMerkleTree style)."""
    return leaf.hash
