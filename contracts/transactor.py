"""Signing, sending and waiting for transactions on one EVM node; decoding the contract's custom errors.

Every state-changing call is signed locally from a private key and sent as a raw legacy-priced
transaction with a locally managed nonce. Gas is always estimated first, so a call that would
revert raises :class:`~greenproof.contracts.errors.ContractRevertError` (the decoded custom error)
before anything is sent; a transaction that still fails on-chain is replayed with ``eth_call`` on
its parent block to decode why. :meth:`Transactor.send_all` pipelines (send all, then wait for all
receipts) for throughput.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import function_abi_to_4byte_selector, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3Exception

from .errors import ChainError, ContractRevertError

__all__ = ["PreparedTx", "Transactor", "TxResult", "abi_type", "account_of", "connect_web3", "plain", "tx_result"]

_RECEIPT_TIMEOUT_S = 120.0
_RECEIPT_POLL_S = 0.002


@dataclass(frozen=True)
class TxResult:
    """A mined transaction: hash (``0x`` hex), block number, gas used (after refunds)."""

    tx_hash: str
    block_number: int
    gas_used: int


@dataclass(frozen=True)
class PreparedTx:
    """A contract call ready to sign: what it does, calldata, and the key that signs it."""

    description: str
    data: bytes
    sender_key: str = field(repr=False)


def plain(value: Any) -> Any:
    """Turn web3 return values (HexBytes, AttributeDict structs, lists) into plain Python values."""
    if isinstance(value, HexBytes):
        return bytes(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {key: plain(v) for key, v in value.items()}
    return value


def account_of(key: str | None) -> LocalAccount:
    """Return the local account of a private key.

    Raises
    ------
    ChainError
        If ``key`` is not a valid secp256k1 private key.
    """
    try:
        account: LocalAccount = Account.from_key(key)
    except (ValueError, TypeError) as exc:
        raise ChainError("sender key is not a valid secp256k1 private key") from exc
    return account


def abi_type(entry: dict[str, Any]) -> str:
    """Return the canonical ABI type of an input entry, expanding tuples."""
    kind: str = entry["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in entry["components"]) + ")" + kind[len("tuple"):]
    return kind


def tx_result(receipt: Any) -> TxResult:
    """Return the :class:`TxResult` of a receipt."""
    return TxResult("0x" + bytes(receipt["transactionHash"]).hex(), receipt["blockNumber"], receipt["gasUsed"])


def connect_web3(rpc_url: str) -> Web3:
    """Return a ``Web3`` on ``rpc_url``, probed once so that an unreachable URL fails here.

    Raises
    ------
    ChainError
        If the node does not answer.
    """
    web3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 60}))
    try:
        web3.eth.chain_id  # noqa: B018 - probe the node once so an unreachable URL fails here
    except (Web3Exception, OSError, ValueError) as exc:
        raise ChainError(f"cannot reach the EVM node at {rpc_url}: {exc}") from exc
    return web3


class Transactor:
    """Signs, sends and waits for transactions on one node; decodes reverts with the contract's errors."""

    def __init__(self, web3: Web3, rpc_url: str, abi: list[dict[str, Any]]) -> None:
        self.web3 = web3
        self.rpc_url = rpc_url
        self._errors = {function_abi_to_4byte_selector(e): e for e in abi if e["type"] == "error"}
        self.chain_id: int = self.call(lambda: web3.eth.chain_id, "read the chain id")

    def call(self, action: Callable[[], Any], what: str) -> Any:
        """Run one RPC action, translating web3 and transport errors into ChainError."""
        try:
            return action()
        except ContractLogicError as exc:
            raise self.revert_error(exc) from exc
        except (Web3Exception, OSError, ValueError) as exc:  # requests' errors are OSErrors
            raise ChainError(f"cannot {what} on {self.rpc_url}: {exc}") from exc

    def revert_error(self, exc: ContractLogicError) -> ChainError:
        """Return the decoded custom error of a reverted call."""
        data = exc.data if isinstance(exc.data, str) else None
        return self.decode_revert(bytes(HexBytes(data)) if data else b"", str(exc))

    def decode_revert(self, data: bytes, fallback: str = "") -> ContractRevertError:
        """Return the :class:`ContractRevertError` that revert ``data`` encodes (selector + ABI args)."""
        entry = self._errors.get(data[:4])
        if entry is None:
            return ContractRevertError("<unknown>", (fallback or f"0x{data.hex()}",), data)
        types = [abi_type(i) for i in entry["inputs"]]
        values = [to_checksum_address(v) if t == "address" else plain(v)
                  for t, v in zip(types, decode(types, data[4:]), strict=True)]
        return ContractRevertError(entry["name"], tuple(values), data)

    def send_all(self, prepared: Sequence[PreparedTx], to: str | None, block: str) -> list[Any]:
        """Send each transaction with consecutive nonces per sender, then wait for every receipt."""
        gas_price = self.call(lambda: self.web3.eth.gas_price, "read the gas price")
        nonces: dict[str, int] = {}
        hashes = [self._sign_and_send(p, to, gas_price, block, nonces) for p in prepared]
        return [self._wait(tx_hash, p) for tx_hash, p in zip(hashes, prepared, strict=True)]

    def _sign_and_send(self, prepared: PreparedTx, to: str | None, gas_price: int, block: str,
                       nonces: dict[str, int]) -> bytes:
        account = account_of(prepared.sender_key)
        address = str(account.address)
        tx: dict[str, Any] = {"from": address, "data": prepared.data, "chainId": self.chain_id}
        if to is not None:
            tx["to"] = to
        tx["gas"] = self.call(lambda: self.web3.eth.estimate_gas(tx, block), prepared.description)  # type: ignore[arg-type]
        if address not in nonces:
            nonces[address] = self.call(lambda: self.web3.eth.get_transaction_count(account.address, "pending"),
                                        f"read the nonce of {address}")
        tx.update(gasPrice=gas_price, nonce=nonces[address])
        nonces[address] += 1
        signed = account.sign_transaction(tx)
        return bytes(self.call(lambda: self.web3.eth.send_raw_transaction(signed.raw_transaction),
                               prepared.description))

    def _wait(self, tx_hash: bytes, prepared: PreparedTx) -> Any:
        deadline = time.monotonic() + _RECEIPT_TIMEOUT_S
        while (receipt := self.call(lambda: self._receipt_or_none(tx_hash), "read a receipt")) is None:
            if time.monotonic() > deadline:
                raise ChainError(f"no receipt for 0x{tx_hash.hex()} ({prepared.description}) after "
                                 f"{_RECEIPT_TIMEOUT_S} s on {self.rpc_url}")
            time.sleep(_RECEIPT_POLL_S)
        if receipt["status"] != 1:
            raise self._replay_failure(receipt, prepared)
        return receipt

    def _receipt_or_none(self, tx_hash: bytes) -> Any:
        try:
            return self.web3.eth.get_transaction_receipt(HexBytes(tx_hash))
        except TransactionNotFound:
            return None

    def _replay_failure(self, receipt: Any, prepared: PreparedTx) -> ChainError:
        """Re-run a failed transaction with eth_call on the state before its block to decode the revert."""
        tx = self.web3.eth.get_transaction(receipt["transactionHash"])
        call = {"from": tx["from"], "to": tx["to"], "data": tx["input"], "gas": tx["gas"]}
        try:
            self.web3.eth.call(call, receipt["blockNumber"] - 1)  # type: ignore[arg-type]
        except ContractLogicError as exc:
            return self.revert_error(exc)
        return ChainError(f"transaction 0x{bytes(receipt['transactionHash']).hex()} ({prepared.description}) "
                          f"failed in block {receipt['blockNumber']} without a revert reason (out of gas?)")
