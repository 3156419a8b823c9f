"""Claims and retirements: the service functions the API calls for holders and exporters.

- :func:`claim_leaf` mints an anchored allocation leaf to its holder with its Merkle proofs.
- :func:`retire` retires a firm's certificates against a shipment: it takes the firm's active
  certificates of the consumption period oldest first until the shipment's embedded electricity
  (rounded up to whole Wh) is covered, and burns each part on-chain — ``retire`` for minted
  leaves, ``retireWithProof`` (claim and retire in one transaction) for leaves not yet claimed.

The contract takes one 32-byte claim reference per burnt token; a retirement's lines use
``keccak256(canonical JSON {"claim_ref": <the retirement's claim reference>, "line": i})``, so a
rerun after a crash recomputes the same references and skips the lines the chain already has.
The shipment reference on-chain is ``keccak256(UTF-8 shipment id)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
from math import isfinite

from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.contracts.errors import ContractRevertError
from greenproof.contracts.leaves import leaf_hash
from greenproof.contracts.records import RetirementClaim
from greenproof.contracts.transactor import PreparedTx

from .batches import load_leaf_file
from .canonical import canonical_json
from .chain_port import CertificateChain, from_hex32
from .errors import ClaimRefReusedError, InsufficientCertificatesError, RetirementError
from .holdings import Holding, holding_of_leaf, holdings
from .leaf_file import LeafFile, hex32
from .models import ClaimRow, RetirementLine, RetirementRow, utc_now
from .registry import firm_by_code

__all__ = ["Shipment", "claim_leaf", "line_claim_ref", "retire", "shipment_ref"]

_SEND_CHUNK = 200


@dataclass(frozen=True)
class Shipment:
    """An exported shipment whose embedded electricity is claimed as renewable.

    Attributes
    ----------
    shipment_id : str
        Bill of lading or customs declaration number.
    product : str
        What is shipped (e.g. ``"green methanol"``).
    quantity : float
        Amount shipped, in ``quantity_unit``.
    quantity_unit : str
        Unit of ``quantity`` (``"t"``, ``"pcs"``).
    destination : str
        Port or country of destination.
    embedded_mwh : float
        Electricity embedded in the shipment, MWh (> 0); rounded up to whole Wh to retire.
    """

    shipment_id: str
    product: str
    quantity: float
    quantity_unit: str
    destination: str
    embedded_mwh: float


def shipment_ref(shipment_id: str) -> bytes:
    """Return the 32-byte on-chain shipment reference: ``keccak256`` of the UTF-8 shipment id."""
    return keccak(shipment_id.encode("utf-8"))


def line_claim_ref(claim_ref: str, line: int) -> bytes:
    """Return the on-chain claim reference of line ``line`` of the retirement ``claim_ref``."""
    return keccak(canonical_json({"claim_ref": claim_ref, "line": line}))


def claim_leaf(session: Session, chain: CertificateChain, leaf_id: int) -> ClaimRow:
    """Mint allocation leaf ``leaf_id`` to its holder on-chain and record the claim (flushed; caller commits).

    If the chain already lists the leaf as claimed (a claim sent by anyone, or a crash before the
    DB write), the claim is recorded from its ``LeafClaimed`` event instead of being sent again.

    Raises
    ------
    UnknownRecordError
        If the leaf is not a leaf of a confirmed batch.
    RetirementError
        If the batch was issued directly (already minted) or the ledger already records the claim.
    """
    holding = holding_of_leaf(session, leaf_id, now=datetime.now(UTC))
    if holding.claimed:
        raise RetirementError(f"allocation leaf {leaf_id} ({holding.leaf}) is already claimed")
    if holding.batch_mode == "direct":
        raise RetirementError(f"allocation leaf {leaf_id} was minted directly by batch {holding.batch_id}")
    if chain.is_leaf_claimed(holding.leaf):
        tx_hash, block = _event_tx(chain, "LeafClaimed", "leafHash", leaf_hash(holding.leaf))
    else:
        file = load_leaf_file(session, holding.batch_id)
        cap = file.cap_of(holding.leaf)
        result = chain.claim(from_hex32(holding.batch_id), holding.leaf, file.proof(holding.leaf), cap,
                             file.proof(cap))
        tx_hash, block = result.tx_hash, result.block_number
    claim = ClaimRow(leaf_id=leaf_id, mode="proof", tx_hash=tx_hash, block_number=block, created_at=utc_now())
    session.add(claim)
    session.flush()
    return claim


def _event_tx(chain: CertificateChain, name: str, key: str, value: bytes) -> tuple[str, int]:
    """Return (tx hash, block) of the first event ``name`` whose argument ``key`` equals ``value``."""
    for event in chain.events():
        if event.name == name and event.args[key] == value:
            return event.tx_hash, event.block_number
    raise RetirementError(f"the chain reports a {name} for {hex32(value)} but no such event was found")


def _needed_wh(shipment: Shipment) -> int:
    mwh = shipment.embedded_mwh
    if isinstance(mwh, bool) or not isinstance(mwh, int | float) or not isfinite(mwh) or mwh <= 0:
        raise RetirementError(f"shipment {shipment.shipment_id!r}: embedded electricity {mwh!r} MWh must be a "
                              "positive number")
    return int((Decimal(repr(float(mwh))) * 1_000_000).to_integral_value(rounding=ROUND_CEILING))


def _pick(available: Sequence[Holding], need_wh: int) -> list[tuple[Holding, int]]:
    """Take ``need_wh`` from the holdings, oldest interval first."""
    picked: list[tuple[Holding, int]] = []
    for holding in available:
        if need_wh == 0:
            break
        take = min(holding.available_wh, need_wh)
        if take > 0:
            picked.append((holding, take))
            need_wh -= take
    return picked


def retire(
    session: Session,
    chain: CertificateChain,
    *,
    firm_code: str,
    claim_ref: str,
    shipment: Shipment,
    beneficiary: str,
    purpose: str,
    period_start_s: int,
    period_end_s: int,
    holder_key: str,
    now: datetime | None = None,
    validity_months: int = 24,
    tz: str = "Asia/Shanghai",
) -> RetirementRow:
    """Retire a firm's certificates for a shipment and record it (flushed; the caller commits).

    Parameters
    ----------
    session : Session
        Open session; the caller commits (also after an error, the partial state is consistent).
    chain : CertificateChain
        Contract client; transactions are signed with ``holder_key``.
    firm_code : str
        The retiring firm; its certificate account must be ``holder_key``'s address.
    claim_ref : str
        Unique reference of this retirement (e.g. ``"CBAM-2025-0042"``).
    shipment : Shipment
        The shipment and its embedded electricity (MWh, rounded up to whole Wh).
    beneficiary, purpose : str
        Written into every on-chain retirement event.
    period_start_s, period_end_s : int
        Consumption period, UNIX seconds UTC (end exclusive): certificates of intervals in it are used.
    holder_key : str
        Private key of the firm's certificate account (only the holder may retire).
    now : datetime, optional
        Time for expiry checks (default: now).
    validity_months, tz
        Validity rule of :func:`~greenproof.ledger.certificate_status.certificate_status`.

    Raises
    ------
    ClaimRefReusedError
        If ``claim_ref`` was used by an earlier retirement.
    InsufficientCertificatesError
        If the firm holds fewer active Wh in the period than the shipment needs.
    RetirementError
        If the chain refuses a line (its message names the custom error and the line).
    """
    firm = firm_by_code(session, firm_code)
    if session.scalar(select(RetirementRow.id).where(RetirementRow.claim_ref == claim_ref)) is not None:
        raise ClaimRefReusedError(f"claim reference {claim_ref!r} was already used by an earlier retirement")
    need_wh = _needed_wh(shipment)
    moment = now or datetime.now(UTC)
    available = holdings(session, firm.address, period_start_s=period_start_s, period_end_s=period_end_s, now=moment,
                         validity_months=validity_months, tz=tz)
    total_wh = sum(h.available_wh for h in available)
    if total_wh < need_wh:
        raise InsufficientCertificatesError(
            f"firm {firm_code!r} holds {total_wh} Wh of active certificates for "
            f"[{datetime.fromtimestamp(period_start_s, UTC).isoformat()}, "
            f"{datetime.fromtimestamp(period_end_s, UTC).isoformat()}); shipment {shipment.shipment_id!r} needs "
            f"{need_wh} Wh ({shipment.embedded_mwh} MWh)")
    picked = _pick(available, need_wh)
    retirement = RetirementRow(
        claim_ref=claim_ref, firm_id=firm.id, beneficiary=beneficiary, period_start_s=period_start_s,
        period_end_s=period_end_s, purpose=purpose, shipment_id=shipment.shipment_id, product=shipment.product,
        quantity=shipment.quantity, quantity_unit=shipment.quantity_unit, destination=shipment.destination,
        embedded_mwh=shipment.embedded_mwh, amount_wh=need_wh, state="pending",
        lines=[RetirementLine(leaf_id=h.leaf_id, chain_claim_ref=hex32(line_claim_ref(claim_ref, i)), amount_wh=wh)
               for i, (h, wh) in enumerate(picked)],
    )
    session.add(retirement)
    session.flush()
    _send_lines(session, chain, retirement, picked, holder_key)
    retirement.state, retirement.updated_at = "confirmed", utc_now()
    session.flush()
    return retirement


def _send_lines(session: Session, chain: CertificateChain, retirement: RetirementRow,
                picked: Sequence[tuple[Holding, int]], holder_key: str) -> None:
    files: dict[str, LeafFile] = {}
    todo: list[tuple[RetirementLine, Holding, PreparedTx]] = []
    for line, (holding, amount_wh) in zip(retirement.lines, picked, strict=True):
        claim = RetirementClaim(from_hex32(line.chain_claim_ref), retirement.beneficiary, retirement.purpose,
                                retirement.period_start_s, retirement.period_end_s,
                                shipment_ref(retirement.shipment_id))
        if chain.claim_ref_used(claim.claim_ref):  # sent before a crash: record it from its event
            line.tx_hash, line.block_number = _event_tx(chain, "Retired", "claimRef", claim.claim_ref)
            continue
        if holding.claimed:
            prepared = chain.prepare_retire(holding.token_id, amount_wh, claim, holder_key=holder_key)
        else:
            if holding.batch_id not in files:
                files[holding.batch_id] = load_leaf_file(session, holding.batch_id)
            file = files[holding.batch_id]
            cap = file.cap_of(holding.leaf)
            prepared = chain.prepare_retire_with_proof(from_hex32(holding.batch_id), holding.leaf,
                                                       file.proof(holding.leaf), cap, file.proof(cap), amount_wh,
                                                       claim, holder_key=holder_key)
        todo.append((line, holding, prepared))
    for start in range(0, len(todo), _SEND_CHUNK):
        chunk = todo[start:start + _SEND_CHUNK]
        try:
            results = chain.send_many([prepared for _, _, prepared in chunk])
        except ContractRevertError as exc:
            raise RetirementError(f"retirement {retirement.claim_ref!r}: the chain refused a line: {exc}") from exc
        for (line, holding, _), result in zip(chunk, results, strict=True):
            line.tx_hash, line.block_number = result.tx_hash, result.block_number
            if not holding.claimed:
                session.add(ClaimRow(leaf_id=holding.leaf_id, mode="proof", tx_hash=result.tx_hash,
                                     block_number=result.block_number, created_at=utc_now()))
