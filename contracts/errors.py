"""Errors raised by the chain side of greenproof.

::

    GreenproofError                (greenproof.attribution.errors)
    ├── ChainError                 the EVM node, the compiler or a contract call failed
    │   └── ContractRevertError    a call reverted; ``name``/``args`` decode the custom error
    └── ProofError                 a Merkle multiproof is malformed or breaks a cap (checked off-chain)

Messages name the offending input (RPC URL, binary path, batch id, transaction hash).
"""

from __future__ import annotations

from typing import Any

from greenproof.attribution.errors import GreenproofError

__all__ = ["ChainError", "ContractRevertError", "ProofError"]


class ChainError(GreenproofError):
    """The EVM node, the Solidity compiler or a contract call failed."""


class ContractRevertError(ChainError):
    """A contract call reverted with a custom error.

    Parameters
    ----------
    name : str
        The custom error's name, e.g. ``"GreenCertificateLeafAlreadyClaimed"``; ``"<unknown>"`` when
        the revert data matches no error of the ABI.
    error_args : tuple
        The decoded error arguments in declaration order (``bytes`` for ``bytes32``, ``int`` for
        integers, checksummed ``str`` for addresses).
    data : bytes
        The raw revert data (4-byte selector followed by the ABI-encoded arguments).
    """

    def __init__(self, name: str, error_args: tuple[Any, ...], data: bytes = b"") -> None:
        self.name = name
        self.error_args = error_args
        self.data = data
        shown = ", ".join(f"0x{a.hex()}" if isinstance(a, bytes) else repr(a) for a in error_args)
        super().__init__(f"contract reverted: {name}({shown})")


class ProofError(GreenproofError, ValueError):
    """A multiproof checked off-chain is malformed (positions, length) or shows leaves above a cap."""
