"""The published leaf file of a batch: everything anyone needs to rebuild its tree and check it against the chain.

Format ``greenproof-leaf-file/2`` (contract v2): canonical JSON (UTF-8, sorted keys, no whitespace) of::

    {
      "format": "greenproof-leaf-file/2",
      "batch_id": "0x…", "input_hash": "0x…", "root": "0x…", "commitment": "0x…",
      "period_start_s": int, "period_end_s": int, "interval_s": int,   # UNIX s UTC, end exclusive
      "slot_bits": int, "discharge_bits": int,
      "plants": [{"code": "H1", "index": 1}, …],                       # sorted by on-chain index
      "caps": [{"plant_code", "plant_index", "interval_start_s", "interval_s", "cap_wh", "token_id"}, …],
      "allocation_leaves": [{"plant_code", "plant_index", "interval_start_s", "interval_s", "holder",
                             "amount_wh", "token_id", "leaf_hash", "position"}, …],
      "discharge_leaves": [{"storage_index", "plant_code", "plant_index", "origin_start_s", "origin_s",
                            "holder", "amount_wh", "token_id", "leaf_hash", "position"}, …]
    }

``discharge_leaves`` (storage discharge certificates, issue 16) is written only when the batch has some.

Leaves and caps are written by position. ``token_id``, ``leaf_hash``, ``position``, ``root`` and
``commitment`` are conveniences: :meth:`LeafFile.from_bytes` recomputes them with
:mod:`greenproof.contracts` (leaf encodings and :class:`~greenproof.contracts.merkle.BatchTree`)
and refuses a file where any differs. The commitment is what the contract stores for the batch:
compare it with ``chain.batch(batch_id).commitment``.

Version 1 files (contract v1: sorted-pair tree, cap leaves) are refused with a message naming the version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from greenproof.contracts.leaves import AllocationLeaf, DischargeLeaf, PlantIntervalCap, leaf_hash
from greenproof.contracts.merkle import BatchLayout, BatchTree
from greenproof.contracts.records import BatchHeader, DischargeRef, LeafRef

from .canonical import canonical_json
from .errors import LeafFileError

__all__ = ["LEAF_FILE_FORMAT", "LeafFile", "hex32"]

LEAF_FILE_FORMAT = "greenproof-leaf-file/2"

LeafT = TypeVar("LeafT", AllocationLeaf, DischargeLeaf)


def hex32(value: bytes) -> str:
    """Return a 32-byte hash as ``0x`` + 64 lowercase hex digits."""
    return "0x" + value.hex()


def _from_hex32(value: str, what: str) -> bytes:
    raw = bytes.fromhex(value.removeprefix("0x"))
    if len(raw) != 32:
        raise LeafFileError(f"{what} {value!r} is not a 32-byte hex value")
    return raw


@dataclass(frozen=True)
class LeafFile:
    """A batch's leaves with its header; build with the fields, or parse with :meth:`from_bytes`.

    Attributes
    ----------
    batch_id, input_hash, root : str
        ``0x`` hex, 32 bytes each; ``root`` as stated (checked against the leaves by :meth:`check`).
    period_start_s, period_end_s, interval_s : int
        Batch period in UNIX seconds UTC (end exclusive) and the interval length in seconds.
    plants : tuple of (str, int)
        ``(code, on-chain index)`` of the batch's plants.
    caps, allocation_leaves : tuple
        Plant-interval caps and allocation leaves, any order.
    discharge_leaves : tuple
        Storage discharge leaves, any order (empty for most batches).
    """

    batch_id: str
    input_hash: str
    root: str
    period_start_s: int
    period_end_s: int
    interval_s: int
    plants: tuple[tuple[str, int], ...]
    caps: tuple[PlantIntervalCap, ...]
    allocation_leaves: tuple[AllocationLeaf, ...]
    discharge_leaves: tuple[DischargeLeaf, ...] = ()

    @cached_property
    def tree(self) -> BatchTree:
        """The batch tree rebuilt from the leaves.

        Raises
        ------
        LeafFileError
            If the leaves do not form a valid batch (outside the period, above a cap, a holder twice in
            one plant-interval, a plant code that is not the batch's code for its index).
        """
        codes = dict((index, code) for code, index in self.plants)
        for item in (*self.caps, *self.allocation_leaves, *self.discharge_leaves):
            if codes.get(item.plant_index) != item.plant_code:
                raise LeafFileError(f"batch {self.batch_id}: {item} names plant {item.plant_code!r} #"
                                    f"{item.plant_index}, not a plant of the batch {sorted(self.plants)}")
        span = self.period_end_s - self.period_start_s
        if self.interval_s <= 0 or span <= 0 or span % self.interval_s:
            raise LeafFileError(f"batch {self.batch_id}: period [{self.period_start_s}, {self.period_end_s}) is not "
                                f"made of whole {self.interval_s} s intervals")
        try:
            return BatchTree(period_start_s=self.period_start_s, interval_s=self.interval_s,
                             interval_count=span // self.interval_s, plants=codes, caps=self.caps,
                             allocations=self.allocation_leaves, discharges=self.discharge_leaves)
        except (ValueError, KeyError) as exc:
            raise LeafFileError(f"leaf file of batch {self.batch_id}: {exc}") from exc

    @property
    def layout(self) -> BatchLayout:
        """Shape and plants of the batch, as anchored on-chain."""
        return self.tree.layout

    @property
    def commitment(self) -> bytes:
        """What the contract stores for this batch (see :func:`greenproof.contracts.merkle.commitment`)."""
        return self.tree.commitment(_from_hex32(self.input_hash, "input hash"))

    @property
    def header(self) -> BatchHeader:
        """The header of proofs of allocation leaves of this batch."""
        return BatchHeader(_from_hex32(self.batch_id, "batch id"), _from_hex32(self.input_hash, "input hash"),
                           self.tree.discharge_root, self.layout)

    @property
    def discharge_header(self) -> BatchHeader:
        """The header of proofs of discharge leaves of this batch (its sibling root is the generation root)."""
        return BatchHeader(_from_hex32(self.batch_id, "batch id"), _from_hex32(self.input_hash, "input hash"),
                           self.tree.generation_root, self.layout)

    def discharge_refs(self, leaves: Sequence[DischargeLeaf]) -> list[DischargeRef]:
        """Return the contract's ``DischargeRef`` of each discharge leaf.

        Raises
        ------
        LeafFileError
            If a leaf is not in the file.
        """
        return [DischargeRef(self.position(leaf), leaf.storage_index, leaf.plant_index, leaf.origin_start_s,
                             leaf.origin_interval_s, leaf.amount_wh) for leaf in leaves]

    def discharge_proof(self, leaves: Iterable[DischargeLeaf]) -> list[bytes]:
        """Return the multiproof of discharge leaves (see ``BatchTree.discharge_multiproof``).

        Raises
        ------
        LeafFileError
            If a leaf is not in the file.
        """
        return self.tree.discharge_multiproof(self._in_file(leaves))

    @cached_property
    def _caps(self) -> dict[tuple[int, int], PlantIntervalCap]:
        return {(cap.plant_index, cap.interval_start_s): cap for cap in self.caps}

    def cap_of(self, leaf: AllocationLeaf) -> PlantIntervalCap:
        """Return the cap of ``leaf``'s plant-interval.

        Raises
        ------
        LeafFileError
            If the file has no cap for it.
        """
        try:
            return self._caps[(leaf.plant_index, leaf.interval_start_s)]
        except KeyError:
            raise LeafFileError(f"batch {self.batch_id}: no cap for plant {leaf.plant_code!r} at "
                                f"{leaf.interval_start_s}") from None

    def position(self, leaf: AllocationLeaf | DischargeLeaf) -> int:
        """Return the position of ``leaf`` in the batch tree.

        Raises
        ------
        LeafFileError
            If ``leaf`` is not in the file.
        """
        try:
            return self.tree.position(leaf)
        except KeyError:
            raise LeafFileError(f"batch {self.batch_id}: leaf {leaf} is not in the leaf file") from None

    def proof(self, leaves: Iterable[AllocationLeaf]) -> list[bytes]:
        """Return the multiproof of ``leaves`` (see :meth:`greenproof.contracts.merkle.BatchTree.multiproof`).

        Raises
        ------
        LeafFileError
            If a leaf is not in the file.
        """
        return self.tree.multiproof(self._in_file(leaves))

    def _in_file(self, leaves: Iterable[LeafT]) -> list[LeafT]:
        """Return ``leaves`` as a list after checking each is in the file (LeafFileError naming it otherwise)."""
        chosen = list(leaves)
        for leaf in chosen:
            self.position(leaf)
        return chosen

    def leaf_refs(self, leaves: Sequence[AllocationLeaf], retire_wh: Sequence[int] | None = None) -> list[LeafRef]:
        """Return the contract's ``LeafRef`` of each leaf (``retire_wh`` of each to retire; none to claim)."""
        amounts = [0] * len(leaves) if retire_wh is None else list(retire_wh)
        return [LeafRef(self.position(leaf), leaf.amount_wh, wh) for leaf, wh in zip(leaves, amounts, strict=True)]

    def check(self) -> None:
        """Check the file is self-consistent: the leaves rebuild the stated root and respect their caps.

        Raises
        ------
        LeafFileError
            If the rebuilt root differs from ``root`` or the leaves do not form a valid batch.
        """
        if hex32(self.tree.root) != self.root:
            raise LeafFileError(f"batch {self.batch_id}: leaves rebuild root {hex32(self.tree.root)}, the file "
                                f"states {self.root}")

    def to_bytes(self) -> bytes:
        """Return the canonical JSON bytes of the file (see the module docstring)."""
        tree = self.tree
        doc = {
            "format": LEAF_FILE_FORMAT,
            "batch_id": self.batch_id,
            "input_hash": self.input_hash,
            "root": self.root,
            "commitment": hex32(self.commitment),
            "period_start_s": self.period_start_s,
            "period_end_s": self.period_end_s,
            "interval_s": self.interval_s,
            "slot_bits": tree.layout.slot_bits,
            "discharge_bits": tree.layout.discharge_bits,
            "plants": [{"code": code, "index": index} for code, index in sorted(self.plants, key=lambda p: p[1])],
            "caps": [
                {"plant_code": cap.plant_code, "plant_index": cap.plant_index, "interval_start_s": cap.interval_start_s,
                 "interval_s": cap.interval_s, "cap_wh": cap.cap_wh, "token_id": str(cap.token_id)}
                for cap in tree.caps
            ],
            "allocation_leaves": [
                {"plant_code": leaf.plant_code, "plant_index": leaf.plant_index,
                 "interval_start_s": leaf.interval_start_s, "interval_s": leaf.interval_s, "holder": leaf.holder,
                 "amount_wh": leaf.amount_wh, "token_id": str(leaf.token_id), "leaf_hash": hex32(leaf_hash(leaf)),
                 "position": tree.position(leaf)}
                for leaf in tree.allocations
            ],
        }
        if tree.discharges:
            doc["discharge_leaves"] = [
                {"storage_index": leaf.storage_index, "plant_code": leaf.plant_code, "plant_index": leaf.plant_index,
                 "origin_start_s": leaf.origin_start_s, "origin_s": leaf.origin_interval_s, "holder": leaf.holder,
                 "amount_wh": leaf.amount_wh, "token_id": str(leaf.token_id), "leaf_hash": hex32(leaf_hash(leaf)),
                 "position": tree.position(leaf)}
                for leaf in tree.discharges
            ]
        return canonical_json(doc)

    @classmethod
    def from_bytes(cls, data: bytes) -> LeafFile:
        """Parse a leaf file, recomputing every token id, leaf hash, position and the commitment.

        Raises
        ------
        LeafFileError
            If the JSON is malformed or of another format version, a field is missing or mistyped,
            or a stated token id, leaf hash, position or commitment differs from the recomputed one.
        """
        try:
            doc = json.loads(data)
            if doc.get("format") != LEAF_FILE_FORMAT:
                raise LeafFileError(f"leaf file format {doc.get('format')!r} is not {LEAF_FILE_FORMAT!r} "
                                    "(version 1 files belong to the v1 contract)")
            caps = tuple(_checked_token(PlantIntervalCap(str(row["plant_code"]), int(row["plant_index"]),
                                                         int(row["interval_start_s"]), int(row["interval_s"]),
                                                         int(row["cap_wh"])), row, "caps", i)
                         for i, row in enumerate(doc["caps"]))
            allocations = tuple(_checked_leaf(AllocationLeaf(str(row["plant_code"]), int(row["plant_index"]),
                                                             int(row["interval_start_s"]), int(row["interval_s"]),
                                                             str(row["holder"]), int(row["amount_wh"])), row, i)
                                for i, row in enumerate(doc["allocation_leaves"]))
            discharge_rows = doc.get("discharge_leaves", [])
            discharges = tuple(_checked_leaf(DischargeLeaf(int(row["storage_index"]), str(row["plant_code"]),
                                                           int(row["plant_index"]), int(row["origin_start_s"]),
                                                           int(row["origin_s"]), str(row["holder"]),
                                                           int(row["amount_wh"])), row, i, "discharge_leaves")
                               for i, row in enumerate(discharge_rows))
            file = cls(batch_id=str(doc["batch_id"]), input_hash=str(doc["input_hash"]), root=str(doc["root"]),
                       period_start_s=int(doc["period_start_s"]), period_end_s=int(doc["period_end_s"]),
                       interval_s=int(doc["interval_s"]),
                       plants=tuple((str(p["code"]), int(p["index"])) for p in doc["plants"]),
                       caps=caps, allocation_leaves=allocations, discharge_leaves=discharges)
            for table, items, rows in (("allocation_leaves", allocations, doc["allocation_leaves"]),
                                       ("discharge_leaves", discharges, discharge_rows)):
                for i, (leaf, row) in enumerate(zip(items, rows, strict=True)):
                    if int(row["position"]) != file.position(leaf):
                        raise LeafFileError(f"{table}[{i}]: position {row['position']} differs from the "
                                            f"recomputed {file.position(leaf)}")
            if str(doc["commitment"]).lower() != hex32(file.commitment):
                raise LeafFileError(f"commitment {doc['commitment']} differs from the recomputed "
                                    f"{hex32(file.commitment)}")
            return file
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise LeafFileError(f"not a leaf file: not JSON, truncated or garbled ({exc})") from exc
        except KeyError as exc:
            raise LeafFileError(f"malformed leaf file: field {exc} is missing") from exc
        except (ValueError, TypeError, AttributeError) as exc:
            if isinstance(exc, LeafFileError):
                raise
            raise LeafFileError(f"malformed leaf file: {type(exc).__name__}: {exc}") from exc


def _checked_token(item: PlantIntervalCap | AllocationLeaf | DischargeLeaf, row: dict[str, Any], table: str,
                   index: int) -> Any:
    if str(row["token_id"]) != str(item.token_id):
        raise LeafFileError(f"{table}[{index}]: token_id {row['token_id']} differs from the recomputed "
                            f"{item.token_id}")
    return item


def _checked_leaf(leaf: Any, row: dict[str, Any], index: int, table: str = "allocation_leaves") -> Any:
    """Return ``leaf`` after checking the row's stated token id and leaf hash against recomputed ones."""
    _checked_token(leaf, row, table, index)
    if str(row["leaf_hash"]).lower() != hex32(leaf_hash(leaf)):
        raise LeafFileError(f"{table}[{index}]: leaf_hash {row['leaf_hash']} differs from the recomputed "
                            f"{hex32(leaf_hash(leaf))}")
    return leaf
