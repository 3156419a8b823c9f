"""Merkle trees compatible with OpenZeppelin ``MerkleProof.verify`` (sorted-pair keccak256).

Inner node = ``keccak256(min(a, b) ‖ max(a, b))``. Leaves are sorted before building so the root
depends only on the set of leaves, not on their order; an odd node at a level is carried up
unchanged. Proofs are lists of 32-byte sibling hashes from leaf to root.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from .keccak import keccak256 as keccak

__all__ = ["MerkleTree", "hash_pair", "verify_proof"]


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Return ``keccak256`` of the two 32-byte hashes concatenated in ascending order."""
    return keccak(a + b) if a <= b else keccak(b + a)


def verify_proof(leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """Return whether ``proof`` links ``leaf`` to ``root`` (same rule as OpenZeppelin ``MerkleProof``)."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root


class MerkleTree:
    """A Merkle tree over 32-byte leaf hashes.

    Parameters
    ----------
    leaves : sequence of bytes
        32-byte leaf hashes (see :func:`greenproof.contracts.leaves.leaf_hash`); at least one,
        no duplicates.
    """

    def __init__(self, leaves: Sequence[bytes]) -> None:
        if not leaves:
            raise ValueError("a Merkle tree needs at least one leaf")
        bad = [i for i, leaf in enumerate(leaves) if len(leaf) != 32]
        if bad:
            raise ValueError(f"leaf {bad[0]} is {len(leaves[bad[0]])} bytes, not a 32-byte hash")
        ordered = sorted(leaves)
        duplicates = [a for a, b in pairwise(ordered) if a == b]
        if duplicates:
            raise ValueError(f"leaf 0x{duplicates[0].hex()} appears more than once")
        self._index = {leaf: i for i, leaf in enumerate(ordered)}
        self._levels: list[list[bytes]] = [ordered]
        while len(self._levels[-1]) > 1:
            level = self._levels[-1]
            parent = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                parent.append(level[-1])
            self._levels.append(parent)

    @property
    def root(self) -> bytes:
        """The 32-byte root hash."""
        return self._levels[-1][0]

    def __len__(self) -> int:
        return len(self._levels[0])

    def proof(self, leaf: bytes) -> list[bytes]:
        """Return the sibling hashes linking ``leaf`` to the root.

        Raises
        ------
        KeyError
            If ``leaf`` is not in the tree.
        """
        try:
            position = self._index[leaf]
        except KeyError:
            raise KeyError(f"leaf 0x{leaf.hex()} is not in this tree") from None
        path: list[bytes] = []
        for level in self._levels[:-1]:
            sibling = position ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            position //= 2
        return path
