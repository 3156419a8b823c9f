"""Values the chain client sends and reads back: retirement claims, batches, plants, 32-byte texts.

Units: energy in whole Wh, capacity in W, times in UNIX seconds (UTC). ``bytes32`` values are
32-byte ``bytes``; short texts (technology, location) are UTF-8, right-padded with zeros to 32 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ChainError
from .merkle import BatchLayout

__all__ = [
    "ZERO32",
    "AnchoredBatch",
    "BatchHeader",
    "DischargeRef",
    "LeafRef",
    "PlantInfo",
    "RetirementClaim",
    "StorageInfo",
    "bytes32",
    "text32",
]

ZERO32 = bytes(32)


def text32(text: str) -> bytes:
    """Return ``text`` as a ``bytes32``: UTF-8, right-padded with zero bytes.

    Raises
    ------
    ChainError
        If the UTF-8 encoding is longer than 32 bytes.
    """
    raw = text.encode("utf-8")
    if len(raw) > 32:
        raise ChainError(f"text {text!r} is {len(raw)} bytes in UTF-8, more than fits in a bytes32")
    return raw.ljust(32, b"\0")


def bytes32(value: bytes, what: str) -> bytes:
    """Return ``value`` as ``bytes`` after checking it is 32 bytes long; ``what`` names it in the error."""
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        raise ChainError(f"{what} must be 32 bytes, got {value!r}")
    return bytes(value)


@dataclass(frozen=True)
class RetirementClaim:
    """What a retirement is claimed for.

    Attributes
    ----------
    claim_ref : bytes
        32-byte reference, used once per holder (reuse by the same holder reverts).
    beneficiary : str
        Who the renewable energy is claimed for (e.g. the exporting firm).
    purpose : str
        Why (e.g. ``"EU CBAM embedded emissions"``).
    period_start_s, period_end_s : int
        Consumption period claimed, UNIX seconds (UTC), start <= end; it must contain the interval
        of every certificate retired.
    shipment_ref : bytes
        32-byte shipment reference (zero bytes if none).
    """

    claim_ref: bytes
    beneficiary: str
    purpose: str
    period_start_s: int
    period_end_s: int
    shipment_ref: bytes = ZERO32

    def as_tuple(self) -> tuple[bytes, str, str, int, int, bytes]:
        """Return the ABI tuple of the Solidity ``Claim`` struct."""
        return (bytes32(self.claim_ref, "claim_ref"), self.beneficiary, self.purpose, self.period_start_s,
                self.period_end_s, bytes32(self.shipment_ref, "shipment_ref"))


@dataclass(frozen=True)
class AnchoredBatch:
    """A batch registered on-chain: the commitment the contract stores and what its ``BatchAnchored`` event says.

    ``commitment`` = :func:`greenproof.contracts.merkle.commitment` of ``root``, ``input_hash`` and
    ``layout`` (period, interval, count, plants, subtree depths).
    """

    batch_id: bytes
    commitment: bytes
    root: bytes
    input_hash: bytes
    layout: BatchLayout
    issuer: str
    block_number: int
    tx_hash: str

    @property
    def period_start_s(self) -> int:
        """Start of the batch period, UNIX s."""
        return self.layout.period_start_s

    @property
    def period_end_s(self) -> int:
        """End of the batch period (exclusive), UNIX s."""
        return self.layout.period_end_s


@dataclass(frozen=True)
class PlantInfo:
    """A registered plant: key (``keccak256(code)``), texts, capacity (W) and issuance grid (s)."""

    plant_index: int
    plant_key: bytes
    technology: bytes
    location_code: bytes
    capacity_w: int
    grid_s: int
    renewable: bool


@dataclass(frozen=True)
class StorageInfo:
    """A registered storage unit: key (``keccak256(code)``) and round-trip efficiency (parts per million)."""

    storage_index: int
    storage_key: bytes
    efficiency_ppm: int


@dataclass(frozen=True)
class BatchHeader:
    """Which batch a proof is for, and the commitment parts it does not compute.

    Attributes
    ----------
    batch_id, input_hash : bytes
        32 bytes each.
    sibling_root : bytes
        The discharge root for proofs of allocation leaves, the generation root for discharge proofs.
    layout : BatchLayout
        The batch's plants and shape (``BatchTree.layout``).
    """

    batch_id: bytes
    input_hash: bytes
    sibling_root: bytes
    layout: BatchLayout

    def as_tuple(self) -> tuple[bytes, bytes, bytes, list[int], tuple[int, int, int, int, int]]:
        """Return the ABI tuple of the Solidity ``BatchHeader`` struct."""
        return (bytes32(self.batch_id, "batch_id"), bytes32(self.input_hash, "input_hash"),
                bytes32(self.sibling_root, "sibling_root"), list(self.layout.plants), self.layout.shape)


@dataclass(frozen=True)
class LeafRef:
    """An allocation leaf as the contract takes it: position, Wh it holds, and Wh of it to retire (0 to claim)."""

    position: int
    amount_wh: int
    retire_wh: int = 0

    def as_tuple(self) -> tuple[int, int, int]:
        """Return the ABI tuple of the Solidity ``LeafRef`` struct."""
        return (self.position, self.amount_wh, self.retire_wh)


@dataclass(frozen=True)
class DischargeRef:
    """A storage discharge leaf as the contract takes it (see :class:`~greenproof.contracts.leaves.DischargeLeaf`)."""

    position: int
    storage_index: int
    plant_index: int
    origin_start_s: int
    origin_interval_s: int
    amount_wh: int

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        """Return the ABI tuple of the Solidity ``DischargeRef`` struct."""
        return (self.position, self.storage_index, self.plant_index, self.origin_start_s, self.origin_interval_s,
                self.amount_wh)
