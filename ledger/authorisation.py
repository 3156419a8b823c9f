"""Firm-held keys: a signer of EIP-712 authorisations that the park relays and pays the gas for.

A firm either lets its key send its own retirement transactions (``holder_key`` of
:func:`~greenproof.ledger.retirements.retire`; the demo's derived custodial keys, which the park
can use too), or keeps its key and signs: an :class:`AuthorisationSigner` is anything that signs
EIP-712 typed data for the holder's address — a wallet behind the API, a hardware key, or
:class:`KeySigner` for a local key. The ledger prepares the ``RetireLeaves`` / ``Retire``
documents, the signer signs them, and the chain client's own account (the park) relays them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from eth_account import Account

from greenproof.contracts.authorisations import sign_typed_data

__all__ = ["AuthorisationSigner", "KeySigner"]


class AuthorisationSigner(Protocol):
    """Signs EIP-712 authorisations (``eth_signTypedData_v4`` documents) for one holder address."""

    @property
    def address(self) -> str:
        """Checksummed address of the holder that signs."""
        ...

    def sign(self, typed_data: dict[str, Any]) -> bytes:
        """Return the holder's signature of ``typed_data`` (65-byte ECDSA, or an ERC-1271 wallet's bytes)."""
        ...


@dataclass(frozen=True)
class KeySigner:
    """An :class:`AuthorisationSigner` holding a local private key (tests, CLI, a firm's own tooling)."""

    key: str = field(repr=False)

    @property
    def address(self) -> str:
        """Checksummed address of the key."""
        return str(Account.from_key(self.key).address)

    def sign(self, typed_data: dict[str, Any]) -> bytes:
        """Sign ``typed_data`` with the key."""
        return sign_typed_data(self.key, typed_data)
