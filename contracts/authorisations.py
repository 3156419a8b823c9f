"""EIP-712 authorisations a certificate holder signs so that someone else relays its retirement or transfer.

A firm that holds its own key signs, in its own wallet, what it wants done; the park (or anyone)
sends the transaction and pays the gas. The contract checks the signature with OpenZeppelin's
``SignatureChecker`` (an EOA's ECDSA signature, or a smart-contract wallet's ERC-1271 answer), the
holder's current nonce (each authorisation is usable once; the next one must carry the next
nonce) and the deadline. Domain: name ``"GreenCertificate"``, version ``"2"``, the chain id and the
contract address. Types (EIP-712 ``encodeType``)::

    RetireLeaves(address holder,bytes32 batchId,LeafRef[] leaves,Claim claim,uint256 nonce,uint256 deadline)
    Retire(address holder,uint256[] ids,uint256[] amountsWh,Claim claim,uint256 nonce,uint256 deadline)
    Transfer(address from,address to,uint256 id,uint256 amountWh,uint256 nonce,uint256 deadline)
    Claim(bytes32 claimRef,string beneficiary,string purpose,uint64 periodStart,uint64 periodEnd,bytes32 shipmentRef)
    LeafRef(uint256 position,uint256 amountWh,uint256 retireWh)

The functions here return the typed-data document (``eth_account`` ``full_message`` form, which
wallets take as ``eth_signTypedData_v4``); :func:`sign_typed_data` signs it with a local key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_account import Account
from eth_utils import to_checksum_address

from .errors import ChainError
from .records import LeafRef, RetirementClaim, bytes32

__all__ = [
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "retire_leaves_typed_data",
    "retire_typed_data",
    "sign_typed_data",
    "transfer_typed_data",
]

DOMAIN_NAME = "GreenCertificate"
DOMAIN_VERSION = "2"

_DOMAIN_TYPE = [
    {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
]
_CLAIM_TYPE = [
    {"name": "claimRef", "type": "bytes32"}, {"name": "beneficiary", "type": "string"},
    {"name": "purpose", "type": "string"}, {"name": "periodStart", "type": "uint64"},
    {"name": "periodEnd", "type": "uint64"}, {"name": "shipmentRef", "type": "bytes32"},
]
_LEAF_REF_TYPE = [
    {"name": "position", "type": "uint256"}, {"name": "amountWh", "type": "uint256"},
    {"name": "retireWh", "type": "uint256"},
]


def _document(chain_id: int, contract: str, primary: str, fields: list[dict[str, str]], message: dict[str, Any],
              **extra_types: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "types": {"EIP712Domain": _DOMAIN_TYPE, primary: fields, **extra_types},
        "primaryType": primary,
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id,
                   "verifyingContract": to_checksum_address(contract)},
        "message": message,
    }


def _claim(claim: RetirementClaim) -> dict[str, Any]:
    return {"claimRef": bytes32(claim.claim_ref, "claim_ref"), "beneficiary": claim.beneficiary,
            "purpose": claim.purpose, "periodStart": claim.period_start_s, "periodEnd": claim.period_end_s,
            "shipmentRef": bytes32(claim.shipment_ref, "shipment_ref")}


def retire_leaves_typed_data(*, chain_id: int, contract: str, holder: str, batch_id: bytes,
                             leaves: Sequence[LeafRef], claim: RetirementClaim, nonce: int,
                             deadline_s: int) -> dict[str, Any]:
    """Return the typed data of ``retireLeavesFor``: retire these leaves of ``batch_id`` for ``claim``.

    Parameters
    ----------
    chain_id, contract
        The chain and the ``GreenCertificate`` address (the EIP-712 domain).
    holder : str
        The signer: the leaves' holder.
    leaves : sequence of LeafRef
        Positions, amounts and the Wh to retire of each, by increasing position.
    nonce : int
        The holder's current nonce on the contract (``ChainClient.nonce(holder)``).
    deadline_s : int
        Last UNIX second (block time) the authorisation may be used.
    """
    fields = [{"name": "holder", "type": "address"}, {"name": "batchId", "type": "bytes32"},
              {"name": "leaves", "type": "LeafRef[]"}, {"name": "claim", "type": "Claim"},
              {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]
    message = {"holder": to_checksum_address(holder), "batchId": bytes32(batch_id, "batch_id"),
               "leaves": [{"position": x.position, "amountWh": x.amount_wh, "retireWh": x.retire_wh} for x in leaves],
               "claim": _claim(claim), "nonce": nonce, "deadline": deadline_s}
    return _document(chain_id, contract, "RetireLeaves", fields, message, Claim=_CLAIM_TYPE, LeafRef=_LEAF_REF_TYPE)


def retire_typed_data(*, chain_id: int, contract: str, holder: str, token_ids: Sequence[int],
                      amounts_wh: Sequence[int], claim: RetirementClaim, nonce: int, deadline_s: int) -> dict[str, Any]:
    """Return the typed data of ``retireFor``: burn these minted amounts of ``holder`` for ``claim``."""
    fields = [{"name": "holder", "type": "address"}, {"name": "ids", "type": "uint256[]"},
              {"name": "amountsWh", "type": "uint256[]"}, {"name": "claim", "type": "Claim"},
              {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]
    message = {"holder": to_checksum_address(holder), "ids": list(token_ids), "amountsWh": list(amounts_wh),
               "claim": _claim(claim), "nonce": nonce, "deadline": deadline_s}
    return _document(chain_id, contract, "Retire", fields, message, Claim=_CLAIM_TYPE)


def transfer_typed_data(*, chain_id: int, contract: str, sender: str, to: str, token_id: int, amount_wh: int,
                        nonce: int, deadline_s: int) -> dict[str, Any]:
    """Return the typed data of ``transferFor``: move ``amount_wh`` of ``token_id`` from ``sender`` to ``to``."""
    fields = [{"name": "from", "type": "address"}, {"name": "to", "type": "address"},
              {"name": "id", "type": "uint256"}, {"name": "amountWh", "type": "uint256"},
              {"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]
    message = {"from": to_checksum_address(sender), "to": to_checksum_address(to), "id": token_id,
               "amountWh": amount_wh, "nonce": nonce, "deadline": deadline_s}
    return _document(chain_id, contract, "Transfer", fields, message)


def sign_typed_data(private_key: str, typed_data: dict[str, Any]) -> bytes:
    """Return the 65-byte ECDSA signature (r ‖ s ‖ v) of ``typed_data`` by ``private_key``.

    Raises
    ------
    ChainError
        If the key is not a valid private key or the document is not valid EIP-712 typed data.
    """
    try:
        return bytes(Account.sign_typed_data(private_key, full_message=typed_data).signature)
    except (ValueError, TypeError, KeyError) as exc:
        raise ChainError(f"cannot sign the {typed_data.get('primaryType')} authorisation: {exc}") from exc
