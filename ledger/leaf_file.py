"""The published leaf file of a batch: everything anyone needs to rebuild and check its Merkle root.

Format ``greenproof-leaf-file/1``: canonical JSON (UTF-8, sorted keys, no whitespace) of::

    {
      "format": "greenproof-leaf-file/1",
      "batch_id": "0x…", "input_hash": "0x…", "root": "0x…",
      "period_start_s": int, "period_end_s": int, "interval_s": int,     # UNIX s UTC, end exclusive
      "plants": ["H1", …],                                              # plant codes of the batch
      "cap_leaves": [{"plant_code", "interval_start_s", "interval_s", "cap_wh",
                      "token_id", "leaf_hash"}, …],
      "allocation_leaves": [{"plant_code", "interval_start_s", "interval_s", "holder",
                             "amount_wh", "token_id", "leaf_hash"}, …]
    }

Leaves are sorted by (interval, plant[, holder]); ``token_id`` is a decimal string, hashes are
``0x`` hex. ``token_id`` and ``leaf_hash`` are conveniences: :meth:`LeafFile.from_bytes`
recomputes both from the other fields with :mod:`greenproof.contracts.leaves` and refuses a file
where they differ. The root is rebuilt with :class:`greenproof.contracts.merkle.MerkleTree` over
the leaf hashes of both kinds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from greenproof.contracts.leaves import AllocationLeaf, CapLeaf, leaf_hash
from greenproof.contracts.merkle import MerkleTree

from .canonical import canonical_json
from .errors import LeafFileError

__all__ = ["LEAF_FILE_FORMAT", "LeafFile", "hex32"]

LEAF_FILE_FORMAT = "greenproof-leaf-file/1"


def hex32(value: bytes) -> str:
    """Return a 32-byte hash as ``0x`` + 64 lowercase hex digits."""
    return "0x" + value.hex()


def _leaf_key(leaf: AllocationLeaf | CapLeaf) -> tuple[int, str, str]:
    return leaf.interval_start_s, leaf.plant_code, getattr(leaf, "holder", "")


@dataclass(frozen=True)
class LeafFile:
    """A batch's leaves with its header; build with the fields, or parse with :meth:`from_bytes`.

    Attributes
    ----------
    batch_id, input_hash, root : str
        ``0x`` hex, 32 bytes each.
    period_start_s, period_end_s, interval_s : int
        Batch period in UNIX seconds UTC (end exclusive) and the interval length in seconds.
    plant_codes : tuple of str
        Plants the batch issues (their watermarks advance to ``period_end_s``).
    cap_leaves, allocation_leaves : tuple
        The leaves, any order (written sorted).
    """

    batch_id: str
    input_hash: str
    root: str
    period_start_s: int
    period_end_s: int
    interval_s: int
    plant_codes: tuple[str, ...]
    cap_leaves: tuple[CapLeaf, ...]
    allocation_leaves: tuple[AllocationLeaf, ...]

    @cached_property
    def cap_hashes(self) -> tuple[bytes, ...]:
        """Leaf hashes of ``cap_leaves``, in their order."""
        return tuple(leaf_hash(leaf) for leaf in self.cap_leaves)

    @cached_property
    def allocation_hashes(self) -> tuple[bytes, ...]:
        """Leaf hashes of ``allocation_leaves``, in their order."""
        return tuple(leaf_hash(leaf) for leaf in self.allocation_leaves)

    @cached_property
    def tree(self) -> MerkleTree:
        """The Merkle tree rebuilt from the leaves (both kinds)."""
        try:
            return MerkleTree([*self.cap_hashes, *self.allocation_hashes])
        except ValueError as exc:
            raise LeafFileError(f"leaf file of batch {self.batch_id}: {exc}") from exc

    @cached_property
    def _caps(self) -> dict[tuple[str, int], CapLeaf]:
        return {(cap.plant_code, cap.interval_start_s): cap for cap in self.cap_leaves}

    def cap_of(self, leaf: AllocationLeaf) -> CapLeaf:
        """Return the cap leaf of ``leaf``'s plant-interval.

        Raises
        ------
        LeafFileError
            If the file has no cap for it.
        """
        try:
            return self._caps[(leaf.plant_code, leaf.interval_start_s)]
        except KeyError:
            raise LeafFileError(f"batch {self.batch_id}: no cap leaf for plant {leaf.plant_code!r} at "
                                f"{leaf.interval_start_s}") from None

    def proof(self, leaf: AllocationLeaf | CapLeaf) -> list[bytes]:
        """Return the Merkle proof (sibling hashes) of ``leaf``.

        Raises
        ------
        LeafFileError
            If ``leaf`` is not in the file.
        """
        try:
            return self.tree.proof(leaf_hash(leaf))
        except KeyError:
            raise LeafFileError(f"batch {self.batch_id}: leaf {leaf} is not in the leaf file") from None

    def check(self) -> None:
        """Check the file is self-consistent.

        Raises
        ------
        LeafFileError
            If the rebuilt root differs from ``root``, a leaf lies outside the period or the plant
            list, an allocation has no cap leaf, or a plant-interval's allocations exceed its cap.
        """
        if hex32(self.tree.root) != self.root:
            raise LeafFileError(f"batch {self.batch_id}: leaves rebuild root {hex32(self.tree.root)}, the file "
                                f"states {self.root}")
        plants = set(self.plant_codes)
        allocated: defaultdict[tuple[str, int], int] = defaultdict(int)
        for leaf in (*self.cap_leaves, *self.allocation_leaves):
            if leaf.plant_code not in plants:
                raise LeafFileError(f"batch {self.batch_id}: leaf {leaf} names plant {leaf.plant_code!r}, not one "
                                    f"of the batch's plants {sorted(plants)}")
            if not self.period_start_s <= leaf.interval_start_s <= self.period_end_s - leaf.interval_s:
                raise LeafFileError(f"batch {self.batch_id}: leaf {leaf} lies outside the period "
                                    f"[{self.period_start_s}, {self.period_end_s})")
        for leaf in self.allocation_leaves:
            allocated[(leaf.plant_code, leaf.interval_start_s)] += leaf.amount_wh
        for (plant, start), total_wh in allocated.items():
            cap = self._caps.get((plant, start))
            if cap is None:
                raise LeafFileError(f"batch {self.batch_id}: allocations of plant {plant!r} at {start} have no cap")
            if total_wh > cap.cap_wh:
                raise LeafFileError(f"batch {self.batch_id}: plant {plant!r} at {start}: allocations sum to "
                                    f"{total_wh} Wh > cap {cap.cap_wh} Wh")

    def to_bytes(self) -> bytes:
        """Return the canonical JSON bytes of the file (see the module docstring)."""
        return canonical_json({
            "format": LEAF_FILE_FORMAT,
            "batch_id": self.batch_id,
            "input_hash": self.input_hash,
            "root": self.root,
            "period_start_s": self.period_start_s,
            "period_end_s": self.period_end_s,
            "interval_s": self.interval_s,
            "plants": sorted(self.plant_codes),
            "cap_leaves": [
                {"plant_code": cap.plant_code, "interval_start_s": cap.interval_start_s, "interval_s": cap.interval_s,
                 "cap_wh": cap.cap_wh, "token_id": str(cap.token_id), "leaf_hash": hex32(leaf_hash(cap))}
                for cap in sorted(self.cap_leaves, key=_leaf_key)
            ],
            "allocation_leaves": [
                {"plant_code": leaf.plant_code, "interval_start_s": leaf.interval_start_s,
                 "interval_s": leaf.interval_s, "holder": leaf.holder, "amount_wh": leaf.amount_wh,
                 "token_id": str(leaf.token_id), "leaf_hash": hex32(leaf_hash(leaf))}
                for leaf in sorted(self.allocation_leaves, key=_leaf_key)
            ],
        })

    @classmethod
    def from_bytes(cls, data: bytes) -> LeafFile:
        """Parse a leaf file, recomputing every token id and leaf hash.

        Raises
        ------
        LeafFileError
            If the JSON is malformed, a field is missing or mistyped, or a stated token id or
            leaf hash differs from the recomputed one.
        """
        try:
            doc = json.loads(data)
            if doc.get("format") != LEAF_FILE_FORMAT:
                raise LeafFileError(f"leaf file format {doc.get('format')!r} is not {LEAF_FILE_FORMAT!r}")
            caps = tuple(_checked(CapLeaf(str(row["plant_code"]), int(row["interval_start_s"]),
                                          int(row["interval_s"]), int(row["cap_wh"])), row, "cap_leaves", i)
                         for i, row in enumerate(doc["cap_leaves"]))
            allocations = tuple(_checked(AllocationLeaf(str(row["plant_code"]), int(row["interval_start_s"]),
                                                        int(row["interval_s"]), str(row["holder"]),
                                                        int(row["amount_wh"])), row, "allocation_leaves", i)
                                for i, row in enumerate(doc["allocation_leaves"]))
            return cls(batch_id=str(doc["batch_id"]), input_hash=str(doc["input_hash"]), root=str(doc["root"]),
                       period_start_s=int(doc["period_start_s"]), period_end_s=int(doc["period_end_s"]),
                       interval_s=int(doc["interval_s"]), plant_codes=tuple(doc["plants"]),
                       cap_leaves=caps, allocation_leaves=allocations)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise LeafFileError(f"not a leaf file: not JSON, truncated or garbled ({exc})") from exc
        except KeyError as exc:
            raise LeafFileError(f"malformed leaf file: field {exc} is missing") from exc
        except (ValueError, TypeError, AttributeError) as exc:
            if isinstance(exc, LeafFileError):
                raise
            raise LeafFileError(f"malformed leaf file: {type(exc).__name__}: {exc}") from exc


def _checked(leaf: AllocationLeaf | CapLeaf, row: dict[str, Any], table: str, index: int) -> Any:
    """Return ``leaf`` after checking the row's stated token id and leaf hash against recomputed ones."""
    if str(row["token_id"]) != str(leaf.token_id):
        raise LeafFileError(f"{table}[{index}]: token_id {row['token_id']} differs from the recomputed {leaf.token_id}")
    if str(row["leaf_hash"]).lower() != hex32(leaf_hash(leaf)):
        raise LeafFileError(f"{table}[{index}]: leaf_hash {row['leaf_hash']} differs from the recomputed "
                            f"{hex32(leaf_hash(leaf))}")
    return leaf
