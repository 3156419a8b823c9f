"""Solidity green-certificate contracts, their committed build artifacts, and the Python chain client.

``GreenCertificate.sol`` (ERC-1155, one token id per kind, plant and interval, unit Wh) is compiled
by :mod:`~greenproof.contracts.compiler` into ``artifacts/GreenCertificate.json``, which ships with
the package; :class:`Anvil` runs a local node and :class:`ChainClient` deploys and drives the
contract. :class:`BatchTree` builds a batch's positional Merkle-sum tree and its multiproofs;
:mod:`~greenproof.contracts.multiproof` checks them off-chain as the contract does;
:mod:`~greenproof.contracts.authorisations` builds and signs the EIP-712 authorisations a holder
gives a relayer.
"""

from .anvil import Anvil, find_anvil
from .artifact import ContractArtifact, load_artifact
from .authorisations import retire_leaves_typed_data, retire_typed_data, sign_typed_data, transfer_typed_data
from .client import ChainClient
from .errors import ChainError, ContractRevertError, ProofError
from .events import ChainEvent
from .leaves import (
    AllocationLeaf,
    DischargeLeaf,
    PlantIntervalCap,
    TokenFields,
    decode_token_id,
    leaf_hash,
    plant_key,
    storage_account,
    token_id,
)
from .merkle import BatchLayout, BatchTree, commitment
from .multiproof import ProvenLeaf, discharge_commitment, generation_commitment
from .records import (
    AnchoredBatch,
    BatchHeader,
    DischargeRef,
    LeafRef,
    PlantInfo,
    RetirementClaim,
    StorageInfo,
    text32,
)
from .transactor import PreparedTx, TxResult

__all__ = [
    "AllocationLeaf",
    "AnchoredBatch",
    "Anvil",
    "BatchHeader",
    "BatchLayout",
    "BatchTree",
    "ChainClient",
    "ChainError",
    "ChainEvent",
    "ContractArtifact",
    "ContractRevertError",
    "DischargeLeaf",
    "DischargeRef",
    "LeafRef",
    "PlantInfo",
    "PlantIntervalCap",
    "PreparedTx",
    "ProofError",
    "ProvenLeaf",
    "RetirementClaim",
    "StorageInfo",
    "TokenFields",
    "TxResult",
    "commitment",
    "decode_token_id",
    "discharge_commitment",
    "find_anvil",
    "generation_commitment",
    "leaf_hash",
    "load_artifact",
    "plant_key",
    "retire_leaves_typed_data",
    "retire_typed_data",
    "sign_typed_data",
    "storage_account",
    "text32",
    "token_id",
    "transfer_typed_data",
]
