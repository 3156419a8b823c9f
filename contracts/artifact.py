"""The committed build artifact of ``GreenCertificate.sol``, loaded from package data (no node needed).

``contracts/artifacts/GreenCertificate.json`` is written by :mod:`greenproof.contracts.compiler`
and holds the ABI, creation and runtime bytecode (hex without ``0x``), the compiler version, the
exact compiler settings and a SHA-256 over the Solidity sources it was built from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .errors import ChainError

__all__ = ["ARTIFACT_RESOURCE", "ContractArtifact", "load_artifact"]

ARTIFACT_RESOURCE = "artifacts/GreenCertificate.json"


@dataclass(frozen=True)
class ContractArtifact:
    """A compiled contract: ABI, bytecode and provenance."""

    contract_name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    compiler_version: str
    settings: dict[str, Any]
    source_hash: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContractArtifact:
        """Build from the JSON layout written by the compiler wrapper."""
        return cls(
            contract_name=data["contractName"],
            abi=data["abi"],
            bytecode=data["bytecode"],
            deployed_bytecode=data["deployedBytecode"],
            compiler_version=data["compiler"]["version"],
            settings=data["settings"],
            source_hash=data["sourceHash"],
        )


def load_artifact() -> ContractArtifact:
    """Return the committed ``GreenCertificate`` artifact shipped with the package.

    Raises
    ------
    ChainError
        If the artifact file is missing or not valid JSON (rebuild it with
        ``python -m greenproof.contracts.compiler``).
    """
    resource = resources.files("greenproof.contracts").joinpath(ARTIFACT_RESOURCE)
    try:
        return ContractArtifact.from_json(json.loads(resource.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as exc:
        raise ChainError(f"cannot load contract artifact {ARTIFACT_RESOURCE}: {exc}") from exc
