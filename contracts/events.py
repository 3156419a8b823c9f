"""Decoding the contract's logs into plain :class:`ChainEvent` values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak
from web3.contract import Contract

from .transactor import abi_type, plain

__all__ = ["DECODED_EVENTS", "ChainEvent", "EventDecoder"]

#: Events :class:`EventDecoder` decodes; other logs (role changes) are skipped.
DECODED_EVENTS = (
    "PlantRegistered", "StorageRegistered", "BatchAnchored", "LeavesClaimed", "ChargesRecorded", "DischargesClaimed",
    "Retired", "TransferSingle", "TransferBatch",
)


@dataclass(frozen=True)
class ChainEvent:
    """A decoded contract log: event name, position, and arguments (``bytes`` for bytes32, ints, addresses)."""

    name: str
    block_number: int
    log_index: int
    tx_hash: str
    args: dict[str, Any] = field(hash=False)


class EventDecoder:
    """Decodes the logs of one contract (its ABI's :data:`DECODED_EVENTS`)."""

    def __init__(self, contract: Contract) -> None:
        self._topics = {name: bytes(keccak(text=self._signature(contract, name))) for name in DECODED_EVENTS}
        self._decoders = {topic: contract.events[name]() for name, topic in self._topics.items()}

    def topic(self, name: str) -> bytes:
        """Return the topic (signature hash) of event ``name``."""
        return self._topics[name]

    @staticmethod
    def _signature(contract: Contract, name: str) -> str:
        entry = next(e for e in contract.abi if e["type"] == "event" and e["name"] == name)
        return f"{name}({','.join(abi_type(i) for i in entry['inputs'])})"

    def decode(self, logs: Sequence[Any]) -> list[ChainEvent]:
        """Return the decoded events of ``logs`` in order, skipping logs of other events."""
        events = []
        for log in logs:
            decoder = self._decoders.get(bytes(log["topics"][0])) if log["topics"] else None
            if decoder is None:
                continue
            decoded = decoder.process_log(log)
            events.append(ChainEvent(
                name=decoded["event"], block_number=decoded["blockNumber"], log_index=decoded["logIndex"],
                tx_hash="0x" + bytes(decoded["transactionHash"]).hex(),
                args={key: plain(value) for key, value in decoded["args"].items()},
            ))
        return events
