"""On-chain encodings shared by the contracts and the ledger: plant keys, token ids, Merkle leaves.

Each function mirrors one Solidity expression in ``GreenCertificate.sol``; the chain tests prove
that both sides agree.

- plant key: ``keccak256(bytes(plantCode))`` as ``bytes32``.
- token id: ``uint256(keccak256(abi.encode(bytes32 plantKey, uint64 intervalStart, uint32 intervalSeconds)))``,
  with ``intervalStart`` in UNIX seconds (UTC).
- leaf: ``keccak256(bytes.concat(keccak256(abi.encode(uint64 intervalStart, uint256 tokenId,
  address holder, uint256 amountWh))))`` — double hashed like OpenZeppelin's StandardMerkleTree, so a
  leaf can never be confused with an inner node.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

__all__ = ["Leaf", "leaf_hash", "plant_key", "token_id"]


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
    digest = keccak(encode(["bytes32", "uint64", "uint32"], [plant_key(plant_code), interval_start_s, interval_s]))
    return int.from_bytes(digest, "big")


@dataclass(frozen=True)
class Leaf:
    """One allocation row of a batch: ``amount_wh`` of token ``token_id`` belongs to ``holder``.

    ``interval_start_s`` is UNIX seconds (UTC); ``amount_wh`` is whole watt-hours (rounded down).
    """

    interval_start_s: int
    token_id: int
    holder: str
    amount_wh: int

    def encoded(self) -> bytes:
        """Return ``abi.encode(uint64, uint256, address, uint256)`` of the leaf fields."""
        return encode(
            ["uint64", "uint256", "address", "uint256"],
            [self.interval_start_s, self.token_id, to_checksum_address(self.holder), self.amount_wh],
        )


def leaf_hash(leaf: Leaf) -> bytes:
    """Return the double-hashed 32-byte Merkle leaf of ``leaf`` (OpenZeppelin StandardMerkleTree style)."""
    return keccak(keccak(leaf.encoded()))
