"""The chain operations the ledger uses: a ``Protocol`` met by :class:`greenproof.contracts.client.ChainClient`.

The ledger depends on this small surface rather than on web3; values follow the client's
conventions (32-byte ``bytes`` for ids, roots and hashes; Wh; UNIX seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from greenproof.contracts.events import ChainEvent
from greenproof.contracts.merkle import BatchLayout
from greenproof.contracts.records import AnchoredBatch, BatchHeader, LeafRef, PlantInfo, RetirementClaim
from greenproof.contracts.transactor import PreparedTx, SentHook, TxResult

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
        """Checksummed address of the default sending account (the issuer, or the relayer)."""
        ...

    def register_plant(self, plant_index: int, plant_code: str, technology: str, renewable: bool, capacity_w: int,
                       grid_s: int, location_code: str) -> TxResult:
        """Register a plant (issuer only)."""
        ...

    def plant(self, plant_index: int) -> PlantInfo | None:
        """Return the plant registered under ``plant_index``, or None."""
        ...

    def anchor_batch(self, batch_id: bytes, root: bytes, input_hash: bytes, layout: BatchLayout) -> TxResult:
        """Anchor a batch's root."""
        ...

    def batch_commitment(self, batch_id: bytes) -> bytes | None:
        """Return the commitment stored for the batch, or None if it is not registered."""
        ...

    def batch(self, batch_id: bytes, *, from_block: int = 0) -> AnchoredBatch | None:
        """Return the registered batch (its event searched from ``from_block``), or None."""
        ...

    def claim_leaves(self, header: BatchHeader, holder: str, leaves: Sequence[LeafRef],
                     proof: Sequence[bytes]) -> TxResult:
        """Mint a holder's allocation leaves."""
        ...

    def prepare_retire_leaves(self, header: BatchHeader, leaves: Sequence[LeafRef], proof: Sequence[bytes],
                              claim: RetirementClaim, *, holder_key: str | None = None) -> PreparedTx:
        """Prepare a retirement straight from leaves, signed by the holder."""
        ...

    def prepare_retire_leaves_for(self, header: BatchHeader, holder: str, leaves: Sequence[LeafRef],
                                  proof: Sequence[bytes], claim: RetirementClaim, deadline_s: int,
                                  signature: bytes) -> PreparedTx:
        """Prepare the relay of a retirement from leaves that the holder signed."""
        ...

    def retire_leaves_typed_data(self, holder: str, batch_id: bytes, leaves: Sequence[LeafRef],
                                 claim: RetirementClaim, deadline_s: int, *,
                                 nonce: int | None = None) -> dict[str, Any]:
        """Return the EIP-712 document of a retirement from leaves."""
        ...

    def prepare_retire(self, token_ids: Sequence[int], amounts_wh: Sequence[int], claim: RetirementClaim, *,
                       holder_key: str | None = None) -> PreparedTx:
        """Prepare a retirement of minted balances, signed by the holder."""
        ...

    def prepare_retire_for(self, holder: str, token_ids: Sequence[int], amounts_wh: Sequence[int],
                           claim: RetirementClaim, deadline_s: int, signature: bytes) -> PreparedTx:
        """Prepare the relay of a retirement of minted balances that the holder signed."""
        ...

    def retire_typed_data(self, holder: str, token_ids: Sequence[int], amounts_wh: Sequence[int],
                          claim: RetirementClaim, deadline_s: int, *, nonce: int | None = None) -> dict[str, Any]:
        """Return the EIP-712 document of a retirement of minted balances."""
        ...

    def nonce(self, holder: str) -> int:
        """Return the holder's current authorisation nonce."""
        ...

    def send_many(self, prepared: Sequence[PreparedTx], *, on_sent: SentHook | None = None) -> list[TxResult]:
        """Send prepared transactions pipelined (``on_sent(i, tx_hash)`` as each is accepted); wait for receipts."""
        ...

    def is_leaf_claimed(self, holder: str, plant_index: int, interval_start_s: int) -> bool:
        """Return whether the holder used its allocation of the plant-interval."""
        ...

    def claim_ref_used(self, holder: str, claim_ref: bytes) -> bool:
        """Return whether ``holder`` used ``claim_ref``."""
        ...

    def balance_of(self, holder: str, token_id: int) -> int:
        """Return the holder's minted, unretired Wh of ``token_id``."""
        ...

    @property
    def address(self) -> str:
        """Checksummed address of the contract."""
        ...

    @property
    def chain_id(self) -> int:
        """The node's chain id."""
        ...

    def block_number(self) -> int:
        """Return the number of the newest block."""
        ...

    def genesis_hash(self) -> str:
        """Return the hash of block 0 (``0x`` hex)."""
        ...

    def code_hash(self) -> str:
        """Return keccak256 of the contract's runtime code (``0x`` hex)."""
        ...

    def chain_time(self) -> int:
        """Return the latest block's timestamp, UNIX s."""
        ...

    def events(self, from_block: int = 0, to_block: int | None = None) -> list[ChainEvent]:
        """Return the contract's decoded events in a block range."""
        ...
