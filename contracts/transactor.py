"""Signing, sending and waiting for transactions on one EVM node; decoding the contract's custom errors.

Every state-changing call is signed locally from a private key and sent as a raw legacy-priced
transaction with a locally managed nonce. Gas is always estimated first, so a call that would
revert raises :class:`~greenproof.contracts.errors.ContractRevertError` (the decoded custom error)
before anything is sent; a transaction that still fails on-chain is replayed with ``eth_call`` on
its parent block to decode why. :meth:`Transactor.send_all` pipelines (send all, then wait for all
receipts) for throughput.

One key's transactions are serialised across processes: reading its next nonce and sending hold
an exclusive lock file per (chain id, sender) in the temporary folder (``fcntl.flock``, released by
the kernel if the process dies), so two ``greenproof`` processes with one key never draw the same
nonce; a "nonce too low" answer (a sender outside this machine) re-reads the nonce and re-signs.
The hash of every accepted transaction is handed to ``on_sent`` before its receipt is awaited.
"""

from __future__ import annotations

import fcntl
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_abi import decode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import function_abi_to_4byte_selector, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3Exception

from .crash_points import crash_point
from .errors import ChainError, ContractRevertError

__all__ = [
    "PreparedTx",
    "SentHook",
    "Transactor",
    "TxResult",
    "abi_type",
    "account_of",
    "connect_web3",
    "nonce_lock",
    "plain",
    "tx_result",
]

_RECEIPT_TIMEOUT_S = 120.0
_RECEIPT_POLL_S = 0.002
#: Times a "nonce too low" answer is retried with a freshly read nonce.
_NONCE_RETRIES = 3

#: Called with (index in the batch sent, ``0x`` transaction hash) once the node accepted a transaction.
SentHook = Callable[[int, str], None]


@contextmanager
def nonce_lock(chain_id: int, address: str) -> Iterator[None]:
    """Hold the exclusive cross-process lock of ``address``'s nonces on chain ``chain_id``.

    A lock file ``greenproof-nonce-<chain id>-<address>.lock`` in the temporary folder, locked with
    ``flock``: the kernel releases it when the holder exits, however it dies.
    """
    path = Path(tempfile.gettempdir()) / f"greenproof-nonce-{chain_id}-{address.lower()}.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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

    def send_all(self, prepared: Sequence[PreparedTx], to: str | None, block: str, *,
                 on_sent: SentHook | None = None) -> list[Any]:
        """Send each transaction with consecutive nonces per sender, then wait for every receipt.

        The senders' nonce locks (:func:`nonce_lock`) are held while nonces are read and the
        transactions sent, not while receipts are awaited. ``on_sent(i, tx_hash)`` is called as soon
        as the node accepted transaction ``i``.
        """
        gas_price = self.call(lambda: self.web3.eth.gas_price, "read the gas price")
        nonces: dict[str, int] = {}
        hashes: list[bytes] = []
        with self._nonce_locks({str(account_of(p.sender_key).address) for p in prepared}):
            for index, p in enumerate(prepared):
                hashes.append(self._sign_and_send(p, to, gas_price, block, nonces))
                if on_sent is not None:
                    on_sent(index, "0x" + hashes[-1].hex())
                crash_point("transaction_sent")
        return [self._wait(tx_hash, p) for tx_hash, p in zip(hashes, prepared, strict=True)]

    @contextmanager
    def _nonce_locks(self, addresses: set[str]) -> Iterator[None]:
        if not addresses:
            yield
            return
        first, *rest = sorted(addresses)  # a fixed order: two processes never wait on each other's locks
        with nonce_lock(self.chain_id, first), self._nonce_locks(set(rest)):
            yield

    def _sign_and_send(self, prepared: PreparedTx, to: str | None, gas_price: int, block: str,
                       nonces: dict[str, int]) -> bytes:
        account = account_of(prepared.sender_key)
        address = str(account.address)
        tx: dict[str, Any] = {"from": address, "data": prepared.data, "chainId": self.chain_id}
        if to is not None:
            tx["to"] = to
        tx["gas"] = self.call(lambda: self.web3.eth.estimate_gas(tx, block), prepared.description)  # type: ignore[arg-type]
        for attempt in range(_NONCE_RETRIES + 1):
            if address not in nonces:
                nonces[address] = self.call(lambda: self.web3.eth.get_transaction_count(account.address, "pending"),
                                            f"read the nonce of {address}")
            tx.update(gasPrice=gas_price, nonce=nonces[address])
            raw = bytes(account.sign_transaction(tx).raw_transaction)
            try:
                tx_hash = bytes(self.call(lambda raw=raw: self.web3.eth.send_raw_transaction(raw),  # type: ignore[misc]
                                          prepared.description))
            except ChainError as exc:
                if "nonce too low" not in str(exc).lower() or attempt == _NONCE_RETRIES:
                    raise
                del nonces[address]  # someone else used it: read the next free nonce again and re-sign
                continue
            nonces[address] += 1
            return tx_hash
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

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
        """Re-run a failed transaction with eth_call to decode the revert.

        First on the state before its block; if it passes there, an earlier transaction of the
        same block made it fail (a duplicate sent twice), so it is re-run on the state after the
        block, which holds that transaction's effect. Only a transaction that passes both and used
        all its gas is reported as out of gas.
        """
        tx = self.web3.eth.get_transaction(receipt["transactionHash"])
        call = {"from": tx["from"], "to": tx["to"], "data": tx["input"], "gas": tx["gas"]}
        where = f"transaction 0x{bytes(receipt['transactionHash']).hex()} ({prepared.description})"
        for block in (receipt["blockNumber"] - 1, receipt["blockNumber"]):
            try:
                self.web3.eth.call(call, block)  # type: ignore[arg-type]
            except ContractLogicError as exc:
                return self.revert_error(exc)
        if receipt["gasUsed"] >= tx["gas"]:
            return ChainError(f"{where} ran out of gas in block {receipt['blockNumber']} ({tx['gas']} gas)")
        return ChainError(f"{where} failed in block {receipt['blockNumber']}, and replaying it before and after "
                          "that block gives no revert reason")
