"""On-chain encodings shared by the contract and the ledger: plant keys, token ids, leaves, tree nodes.

Each function mirrors one Solidity expression in ``GreenCertificate.sol`` (v2); the chain tests
prove that both sides agree. Times are UNIX seconds (UTC); amounts are whole watt-hours (Wh).

- plant key: ``keccak256(bytes(plantCode))``; a plant is registered under a ``uint32`` index
  (the ledger's plant id) that token ids and batches use.
- token id: ``kind << 160 | storageIndex << 128 | plantIndex << 96 | intervalStart << 32 | intervalSeconds``
  (kind 1 = generation, 2 = storage discharge, storage index 0 for generation), so the contract
  reads a certificate's interval — and its expiry — from the id alone.
- allocation leaf: ``keccak256(abi.encode(uint8 1, uint32 plantIndex, uint64 intervalStart,
  uint32 intervalSeconds, address holder, uint64 amountWh))``; a storage charge record is an
  allocation leaf whose holder is the storage account of its unit (:func:`storage_account`).
- plant-interval node: ``keccak256(abi.encode(uint8 2, uint32 plantIndex, uint64 intervalStart,
  uint32 intervalSeconds, uint256 capWh, bytes32 subtreeHash, uint256 subtreeSumWh))``.
- discharge leaf: ``keccak256(abi.encode(uint8 3, uint32 storageIndex, uint32 plantIndex,
  uint64 originStart, uint32 originSeconds, address holder, uint64 amountWh))``.

The tree these hashes sit in (positions, Merkle-sum nodes, commitment) is in
:mod:`greenproof.contracts.merkle`. Leaves are hashed once (not double-hashed as in v1): in a
positional tree of fixed depth the contract recomputes every leaf from its fields, and leaf and
node preimages differ in length, so an inner node can never pass for a leaf.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from eth_utils import to_checksum_address

from .keccak import keccak256 as keccak

__all__ = [
    "ALLOCATION_TAG",
    "DISCHARGE_TAG",
    "KIND_DISCHARGE",
    "KIND_GENERATION",
    "PLANT_INTERVAL_TAG",
    "AllocationLeaf",
    "DischargeLeaf",
    "PlantIntervalCap",
    "TokenFields",
    "decode_token_id",
    "leaf_hash",
    "plant_key",
    "storage_account",
    "token_id",
    "word",
]

ALLOCATION_TAG = 1
PLANT_INTERVAL_TAG = 2
DISCHARGE_TAG = 3
KIND_GENERATION = 1
KIND_DISCHARGE = 2

_WORD = 32


def word(value: int, bits: int = 256, name: str = "value") -> bytes:
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
    """Return the 32-byte on-chain key of a plant (or storage unit): ``keccak256`` of its UTF-8 code."""
    if not plant_code:
        raise ValueError("plant code must be a non-empty string")
    return keccak(plant_code.encode("utf-8"))


@lru_cache(maxsize=1024)
def storage_account(storage_index: int) -> str:
    """Return the checksummed account holding the charge records of storage unit ``storage_index``.

    ``address(uint160(uint256(keccak256(abi.encode("greenproof storage account", uint32 index)))))``:
    derived from a hash, so nobody holds its key and its charge records can never be retired or moved.
    """
    label = b"greenproof storage account"
    encoded = word(0x40) + word(storage_index, 32, "storage index") + word(len(label)) + label.ljust(_WORD, b"\0")
    return str(to_checksum_address(keccak(encoded)[12:]))


@dataclass(frozen=True)
class TokenFields:
    """What a token id packs: kind (1 generation, 2 discharge), storage unit, plant, interval."""

    kind: int
    storage_index: int
    plant_index: int
    interval_start_s: int
    interval_s: int


def token_id(plant_index: int, interval_start_s: int, interval_s: int, *, kind: int = KIND_GENERATION,
             storage_index: int = 0) -> int:
    """Return the ERC-1155 token id of a plant's certificates for one interval.

    Parameters
    ----------
    plant_index : int
        The plant's on-chain index (uint32, ≥ 1).
    interval_start_s : int
        Interval start, UNIX seconds (UTC); for a discharge certificate the original production interval.
    interval_s : int
        Interval length in seconds (900 for 15 minutes).
    kind : int
        :data:`KIND_GENERATION` or :data:`KIND_DISCHARGE`.
    storage_index : int
        Storage unit of a discharge certificate (0 for generation).
    """
    if interval_s <= 0:
        raise ValueError(f"interval length {interval_s} s must be > 0")
    return (_fits(kind, 8, "kind") << 160 | _fits(storage_index, 32, "storage index") << 128
            | _fits(plant_index, 32, "plant index") << 96 | _fits(interval_start_s, 64, "interval start") << 32
            | _fits(interval_s, 32, "interval length"))


def _fits(value: int, bits: int, name: str) -> int:
    if not 0 <= value < 1 << bits:
        raise ValueError(f"{name} {value} does not fit a uint{bits}")
    return value


def decode_token_id(token: int) -> TokenFields:
    """Return the fields packed in a token id (see :func:`token_id`)."""
    return TokenFields(kind=token >> 160 & 0xFF, storage_index=token >> 128 & 0xFFFFFFFF,
                       plant_index=token >> 96 & 0xFFFFFFFF, interval_start_s=token >> 32 & 0xFFFFFFFFFFFFFFFF,
                       interval_s=token & 0xFFFFFFFF)


@dataclass(frozen=True)
class AllocationLeaf:
    """``amount_wh`` whole Wh of one plant-interval's certificates belong to ``holder``.

    ``plant_code`` names the plant for people; the leaf hash commits to ``plant_index``, its
    on-chain index. A storage charge record is an allocation leaf held by :func:`storage_account`.
    """

    plant_code: str
    plant_index: int
    interval_start_s: int
    interval_s: int
    holder: str
    amount_wh: int

    @property
    def token_id(self) -> int:
        """The ERC-1155 token id of the plant-interval (see :func:`token_id`)."""
        return token_id(self.plant_index, self.interval_start_s, self.interval_s)

    def encoded(self) -> bytes:
        """Return the ABI encoding hashed into the leaf (see module docstring)."""
        return b"".join((
            word(ALLOCATION_TAG, 8, "tag"), word(self.plant_index, 32, "plant index"),
            word(self.interval_start_s, 64, "interval start"), word(self.interval_s, 32, "interval"),
            _address(self.holder), word(self.amount_wh, 64, "amount_wh"),
        ))

    @cached_property
    def hash(self) -> bytes:
        """The 32-byte leaf hash, computed once per leaf object."""
        return keccak(self.encoded())


@dataclass(frozen=True)
class PlantIntervalCap:
    """Plant ``plant_code`` generated ``cap_wh`` whole Wh (metered) in one interval: Σ of its leaves is at most this."""

    plant_code: str
    plant_index: int
    interval_start_s: int
    interval_s: int
    cap_wh: int

    @property
    def token_id(self) -> int:
        """The ERC-1155 token id of the plant-interval (see :func:`token_id`)."""
        return token_id(self.plant_index, self.interval_start_s, self.interval_s)

    def node_hash(self, subtree_hash: bytes, subtree_sum_wh: int) -> bytes:
        """Return the plant-interval node over a subtree of leaves (hash, Σ Wh) (see module docstring)."""
        return keccak(b"".join((
            word(PLANT_INTERVAL_TAG, 8, "tag"), word(self.plant_index, 32, "plant index"),
            word(self.interval_start_s, 64, "interval start"), word(self.interval_s, 32, "interval"),
            word(self.cap_wh, 256, "cap_wh"), subtree_hash, word(subtree_sum_wh, 256, "subtree sum"),
        )))


@dataclass(frozen=True)
class DischargeLeaf:
    """``amount_wh`` Wh discharged from storage unit ``storage_index`` to ``holder``.

    The energy was generated by plant ``plant_index`` in the origin interval and charged into the unit.
    """

    storage_index: int
    plant_code: str
    plant_index: int
    origin_start_s: int
    origin_interval_s: int
    holder: str
    amount_wh: int

    @property
    def token_id(self) -> int:
        """The discharge certificate's token id (kind 2, storage unit, original plant and interval)."""
        return token_id(self.plant_index, self.origin_start_s, self.origin_interval_s, kind=KIND_DISCHARGE,
                        storage_index=self.storage_index)

    def encoded(self) -> bytes:
        """Return the ABI encoding hashed into the leaf (see module docstring)."""
        return b"".join((
            word(DISCHARGE_TAG, 8, "tag"), word(self.storage_index, 32, "storage index"),
            word(self.plant_index, 32, "plant index"), word(self.origin_start_s, 64, "origin start"),
            word(self.origin_interval_s, 32, "origin interval"), _address(self.holder),
            word(self.amount_wh, 64, "amount_wh"),
        ))

    @cached_property
    def hash(self) -> bytes:
        """The 32-byte leaf hash, computed once per leaf object."""
        return keccak(self.encoded())


def leaf_hash(leaf: AllocationLeaf | DischargeLeaf) -> bytes:
    """Return the 32-byte hash of a leaf (see module docstring)."""
    return leaf.hash
