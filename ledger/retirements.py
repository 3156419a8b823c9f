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

:func:`retire` is a saga (like issuance's outbox): the intent — every line with its leaf, Wh,
part and reference — is committed before the first transaction, each hash as soon as the node
accepted it, and a rerun continues from what the chain shows; see its docstring for the steps
and :mod:`greenproof.contracts.crash_points` for the steps a test can kill it at.

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
from typing import NoReturn

from eth_account import Account
from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.crash_points import crash_point
from greenproof.contracts.errors import ContractRevertError
from greenproof.contracts.events import ChainEvent
from greenproof.contracts.leaves import AllocationLeaf
from greenproof.contracts.records import RetirementClaim
from greenproof.contracts.transactor import PreparedTx

from .authorisation import AuthorisationSigner
from .batches import load_leaf_file
from .canonical import canonical_json
from .chain_binding import check_chain_binding
from .chain_port import CertificateChain, from_hex32
from .database import locked_scope, session_scope
from .errors import ClaimRefReusedError, InsufficientCertificatesError, RetirementError
from .holdings import Holding, holding_of_leaf, holdings
from .leaf_file import LeafFile, hex32
from .models import AllocationLeafRow, ClaimRow, IssuanceBatch, Plant, RetirementLine, RetirementRow, utc_now
from .registry import firm_by_code

__all__ = ["MINTED_PART", "PART_MAX_LEAVES", "Shipment", "claim_leaf", "part_claim_ref", "retire", "shipment_ref"]

#: Part name of the leaves retired from minted balances.
MINTED_PART = "minted"
#: Most leaves one retirement transaction takes (≈8–12k gas each: well inside a block).
PART_MAX_LEAVES = 1000
#: Lock under which retirement intents are written (certificates are picked by one process at a time).
RETIREMENT_INTENT_LOCK = "retirement-intents"
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
    lines: list[tuple[RetirementLine, AllocationLeaf]]
    claim: RetirementClaim

    @property
    def amount_wh(self) -> int:
        """Wh the part retires."""
        return sum(line.amount_wh for line, _ in self.lines)

    def expected(self, file: LeafFile | None) -> list[tuple[int, int]]:
        """(token id, Wh) in the order the contract emits them: by leaf position, or by token id."""
        if file is None:
            return sorted((leaf.token_id, line.amount_wh) for line, leaf in self.lines)
        return [(leaf.token_id, line.amount_wh) for line, leaf in sorted(self.lines, key=lambda x: file.position(x[1]))]


def retire(
    factory: sessionmaker[Session],
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
    claim_document: str | None = None,
    now: datetime | None = None,
    validity_months: int = 24,
    tz: str = "Asia/Shanghai",
) -> RetirementRow:
    """Retire a firm's certificates for a shipment as a resumable saga; return the confirmed retirement.

    1. **Intent** (committed before any transaction): the retirement row (``pending``), and every
       line — leaf, Wh, part and the part's claim reference — picked oldest first. A rerun with
       the same ``claim_ref`` resumes the stored intent instead of picking again; if earlier
       refusals released lines, the missing Wh are picked anew as further parts (``@2``, ``@3``…).
    2. **Per part**: if the holder already used the part's reference on-chain, its ``Retired``
       event is adopted after checking holder, token ids and amounts (its transaction hash and
       block are recorded, replacing any hash stored earlier); otherwise the part is sent, and its
       hash is committed as soon as the node accepted it.
    3. **Confirm**: with every part's receipt, the lines get their blocks and the row turns ``confirmed``.

    A part the chain refuses releases the lines not retired (nothing stays reserved that was not
    burnt); the parts that landed stay recorded, the row stays ``pending`` if any did (a rerun
    retires the rest) and turns ``failed`` if none did.

    Parameters
    ----------
    factory : sessionmaker
        Session factory of the ledger; each step commits its own transaction.
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
    claim_document : str, optional
        What ``claim_ref`` is the hash of (the provenance claim), stored with the intent.
    now : datetime, optional
        Time for expiry checks (default: the chain's latest block time, the clock the contract uses).
    validity_months, tz
        Validity rule of :func:`~greenproof.ledger.certificate_status.certificate_status`.

    Raises
    ------
    ClaimRefReusedError
        If ``claim_ref`` was used by a confirmed or failed retirement, or by a pending one for
        another firm, shipment, amount or period.
    InsufficientCertificatesError
        If the firm holds fewer active Wh in the period than the shipment needs (nothing written).
    RetirementError
        If the signer is not the firm's account; the firm has another (not failed) retirement of
        the same shipment (its part references would be this one's; intents are written under a
        database lock, so two processes cannot both start one); the chain refuses a part (the
        message names the custom error and the Wh released); or the chain used a part's reference
        for other certificates.
    ChainIdentityError
        If the chain is not the one the ledger was first used with (nothing is written or sent).
    ChainError
        If the node cannot be reached: the intent and the hashes sent stay stored for a rerun.
    """
    intent = _Intent(firm_code, claim_ref, shipment, beneficiary, purpose, period_start_s, period_end_s,
                     claim_document)
    check_chain_binding(factory, chain)
    with locked_scope(factory, RETIREMENT_INTENT_LOCK) as session:  # processes pick certificates in turn
        firm = firm_by_code(session, firm_code)
        holder = _holder_of(firm_code, firm.address, holder_key, signer)
        moment = now or datetime.fromtimestamp(chain.chain_time(), UTC)
        retirement_id = _store_intent(session, intent, firm.id, holder, moment, validity_months, tz)
    crash_point("intent_stored")
    _drive(factory, chain, retirement_id, holder, holder_key, signer)
    with factory() as session:
        stored = session.get_one(RetirementRow, retirement_id)
        stored.lines  # noqa: B018 - load the lines while the session is open
        return stored


@dataclass(frozen=True)
class _Intent:
    """What a retirement is asked to do (the parameters of :func:`retire`)."""

    firm_code: str
    claim_ref: str
    shipment: Shipment
    beneficiary: str
    purpose: str
    period_start_s: int
    period_end_s: int
    claim_document: str | None


def _store_intent(session: Session, intent: _Intent, firm_id: int, holder: str, now: datetime,
                  validity_months: int, tz: str) -> int:
    """Write (or find and top up) the pending retirement and its lines; return its id. The caller commits."""
    need_wh = _needed_wh(intent.shipment)
    retirement = session.scalar(select(RetirementRow).where(RetirementRow.claim_ref == intent.claim_ref))
    if retirement is not None:
        asked = (firm_id, intent.shipment.shipment_id, need_wh, intent.period_start_s, intent.period_end_s)
        stored = (retirement.firm_id, retirement.shipment_id, retirement.amount_wh, retirement.period_start_s,
                  retirement.period_end_s)
        if retirement.state != "pending" or stored != asked:
            raise ClaimRefReusedError(f"claim reference {intent.claim_ref!r} was already used by an earlier "
                                      f"retirement ({retirement.state}, shipment {retirement.shipment_id!r})")
    else:
        other = session.scalar(select(RetirementRow.claim_ref).where(
            RetirementRow.firm_id == firm_id, RetirementRow.shipment_id == intent.shipment.shipment_id,
            RetirementRow.state != "failed"))
        if other is not None:  # its on-chain part references would be this one's: one retirement per shipment
            raise RetirementError(f"firm {intent.firm_code!r} already retires shipment "
                                  f"{intent.shipment.shipment_id!r} under claim reference {other!r}: rerun that one")
        shipment = intent.shipment
        retirement = RetirementRow(
            claim_ref=intent.claim_ref, firm_id=firm_id, beneficiary=intent.beneficiary,
            period_start_s=intent.period_start_s, period_end_s=intent.period_end_s, purpose=intent.purpose,
            shipment_id=shipment.shipment_id, product=shipment.product, quantity=shipment.quantity,
            quantity_unit=shipment.quantity_unit, destination=shipment.destination,
            embedded_mwh=shipment.embedded_mwh, amount_wh=need_wh, state="pending",
            claim_document=intent.claim_document)
        session.add(retirement)
    missing_wh = retirement.amount_wh - sum(line.amount_wh for line in retirement.lines)
    if missing_wh > 0:
        available = [h for h in holdings(session, holder, period_start_s=intent.period_start_s,
                                         period_end_s=intent.period_end_s, now=now,
                                         validity_months=validity_months, tz=tz)
                     if h.leaf.interval_start_s + h.leaf.interval_s <= intent.period_end_s]
        total_wh = sum(h.available_wh for h in available)
        if total_wh < missing_wh:
            raise InsufficientCertificatesError(
                f"firm {intent.firm_code!r} holds {total_wh} Wh of active certificates for "
                f"[{datetime.fromtimestamp(intent.period_start_s, UTC).isoformat()}, "
                f"{datetime.fromtimestamp(intent.period_end_s, UTC).isoformat()}); shipment "
                f"{intent.shipment.shipment_id!r} needs {missing_wh} Wh ({intent.shipment.embedded_mwh} MWh"
                f"{'' if missing_wh == need_wh else f', {need_wh - missing_wh} Wh of it retired already'})")
        attempt = 1 + max((_attempt_of(line.part) for line in retirement.lines), default=0)
        retirement.lines.extend(_new_lines(retirement.shipment_id, _pick(available, missing_wh), holder, attempt))
    session.flush()
    return retirement.id


def _attempt_of(part: str | None) -> int:
    return int(part.rpartition("@")[2]) if part and "@" in part else 1


def _new_lines(shipment_id: str, picked: Sequence[tuple[Holding, int]], holder: str,
               attempt: int) -> list[RetirementLine]:
    """Lines of the picked holdings, grouped into parts: per batch (leaves not minted yet), and the minted ones."""
    grouped: dict[str, list[tuple[Holding, int]]] = {}
    for holding, wh in picked:
        grouped.setdefault(MINTED_PART if holding.claimed else holding.batch_id, []).append((holding, wh))
    lines = []
    for name, items in grouped.items():
        for start in range(0, len(items), PART_MAX_LEAVES):
            part = name if start == 0 else f"{name}/{start // PART_MAX_LEAVES}"
            part = part if attempt == 1 else f"{part}@{attempt}"
            ref = hex32(part_claim_ref(holder, shipment_id, part))
            lines += [RetirementLine(leaf_id=h.leaf_id, chain_claim_ref=ref, part=part, amount_wh=wh)
                      for h, wh in items[start:start + PART_MAX_LEAVES]]
    return lines


def _holder_of(firm_code: str, address: str, holder_key: str | None, signer: AuthorisationSigner | None) -> str:
    if (holder_key is None) == (signer is None):
        raise RetirementError(f"firm {firm_code!r}: give either the holder's key or a signer, not both or neither")
    signing = signer.address if signer is not None else str(Account.from_key(holder_key).address)
    if signing != address:
        raise RetirementError(f"firm {firm_code!r} holds its certificates at {address}, not at {signing}: "
                              "that key cannot retire them")
    return address


def _parts_of(session: Session, retirement: RetirementRow) -> list[_Part]:
    """Return the stored lines of a retirement grouped into parts, with their leaves."""
    leaf_ids = [line.leaf_id for line in retirement.lines]
    found = {row.id: (row, code, batch_id) for row, code, batch_id in session.execute(
        select(AllocationLeafRow, Plant.code, IssuanceBatch.batch_id)
        .join(Plant, Plant.id == AllocationLeafRow.plant_id)
        .join(IssuanceBatch, IssuanceBatch.id == AllocationLeafRow.batch_pk)
        .where(AllocationLeafRow.id.in_(leaf_ids)))}
    parts: dict[str, _Part] = {}
    for line in retirement.lines:
        row, code, batch_id = found[line.leaf_id]
        name = line.part or batch_id
        part = parts.get(name)
        if part is None:
            claim = RetirementClaim(from_hex32(line.chain_claim_ref), retirement.beneficiary, retirement.purpose,
                                    retirement.period_start_s, retirement.period_end_s,
                                    shipment_ref(retirement.shipment_id))
            part = parts[name] = _Part(name, None if name.startswith(MINTED_PART) else batch_id, [], claim)
        part.lines.append((line, AllocationLeaf(code, row.plant_id, row.interval_start_s, row.interval_s,
                                                row.holder_address, row.amount_wh)))
    return list(parts.values())


def _drive(factory: sessionmaker[Session], chain: CertificateChain, retirement_id: int, holder: str,
           holder_key: str | None, signer: AuthorisationSigner | None) -> None:
    """Adopt what the chain already holds, send the rest, confirm (each step committed)."""
    with factory() as session:
        retirement = session.get_one(RetirementRow, retirement_id)
        if retirement.state != "pending":
            return
        claim_ref = retirement.claim_ref
        parts = [p for p in _parts_of(session, retirement) if any(line.block_number is None for line, _ in p.lines)]
        files = {p.batch_id: load_leaf_file(session, p.batch_id) for p in parts if p.batch_id is not None}
    todo: list[_Part] = []
    for part in parts:
        expected = part.expected(files.get(part.batch_id) if part.batch_id else None)
        if chain.claim_ref_used(holder, part.claim.claim_ref):  # sent before a crash: adopt it after checking it
            event = _adoptable_event(chain, claim_ref, part, holder, expected)
            _record(factory, part, event.tx_hash, event.block_number)
        else:
            todo.append(part)
    if todo:
        _send(factory, chain, claim_ref, todo, files, holder, holder_key, signer)
    with session_scope(factory) as session:
        retirement = session.get_one(RetirementRow, retirement_id)
        if all(line.block_number is not None for line in retirement.lines):
            retirement.state, retirement.updated_at = "confirmed", utc_now()
    crash_point("lines_confirmed")


def _adoptable_event(chain: CertificateChain, claim_ref: str, part: _Part, holder: str,
                     expected: list[tuple[int, int]]) -> ChainEvent:
    event = _retired_event(chain, holder, part.claim.claim_ref)
    found = list(zip(event.args["ids"], event.args["amountsWh"], strict=True))
    if found != expected:
        raise RetirementError(
            f"retirement {claim_ref!r}, part {part.name}: {holder} already used claim reference "
            f"{hex32(part.claim.claim_ref)} on-chain (tx {event.tx_hash}) for other certificates {found}, "
            f"not {expected}")
    return event


def _send(factory: sessionmaker[Session], chain: CertificateChain, claim_ref: str, todo: Sequence[_Part],
          files: dict[str | None, LeafFile], holder: str, holder_key: str | None,
          signer: AuthorisationSigner | None) -> None:
    """Send the parts pipelined, committing each hash once the node accepted it; record the receipts."""
    nonce = chain.nonce(holder) if signer is not None else 0
    deadline = chain.chain_time() + AUTHORISATION_TTL_S
    prepared = []
    for offset, part in enumerate(todo):
        file = files.get(part.batch_id) if part.batch_id is not None else None
        prepared.append(_prepare(chain, part, file, part.expected(file), holder, holder_key, signer, nonce + offset,
                                 deadline))

    sent_now: set[int] = set()

    def sent(index: int, tx_hash: str) -> None:
        sent_now.add(index)
        with session_scope(factory) as session:
            for line, _ in todo[index].lines:
                session.get_one(RetirementLine, line.id).tx_hash = tx_hash

    try:
        results = chain.send_many(prepared, on_sent=sent)
    except ContractRevertError as exc:
        _release(factory, chain, claim_ref, todo, files, holder, sent_now, exc)
    crash_point("receipt_received")
    for part, result in zip(todo, results, strict=True):
        _record(factory, part, result.tx_hash, result.block_number)


def _release(factory: sessionmaker[Session], chain: CertificateChain, claim_ref: str, todo: Sequence[_Part],
             files: dict[str | None, LeafFile], holder: str, sent_now: set[int], exc: ContractRevertError) -> NoReturn:
    """After a refusal: record the parts that landed, release the lines of those not sent; raise one line saying so.

    A part sent in this run that has not landed (yet) keeps its lines: it may still be mined, and
    the next run adopts it, or finds it refused before sending and releases it then.
    """
    released_wh, refused = 0, []
    for index, part in enumerate(todo):
        if chain.claim_ref_used(holder, part.claim.claim_ref):
            file = files.get(part.batch_id) if part.batch_id is not None else None
            event = _adoptable_event(chain, claim_ref, part, holder, part.expected(file))
            _record(factory, part, event.tx_hash, event.block_number)
        elif index not in sent_now:
            refused.append(part.name)
            released_wh += part.amount_wh
    with session_scope(factory) as session:
        retirement = session.scalars(select(RetirementRow).where(RetirementRow.claim_ref == claim_ref)).one()
        gone = {line.id for part in todo if part.name in refused for line, _ in part.lines}
        for line in [x for x in retirement.lines if x.id in gone]:
            retirement.lines.remove(line)
        kept_wh = sum(line.amount_wh for line in retirement.lines)
        if not retirement.lines:
            retirement.state, retirement.updated_at = "failed", utc_now()
    outcome = (f"{kept_wh} Wh sent or retired stay recorded (rerun with the same reference to finish)" if kept_wh
               else "nothing was retired (the retirement is marked failed)")
    which = refused[0] if refused else "(one sent in this run; rerun to settle it)"
    raise RetirementError(f"retirement {claim_ref!r}: the chain refused part {which} ({exc}); released the "
                          f"{released_wh} Wh reserved for parts not sent ({', '.join(refused) or 'none'}); "
                          f"{outcome}") from exc


def _prepare(chain: CertificateChain, part: _Part, file: LeafFile | None, expected: list[tuple[int, int]],
             holder: str, holder_key: str | None, signer: AuthorisationSigner | None, nonce: int,
             deadline: int) -> PreparedTx:
    if file is None:
        ids, amounts = [t for t, _ in expected], [wh for _, wh in expected]
        if signer is None:
            return chain.prepare_retire(ids, amounts, part.claim, holder_key=holder_key)
        typed = chain.retire_typed_data(holder, ids, amounts, part.claim, deadline, nonce=nonce)
        return chain.prepare_retire_for(holder, ids, amounts, part.claim, deadline, signer.sign(typed))
    ordered = sorted(part.lines, key=lambda x: file.position(x[1]))
    leaves = [leaf for _, leaf in ordered]
    refs = file.leaf_refs(leaves, [line.amount_wh for line, _ in ordered])
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


def _record(factory: sessionmaker[Session], part: _Part, tx_hash: str, block: int) -> None:
    """Record the including transaction of a part's lines (replacing a hash stored at sending)."""
    with session_scope(factory) as session:
        claimed = set(session.scalars(select(ClaimRow.leaf_id).where(
            ClaimRow.leaf_id.in_([line.leaf_id for line, _ in part.lines]))))
        for line, _ in part.lines:
            stored = session.get_one(RetirementLine, line.id)
            stored.tx_hash, stored.block_number = tx_hash, block
            if part.batch_id is not None and line.leaf_id not in claimed:  # used from its proof: spent on-chain
                session.add(ClaimRow(leaf_id=line.leaf_id, mode="proof", tx_hash=tx_hash, block_number=block,
                                     created_at=utc_now()))
