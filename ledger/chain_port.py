"""The chain operations the ledger uses: a ``Protocol`` met by :class:`greenproof.contracts.client.ChainClient`.

The ledger depends on this small surface rather than on web3; values follow the client's
conventions (32-byte ``bytes`` for ids, roots and hashes; Wh; UNIX seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from greenproof.contracts.events import ChainEvent
from greenproof.contracts.leaves import AllocationLeaf, CapLeaf
from greenproof.contracts.records import AnchoredBatch, PlantInfo, RetirementClaim
from greenproof.contracts.transactor import PreparedTx, TxResult

__all__ = ["CertificateChain", "from_hex32"]


def from_hex32(value: str) -> bytes:
    """Return a ``0x``-prefixed 64-digit hex string (as stored in the ledger) as 32 bytes."""
    raw = bytes.fromhex(value.removeprefix("0x"))
    if len(raw) != 32:
        raise ValueError(f"{value!r} is not a 32-byte hex value")
    return raw


class CertificateChain(Protocol):
    """What the ledger calls on the certificate contract (see ``docs/contracts.md``)."""

    @property
    def sender(self) -> str:
        """Checksummed address of the default sending account."""
        ...

    def register_plant(self, plant_code: str, technology: str, renewable: bool, capacity_w: int,
                       location_code: str) -> TxResult:
        """Register a plant (issuer only)."""
        ...

    def plant(self, plant_code: str) -> PlantInfo | None:
        """Return the registered plant, or None."""
        ...

    def anchor_batch(self, batch_id: bytes, root: bytes, input_hash: bytes, period_start_s: int,
                     period_end_s: int, plant_codes: Sequence[str]) -> TxResult:
        """Anchor a batch's Merkle root."""
        ...

    def issue_batch(self, batch_id: bytes, input_hash: bytes, period_start_s: int, period_end_s: int,
                    plant_codes: Sequence[str], caps: Sequence[CapLeaf],
                    allocations: Sequence[AllocationLeaf]) -> TxResult:
        """Issue a small batch directly, minting every allocation."""
        ...

    def batch(self, batch_id: bytes) -> AnchoredBatch | None:
        """Return the registered batch, or None."""
        ...

    def claim(self, batch_id: bytes, leaf: AllocationLeaf, proof: Sequence[bytes], cap: CapLeaf,
              cap_proof: Sequence[bytes]) -> TxResult:
        """Mint an anchored allocation leaf to its holder."""
        ...

    def prepare_retire(self, token_id: int, amount_wh: int, claim: RetirementClaim, *,
                       holder_key: str | None = None) -> PreparedTx:
        """Prepare a retirement of minted certificates."""
        ...

    def prepare_retire_with_proof(self, batch_id: bytes, leaf: AllocationLeaf, proof: Sequence[bytes],
                                  cap: CapLeaf, cap_proof: Sequence[bytes], amount_wh: int,
                                  claim: RetirementClaim, *, holder_key: str | None = None) -> PreparedTx:
        """Prepare a claim-and-retire of an anchored leaf."""
        ...

    def send_many(self, prepared: Sequence[PreparedTx]) -> list[TxResult]:
        """Send prepared transactions pipelined, wait for all receipts."""
        ...

    def is_leaf_claimed(self, leaf: AllocationLeaf) -> bool:
        """Return whether the allocation leaf was claimed."""
        ...

    def claim_ref_used(self, claim_ref: bytes) -> bool:
        """Return whether a retirement used ``claim_ref``."""
        ...

    def balance_of(self, holder: str, token_id: int) -> int:
        """Return the holder's minted, unretired Wh of ``token_id``."""
        ...

    def events(self, from_block: int = 0, to_block: int | None = None) -> list[ChainEvent]:
        """Return the contract's decoded events in a block range."""
        ...
