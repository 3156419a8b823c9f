"""How a batch goes on-chain (apart from the schemas, so the CLI's options need no pydantic)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["IssuanceMode"]


class IssuanceMode(StrEnum):
    """How a batch goes on-chain: one Merkle root the holders claim from, or a direct mint of every leaf."""

    ANCHOR = "anchor"
    DIRECT = "direct"
