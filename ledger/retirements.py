"""Claims and retirements: the service functions the API calls for holders and exporters.

- :func:`claim_leaf` mints an anchored allocation leaf to its holder with its proof.
- :func:`retire` retires a firm's certificates against a shipment: it takes the firm's active
  certificates of the consumption period oldest first until the shipment's embedded electricity
  (rounded up to whole Wh) is covered, then retires them in **one transaction per part**: per
  batch, the leaves not yet minted straight from their multiproof (``retireLeaves``); and, in one
  more part, the leaves minted earlier from their balances (``retire``).

Each part has its own on-chain claim reference, derived from what it is for
(:func:`part_claim_ref`: keccak256 of canonical JSON ``{"holder", "part", "shipment"}``), so a
rerun after a crash derives the same references. Before sending a part the ledger asks the chain
whether the holder already used its reference; if so it adopts that ``Retired`` event — but only
after checking that its holder, token ids and amounts are exactly the part's (the contract keys
references by holder, so nobody else's event can answer). The shipment reference on-chain is
``keccak256(UTF-8 shipment id)``.

Who signs: the holder's key sending its own transactions (``holder_key``), or a firm-held key
that signs EIP-712 authorisations the chain client relays (``signer``, see
:mod:`greenproof.ledger.authorisation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
from math import isfinite

from eth_account import Account
from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenproof.contracts.errors import ContractRevertError
from greenproof.contracts.events import ChainEvent
from greenproof.contracts.records import RetirementClaim
from greenproof.contracts.transactor import PreparedTx

from .authorisation import AuthorisationSigner
from .batches import load_leaf_file
from .canonical import canonical_json
from .chain_port import CertificateChain, from_hex32
from .errors import ClaimRefReusedError, InsufficientCertificatesError, RetirementError
from .holdings import Holding, holding_of_leaf, holdings
from .leaf_file import LeafFile, hex32
from .models import ClaimRow, RetirementLine, RetirementRow, utc_now
from .registry import firm_by_code

__all__ = ["MINTED_PART", "PART_MAX_LEAVES", "Shipment", "claim_leaf", "part_claim_ref", "retire", "shipment_ref"]

#: Part name of the leaves retired from minted balances.
MINTED_PART = "minted"
#: Most leaves one retirement transaction takes (≈8–12k gas each: well inside a block).
PART_MAX_LEAVES = 1000
#: How long a relayed authorisation stays usable, seconds of block time.
AUTHORISATION_TTL_S = 3600


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


def part_claim_ref(holder: str, shipment_id: str, part: str) -> bytes:
    """Return the on-chain claim reference of one part of a shipment's retirement by ``holder``.

    ``keccak256(canonical JSON {"holder": <EIP-55 address>, "part": <batch id, or "minted">,
    "shipment": <shipment id>})``: the same shipment, holder and part always give the same reference.
    """
    return keccak(canonical_json({"holder": holder, "part": part, "shipment": shipment_id}))


def claim_leaf(session: Session, chain: CertificateChain, leaf_id: int) -> ClaimRow:
    """Mint allocation leaf ``leaf_id`` to its holder on-chain and record the claim (flushed; caller commits).

    If the chain already lists the leaf as used (a claim sent by anyone, or a crash before the DB
    write), the claim is recorded from its ``LeavesClaimed`` event — after checking that the event
    minted this leaf's token and Wh to its holder — instead of being sent again.

    Raises
    ------
    UnknownRecordError
        If the leaf is not a leaf of a confirmed batch.
    RetirementError
        If the ledger already records the claim, or the chain used the leaf in another way.
    """
    holding = holding_of_leaf(session, leaf_id, now=datetime.now(UTC))
    if holding.claimed:
        raise RetirementError(f"allocation leaf {leaf_id} ({holding.leaf}) is already claimed")
    leaf = holding.leaf
    file = load_leaf_file(session, holding.batch_id)
    if chain.is_leaf_claimed(leaf.holder, leaf.plant_index, leaf.interval_start_s):
        event = _claim_event(chain, file.batch_id, leaf.holder, leaf.token_id, leaf.amount_wh)
        tx_hash, block = event.tx_hash, event.block_number
    else:
        result = chain.claim_leaves(file.header, leaf.holder, file.leaf_refs([leaf]), file.proof([leaf]))
        tx_hash, block = result.tx_hash, result.block_number
    claim = ClaimRow(leaf_id=leaf_id, mode="proof", tx_hash=tx_hash, block_number=block, created_at=utc_now())
    session.add(claim)
    session.flush()
    return claim


def _claim_event(chain: CertificateChain, batch_id: str, holder: str, token_id: int, amount_wh: int) -> ChainEvent:
    for event in chain.events():
        if (event.name == "LeavesClaimed" and hex32(event.args["batchId"]) == batch_id
                and event.args["holder"] == holder
                and (token_id, amount_wh) in zip(event.args["ids"], event.args["amountsWh"], strict=True)):
            return event
    raise RetirementError(f"the chain lists {holder}'s leaf of token {token_id} as used, but no LeavesClaimed event "
                          f"of batch {batch_id} minted its {amount_wh} Wh to it (retired, or claimed otherwise)")


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


@dataclass
class _Part:
    """One retirement transaction: a batch's leaves (or the minted balances), its reference and its lines."""

    name: str
    batch_id: str | None
    lines: list[tuple[RetirementLine, Holding, int]]
    claim: RetirementClaim

    def expected(self, file: LeafFile | None) -> list[tuple[int, int]]:
        """(token id, Wh) in the order the contract emits them: by leaf position, or by token id."""
        if file is None:
            return sorted((h.token_id, wh) for _, h, wh in self.lines)
        return [(h.token_id, wh) for _, h, wh in sorted(self.lines, key=lambda x: file.position(x[1].leaf))]


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
    holder_key: str | None = None,
    signer: AuthorisationSigner | None = None,
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
        Contract client; with ``signer`` its own account relays and pays the gas.
    firm_code : str
        The retiring firm; its certificate account must be ``holder_key``'s (or ``signer``'s) address.
    claim_ref : str
        Unique reference of this retirement in the ledger (e.g. ``"CBAM-2025-0042"``).
    shipment : Shipment
        The shipment and its embedded electricity (MWh, rounded up to whole Wh).
    beneficiary, purpose : str
        Written into every on-chain retirement event.
    period_start_s, period_end_s : int
        Consumption period, UNIX seconds UTC (end exclusive): certificates of intervals inside it are used.
    holder_key : str, optional
        Private key of the firm's account: it sends the transactions.
    signer : AuthorisationSigner, optional
        A firm-held key: it signs EIP-712 authorisations that ``chain`` relays. Give exactly one of the two.
    now : datetime, optional
        Time for expiry checks (default: the chain's latest block time, the clock the contract uses).
    validity_months, tz
        Validity rule of :func:`~greenproof.ledger.certificate_status.certificate_status`.

    Raises
    ------
    ClaimRefReusedError
        If ``claim_ref`` was used by an earlier retirement.
    InsufficientCertificatesError
        If the firm holds fewer active Wh in the period than the shipment needs.
    RetirementError
        If the signer is not the firm's account, the chain refuses a part (the message names the
        custom error), or the chain used a part's reference for other certificates.
    """
    firm = firm_by_code(session, firm_code)
    holder = _holder_of(firm_code, firm.address, holder_key, signer)
    if session.scalar(select(RetirementRow.id).where(RetirementRow.claim_ref == claim_ref)) is not None:
        raise ClaimRefReusedError(f"claim reference {claim_ref!r} was already used by an earlier retirement")
    need_wh = _needed_wh(shipment)
    moment = now or datetime.fromtimestamp(chain.chain_time(), UTC)
    available = [h for h in holdings(session, holder, period_start_s=period_start_s, period_end_s=period_end_s,
                                     now=moment, validity_months=validity_months, tz=tz)
                 if h.leaf.interval_start_s + h.leaf.interval_s <= period_end_s]
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
        embedded_mwh=shipment.embedded_mwh, amount_wh=need_wh, state="pending")
    parts = _parts(retirement, picked, holder)
    retirement.lines = [line for part in parts for line, _, _ in part.lines]
    session.add(retirement)
    session.flush()
    _send_parts(session, chain, retirement, parts, holder, holder_key, signer)
    retirement.state, retirement.updated_at = "confirmed", utc_now()
    session.flush()
    return retirement


def _holder_of(firm_code: str, address: str, holder_key: str | None, signer: AuthorisationSigner | None) -> str:
    if (holder_key is None) == (signer is None):
        raise RetirementError(f"firm {firm_code!r}: give either the holder's key or a signer, not both or neither")
    signing = signer.address if signer is not None else str(Account.from_key(holder_key).address)
    if signing != address:
        raise RetirementError(f"firm {firm_code!r} holds its certificates at {address}, not at {signing}: "
                              "that key cannot retire them")
    return address


def _parts(retirement: RetirementRow, picked: Sequence[tuple[Holding, int]], holder: str) -> list[_Part]:
    """Group the picked holdings into transactions: per batch (leaves not minted yet), and the minted ones."""
    grouped: dict[tuple[str, str | None], list[tuple[Holding, int]]] = {}
    for holding, wh in picked:
        key = (MINTED_PART, None) if holding.claimed else (holding.batch_id, holding.batch_id)
        grouped.setdefault(key, []).append((holding, wh))
    parts = []
    for (name, batch_id), items in grouped.items():
        for start in range(0, len(items), PART_MAX_LEAVES):
            part = name if start == 0 else f"{name}/{start // PART_MAX_LEAVES}"
            ref = part_claim_ref(holder, retirement.shipment_id, part)
            claim = RetirementClaim(ref, retirement.beneficiary, retirement.purpose, retirement.period_start_s,
                                    retirement.period_end_s, shipment_ref(retirement.shipment_id))
            lines = [(RetirementLine(leaf_id=h.leaf_id, chain_claim_ref=hex32(ref), amount_wh=wh), h, wh)
                     for h, wh in items[start:start + PART_MAX_LEAVES]]
            parts.append(_Part(part, batch_id, lines, claim))
    return parts


def _send_parts(session: Session, chain: CertificateChain, retirement: RetirementRow, parts: Sequence[_Part],
                holder: str, holder_key: str | None, signer: AuthorisationSigner | None) -> None:
    files = {p.batch_id: load_leaf_file(session, p.batch_id) for p in parts if p.batch_id is not None}
    todo: list[tuple[_Part, PreparedTx]] = []
    nonce = chain.nonce(holder) if signer is not None else 0
    deadline = chain.chain_time() + AUTHORISATION_TTL_S
    for part in parts:
        file = files.get(part.batch_id) if part.batch_id is not None else None
        expected = part.expected(file)
        if chain.claim_ref_used(holder, part.claim.claim_ref):  # sent before a crash: adopt it after checking it
            event = _retired_event(chain, holder, part.claim.claim_ref)
            found = list(zip(event.args["ids"], event.args["amountsWh"], strict=True))
            if found != expected:
                raise RetirementError(
                    f"retirement {retirement.claim_ref!r}, part {part.name}: {holder} already used claim reference "
                    f"{hex32(part.claim.claim_ref)} on-chain (tx {event.tx_hash}) for other certificates {found}, "
                    f"not {expected}")
            _record(session, part, event.tx_hash, event.block_number)
            continue
        todo.append((part, _prepare(chain, part, file, expected, holder, holder_key, signer, nonce, deadline)))
        nonce += 1
    try:
        results = chain.send_many([prepared for _, prepared in todo])
    except ContractRevertError as exc:
        raise RetirementError(f"retirement {retirement.claim_ref!r}: the chain refused a part: {exc}") from exc
    for (part, _), result in zip(todo, results, strict=True):
        _record(session, part, result.tx_hash, result.block_number)


def _prepare(chain: CertificateChain, part: _Part, file: LeafFile | None, expected: list[tuple[int, int]],
             holder: str, holder_key: str | None, signer: AuthorisationSigner | None, nonce: int,
             deadline: int) -> PreparedTx:
    if file is None:
        ids, amounts = [t for t, _ in expected], [wh for _, wh in expected]
        if signer is None:
            return chain.prepare_retire(ids, amounts, part.claim, holder_key=holder_key)
        typed = chain.retire_typed_data(holder, ids, amounts, part.claim, deadline, nonce=nonce)
        return chain.prepare_retire_for(holder, ids, amounts, part.claim, deadline, signer.sign(typed))
    ordered = sorted(part.lines, key=lambda x: file.position(x[1].leaf))
    leaves = [h.leaf for _, h, _ in ordered]
    refs = file.leaf_refs(leaves, [wh for _, _, wh in ordered])
    proof = file.proof(leaves)
    if signer is None:
        return chain.prepare_retire_leaves(file.header, refs, proof, part.claim, holder_key=holder_key)
    typed = chain.retire_leaves_typed_data(holder, from_hex32(file.batch_id), refs, part.claim, deadline, nonce=nonce)
    return chain.prepare_retire_leaves_for(file.header, holder, refs, proof, part.claim, deadline, signer.sign(typed))


def _retired_event(chain: CertificateChain, holder: str, claim_ref: bytes) -> ChainEvent:
    for event in chain.events():
        if event.name == "Retired" and event.args["holder"] == holder and event.args["claimRef"] == claim_ref:
            return event
    raise RetirementError(f"the chain reports claim reference {hex32(claim_ref)} used by {holder} but no such "
                          "Retired event was found")


def _record(session: Session, part: _Part, tx_hash: str, block: int) -> None:
    for line, holding, _ in part.lines:
        line.tx_hash, line.block_number = tx_hash, block
        if part.batch_id is not None:  # used straight from its proof: the leaf is spent on-chain
            session.add(ClaimRow(leaf_id=holding.leaf_id, mode="proof", tx_hash=tx_hash, block_number=block,
                                 created_at=utc_now()))
