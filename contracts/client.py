"""web3.py client of the ``GreenCertificate`` contract (v2): deploy, anchor, claim, retire, relay, read back.

Sending goes through :class:`~greenproof.contracts.transactor.Transactor` (local signing, gas
estimated first so a call that would revert raises the decoded custom error before anything is
sent, pipelined ``send_many``); logs are decoded by :class:`~greenproof.contracts.events.EventDecoder`;
the values sent and read are the records of :mod:`greenproof.contracts.records`. Every sending
method has a ``prepare_*`` twin that returns the signed-later :class:`PreparedTx` for ``send_many``.

Two ways to act for a holder: send as the holder (``holder_key``), or relay an EIP-712
authorisation the holder signed in its own wallet (``*_for`` methods; the client's sender pays the
gas). The ``*_typed_data`` methods return the document to sign, with the holder's current nonce.

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

from . import authorisations
from .artifact import load_artifact
from .errors import ChainError, ContractRevertError
from .events import ChainEvent, EventDecoder
from .leaves import KIND_GENERATION, plant_key
from .merkle import BatchLayout
from .records import (
    ZERO32,
    AnchoredBatch,
    BatchHeader,
    DischargeRef,
    LeafRef,
    PlantInfo,
    RetirementClaim,
    StorageInfo,
    bytes32,
    text32,
)
from .transactor import PreparedTx, SentHook, Transactor, TxResult, account_of, connect_web3, tx_result

__all__ = ["DEFAULT_PRODUCTION_MONTH_OFFSET_S", "DEFAULT_VALIDITY_MONTHS", "ChainClient"]

#: China GEC: valid 24 months from the first instant of the production month.
DEFAULT_VALIDITY_MONTHS = 24
#: China Standard Time (UTC+8, no daylight saving since 1991), where production months are counted.
DEFAULT_PRODUCTION_MONTH_OFFSET_S = 8 * 3600


def _leaf_refs(leaves: Sequence[LeafRef]) -> list[tuple[int, int, int]]:
    return [leaf.as_tuple() for leaf in leaves]


def _proof(proof: Sequence[bytes]) -> list[bytes]:
    return [bytes32(p, "proof entry") for p in proof]


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
    def deploy(cls, rpc_url: str, admin_key: str, *, validity_months: int = DEFAULT_VALIDITY_MONTHS,
               production_month_offset_s: int = DEFAULT_PRODUCTION_MONTH_OFFSET_S) -> ChainClient:
        """Deploy a new contract whose admin (and first issuer) is ``admin_key``'s account.

        Parameters
        ----------
        validity_months : int
            Months a certificate stays valid from the first instant of its production month.
        production_month_offset_s : int
            UTC offset (s) of the time zone production months are counted in (|offset| ≤ 14 h).

        Raises
        ------
        ChainError
            If the node at ``rpc_url`` cannot be reached or the deployment fails.
        """
        artifact = load_artifact()
        transactor = Transactor(connect_web3(rpc_url), rpc_url, artifact.abi)
        factory = transactor.web3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        try:
            constructor = factory.constructor(account_of(admin_key).address, validity_months, production_month_offset_s)
            data = bytes(HexBytes(constructor.data_in_transaction))
        except (Web3Exception, TypeError, ValueError, OverflowError) as exc:
            raise ChainError(f"cannot encode the deployment ({validity_months} months, "
                             f"{production_month_offset_s} s offset): {exc}") from exc
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
    def chain_id(self) -> int:
        """The chain id of the node."""
        return self._tx.chain_id

    @property
    def web3(self) -> Web3:
        """The underlying ``Web3`` instance."""
        return self._tx.web3

    # -- registry and issuance ------------------------------------------------------------------

    def prepare_register_plant(self, plant_index: int, plant_code: str, technology: str, renewable: bool,
                               capacity_w: int, grid_s: int, location_code: str) -> PreparedTx:
        """Prepare :meth:`register_plant`."""
        return self._prepare(f"register plant {plant_code} as #{plant_index}", "registerPlant", plant_index,
                             plant_key(plant_code), plant_code, text32(technology), renewable, capacity_w, grid_s,
                             text32(location_code))

    def register_plant(self, plant_index: int, plant_code: str, technology: str, renewable: bool, capacity_w: int,
                       grid_s: int, location_code: str) -> TxResult:
        """Register a plant (issuer only).

        Parameters
        ----------
        plant_index : int
            The plant's on-chain number (uint32, ≥ 1, unused): token ids and batches name it.
        plant_code : str
            Registry code; its key is ``keccak256(code)``.
        technology, location_code : str
            Short texts (≤ 32 UTF-8 bytes), e.g. ``"offshore_wind"``, ``"CN-JS-YC-BH"``.
        renewable : bool
            Only renewable plants can be issued.
        capacity_w : int
            Rated capacity in W; caps are checked against ``capacity_w × interval_s / 3600`` Wh.
        grid_s : int
            The plant's issuance grid (its metering interval, s): batch intervals are whole multiples
            of it and start on it; each grid step is issued once.
        """
        return self.send(self.prepare_register_plant(plant_index, plant_code, technology, renewable, capacity_w,
                                                     grid_s, location_code))

    def prepare_register_storage(self, storage_index: int, storage_code: str, efficiency_ppm: int) -> PreparedTx:
        """Prepare :meth:`register_storage`."""
        return self._prepare(f"register storage {storage_code} as #{storage_index}", "registerStorage", storage_index,
                             plant_key(storage_code), storage_code, efficiency_ppm)

    def register_storage(self, storage_index: int, storage_code: str, efficiency_ppm: int) -> TxResult:
        """Register a storage unit with its round-trip efficiency in parts per million (issuer only)."""
        return self.send(self.prepare_register_storage(storage_index, storage_code, efficiency_ppm))

    def prepare_anchor_batch(self, batch_id: bytes, root: bytes, input_hash: bytes, layout: BatchLayout) -> PreparedTx:
        """Prepare :meth:`anchor_batch`."""
        return self._prepare(f"anchor batch 0x{batch_id.hex()}", "anchorBatch", bytes32(batch_id, "batch_id"),
                             bytes32(root, "root"), bytes32(input_hash, "input_hash"), layout.shape,
                             list(layout.plants))

    def anchor_batch(self, batch_id: bytes, root: bytes, input_hash: bytes, layout: BatchLayout) -> TxResult:
        """Anchor a batch's root (issuer only): the act of issuance for its leaves.

        Parameters
        ----------
        batch_id : bytes
            32-byte id, registered once.
        root : bytes
            :attr:`~greenproof.contracts.merkle.BatchTree.root` of the batch.
        input_hash : bytes
            32-byte hash of the batch's inputs (snapshots and meter data).
        layout : BatchLayout
            Period, interval, plants and subtree depths (:attr:`BatchTree.layout`); the period must
            have ended on-chain and none of its plant-intervals be issued yet.
        """
        return self.send(self.prepare_anchor_batch(batch_id, root, input_hash, layout))

    def prepare_grant_issuer(self, account: str) -> PreparedTx:
        """Prepare :meth:`grant_issuer`."""
        return self._prepare(f"grant ISSUER_ROLE to {account}", "grantRole", keccak(text="ISSUER_ROLE"),
                             to_checksum_address(account))

    def grant_issuer(self, account: str) -> TxResult:
        """Grant ``ISSUER_ROLE`` to ``account`` (admin only)."""
        return self.send(self.prepare_grant_issuer(account))

    # -- leaves of anchored batches -------------------------------------------------------------

    def prepare_claim_leaves(self, header: BatchHeader, holder: str, leaves: Sequence[LeafRef],
                             proof: Sequence[bytes]) -> PreparedTx:
        """Prepare :meth:`claim_leaves`."""
        return self._prepare(f"claim {len(leaves)} leaves of 0x{header.batch_id.hex()} for {holder}", "claimLeaves",
                             header.as_tuple(), to_checksum_address(holder), _leaf_refs(leaves), _proof(proof))

    def claim_leaves(self, header: BatchHeader, holder: str, leaves: Sequence[LeafRef],
                     proof: Sequence[bytes]) -> TxResult:
        """Mint ``holder``'s allocation leaves of an anchored batch to it (anyone may send it).

        ``leaves`` by increasing position (``BatchTree.position``), ``proof`` from ``BatchTree.multiproof``.
        """
        return self.send(self.prepare_claim_leaves(header, holder, leaves, proof))

    def prepare_retire_leaves(self, header: BatchHeader, leaves: Sequence[LeafRef], proof: Sequence[bytes],
                              claim: RetirementClaim, *, holder_key: str | None = None) -> PreparedTx:
        """Prepare :meth:`retire_leaves`."""
        return self._prepare(f"retire {len(leaves)} leaves of 0x{header.batch_id.hex()}", "retireLeaves",
                             header.as_tuple(), _leaf_refs(leaves), _proof(proof), claim.as_tuple(),
                             sender_key=holder_key)

    def retire_leaves(self, header: BatchHeader, leaves: Sequence[LeafRef], proof: Sequence[bytes],
                      claim: RetirementClaim, *, holder_key: str | None = None) -> TxResult:
        """Retire ``retire_wh`` of each of the holder's leaves in one transaction, signed by the holder.

        What a leaf holds beyond ``retire_wh`` is minted to the holder. ``holder_key`` defaults to the
        client's sender.
        """
        return self.send(self.prepare_retire_leaves(header, leaves, proof, claim, holder_key=holder_key))

    def retire_leaves_typed_data(self, holder: str, batch_id: bytes, leaves: Sequence[LeafRef],
                                 claim: RetirementClaim, deadline_s: int, *,
                                 nonce: int | None = None) -> dict[str, Any]:
        """Return the EIP-712 document ``holder`` signs to authorise :meth:`retire_leaves_for`."""
        return authorisations.retire_leaves_typed_data(
            chain_id=self.chain_id, contract=self.address, holder=holder, batch_id=batch_id, leaves=leaves,
            claim=claim, nonce=self.nonce(holder) if nonce is None else nonce, deadline_s=deadline_s)

    def prepare_retire_leaves_for(self, header: BatchHeader, holder: str, leaves: Sequence[LeafRef],
                                  proof: Sequence[bytes], claim: RetirementClaim, deadline_s: int,
                                  signature: bytes) -> PreparedTx:
        """Prepare :meth:`retire_leaves_for`."""
        return self._prepare(f"relay retirement of {len(leaves)} leaves for {holder}", "retireLeavesFor",
                             header.as_tuple(), to_checksum_address(holder), _leaf_refs(leaves), _proof(proof),
                             claim.as_tuple(), deadline_s, bytes(signature))

    def retire_leaves_for(self, header: BatchHeader, holder: str, leaves: Sequence[LeafRef], proof: Sequence[bytes],
                          claim: RetirementClaim, deadline_s: int, signature: bytes) -> TxResult:
        """Relay a retirement ``holder`` signed (:meth:`retire_leaves_typed_data`); the client's sender pays."""
        return self.send(self.prepare_retire_leaves_for(header, holder, leaves, proof, claim, deadline_s, signature))

    def prepare_record_charges(self, header: BatchHeader, storage_index: int, leaves: Sequence[LeafRef],
                               proof: Sequence[bytes]) -> PreparedTx:
        """Prepare :meth:`record_charges`."""
        return self._prepare(f"record {len(leaves)} charges into storage #{storage_index}", "recordCharges",
                             header.as_tuple(), storage_index, _leaf_refs(leaves), _proof(proof))

    def record_charges(self, header: BatchHeader, storage_index: int, leaves: Sequence[LeafRef],
                       proof: Sequence[bytes]) -> TxResult:
        """Record storage charge records (leaves held by the unit's storage account) of an anchored batch."""
        return self.send(self.prepare_record_charges(header, storage_index, leaves, proof))

    def prepare_claim_discharges(self, header: BatchHeader, holder: str, leaves: Sequence[DischargeRef],
                                 proof: Sequence[bytes]) -> PreparedTx:
        """Prepare :meth:`claim_discharges`."""
        return self._prepare(f"claim {len(leaves)} discharges for {holder}", "claimDischarges", header.as_tuple(),
                             to_checksum_address(holder), [leaf.as_tuple() for leaf in leaves], _proof(proof))

    def claim_discharges(self, header: BatchHeader, holder: str, leaves: Sequence[DischargeRef],
                         proof: Sequence[bytes]) -> TxResult:
        """Mint storage discharge leaves to ``holder`` (``header.sibling_root`` = the generation root)."""
        return self.send(self.prepare_claim_discharges(header, holder, leaves, proof))

    # -- minted balances ------------------------------------------------------------------------

    def prepare_retire(self, token_ids: Sequence[int], amounts_wh: Sequence[int], claim: RetirementClaim, *,
                       holder_key: str | None = None) -> PreparedTx:
        """Prepare :meth:`retire`."""
        return self._prepare(f"retire {sum(amounts_wh)} Wh of {len(token_ids)} tokens", "retire", list(token_ids),
                             list(amounts_wh), claim.as_tuple(), sender_key=holder_key)

    def retire(self, token_ids: Sequence[int], amounts_wh: Sequence[int], claim: RetirementClaim, *,
               holder_key: str | None = None) -> TxResult:
        """Retire (burn) minted balances of the holder (``holder_key``'s account), ids strictly increasing."""
        return self.send(self.prepare_retire(token_ids, amounts_wh, claim, holder_key=holder_key))

    def retire_typed_data(self, holder: str, token_ids: Sequence[int], amounts_wh: Sequence[int],
                          claim: RetirementClaim, deadline_s: int, *, nonce: int | None = None) -> dict[str, Any]:
        """Return the EIP-712 document ``holder`` signs to authorise :meth:`retire_for`."""
        return authorisations.retire_typed_data(
            chain_id=self.chain_id, contract=self.address, holder=holder, token_ids=token_ids, amounts_wh=amounts_wh,
            claim=claim, nonce=self.nonce(holder) if nonce is None else nonce, deadline_s=deadline_s)

    def prepare_retire_for(self, holder: str, token_ids: Sequence[int], amounts_wh: Sequence[int],
                           claim: RetirementClaim, deadline_s: int, signature: bytes) -> PreparedTx:
        """Prepare :meth:`retire_for`."""
        return self._prepare(f"relay retirement of {len(token_ids)} tokens for {holder}", "retireFor",
                             to_checksum_address(holder), list(token_ids), list(amounts_wh), claim.as_tuple(),
                             deadline_s, bytes(signature))

    def retire_for(self, holder: str, token_ids: Sequence[int], amounts_wh: Sequence[int], claim: RetirementClaim,
                   deadline_s: int, signature: bytes) -> TxResult:
        """Relay a retirement of minted balances that ``holder`` signed (:meth:`retire_typed_data`)."""
        return self.send(self.prepare_retire_for(holder, token_ids, amounts_wh, claim, deadline_s, signature))

    def prepare_transfer(self, to: str, token_id: int, amount_wh: int, *,
                         holder_key: str | None = None) -> PreparedTx:
        """Prepare :meth:`transfer`."""
        holder = account_of(holder_key).address if holder_key else self._sender.address
        return self._prepare(f"transfer {amount_wh} Wh of token {token_id} to {to}", "safeTransferFrom", holder,
                             to_checksum_address(to), token_id, amount_wh, b"", sender_key=holder_key)

    def transfer(self, to: str, token_id: int, amount_wh: int, *, holder_key: str | None = None) -> TxResult:
        """Transfer ``amount_wh`` of ``token_id`` from the holder (``holder_key``'s account) to ``to``."""
        return self.send(self.prepare_transfer(to, token_id, amount_wh, holder_key=holder_key))

    def transfer_typed_data(self, sender: str, to: str, token_id: int, amount_wh: int, deadline_s: int, *,
                            nonce: int | None = None) -> dict[str, Any]:
        """Return the EIP-712 document ``sender`` signs to authorise :meth:`transfer_for`."""
        return authorisations.transfer_typed_data(
            chain_id=self.chain_id, contract=self.address, sender=sender, to=to, token_id=token_id,
            amount_wh=amount_wh, nonce=self.nonce(sender) if nonce is None else nonce, deadline_s=deadline_s)

    def prepare_transfer_for(self, sender: str, to: str, token_id: int, amount_wh: int, deadline_s: int,
                             signature: bytes) -> PreparedTx:
        """Prepare :meth:`transfer_for`."""
        return self._prepare(f"relay transfer of {amount_wh} Wh of token {token_id} from {sender}", "transferFor",
                             to_checksum_address(sender), to_checksum_address(to), token_id, amount_wh, deadline_s,
                             bytes(signature))

    def transfer_for(self, sender: str, to: str, token_id: int, amount_wh: int, deadline_s: int,
                     signature: bytes) -> TxResult:
        """Relay a transfer ``sender`` signed (:meth:`transfer_typed_data`)."""
        return self.send(self.prepare_transfer_for(sender, to, token_id, amount_wh, deadline_s, signature))

    # -- sending --------------------------------------------------------------------------------

    def prepare_raw(self, function: str, *args: Any, sender_key: str | None = None) -> PreparedTx:
        """Prepare a call of any contract function from raw ABI arguments (for tools and tests)."""
        return self._prepare(f"call {function}", function, *args, sender_key=sender_key)

    def view_raw(self, function: str, *args: Any) -> Any:
        """Call any view of the contract with raw ABI arguments (for tools and tests).

        Raises
        ------
        ContractRevertError
            If the view reverts.
        """
        return self._view(function, *args)

    def send(self, prepared: PreparedTx) -> TxResult:
        """Estimate, sign and send one prepared transaction; wait for its receipt.

        Raises
        ------
        ContractRevertError
            If it would revert (then nothing is sent) or did revert on-chain.
        """
        (receipt,) = self._tx.send_all([prepared], self.address, "latest")
        return tx_result(receipt)

    def send_many(self, prepared: Sequence[PreparedTx], *, on_sent: SentHook | None = None) -> list[TxResult]:
        """Send prepared transactions back to back without waiting, then wait for all receipts.

        Gas is estimated against the pending state, so a transaction may depend on the ones before
        it; order is preserved (consecutive nonces per sender). ``on_sent(i, tx_hash)`` is called
        as soon as the node accepted transaction ``i`` (before any receipt).

        Raises
        ------
        ContractRevertError
            If one would revert (those before it are sent, none after) or did revert on-chain.
        """
        return [tx_result(r) for r in self._tx.send_all(prepared, self.address, "pending", on_sent=on_sent)]

    # -- views ----------------------------------------------------------------------------------

    def batch_commitment(self, batch_id: bytes) -> bytes | None:
        """Return the commitment the contract stores for ``batch_id``, or ``None`` if it is not registered."""
        commitment = bytes(self._view("batchCommitment", bytes32(batch_id, "batch_id")))
        return None if commitment == ZERO32 else commitment

    def batch(self, batch_id: bytes, *, from_block: int = 0) -> AnchoredBatch | None:
        """Return the registered batch ``batch_id`` (stored commitment, ``BatchAnchored`` event), or ``None``.

        Parameters
        ----------
        from_block : int
            First block to search the event from (the anchoring block when known: a search from
            block 0 reads the whole chain's logs).

        Raises
        ------
        ChainError
            If the contract stores a commitment for the id but the node has no event of it from
            ``from_block`` on (a wrong hint, or pruned logs).
        """
        commitment = self.batch_commitment(batch_id)
        if commitment is None:
            return None
        logs = self._tx.call(lambda: self._tx.web3.eth.get_logs({
            "address": self.address, "fromBlock": from_block, "toBlock": "latest",
            "topics": ["0x" + self._events.topic("BatchAnchored").hex(), "0x" + bytes(batch_id).hex()],
        }), f"read the BatchAnchored event of 0x{batch_id.hex()}")
        events = self._events.decode(logs)
        if not events:
            raise ChainError(f"batch 0x{batch_id.hex()} is registered on {self.rpc_url} but its BatchAnchored event "
                             "cannot be read (a node that prunes logs?)")
        event = events[0]
        shape = event.args["shape"]
        layout = BatchLayout(shape["periodStart"], shape["intervalSeconds"], shape["intervalCount"],
                             tuple(event.args["plants"]), shape["slotBits"], shape["dischargeBits"])
        return AnchoredBatch(bytes(batch_id), commitment, event.args["root"], event.args["inputHash"], layout,
                             event.args["issuer"], event.block_number, event.tx_hash)

    def plant(self, plant_index: int) -> PlantInfo | None:
        """Return the plant registered as ``plant_index``, or ``None``."""
        key, technology, location, capacity_w, grid_s, renewable = self._view("plant", plant_index)
        if capacity_w == 0:
            return None
        return PlantInfo(plant_index, bytes(key), bytes(technology), bytes(location), capacity_w, grid_s, renewable)

    def storage_unit(self, storage_index: int) -> StorageInfo | None:
        """Return the storage unit registered as ``storage_index``, or ``None``."""
        key, efficiency_ppm = self._view("storageUnit", storage_index)
        return StorageInfo(storage_index, bytes(key), efficiency_ppm) if efficiency_ppm else None

    def storage_account(self, storage_index: int) -> str:
        """Return the account holding the charge records of ``storage_index`` (computed by the contract)."""
        return str(to_checksum_address(self._view("storageAccount", storage_index)))

    def stored_wh(self, storage_index: int, plant_index: int) -> int:
        """Return the Wh from ``plant_index`` that ``storage_index`` may still discharge (after losses)."""
        return int(self._view("storedWh", storage_index, plant_index))

    def is_issued(self, plant_index: int, interval_start_s: int) -> bool:
        """Return whether the plant's grid step starting at ``interval_start_s`` is issued."""
        return bool(self._view("isIssued", plant_index, interval_start_s))

    def is_leaf_claimed(self, holder: str, plant_index: int, interval_start_s: int) -> bool:
        """Return whether ``holder`` used (claimed or retired) its allocation of the plant-interval."""
        return bool(self._view("isLeafClaimed", to_checksum_address(holder), plant_index, interval_start_s))

    def is_discharge_claimed(self, batch_id: bytes, position: int) -> bool:
        """Return whether the discharge leaf at ``position`` of ``batch_id`` was claimed."""
        return bool(self._view("isDischargeClaimed", bytes32(batch_id, "batch_id"), position))

    def claim_ref_used(self, holder: str, claim_ref: bytes) -> bool:
        """Return whether ``holder`` used ``claim_ref`` for a retirement."""
        return bool(self._view("claimRefUsed", to_checksum_address(holder), bytes32(claim_ref, "claim_ref")))

    def expires_at(self, interval_start_s: int) -> int:
        """Return the UNIX second from which certificates of the interval are expired (the contract's calendar)."""
        return int(self._view("expiresAt", interval_start_s))

    def validity(self) -> tuple[int, int]:
        """Return the contract's validity rule: (months, UTC offset in s of the production month)."""
        return int(self._view("validityMonths")), int(self._view("productionMonthOffset"))

    def nonce(self, holder: str) -> int:
        """Return ``holder``'s current authorisation nonce."""
        return int(self._view("nonces", to_checksum_address(holder)))

    def balance_of(self, holder: str, token_id: int) -> int:
        """Return ``holder``'s minted (unretired) balance of ``token_id`` in Wh."""
        return int(self._view("balanceOf", to_checksum_address(holder), token_id))

    def verify_leaf(self, header: BatchHeader, holder: str, leaf: LeafRef, proof: Sequence[bytes]) -> bool:
        """Return whether the contract proves ``holder``'s leaf (position, Wh) under the batch of ``header``."""
        return bool(self._view("verifyLeaf", header.as_tuple(), to_checksum_address(holder), leaf.as_tuple(),
                               _proof(proof)))

    def token_id_of(self, plant_index: int, interval_start_s: int, interval_s: int, *, kind: int = KIND_GENERATION,
                    storage_index: int = 0) -> int:
        """Return the token id computed by the contract (same as :func:`~greenproof.contracts.leaves.token_id`)."""
        return int(self._view("tokenIdOf", kind, storage_index, plant_index, interval_start_s, interval_s))

    def has_issuer_role(self, account: str) -> bool:
        """Return whether ``account`` holds ``ISSUER_ROLE``."""
        return bool(self._view("hasRole", keccak(text="ISSUER_ROLE"), to_checksum_address(account)))

    def block_number(self) -> int:
        """Return the number of the newest block."""
        return int(self._tx.call(lambda: self._tx.web3.eth.block_number, "read the newest block number"))

    def genesis_hash(self) -> str:
        """Return the hash of block 0 as ``0x`` hex: it names the chain (a reset or replaced node changes it)."""
        block = self._tx.call(lambda: self._tx.web3.eth.get_block(0), "read the genesis block")
        return "0x" + bytes(block["hash"]).hex()

    def code_hash(self) -> str:
        """Return keccak256 of the contract's runtime code as ``0x`` hex (another contract there changes it)."""
        code = self._tx.call(lambda: self._tx.web3.eth.get_code(self.address), f"read the code at {self.address}")
        return "0x" + keccak(bytes(code)).hex()

    def chain_time(self) -> int:
        """Return the timestamp of the latest block, UNIX s: the clock expiry and batch periods are checked by."""
        return int(self._tx.call(lambda: self._tx.web3.eth.get_block("latest")["timestamp"], "read the latest block"))

    def events(self, from_block: int = 0, to_block: int | None = None) -> list[ChainEvent]:
        """Return the contract's decoded events in ``[from_block, to_block]`` (latest when ``None``), in order.

        Decodes the events of :data:`~greenproof.contracts.events.DECODED_EVENTS`; other logs (role
        changes) are skipped.
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

    def _prepare(self, description: str, function: str, *args: Any, sender_key: str | None = None) -> PreparedTx:
        try:
            data = self._contract.encode_abi(function, args=list(args))
        except (Web3Exception, TypeError, ValueError, OverflowError) as exc:
            raise ChainError(f"cannot encode {description}: {exc}") from exc
        return PreparedTx(description, bytes(HexBytes(data)), sender_key or self._sender.key.hex())

    def _view(self, function: str, *args: Any) -> Any:
        return self._tx.call(lambda: self._contract.functions[function](*args).call(), f"call {function}")
