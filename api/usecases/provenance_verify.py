"""Verify a provenance record with the chain alone (no ledger database).

Checks, each reported with what it found:

1. ``claim``: the claim reference is ``keccak256`` of the claim's canonical JSON (any edit of the
   shipment, beneficiary, purpose, period or holder changes it);
2. ``chain``: the record names the chain id and contract being asked;
3. ``lines``: every line's on-chain claim reference derives from the claimed holder, the shipment
   id and its part (its batch, or the minted balances), its leaf belongs to the claimed holder,
   lies in the consumption period, hashes to the stated leaf hash, and retires no more than the
   leaf holds;
4. ``proofs``: every leaf's multiproof, folded as the contract folds it (its cap checked against
   the sum of the leaves under it), reaches the commitment the contract stores for its batch;
5. ``retirements``: for every line the contract emitted ``Retired`` with that claim reference, by
   that holder, of that token id and amount, with the claim's beneficiary, purpose, period and the
   shipment reference ``keccak256(shipment id)``;
6. ``coverage``: the lines sum to the stated retired Wh, which covers the shipment's embedded
   electricity (MWh rounded up to whole Wh).

Work per verification is bounded before the chain is asked anything (:func:`check_chain_work`):
at most :data:`MAX_RECORD_BATCHES` distinct batches (one read each, and none for a batch already
read and final, :func:`~greenproof.api.usecases.chain_gateway.chain_reads`) and at most
:data:`MAX_EVENT_READS` event reads (the lines' blocks, merged into runs no more than
:data:`EVENT_RUN_GAP` blocks apart), plus the chain id (read once per client) and the head. A
record submitted by a caller also has at most
:data:`~greenproof.api.usecases.schemas.provenance.MAX_SUBMITTED_LINES` lines and
:data:`MAX_RECORD_BYTES` bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
from types import MappingProxyType
from typing import NamedTuple

from eth_abi.exceptions import EncodingError
from eth_utils import to_checksum_address

from greenproof.contracts.client import ChainClient
from greenproof.contracts.errors import ProofError
from greenproof.contracts.events import ChainEvent
from greenproof.contracts.leaves import AllocationLeaf, leaf_hash
from greenproof.contracts.multiproof import ProvenLeaf, generation_commitment
from greenproof.contracts.records import AnchoredBatch
from greenproof.ledger.chain_port import from_hex32
from greenproof.ledger.leaf_file import hex32
from greenproof.ledger.retirements import MINTED_PART, part_claim_ref, shipment_ref

from .chain_gateway import chain_reads
from .errors import ProvenanceRecordError
from .provenance import claim_reference
from .schemas import ProvenanceLine, ProvenanceRecord, RecordCheck, VerificationPublic
from .units import WH_PER_MWH

__all__ = [
    "CHECK_DETAILS",
    "EVENT_RUN_GAP",
    "MAX_EVENT_READS",
    "MAX_RECORD_BATCHES",
    "MAX_RECORD_BYTES",
    "check_chain_work",
    "verify_record",
]

#: Largest provenance record (JSON) a caller may submit for verification, bytes.
MAX_RECORD_BYTES = 4 * 1024 * 1024
#: Most distinct batches one verification reads (a year and a month of daily batches).
MAX_RECORD_BATCHES = 400
#: Most event reads (runs of blocks) one verification makes.
MAX_EVENT_READS = 64
#: Blocks apart that two lines' blocks may be and still be read in one event query.
EVENT_RUN_GAP = 16
_BAD_FIELDS = (ValueError, TypeError, OverflowError, EncodingError)

#: What each outcome of a check says, by its reason code (``<check>.<outcome>``), in English; the
#: dashboard translates the same codes with the same values (``check_detail.<reason>``).
CHECK_DETAILS: Mapping[str, str] = MappingProxyType({
    "claim.ok": "the claim content matches its reference",
    "claim.altered": "the claim hashes to {expected}, not the record's claim reference {claim_ref}: it was altered",
    "chain.ok": "chain {chain_id}, contract {contract}",
    "chain.other": "the record is for chain {record_chain} contract {record_contract}, this node is chain "
                   "{chain_id} contract {contract}",
    "lines.ok": "{count} line(s) derive from the claim and hold the claimed holder's leaves",
    "lines.numbered": "line {index} is numbered {number}",
    "lines.claim_ref": "line {index}: claim reference {claim_ref} is not derived from the claim's holder, shipment "
                       "and the line's batch",
    "lines.invalid": "line {index}: leaf fields are invalid ({error})",
    "lines.holder": "line {index}: leaf holder {holder} is not the claim's holder {claim_holder}",
    "lines.hash": "line {index}: leaf fields hash to {hashed}, not the stated {stated}",
    "lines.period": "line {index}: interval {interval} lies outside the claimed consumption period",
    "lines.cap": "line {index}: cap is not the leaf's plant-interval",
    "lines.excess": "line {index}: retires {amount} Wh of a leaf holding {held} Wh",
    "proofs.ok": "every leaf is proven against the on-chain roots of {count} batch(es)",
    "proofs.unregistered": "line {index}: batch {batch_id} is not registered on-chain",
    "proofs.root": "line {index}: root {root} differs from the on-chain root {chain_root} of batch {batch_id}",
    "proofs.invalid": "line {index}: the leaf's proof fails the contract's checks ({error})",
    "proofs.path": "line {index}: the leaf's proof does not reach the commitment stored on-chain for {batch_id}",
    "retirements.ok": "{count} Retired event(s) match the record",
    "retirements.missing": "line {index}: no Retired event with claim reference {claim_ref} in transaction {tx_hash} "
                           "of block {block}",
    "retirements.differs": "line {index}: the Retired event differs from the record in {fields}",
    "coverage.ok": "{total} Wh retired cover the {needed} Wh embedded in the shipment",
    "coverage.sum": "lines sum to {total} Wh, the record states {stated} Wh",
    "coverage.short": "{total} Wh retired < {needed} Wh embedded in the shipment",
})


class _Finding(NamedTuple):
    """An outcome of a check: its reason code (a key of :data:`CHECK_DETAILS`) and the values it names."""

    reason: str
    values: dict[str, str]


def _says(reason: str, **values: object) -> _Finding:
    return _Finding(reason, {name: str(value) for name, value in values.items()})


def _leaf(line: ProvenanceLine) -> AllocationLeaf:
    return AllocationLeaf(line.leaf.plant_code, line.leaf.plant_index, line.leaf.interval_start_s,
                          line.leaf.interval_s, to_checksum_address(line.leaf.holder), line.leaf.amount_wh)


def _line_problem(record: ProvenanceRecord, line: ProvenanceLine, index: int) -> _Finding | None:
    claim = record.claim
    if line.line != index:
        return _says("lines.numbered", index=index, number=line.line)
    parts = {hex32(part_claim_ref(to_checksum_address(claim.holder), claim.shipment.shipment_id, part))
             for part in (line.batch_id.lower(), MINTED_PART)}
    if line.claim_ref.lower() not in parts:
        return _says("lines.claim_ref", index=index, claim_ref=line.claim_ref)
    try:
        leaf = _leaf(line)
        hashed = hex32(leaf_hash(leaf))
    except _BAD_FIELDS as exc:
        return _says("lines.invalid", index=index, error=exc)
    if leaf.holder.lower() != claim.holder.lower():
        return _says("lines.holder", index=index, holder=leaf.holder, claim_holder=claim.holder)
    if hashed != line.leaf.leaf_hash.lower():
        return _says("lines.hash", index=index, hashed=hashed, stated=line.leaf.leaf_hash)
    if not claim.consumption_start_s <= leaf.interval_start_s < claim.consumption_end_s:
        return _says("lines.period", index=index, interval=leaf.interval_start_s)
    if (line.cap.plant_code, line.cap.interval_start_s, line.cap.interval_s) != (leaf.plant_code, leaf.interval_start_s,
                                                                                leaf.interval_s):
        return _says("lines.cap", index=index)
    if line.amount_wh > leaf.amount_wh:
        return _says("lines.excess", index=index, amount=f"{line.amount_wh:,}", held=f"{leaf.amount_wh:,}")
    return None


def _proof_problem(line: ProvenanceLine, index: int, on_chain: AnchoredBatch | None) -> _Finding | None:
    if on_chain is None:
        return _says("proofs.unregistered", index=index, batch_id=line.batch_id)
    root = hex32(on_chain.root)
    if root != line.root.lower():
        return _says("proofs.root", index=index, root=line.root, chain_root=root, batch_id=line.batch_id)
    try:
        leaf = _leaf(line)
        implied = generation_commitment(on_chain.layout, input_hash=on_chain.input_hash,
                                        discharge_root=from_hex32(line.discharge_root),
                                        leaves=[ProvenLeaf(line.leaf.position, leaf_hash(leaf), leaf.amount_wh)],
                                        proof=[from_hex32(p) for p in line.proof])
    except (*_BAD_FIELDS, ProofError) as exc:
        return _says("proofs.invalid", index=index, error=exc)
    if implied != on_chain.commitment:
        return _says("proofs.path", index=index, batch_id=line.batch_id)
    return None


def _retirement_problem(record: ProvenanceRecord, line: ProvenanceLine, index: int,
                        events: dict[str, ChainEvent]) -> _Finding | None:
    event = events.get(line.claim_ref.lower())
    if event is None or (event.block_number, event.tx_hash) != (line.block_number, line.tx_hash.lower()):
        return _says("retirements.missing", index=index, claim_ref=line.claim_ref, tx_hash=line.tx_hash,
                     block=line.block_number)
    claim, args = record.claim, event.args
    expected = {
        "holder": claim.holder.lower(), "beneficiary": claim.beneficiary, "purpose": claim.purpose,
        "periodStart": claim.consumption_start_s, "periodEnd": claim.consumption_end_s,
        "shipmentRef": hex32(shipment_ref(claim.shipment.shipment_id)),
    }
    found = {**args, "holder": str(args["holder"]).lower(), "shipmentRef": hex32(args["shipmentRef"])}
    wrong = [name for name, value in expected.items() if found.get(name) != value]
    token = int(line.leaf.token_id) if line.leaf.token_id.isdigit() else -1
    if (token, line.amount_wh) not in zip(args["ids"], args["amountsWh"], strict=True):
        wrong.append("ids, amountsWh")
    if wrong:
        return _says("retirements.differs", index=index, fields=", ".join(wrong))
    return None


def _first(problems: list[_Finding | None]) -> _Finding | None:
    return next((p for p in problems if p is not None), None)


def _block_runs(blocks: set[int]) -> list[tuple[int, int]]:
    """Merge block numbers into ``(first, last)`` runs whose neighbours lie at most :data:`EVENT_RUN_GAP` apart."""
    runs: list[tuple[int, int]] = []
    for block in sorted(blocks):
        if runs and block - runs[-1][1] <= EVENT_RUN_GAP:
            runs[-1] = (runs[-1][0], block)
        else:
            runs.append((block, block))
    return runs


def check_chain_work(record: ProvenanceRecord) -> None:
    """Refuse a record whose verification would read more of the chain than the caps allow.

    Raises
    ------
    ProvenanceRecordError
        Naming the count and its cap (:data:`MAX_RECORD_BATCHES`, :data:`MAX_EVENT_READS`).
    """
    batches = len({line.batch_id.lower() for line in record.lines})
    if batches > MAX_RECORD_BATCHES:
        raise ProvenanceRecordError(f"the record names {batches} batches; a verification reads at most "
                                    f"{MAX_RECORD_BATCHES}")
    runs = len(_block_runs({line.block_number for line in record.lines}))
    if runs > MAX_EVENT_READS:
        raise ProvenanceRecordError(f"the record's retirement blocks fall into {runs} separate ranges; a "
                                    f"verification reads at most {MAX_EVENT_READS}")


def verify_record(record: ProvenanceRecord, client: ChainClient) -> VerificationPublic:
    """Check ``record`` against the chain ``client`` is connected to (see the module docstring).

    Raises
    ------
    ProvenanceRecordError
        If the record needs more chain reads than :func:`check_chain_work` allows (nothing is read).
    ChainError
        If the node cannot be read.
    """
    check_chain_work(record)
    reads = chain_reads(client)
    head = reads.head()
    checks: list[RecordCheck] = []

    def check(name: str, problem: _Finding | None, passed: _Finding) -> None:
        reason, values = problem or passed
        checks.append(RecordCheck(name=name, ok=problem is None, detail=CHECK_DETAILS[reason].format(**values),
                                  reason=reason, values=values))

    claim = record.claim
    expected_ref = claim_reference(claim)
    check("claim", None if expected_ref == record.claim_ref.lower() else
          _says("claim.altered", expected=expected_ref, claim_ref=record.claim_ref), _says("claim.ok"))
    chain_id = reads.chain_id()
    check("chain", None if (claim.chain_id, claim.contract.lower()) == (chain_id, client.address.lower()) else
          _says("chain.other", record_chain=claim.chain_id, record_contract=claim.contract, chain_id=chain_id,
                contract=client.address), _says("chain.ok", chain_id=chain_id, contract=client.address))
    lines = record.lines
    check("lines", _first([_line_problem(record, line, i) for i, line in enumerate(lines)]),
          _says("lines.ok", count=len(lines)))
    batches: dict[str, AnchoredBatch | None] = {batch_id: reads.batch(from_hex32(batch_id), head)
                                                for batch_id in {line.batch_id for line in lines}}
    check("proofs", _first([_proof_problem(line, i, batches[line.batch_id]) for i, line in enumerate(lines)]),
          _says("proofs.ok", count=len(batches)))
    events = _retired_events(client.events, {line.block_number for line in lines if line.block_number <= head})
    check("retirements", _first([_retirement_problem(record, line, i, events) for i, line in enumerate(lines)]),
          _says("retirements.ok", count=len(lines)))
    total = sum(line.amount_wh for line in lines)
    needed = int((Decimal(repr(claim.shipment.embedded_electricity_mwh)) * WH_PER_MWH)
                 .to_integral_value(rounding=ROUND_CEILING))
    coverage = (_says("coverage.sum", total=f"{total:,}", stated=f"{record.retired_wh:,}") if total != record.retired_wh
                else _says("coverage.short", total=f"{total:,}", needed=f"{needed:,}") if total < needed else None)
    check("coverage", coverage, _says("coverage.ok", total=f"{total:,}", needed=f"{needed:,}"))
    return VerificationPublic(claim_ref=record.claim_ref, valid=all(c.ok for c in checks), checks=checks,
                              verified_at=datetime.now(UTC), chain_id=chain_id, contract=client.address)


def _retired_events(read: Callable[[int, int], list[ChainEvent]], blocks: set[int]) -> dict[str, ChainEvent]:
    """Return the ``Retired`` events of ``blocks`` by claim reference (one read per run of blocks)."""
    found: dict[str, ChainEvent] = {}
    for first, last in _block_runs(blocks):
        for event in read(first, last):
            if event.name == "Retired":
                found[hex32(event.args["claimRef"])] = event
    return found
