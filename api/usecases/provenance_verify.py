"""Verify a provenance record with the chain alone (no ledger database).

Checks, each reported with what it found:

1. ``claim``: the claim reference is ``keccak256`` of the claim's canonical JSON (any edit of the
   shipment, beneficiary, purpose, period or holder changes it);
2. ``chain``: the record names the chain id and contract being asked;
3. ``lines``: every line's on-chain claim reference derives from the claim reference and its index,
   its leaf belongs to the claimed holder, lies in the consumption period, hashes to the stated
   leaf hash, and retires no more than the leaf holds;
4. ``proofs``: every leaf and its cap leaf reach the root registered on-chain for its batch
   (directly issued batches have no root on-chain; their leaves are checked by the retirement event);
5. ``retirements``: for every line the contract emitted ``Retired`` with that claim reference, by
   that holder, of that token id and amount, with the claim's beneficiary, purpose, period and the
   shipment reference ``keccak256(shipment id)``;
6. ``coverage``: the lines sum to the stated retired Wh, which covers the shipment's embedded
   electricity (MWh rounded up to whole Wh).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal

from eth_abi.exceptions import EncodingError
from eth_utils import to_checksum_address

from greenproof.contracts.client import AnchoredBatch, ChainClient, ChainEvent
from greenproof.contracts.leaves import AllocationLeaf, CapLeaf, leaf_hash
from greenproof.contracts.merkle import verify_proof
from greenproof.ledger.chain_port import from_hex32
from greenproof.ledger.leaf_file import hex32
from greenproof.ledger.retirements import line_claim_ref, shipment_ref

from .chain_gateway import chain_head, chain_id_of
from .provenance import claim_reference
from .schemas import ProvenanceLine, ProvenanceRecord, RecordCheck, VerificationPublic
from .units import WH_PER_MWH

__all__ = ["verify_record"]

_BAD_FIELDS = (ValueError, TypeError, OverflowError, EncodingError)


def _leaves(line: ProvenanceLine) -> tuple[AllocationLeaf, CapLeaf]:
    leaf = AllocationLeaf(line.leaf.plant_code, line.leaf.interval_start_s, line.leaf.interval_s,
                          to_checksum_address(line.leaf.holder), line.leaf.amount_wh)
    cap = CapLeaf(line.cap.plant_code, line.cap.interval_start_s, line.cap.interval_s, line.cap.cap_wh)
    return leaf, cap


def _line_problem(record: ProvenanceRecord, line: ProvenanceLine, index: int) -> str | None:
    claim = record.claim
    if line.line != index:
        return f"line {index} is numbered {line.line}"
    if line.claim_ref != hex32(line_claim_ref(record.claim_ref, index)):
        return f"line {index}: claim reference {line.claim_ref} is not derived from the record's claim reference"
    try:
        leaf, cap = _leaves(line)
        hashed = hex32(leaf_hash(leaf))
    except _BAD_FIELDS as exc:
        return f"line {index}: leaf fields are invalid ({exc})"
    if leaf.holder.lower() != claim.holder.lower():
        return f"line {index}: leaf holder {leaf.holder} is not the claim's holder {claim.holder}"
    if hashed != line.leaf.leaf_hash.lower():
        return f"line {index}: leaf fields hash to {hashed}, not the stated {line.leaf.leaf_hash}"
    if not claim.consumption_start_s <= leaf.interval_start_s < claim.consumption_end_s:
        return f"line {index}: interval {leaf.interval_start_s} lies outside the claimed consumption period"
    if (cap.plant_code, cap.interval_start_s, cap.interval_s) != (leaf.plant_code, leaf.interval_start_s,
                                                                  leaf.interval_s):
        return f"line {index}: cap leaf is not the leaf's plant-interval"
    if line.amount_wh > leaf.amount_wh:
        return f"line {index}: retires {line.amount_wh:,} Wh of a leaf holding {leaf.amount_wh:,} Wh"
    return None


def _proof_problem(line: ProvenanceLine, index: int, on_chain: AnchoredBatch | None) -> str | None:
    if on_chain is None:
        return f"line {index}: batch {line.batch_id} is not registered on-chain"
    if on_chain.direct:
        return None
    root = hex32(on_chain.root)
    if root != line.root.lower():
        return f"line {index}: root {line.root} differs from the on-chain root {root} of batch {line.batch_id}"
    try:
        leaf, cap = _leaves(line)
        proofs_ok = (verify_proof(leaf_hash(leaf), [from_hex32(p) for p in line.proof], on_chain.root)
                     and verify_proof(leaf_hash(cap), [from_hex32(p) for p in line.cap_proof], on_chain.root))
    except _BAD_FIELDS as exc:
        return f"line {index}: leaf fields are invalid ({exc})"
    return None if proofs_ok else f"line {index}: a Merkle proof does not reach the on-chain root of {line.batch_id}"


def _retirement_problem(record: ProvenanceRecord, line: ProvenanceLine, index: int,
                        events: dict[str, ChainEvent]) -> str | None:
    event = events.get(line.claim_ref.lower())
    if event is None:
        return f"line {index}: no Retired event with claim reference {line.claim_ref} in block {line.block_number}"
    claim, args = record.claim, event.args
    expected = {
        "holder": claim.holder.lower(), "id": int(line.leaf.token_id) if line.leaf.token_id.isdigit() else -1,
        "amountWh": line.amount_wh, "beneficiary": claim.beneficiary, "purpose": claim.purpose,
        "periodStart": claim.consumption_start_s, "periodEnd": claim.consumption_end_s,
        "shipmentRef": hex32(shipment_ref(claim.shipment.shipment_id)),
    }
    found = {**args, "holder": str(args["holder"]).lower(), "shipmentRef": hex32(args["shipmentRef"])}
    wrong = [name for name, value in expected.items() if found.get(name) != value]
    if wrong:
        return f"line {index}: the Retired event differs from the record in {', '.join(wrong)}"
    return None


def _first(problems: list[str | None]) -> str | None:
    return next((p for p in problems if p is not None), None)


def verify_record(record: ProvenanceRecord, client: ChainClient) -> VerificationPublic:
    """Check ``record`` against the chain ``client`` is connected to (see the module docstring)."""
    checks: list[RecordCheck] = []

    def check(name: str, problem: str | None, ok_detail: str) -> None:
        checks.append(RecordCheck(name=name, ok=problem is None, detail=problem or ok_detail))

    claim = record.claim
    expected_ref = claim_reference(claim)
    check("claim", None if expected_ref == record.claim_ref.lower() else
          f"the claim hashes to {expected_ref}, not the record's claim reference {record.claim_ref}: it was altered",
          "the claim content matches its reference")
    chain_id = chain_id_of(client)
    check("chain", None if (claim.chain_id, claim.contract.lower()) == (chain_id, client.address.lower()) else
          f"the record is for chain {claim.chain_id} contract {claim.contract}, this node is chain {chain_id} "
          f"contract {client.address}", f"chain {chain_id}, contract {client.address}")
    lines = record.lines
    check("lines", _first([_line_problem(record, line, i) for i, line in enumerate(lines)]),
          f"{len(lines)} line(s) derive from the claim and hold the claimed holder's leaves")
    batches: dict[str, AnchoredBatch | None] = {b: client.batch(from_hex32(b)) for b in {ln.batch_id for ln in lines}}
    check("proofs", _first([_proof_problem(line, i, batches[line.batch_id]) for i, line in enumerate(lines)]),
          f"every leaf is proven against the on-chain roots of {len(batches)} batch(es)")
    head = chain_head(client)
    events = _retired_events(client.events, {line.block_number for line in lines if line.block_number <= head})
    check("retirements", _first([_retirement_problem(record, line, i, events) for i, line in enumerate(lines)]),
          f"{len(lines)} Retired event(s) match the record")
    total = sum(line.amount_wh for line in lines)
    needed = int((Decimal(repr(claim.shipment.embedded_electricity_mwh)) * WH_PER_MWH)
                 .to_integral_value(rounding=ROUND_CEILING))
    coverage = (f"lines sum to {total:,} Wh, the record states {record.retired_wh:,} Wh" if total != record.retired_wh
                else f"{total:,} Wh retired < {needed:,} Wh embedded in the shipment" if total < needed else None)
    check("coverage", coverage, f"{total:,} Wh retired cover the {needed:,} Wh embedded in the shipment")
    return VerificationPublic(claim_ref=record.claim_ref, valid=all(c.ok for c in checks), checks=checks,
                              verified_at=datetime.now(UTC), chain_id=chain_id, contract=client.address)


def _retired_events(read: Callable[[int, int], list[ChainEvent]], blocks: set[int]) -> dict[str, ChainEvent]:
    """Return the ``Retired`` events of ``blocks`` by claim reference (one read per run of blocks)."""
    found: dict[str, ChainEvent] = {}
    ordered = sorted(blocks)
    runs: list[tuple[int, int]] = []
    for block in ordered:
        if runs and block - runs[-1][1] <= 16:
            runs[-1] = (runs[-1][0], block)
        else:
            runs.append((block, block))
    for first, last in runs:
        for event in read(first, last):
            if event.name == "Retired":
                found[hex32(event.args["claimRef"])] = event
    return found
