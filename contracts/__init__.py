"""Solidity green-certificate contracts, their committed build artifacts, and the Python chain client.

``GreenCertificate.sol`` (ERC-1155, one token id per plant-interval, unit Wh) is compiled by
:mod:`~greenproof.contracts.compiler` into ``artifacts/GreenCertificate.json``, which ships with the
package; :class:`Anvil` runs a local node and :class:`ChainClient` deploys and drives the contract.
"""

from .anvil import Anvil, find_anvil
from .artifact import ContractArtifact, load_artifact
from .client import ChainClient
from .errors import ChainError, ContractRevertError
from .events import ChainEvent
from .leaves import AllocationLeaf, CapLeaf, leaf_hash, plant_key, token_id
from .merkle import MerkleTree, verify_proof
from .records import AnchoredBatch, PlantInfo, RetirementClaim, text32
from .transactor import PreparedTx, TxResult

__all__ = [
    "AllocationLeaf",
    "AnchoredBatch",
    "Anvil",
    "CapLeaf",
    "ChainClient",
    "ChainError",
    "ChainEvent",
    "ContractArtifact",
    "ContractRevertError",
    "MerkleTree",
    "PlantInfo",
    "PreparedTx",
    "RetirementClaim",
    "TxResult",
    "find_anvil",
    "leaf_hash",
    "load_artifact",
    "plant_key",
    "text32",
    "token_id",
    "verify_proof",
]
