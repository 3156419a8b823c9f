"""Values the chain client sends and reads back: retirement claims, batches, plants, 32-byte texts.

Units: energy in whole Wh, capacity in W, times in UNIX seconds (UTC). ``bytes32`` values are
32-byte ``bytes``; short texts (technology, location) are UTF-8, right-padded with zeros to 32 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ChainError

__all__ = ["ZERO32", "AnchoredBatch", "PlantInfo", "RetirementClaim", "bytes32", "text32"]

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
        32-byte reference, unique across all retirements (reuse reverts).
    beneficiary : str
        Who the renewable energy is claimed for (e.g. the exporting firm).
    purpose : str
        Why (e.g. ``"EU CBAM embedded emissions"``).
    period_start_s, period_end_s : int
        Consumption period claimed, UNIX seconds (UTC), start <= end.
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
    """A registered batch as stored on-chain; ``root`` is zero bytes for a directly issued batch."""

    batch_id: bytes
    root: bytes
    input_hash: bytes
    period_start_s: int
    period_end_s: int
    block_number: int
    issuer: str
    direct: bool


@dataclass(frozen=True)
class PlantInfo:
    """A registered plant; ``issued_until_s`` is the end of the last batch that issued it (0 if none)."""

    plant_key: bytes
    code: str
    technology: bytes
    location_code: bytes
    capacity_w: int
    renewable: bool
    issued_until_s: int
