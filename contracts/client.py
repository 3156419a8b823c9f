"""web3.py client of the ``GreenCertificate`` contract: deploy, issue, claim, retire, read back.

Sending goes through :class:`~greenproof.contracts.transactor.Transactor` (local signing, gas
estimated first so a call that would revert raises the decoded custom error before anything is
sent, pipelined ``send_many``); logs are decoded by :class:`~greenproof.contracts.events.EventDecoder`;
the values sent and read are the records of :mod:`greenproof.contracts.records`.

Units: energy in whole Wh, capacity in W, times in UNIX seconds (UTC). ``bytes32`` values are
32-byte ``bytes``; short texts (technology, location) are UTF-8, right-padded with zeros to 32 bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import Web3Exception

from .artifact import load_artifact
from .errors import ChainError, ContractRevertError
from .events import ChainEvent, EventDecoder
from .leaves import AllocationLeaf, CapLeaf, leaf_hash, plant_key
from .records import AnchoredBatch, PlantInfo, RetirementClaim, bytes32, text32
from .transactor import PreparedTx, Transactor, TxResult, account_of, connect_web3, tx_result

__all__ = ["ChainClient"]


def _leaf_tuple(leaf: AllocationLeaf) -> tuple[bytes, int, int, str, int]:
    return (plant_key(leaf.plant_code), leaf.interval_start_s, leaf.interval_s, to_checksum_address(leaf.holder),
            leaf.amount_wh)


class ChainClient:
    """Client of one deployed ``GreenCertificate`` contract, sending as one key by default.

    Build with :meth:`deploy` or :meth:`connect`.
    """

    def __init__(self, transactor: Transactor, address: str, sender_key: str) -> None:
        self._tx = transactor
        self.rpc_url = transactor.rpc_url
        self.address = to_checksum_address(address)
        self._contract = transactor.web3.eth.contract(address=self.address, abi=load_artifact().abi)
        self._sender = account_of(sender_key)
        self._events = EventDecoder(self._contract)

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def deploy(cls, rpc_url: str, admin_key: str) -> ChainClient:
        """Deploy a new contract whose admin (and first issuer) is ``admin_key``'s account.

        Raises
        ------
        ChainError
            If the node at ``rpc_url`` cannot be reached or the deployment fails.
        """
        artifact = load_artifact()
        transactor = Transactor(connect_web3(rpc_url), rpc_url, artifact.abi)
        factory = transactor.web3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = bytes(HexBytes(factory.constructor(account_of(admin_key).address).data_in_transaction))
        (receipt,) = transactor.send_all([PreparedTx("deploy GreenCertificate", data, admin_key)], None, "latest")
        return cls(transactor, receipt["contractAddress"], admin_key)

    @classmethod
    def connect(cls, rpc_url: str, address: str, sender_key: str) -> ChainClient:
        """Return a client of the contract at ``address``, sending as ``sender_key``'s account.

        Raises
        ------
        ChainError
            If the node cannot be reached or has no contract code at ``address``.
        """
        transactor = Transactor(connect_web3(rpc_url), rpc_url, load_artifact().abi)
        checksummed = to_checksum_address(address)
        if not transactor.call(lambda: transactor.web3.eth.get_code(checksummed), f"read the code at {address}"):
            raise ChainError(f"no contract at {address} on {rpc_url}")
        return cls(transactor, checksummed, sender_key)

    def with_sender(self, sender_key: str) -> ChainClient:
        """Return a client of the same contract and node that sends as ``sender_key``'s account."""
        return ChainClient(self._tx, self.address, sender_key)

    @property
    def sender(self) -> str:
        """Checksummed address of the default sending account."""
        return str(self._sender.address)

    @property
    def web3(self) -> Web3:
        """The underlying ``Web3`` instance."""
        return self._tx.web3

    # -- transactions ---------------------------------------------------------------------------

    def prepare_register_plant(self, plant_code: str, technology: str, renewable: bool, capacity_w: int,
                               location_code: str) -> PreparedTx:
        """Prepare :meth:`register_plant`."""
        return self._prepare(f"register plant {plant_code}", "registerPlant", plant_key(plant_code), plant_code,
                             text32(technology), renewable, capacity_w, text32(location_code))

    def register_plant(self, plant_code: str, technology: str, renewable: bool, capacity_w: int,
                       location_code: str) -> TxResult:
        """Register a plant (issuer only).

        Parameters
        ----------
        plant_code : str
            Registry code; its key is ``keccak256(code)`` (:func:`~greenproof.contracts.leaves.plant_key`).
        technology, location_code : str
            Short texts (≤ 32 UTF-8 bytes), e.g. ``"offshore_wind"``, ``"CN-JS-YC-BH"``.
        renewable : bool
            Only renewable plants can be issued.
        capacity_w : int
            Rated capacity in W; caps are checked against ``capacity_w × interval_s / 3600`` Wh.
        """
        return self.send(self.prepare_register_plant(plant_code, technology, renewable, capacity_w, location_code))

    def prepare_anchor_batch(self, batch_id: bytes, root: bytes, input_hash: bytes, period_start_s: int,
                             period_end_s: int, plant_codes: Sequence[str]) -> PreparedTx:
        """Prepare :meth:`anchor_batch`."""
        return self._prepare(f"anchor batch 0x{batch_id.hex()}", "anchorBatch", bytes32(batch_id, "batch_id"),
                             bytes32(root, "root"), bytes32(input_hash, "input_hash"), period_start_s,
                             period_end_s, [plant_key(code) for code in plant_codes])

    def anchor_batch(self, batch_id: bytes, root: bytes, input_hash: bytes, period_start_s: int,
                     period_end_s: int, plant_codes: Sequence[str]) -> TxResult:
        """Anchor a batch's Merkle root (issuer only): the act of issuance for its leaves.

        Parameters
        ----------
        batch_id : bytes
            32-byte id, registered once.
        root : bytes
            :class:`~greenproof.contracts.merkle.MerkleTree` root over the batch's allocation and cap leaves.
        input_hash : bytes
            32-byte hash of the batch's inputs (snapshots and meter data).
        period_start_s, period_end_s : int
            The batch covers intervals in ``[period_start_s, period_end_s)``, UNIX seconds.
        plant_codes : sequence of str
            Plants issued by the batch; each must not be issued at or after ``period_start_s`` yet.
        """
        return self.send(self.prepare_anchor_batch(batch_id, root, input_hash, period_start_s, period_end_s,
                                                   plant_codes))

    def prepare_issue_batch(self, batch_id: bytes, input_hash: bytes, period_start_s: int, period_end_s: int,
                            plant_codes: Sequence[str], caps: Sequence[CapLeaf],
                            allocations: Sequence[AllocationLeaf]) -> PreparedTx:
        """Prepare :meth:`issue_batch`."""
        cap_index = {(c.plant_code, c.interval_start_s, c.interval_s): i for i, c in enumerate(caps)}
        if len(cap_index) < len(caps):
            raise ChainError(f"batch 0x{batch_id.hex()} lists a plant-interval in more than one cap entry")
        mints = []
        for leaf in allocations:
            index = cap_index.get((leaf.plant_code, leaf.interval_start_s, leaf.interval_s))
            if index is None:
                raise ChainError(f"allocation {leaf} has no cap entry for its plant-interval")
            mints.append((index, to_checksum_address(leaf.holder), leaf.amount_wh))
        cap_entries = [(plant_key(c.plant_code), c.interval_start_s, c.interval_s, c.cap_wh) for c in caps]
        return self._prepare(f"issue batch 0x{batch_id.hex()}", "issueBatch", bytes32(batch_id, "batch_id"),
                             bytes32(input_hash, "input_hash"), period_start_s, period_end_s,
                             [plant_key(code) for code in plant_codes], cap_entries, mints)

    def issue_batch(self, batch_id: bytes, input_hash: bytes, period_start_s: int, period_end_s: int,
                    plant_codes: Sequence[str], caps: Sequence[CapLeaf],
                    allocations: Sequence[AllocationLeaf]) -> TxResult:
        """Issue a small batch directly, minting every allocation to its holder (issuer only).

        Same once-only and watermark rules as :meth:`anchor_batch`; each allocation's plant-interval
        needs a cap in ``caps`` and the allocations of a token must sum to at most its cap.
        A block holds about 1,000 mint lines (≈29k gas each, 30 M gas limit).
        """
        return self.send(self.prepare_issue_batch(batch_id, input_hash, period_start_s, period_end_s, plant_codes,
                                                  caps, allocations))

    def prepare_claim(self, batch_id: bytes, leaf: AllocationLeaf, proof: Sequence[bytes], cap: CapLeaf,
                      cap_proof: Sequence[bytes]) -> PreparedTx:
        """Prepare :meth:`claim`."""
        return self._prepare(f"claim {leaf}", "claim", *self._claim_args(batch_id, leaf, proof, cap, cap_proof))

    def claim(self, batch_id: bytes, leaf: AllocationLeaf, proof: Sequence[bytes], cap: CapLeaf,
              cap_proof: Sequence[bytes]) -> TxResult:
        """Mint an anchored allocation leaf to its holder (anyone may send it).

        Parameters
        ----------
        batch_id : bytes
            The anchored batch whose root holds both leaves.
        leaf, proof : AllocationLeaf, sequence of bytes
            The allocation and its Merkle proof (``MerkleTree.proof(leaf_hash(leaf))``).
        cap, cap_proof : CapLeaf, sequence of bytes
            The cap leaf of the same plant-interval and its proof.
        """
        return self.send(self.prepare_claim(batch_id, leaf, proof, cap, cap_proof))

    def prepare_retire_with_proof(self, batch_id: bytes, leaf: AllocationLeaf, proof: Sequence[bytes],
                                  cap: CapLeaf, cap_proof: Sequence[bytes], amount_wh: int,
                                  claim: RetirementClaim, *, holder_key: str | None = None) -> PreparedTx:
        """Prepare :meth:`retire_with_proof`."""
        return self._prepare(f"retire {amount_wh} Wh of {leaf}", "retireWithProof",
                             *self._claim_args(batch_id, leaf, proof, cap, cap_proof), amount_wh, claim.as_tuple(),
                             sender_key=holder_key)

    def retire_with_proof(self, batch_id: bytes, leaf: AllocationLeaf, proof: Sequence[bytes], cap: CapLeaf,
                          cap_proof: Sequence[bytes], amount_wh: int, claim: RetirementClaim, *,
                          holder_key: str | None = None) -> TxResult:
        """Claim an allocation leaf and retire ``amount_wh`` of it in one transaction; the rest stays minted.

        Signed with ``holder_key`` (the leaf holder's key; the client's sender when omitted): only the
        holder may retire.
        """
        return self.send(self.prepare_retire_with_proof(batch_id, leaf, proof, cap, cap_proof, amount_wh, claim,
                                                        holder_key=holder_key))

    def prepare_retire(self, token_id: int, amount_wh: int, claim: RetirementClaim, *,
                       holder_key: str | None = None) -> PreparedTx:
        """Prepare :meth:`retire`."""
        return self._prepare(f"retire {amount_wh} Wh of token {token_id}", "retire", token_id, amount_wh,
                             claim.as_tuple(), sender_key=holder_key)

    def retire(self, token_id: int, amount_wh: int, claim: RetirementClaim, *,
               holder_key: str | None = None) -> TxResult:
        """Retire (burn) ``amount_wh`` of the holder's minted balance of ``token_id`` for ``claim``."""
        return self.send(self.prepare_retire(token_id, amount_wh, claim, holder_key=holder_key))

    def prepare_transfer(self, to: str, token_id: int, amount_wh: int, *,
                         holder_key: str | None = None) -> PreparedTx:
        """Prepare :meth:`transfer`."""
        holder = account_of(holder_key).address if holder_key else self._sender.address
        return self._prepare(f"transfer {amount_wh} Wh of token {token_id} to {to}", "safeTransferFrom", holder,
                             to_checksum_address(to), token_id, amount_wh, b"", sender_key=holder_key)

    def transfer(self, to: str, token_id: int, amount_wh: int, *, holder_key: str | None = None) -> TxResult:
        """Transfer ``amount_wh`` of ``token_id`` from the holder (``holder_key``'s account) to ``to``."""
        return self.send(self.prepare_transfer(to, token_id, amount_wh, holder_key=holder_key))

    def prepare_grant_issuer(self, account: str) -> PreparedTx:
        """Prepare :meth:`grant_issuer`."""
        return self._prepare(f"grant ISSUER_ROLE to {account}", "grantRole", keccak(text="ISSUER_ROLE"),
                             to_checksum_address(account))

    def grant_issuer(self, account: str) -> TxResult:
        """Grant ``ISSUER_ROLE`` to ``account`` (admin only)."""
        return self.send(self.prepare_grant_issuer(account))

    def prepare_raw(self, function: str, *args: Any, sender_key: str | None = None) -> PreparedTx:
        """Prepare a call of any contract function from raw ABI arguments (for tools and tests)."""
        return self._prepare(f"call {function}", function, *args, sender_key=sender_key)

    def send(self, prepared: PreparedTx) -> TxResult:
        """Estimate, sign and send one prepared transaction; wait for its receipt.

        Raises
        ------
        ContractRevertError
            If it would revert (then nothing is sent) or did revert on-chain.
        """
        (receipt,) = self._tx.send_all([prepared], self.address, "latest")
        return tx_result(receipt)

    def send_many(self, prepared: Sequence[PreparedTx]) -> list[TxResult]:
        """Send prepared transactions back to back without waiting, then wait for all receipts.

        Gas is estimated against the pending state, so a transaction may depend on the ones before
        it; order is preserved (consecutive nonces per sender).

        Raises
        ------
        ContractRevertError
            If one would revert (those before it are sent, none after) or did revert on-chain.
        """
        return [tx_result(r) for r in self._tx.send_all(prepared, self.address, "pending")]

    # -- views ----------------------------------------------------------------------------------

    def batch(self, batch_id: bytes) -> AnchoredBatch | None:
        """Return the registered batch ``batch_id``, or ``None`` if it was never registered."""
        raw = self._view("batch", bytes32(batch_id, "batch_id"))
        root, input_hash, start, end, block, issuer, direct = raw
        if end == 0:
            return None
        return AnchoredBatch(bytes(batch_id), bytes(root), bytes(input_hash), start, end, block, issuer, direct)

    def plant(self, plant_code: str) -> PlantInfo | None:
        """Return the registered plant ``plant_code``, or ``None`` if it is not registered."""
        key = plant_key(plant_code)
        code, technology, location, capacity_w, renewable, issued_until = self._view("plant", key)
        if capacity_w == 0:
            return None
        return PlantInfo(key, code, bytes(technology), bytes(location), capacity_w, renewable, issued_until)

    def balance_of(self, holder: str, token_id: int) -> int:
        """Return ``holder``'s minted (unretired) balance of ``token_id`` in Wh."""
        return int(self._view("balanceOf", to_checksum_address(holder), token_id))

    def minted(self, token_id: int) -> int:
        """Return the Wh ever minted of ``token_id`` (retired included)."""
        return int(self._view("minted", token_id))

    def retired_balance(self, token_id: int, holder: str) -> int:
        """Return the Wh of ``token_id`` retired by ``holder``."""
        return int(self._view("retiredBalance", token_id, to_checksum_address(holder)))

    def is_leaf_claimed(self, leaf: AllocationLeaf) -> bool:
        """Return whether the allocation ``leaf`` was claimed (minted or retired with proof)."""
        return bool(self._view("isLeafClaimed", leaf_hash(leaf)))

    def verify_leaf(self, batch_id: bytes, leaf: AllocationLeaf | CapLeaf, proof: Sequence[bytes]) -> bool:
        """Return whether the contract accepts ``proof`` for ``leaf`` under the anchored root of ``batch_id``."""
        return bool(self._view("verifyLeaf", bytes32(batch_id, "batch_id"), leaf_hash(leaf),
                               [bytes32(p, "proof node") for p in proof]))

    def claim_ref_used(self, claim_ref: bytes) -> bool:
        """Return whether a retirement used ``claim_ref``."""
        return bool(self._view("claimRefUsed", bytes32(claim_ref, "claim_ref")))

    def has_issuer_role(self, account: str) -> bool:
        """Return whether ``account`` holds ``ISSUER_ROLE``."""
        return bool(self._view("hasRole", keccak(text="ISSUER_ROLE"), to_checksum_address(account)))

    def token_id_of(self, plant_code: str, interval_start_s: int, interval_s: int) -> int:
        """Return the token id computed by the contract (same as :func:`~greenproof.contracts.leaves.token_id`)."""
        return int(self._view("tokenIdOf", plant_key(plant_code), interval_start_s, interval_s))

    def leaf_hash_of(self, leaf: AllocationLeaf | CapLeaf) -> bytes:
        """Return the leaf hash computed by the contract (same as :func:`~greenproof.contracts.leaves.leaf_hash`)."""
        if isinstance(leaf, AllocationLeaf):
            return bytes(self._view("allocationLeafHash", _leaf_tuple(leaf)))
        return bytes(self._view("capLeafHash", plant_key(leaf.plant_code), leaf.interval_start_s, leaf.interval_s,
                                leaf.cap_wh))

    def events(self, from_block: int = 0, to_block: int | None = None) -> list[ChainEvent]:
        """Return the contract's decoded events in ``[from_block, to_block]`` (latest when ``None``), in order.

        Decodes PlantRegistered, BatchAnchored, BatchIssued, LeafClaimed, Retired, TransferSingle and
        TransferBatch; other logs (role changes) are skipped.
        """
        logs = self._tx.call(lambda: self._tx.web3.eth.get_logs({
            "address": self.address, "fromBlock": from_block,
            "toBlock": "latest" if to_block is None else to_block,
        }), f"read logs of {self.address}")
        return self._events.decode(logs)

    def decode_revert(self, data: bytes) -> ContractRevertError:
        """Return the :class:`ContractRevertError` that revert ``data`` (selector + ABI args) encodes."""
        return self._tx.decode_revert(data)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Revert the node to its current state on exit (Anvil ``evm_snapshot``/``evm_revert``)."""
        provider = self._tx.web3.provider
        snapshot_id = self._tx.call(lambda: provider.make_request("evm_snapshot", [])["result"], "take a snapshot")
        try:
            yield
        finally:
            self._tx.call(lambda: provider.make_request("evm_revert", [snapshot_id]), "revert to a snapshot")

    # -- internals ------------------------------------------------------------------------------

    def _claim_args(self, batch_id: bytes, leaf: AllocationLeaf, proof: Sequence[bytes], cap: CapLeaf,
                    cap_proof: Sequence[bytes]) -> tuple[Any, ...]:
        return (bytes32(batch_id, "batch_id"), _leaf_tuple(leaf), [bytes32(p, "proof node") for p in proof],
                cap.cap_wh, [bytes32(p, "cap proof node") for p in cap_proof])

    def _prepare(self, description: str, function: str, *args: Any, sender_key: str | None = None) -> PreparedTx:
        try:
            data = self._contract.encode_abi(function, args=list(args))
        except (Web3Exception, TypeError, ValueError, OverflowError) as exc:
            raise ChainError(f"cannot encode {description}: {exc}") from exc
        return PreparedTx(description, bytes(HexBytes(data)), sender_key or self._sender.key.hex())

    def _view(self, function: str, *args: Any) -> Any:
        return self._tx.call(lambda: self._contract.functions[function](*args).call(), f"call {function}")
