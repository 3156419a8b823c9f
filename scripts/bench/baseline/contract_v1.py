"""The landed v1 contract, driven as the baseline of scripts/bench/chain.py.

``GreenCertificate-v1.json`` is the artifact committed at cd2549b ("contracts: store batches as the
interface's Batch struct ...", the last v1 build, solcjs 0.8.37, OpenZeppelin 5.7). Its encodings,
kept here only to feed it: plant key ``keccak256(code)``; token id
``keccak256(abi.encode(plantKey, uint64 start, uint32 seconds))``; leaves double-hashed
``abi.encode(uint8 tag, ...)`` (1 allocation, 2 cap) in a sorted-pair Merkle tree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes

from greenproof.contracts.transactor import PreparedTx, Transactor, connect_web3, tx_result

ARTIFACT = Path(__file__).with_name("GreenCertificate-v1.json")
SOURCE_COMMIT = "cd2549b"


def plant_key(code: str) -> bytes:
    return keccak(code.encode())


def allocation_leaf(code: str, start: int, seconds: int, holder: str, amount_wh: int) -> bytes:
    return keccak(keccak(encode(["uint8", "bytes32", "uint64", "uint32", "address", "uint256"],
                                [1, plant_key(code), start, seconds, holder, amount_wh])))


def cap_leaf(code: str, start: int, seconds: int, cap_wh: int) -> bytes:
    return keccak(keccak(encode(["uint8", "bytes32", "uint64", "uint32", "uint256"],
                                [2, plant_key(code), start, seconds, cap_wh])))


class SortedPairTree:
    """OpenZeppelin ``MerkleProof`` tree: sorted leaves, sorted-pair keccak256, odd node carried up."""

    def __init__(self, leaves: list[bytes]) -> None:
        level = sorted(leaves)
        self.index = {leaf: i for i, leaf in enumerate(level)}
        self.levels = [level]
        while len(level) > 1:
            level = [keccak(min(level[i], level[i + 1]) + max(level[i], level[i + 1]))
                     for i in range(0, len(level) - 1, 2)] + ([level[-1]] if len(level) % 2 else [])
            self.levels.append(level)

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    def proof(self, leaf: bytes) -> list[bytes]:
        position, path = self.index[leaf], []
        for level in self.levels[:-1]:
            if position ^ 1 < len(level):
                path.append(level[position ^ 1])
            position //= 2
        return path


class ContractV1:
    """The v1 contract deployed on a node, with just the calls the benchmark makes."""

    def __init__(self, rpc_url: str, admin_key: str) -> None:
        artifact = json.loads(ARTIFACT.read_text())
        self.tx = Transactor(connect_web3(rpc_url), rpc_url, artifact["abi"])
        factory = self.tx.web3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        admin = self.tx.web3.eth.account.from_key(admin_key).address
        data = bytes(HexBytes(factory.constructor(admin).data_in_transaction))
        (receipt,) = self.tx.send_all([PreparedTx("deploy v1", data, admin_key)], None, "latest")
        self.address = receipt["contractAddress"]
        self.contract = self.tx.web3.eth.contract(address=self.address, abi=artifact["abi"])
        self.admin_key = admin_key

    def prepare(self, function: str, *args: Any, key: str | None = None) -> PreparedTx:
        return PreparedTx(f"v1 {function}", bytes(HexBytes(self.contract.encode_abi(function, args=list(args)))),
                          key or self.admin_key)

    def send_many(self, prepared: list[PreparedTx]) -> list[Any]:
        return [tx_result(r) for r in self.tx.send_all(prepared, self.address, "pending")]

    def register_plant(self, code: str, capacity_w: int) -> PreparedTx:
        return self.prepare("registerPlant", plant_key(code), code, b"wind".ljust(32, b"\0"), True, capacity_w,
                            b"CN".ljust(32, b"\0"))

    def anchor(self, batch_id: bytes, root: bytes, start: int, end: int, codes: list[str]) -> PreparedTx:
        return self.prepare("anchorBatch", batch_id, root, keccak(text="inputs"), start, end,
                            [plant_key(c) for c in codes])

    def leaf_args(self, code: str, start: int, seconds: int, holder: str, amount_wh: int) -> tuple:
        return (plant_key(code), start, seconds, to_checksum_address(holder), amount_wh)
