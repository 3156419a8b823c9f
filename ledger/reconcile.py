"""Reconciliation: compare the ledger database with the contract's events and balances.

Checks, each difference naming its batch, leaf, claim reference, (holder, token) or plant:

- batches: every batch the DB holds as ``sent``/``confirmed`` has its ``BatchAnchored`` event with
  the same root, input hash, period and transaction; no batch anchored on-chain is missing from
  the DB or recorded there as ``pending``/``failed``;
- claims: every leaf the chain shows as used — minted by ``LeavesClaimed`` (holder, token and Wh
  as in the leaf) or retired straight from its proof (a ``Retired`` event of its batch) — has a
  claim row with that transaction, and every claim row has its event;
- retirements: every (claim reference, holder, token) retired on-chain matches the confirmed
  retirement lines with that reference, holder and token, in Wh (storage discharge certificates:
  their retirement rows);
- balances: for every (holder, token) the DB knows as minted or the chain ever credited
  (``TransferSingle``/``TransferBatch``), the on-chain balance equals the DB's minted minus retired Wh;
- gaps: for each plant, intervals left unissued between two anchored batches (a day that was
  never anchored, or failed) — the chain issues plant-intervals in any order, so a missing day
  shows only here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greenproof.contracts.events import ChainEvent

from .chain_port import CertificateChain
from .leaf_file import hex32
from .models import AllocationLeafRow, BatchState, ClaimRow, IssuanceBatch, Plant, RetirementLine, RetirementRow
from .storage_chain import storage_balances, storage_retired_by_ref

__all__ = ["Difference", "reconcile"]


@dataclass(frozen=True)
class Difference:
    """One disagreement between the DB and the chain.

    Attributes
    ----------
    kind : {"batch", "claim", "retirement", "balance", "gap"}
    subject : str
        What disagrees: batch id, leaf hash, ``claim ref/holder/token``, ``holder/token``, or a plant code.
    problem : str
        In words.
    db, chain : str or None
        The value on each side, when there is one.
    """

    kind: str
    subject: str
    problem: str
    db: str | None = None
    chain: str | None = None


def reconcile(session: Session, chain: CertificateChain, *, from_block: int = 0) -> list[Difference]:
    """Return every difference between the ledger DB and the chain (empty when they agree).

    Parameters
    ----------
    from_block : int
        First block to read events from (the contract's deployment block, or 0).
    """
    events = chain.events(from_block)
    by_name: defaultdict[str, list[ChainEvent]] = defaultdict(list)
    for event in events:
        by_name[event.name].append(event)
    return [*_batches(session, by_name["BatchAnchored"]), *_claims(session, by_name),
            *_retirements(session, by_name["Retired"]),
            *_balances(session, chain, [*by_name["TransferSingle"], *by_name["TransferBatch"]]),
            *_gaps(session, by_name["BatchAnchored"])]


def _period(event: ChainEvent) -> tuple[int, int]:
    shape = event.args["shape"]
    start = shape["periodStart"]
    return start, start + shape["intervalSeconds"] * shape["intervalCount"]


def _batches(session: Session, anchored: list[ChainEvent]) -> list[Difference]:
    registered = {hex32(e.args["batchId"]): e for e in anchored}
    differences = []
    for batch in session.scalars(select(IssuanceBatch).order_by(IssuanceBatch.period_start_s)):
        event = registered.pop(batch.batch_id, None)
        if event is None:
            if batch.state in (BatchState.SENT, BatchState.CONFIRMED):
                differences.append(Difference("batch", batch.batch_id, f"{batch.state} in the DB but not on-chain",
                                              db=batch.state))
            continue
        if batch.state in (BatchState.PENDING, BatchState.FAILED):
            differences.append(Difference("batch", batch.batch_id, f"registered on-chain but {batch.state} in the DB",
                                          db=batch.state, chain=event.tx_hash))
        start, end = _period(event)
        expected = {
            "root": (batch.root, hex32(event.args["root"])),
            "input hash": (batch.input_hash, hex32(event.args["inputHash"])),
            "period": (f"{batch.period_start_s}-{batch.period_end_s}", f"{start}-{end}"),
        }
        if batch.tx_hash is not None:
            expected["transaction"] = (batch.tx_hash, event.tx_hash)
        for what, (db_value, chain_value) in expected.items():
            if db_value != chain_value:
                differences.append(Difference("batch", batch.batch_id, f"{what} differs", db=str(db_value),
                                              chain=str(chain_value)))
    differences.extend(Difference("batch", batch_id, "registered on-chain but not in the DB", chain=event.tx_hash)
                       for batch_id, event in registered.items())
    return differences


def _claims(session: Session, by_name: dict[str, list[ChainEvent]]) -> list[Difference]:
    """Leaves used on-chain (minted, or retired from their proofs) against the DB's claim rows."""
    used: dict[tuple[str, str, str], tuple[ChainEvent, int | None]] = {}  # (batch, holder, token) -> event, Wh minted
    for event in by_name["LeavesClaimed"]:
        for token, wh in zip(event.args["ids"], event.args["amountsWh"], strict=True):
            used[(hex32(event.args["batchId"]), event.args["holder"], str(token))] = (event, wh)
    for event in by_name["Retired"]:
        if event.args["batchId"] != bytes(32):
            for token in event.args["ids"]:
                used[(hex32(event.args["batchId"]), event.args["holder"], str(token))] = (event, None)
    rows = session.execute(
        select(IssuanceBatch.batch_id, AllocationLeafRow.holder_address, AllocationLeafRow.token_id,
               AllocationLeafRow.leaf_hash, AllocationLeafRow.amount_wh, ClaimRow.tx_hash)
        .join(IssuanceBatch, IssuanceBatch.id == AllocationLeafRow.batch_pk)
        .outerjoin(ClaimRow, ClaimRow.leaf_id == AllocationLeafRow.id)
    ).all()
    differences = []
    for batch_id, holder, token, leaf_hash, amount_wh, tx_hash in rows:
        found = used.get((batch_id, holder, token))
        if found is None:
            if tx_hash is not None:
                differences.append(Difference("claim", leaf_hash, "claimed in the DB but not used on-chain",
                                              db=tx_hash))
            continue
        event, minted_wh = found
        if tx_hash is None:
            differences.append(Difference("claim", leaf_hash, f"{event.name} on-chain but no claim in the DB",
                                          chain=event.tx_hash))
        elif tx_hash != event.tx_hash:
            differences.append(Difference("claim", leaf_hash, "transaction differs", db=tx_hash, chain=event.tx_hash))
        if minted_wh is not None and minted_wh != amount_wh:
            differences.append(Difference("claim", leaf_hash, "amount minted differs", db=f"{amount_wh} Wh",
                                          chain=f"{minted_wh} Wh"))
    return differences


def _retirements(session: Session, events: list[ChainEvent]) -> list[Difference]:
    on_chain: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    txs: dict[tuple[str, str, str], str] = {}
    for event in events:
        for token, wh in zip(event.args["ids"], event.args["amountsWh"], strict=True):
            key = (hex32(event.args["claimRef"]), event.args["holder"], str(token))
            on_chain[key] += wh
            txs[key] = event.tx_hash
    in_db: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    for claim_ref, holder, token, wh in session.execute(
        select(RetirementLine.chain_claim_ref, AllocationLeafRow.holder_address, AllocationLeafRow.token_id,
               RetirementLine.amount_wh)
        .join(RetirementRow).join(AllocationLeafRow, RetirementLine.leaf_id == AllocationLeafRow.id)
        .where(RetirementRow.state == "confirmed")
    ):
        in_db[(claim_ref, holder, token)] += wh
    for key, wh in storage_retired_by_ref(session).items():
        in_db[key] += wh
    differences = []
    for key in sorted(in_db.keys() | on_chain.keys()):
        subject = "/".join(key)
        if key not in on_chain:
            differences.append(Difference("retirement", subject, "retired in the DB but no Retired event",
                                          db=f"{in_db[key]} Wh"))
        elif key not in in_db:
            differences.append(Difference("retirement", subject, "Retired on-chain but not in the DB",
                                          chain=txs[key]))
        elif in_db[key] != on_chain[key]:
            differences.append(Difference("retirement", subject, "amount differs", db=f"{in_db[key]} Wh",
                                          chain=f"{on_chain[key]} Wh"))
    return differences


def _balances(session: Session, chain: CertificateChain, transfers: list[ChainEvent]) -> list[Difference]:
    minted = dict(((holder, token), int(wh)) for holder, token, wh in session.execute(
        select(AllocationLeafRow.holder_address, AllocationLeafRow.token_id, func.sum(AllocationLeafRow.amount_wh))
        .join(ClaimRow, ClaimRow.leaf_id == AllocationLeafRow.id)
        .group_by(AllocationLeafRow.holder_address, AllocationLeafRow.token_id)
    ).all())
    received: set[tuple[str, str]] = set()
    for event in transfers:
        if int(event.args["to"], 16) != 0:
            ids = event.args["ids"] if event.name == "TransferBatch" else [event.args["id"]]
            received.update((event.args["to"], str(token)) for token in ids)
    retired = dict(((holder, token), int(wh)) for holder, token, wh in session.execute(
        select(AllocationLeafRow.holder_address, AllocationLeafRow.token_id, func.sum(RetirementLine.amount_wh))
        .join(RetirementLine, RetirementLine.leaf_id == AllocationLeafRow.id).join(RetirementRow)
        .where(RetirementRow.state == "confirmed")
        .group_by(AllocationLeafRow.holder_address, AllocationLeafRow.token_id)
    ).all())
    for key, (minted_wh, retired_wh) in storage_balances(session).items():
        minted[key] = minted.get(key, 0) + minted_wh
        retired[key] = retired.get(key, 0) + retired_wh
    differences = []
    for holder, token in sorted(minted.keys() | received):
        expected = minted.get((holder, token), 0) - retired.get((holder, token), 0)
        actual = chain.balance_of(holder, int(token))
        if actual != expected:
            differences.append(Difference("balance", f"{holder}/{token}", "balance differs", db=f"{expected} Wh",
                                          chain=f"{actual} Wh"))
    return differences


def _gaps(session: Session, anchored: list[ChainEvent]) -> list[Difference]:
    """Unissued stretches between anchored batches, per plant (the chain's own record of issuance)."""
    codes = dict(session.execute(select(Plant.id, Plant.code)).all())
    periods: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for event in anchored:
        for plant in event.args["plants"]:
            periods[plant].append(_period(event))
    differences = []
    for plant, spans in sorted(periods.items()):
        spans.sort()
        covered_until = spans[0][1]
        for start, end in spans[1:]:
            if start > covered_until:
                differences.append(Difference(
                    "gap", codes.get(plant, f"#{plant}"),
                    f"not issued between anchored batches: [{_iso(covered_until)}, {_iso(start)})",
                    chain=f"{(start - covered_until) // 60} min"))
            covered_until = max(covered_until, end)
    return differences


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()
