"""Reconciliation: compare the ledger database with the contract's events and balances.

Checks, each difference naming its batch, leaf, claim reference or (holder, token):

- batches: every batch the DB holds as ``sent``/``confirmed`` is registered on-chain with the same
  root, input hash, period and transaction; no batch registered on-chain is missing from the DB or
  recorded there as ``pending``/``failed``;
- claims: every ``LeafClaimed`` event has a claim row for the same leaf, holder and amount, and
  every proof-claim row has its event;
- retirements: every ``Retired`` event has a retirement line with the same claim reference,
  holder, token and amount, and every line of a confirmed retirement has its event;
- balances: for every (holder, token) the DB knows as minted or the chain ever credited
  (``TransferSingle``), the on-chain balance equals the DB's minted minus retired Wh.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greenproof.contracts.events import ChainEvent

from .chain_port import CertificateChain
from .leaf_file import hex32
from .models import AllocationLeafRow, BatchState, ClaimRow, IssuanceBatch, RetirementLine, RetirementRow

__all__ = ["Difference", "reconcile"]


@dataclass(frozen=True)
class Difference:
    """One disagreement between the DB and the chain.

    Attributes
    ----------
    kind : {"batch", "claim", "retirement", "balance"}
    subject : str
        What disagrees: batch id, leaf hash, line claim reference, or ``holder/token``.
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
    return [*_batches(session, by_name), *_claims(session, by_name["LeafClaimed"]),
            *_retirements(session, by_name["Retired"]), *_balances(session, chain, by_name["TransferSingle"])]


def _batches(session: Session, by_name: dict[str, list[ChainEvent]]) -> list[Difference]:
    registered = {hex32(e.args["batchId"]): e for e in (*by_name["BatchAnchored"], *by_name["BatchIssued"])}
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
        root = hex32(event.args["root"]) if event.name == "BatchAnchored" else None
        expected = {
            "root": (batch.root if batch.mode == "anchor" else None, root),
            "input hash": (batch.input_hash, hex32(event.args["inputHash"])),
            "period": (f"{batch.period_start_s}-{batch.period_end_s}",
                       f"{event.args['periodStart']}-{event.args['periodEnd']}"),
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


def _claims(session: Session, events: list[ChainEvent]) -> list[Difference]:
    on_chain = {hex32(e.args["leafHash"]): e for e in events}
    rows = session.execute(
        select(AllocationLeafRow.leaf_hash, AllocationLeafRow.holder_address, AllocationLeafRow.amount_wh,
               ClaimRow.tx_hash)
        .join(ClaimRow, ClaimRow.leaf_id == AllocationLeafRow.id).where(ClaimRow.mode == "proof")
    ).all()
    differences = []
    for leaf_hash, holder, amount_wh, tx_hash in rows:
        event = on_chain.pop(leaf_hash, None)
        if event is None:
            differences.append(Difference("claim", leaf_hash, "claimed in the DB but no LeafClaimed event",
                                          db=tx_hash))
        elif (event.args["holder"], event.args["amountWh"]) != (holder, amount_wh):
            differences.append(Difference("claim", leaf_hash, "holder or amount differs",
                                          db=f"{holder} {amount_wh} Wh",
                                          chain=f"{event.args['holder']} {event.args['amountWh']} Wh"))
    differences.extend(Difference("claim", leaf_hash, "LeafClaimed on-chain but no claim in the DB",
                                  chain=event.tx_hash) for leaf_hash, event in on_chain.items())
    return differences


def _retirements(session: Session, events: list[ChainEvent]) -> list[Difference]:
    on_chain = {hex32(e.args["claimRef"]): e for e in events}
    rows = session.execute(
        select(RetirementLine.chain_claim_ref, RetirementLine.amount_wh, RetirementRow.state,
               AllocationLeafRow.holder_address, AllocationLeafRow.token_id)
        .join(RetirementRow).join(AllocationLeafRow, RetirementLine.leaf_id == AllocationLeafRow.id)
    ).all()
    differences = []
    for claim_ref, amount_wh, state, holder, token_id in rows:
        event = on_chain.pop(claim_ref, None)
        if event is None:
            if state == "confirmed":
                differences.append(Difference("retirement", claim_ref, "retired in the DB but no Retired event"))
            continue
        db_value = f"{holder} token {token_id} {amount_wh} Wh"
        chain_value = f"{event.args['holder']} token {event.args['id']} {event.args['amountWh']} Wh"
        if db_value != chain_value:
            differences.append(Difference("retirement", claim_ref, "holder, token or amount differs", db=db_value,
                                          chain=chain_value))
    differences.extend(Difference("retirement", claim_ref, "Retired on-chain but not in the DB", chain=event.tx_hash)
                       for claim_ref, event in on_chain.items())
    return differences


def _balances(session: Session, chain: CertificateChain, transfers: list[ChainEvent]) -> list[Difference]:
    minted = dict(((holder, token), int(wh)) for holder, token, wh in session.execute(
        select(AllocationLeafRow.holder_address, AllocationLeafRow.token_id, func.sum(AllocationLeafRow.amount_wh))
        .join(ClaimRow, ClaimRow.leaf_id == AllocationLeafRow.id)
        .group_by(AllocationLeafRow.holder_address, AllocationLeafRow.token_id)
    ).all())
    received = {(e.args["to"], str(e.args["id"])) for e in transfers if int(e.args["to"], 16) != 0}
    retired = dict(((holder, token), int(wh)) for holder, token, wh in session.execute(
        select(AllocationLeafRow.holder_address, AllocationLeafRow.token_id, func.sum(RetirementLine.amount_wh))
        .join(RetirementLine, RetirementLine.leaf_id == AllocationLeafRow.id).join(RetirementRow)
        .where(RetirementRow.state == "confirmed")
        .group_by(AllocationLeafRow.holder_address, AllocationLeafRow.token_id)
    ).all())
    differences = []
    for holder, token in sorted(minted.keys() | received):
        expected = minted.get((holder, token), 0) - retired.get((holder, token), 0)
        actual = chain.balance_of(holder, int(token))
        if actual != expected:
            differences.append(Difference("balance", f"{holder}/{token}", "balance differs", db=f"{expected} Wh",
                                          chain=f"{actual} Wh"))
    return differences
