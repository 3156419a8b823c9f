"""Issuance pipeline with an outbox: a batch is anchored on-chain exactly once, whatever crashes.

States of a batch (:class:`~greenproof.ledger.models.IssuanceBatch`):

1. ``pending`` — computed and written with all its leaves in one transaction (the outbox entry);
2. ``sent`` — the chain accepted the transaction: its hash and block are recorded (the contract
   client sends and waits for the receipt in one call, so ``sent`` is written once the receipt is in);
3. ``confirmed`` — the batch read back from the chain (``chain.batch(batch_id)``) matches the DB
   (root, input hash, period); for a direct batch, every leaf is recorded as minted;
4. ``failed`` — the chain refused it for good (e.g. its intervals were already issued), or the
   batch on-chain under its id differs from the DB's.

Resuming a ``pending`` or ``sent`` batch first asks the chain whether the batch id is registered;
only if it is not is the transaction (re)sent. The contract registers a batch id once, so a
process killed at any point and rerun ends with exactly one anchored batch per input.

Fault injection: ``on_step`` is called with the name of each completed step
(:data:`ISSUANCE_STEPS`) and the batch id; raising from it simulates a crash right there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.errors import ContractRevertError
from greenproof.contracts.records import AnchoredBatch

from .batches import IntervalShares, batch_by_id, batch_plant_codes, build_batch, load_leaf_file
from .chain_port import CertificateChain, from_hex32
from .database import session_scope
from .errors import IssuanceError
from .leaf_file import LeafFile, hex32
from .models import AllocationLeafRow, BatchState, ClaimRow, IssuanceBatch, Plant, utc_now

__all__ = [
    "DIRECT_MAX_LINES",
    "ISSUANCE_STEPS",
    "StepHook",
    "issue",
    "register_plants_on_chain",
    "resume_unfinished",
    "send_and_confirm",
]

#: Steps reported to ``on_step``, in order.
ISSUANCE_STEPS = ("pending_written", "transaction_mined", "sent_recorded", "confirmed")

#: Most allocation lines a direct batch may mint (≈29k gas each within Anvil's 30 M gas block).
DIRECT_MAX_LINES = 800

StepHook = Callable[[str, str], None]


def _no_hook(_step: str, _batch_id: str) -> None:
    return None


def register_plants_on_chain(session: Session, chain: CertificateChain,
                             codes: Iterable[str] | None = None) -> list[str]:
    """Register on-chain the ledger's plants that the chain does not know yet (issuer only).

    Parameters
    ----------
    codes : iterable of str, optional
        Plants to consider (default: all).

    Returns
    -------
    list of str
        Codes registered by this call.
    """
    query = select(Plant).order_by(Plant.code)
    if codes is not None:
        query = query.where(Plant.code.in_(list(codes)))
    registered = []
    for plant in session.scalars(query):
        if chain.plant(plant.code) is None:
            chain.register_plant(plant.code, plant.technology, plant.renewable, round(plant.capacity_mw * 1_000_000),
                                 plant.location_code)
            registered.append(plant.code)
    return registered


def issue(
    factory: sessionmaker[Session],
    chain: CertificateChain,
    *,
    period_start_s: int,
    period_end_s: int,
    intervals: Iterable[IntervalShares],
    interval_s: int = 900,
    mode: str = "anchor",
    on_step: StepHook = _no_hook,
) -> IssuanceBatch:
    """Build a batch (or find the one with the same inputs) and drive it to ``confirmed``.

    Parameters
    ----------
    factory : sessionmaker
        Session factory of the ledger; each step commits its own transaction.
    chain : CertificateChain
        Contract client sending as an issuer.
    period_start_s, period_end_s, intervals, interval_s, mode
        As in :func:`~greenproof.ledger.batches.build_batch`.
    on_step : callable, optional
        Fault-injection hook, called as ``on_step(step, batch_id)`` after each step.

    Raises
    ------
    BatchError, AllocationError, UnknownRecordError
        From building the batch (nothing written).
    IssuanceError
        If the chain refuses the batch for good (the batch is marked ``failed``) or disagrees with it.
    ChainError
        If the node cannot be reached; the batch stays ``pending``/``sent`` for a rerun.
    """
    with session_scope(factory) as session:
        batch = build_batch(session, period_start_s=period_start_s, period_end_s=period_end_s, intervals=intervals,
                            interval_s=interval_s, mode=mode)
        batch_id = batch.batch_id
    on_step("pending_written", batch_id)
    return send_and_confirm(factory, chain, batch_id, on_step=on_step)


def resume_unfinished(factory: sessionmaker[Session], chain: CertificateChain, *,
                      on_step: StepHook = _no_hook) -> list[IssuanceBatch]:
    """Drive every ``pending`` or ``sent`` batch to ``confirmed``, oldest period first."""
    with factory() as session:
        ids = list(session.scalars(select(IssuanceBatch.batch_id)
                                   .where(IssuanceBatch.state.in_([BatchState.PENDING, BatchState.SENT]))
                                   .order_by(IssuanceBatch.period_start_s)))
    return [send_and_confirm(factory, chain, batch_id, on_step=on_step) for batch_id in ids]


def send_and_confirm(factory: sessionmaker[Session], chain: CertificateChain, batch_id: str, *,
                     on_step: StepHook = _no_hook) -> IssuanceBatch:
    """Send a stored batch unless the chain already has it, then confirm it from the chain.

    Raises
    ------
    UnknownRecordError
        If ``batch_id`` is not stored.
    IssuanceError
        If the batch is ``failed``, the chain refuses it, or the chain's batch differs from the DB's.
    """
    with factory() as session:
        batch = batch_by_id(session, batch_id)
        if batch.state == BatchState.CONFIRMED:
            return batch
        if batch.state == BatchState.FAILED:
            raise IssuanceError(f"batch {batch_id} failed earlier: {batch.error}")
        plant_codes = batch_plant_codes(session, batch)
        file = load_leaf_file(session, batch_id) if batch.mode == "direct" else None
        register_plants_on_chain(session, chain, plant_codes)
    on_chain = chain.batch(from_hex32(batch_id))
    tx_hash = batch.tx_hash
    if on_chain is None:
        tx_hash = _send(factory, chain, batch, plant_codes, file)
        on_chain = chain.batch(from_hex32(batch_id))
        if on_chain is None:
            raise IssuanceError(f"batch {batch_id}: transaction {tx_hash} mined but the chain does not list it")
        on_step("transaction_mined", batch_id)
    if tx_hash is None:
        tx_hash = _registering_tx(chain, batch_id, on_chain)
    with session_scope(factory) as session:
        stored = batch_by_id(session, batch_id)
        if stored.state == BatchState.PENDING:
            stored.state, stored.tx_hash, stored.block_number = BatchState.SENT, tx_hash, on_chain.block_number
            stored.updated_at = utc_now()
    on_step("sent_recorded", batch_id)
    confirmed = _confirm(factory, chain, batch_id)
    on_step("confirmed", batch_id)
    return confirmed


def _send(factory: sessionmaker[Session], chain: CertificateChain, batch: IssuanceBatch, plant_codes: list[str],
          file: LeafFile | None) -> str | None:
    """Send the batch's transaction; return its hash (None if another run registered the batch meanwhile)."""
    batch_id = from_hex32(batch.batch_id)
    try:
        if file is not None:  # direct mode: mint every allocation leaf
            if len(file.allocation_leaves) > DIRECT_MAX_LINES:
                raise IssuanceError(f"batch {batch.batch_id} has {len(file.allocation_leaves)} allocation lines; "
                                    f"direct issuance takes at most {DIRECT_MAX_LINES}: anchor it instead")
            result = chain.issue_batch(batch_id, from_hex32(batch.input_hash), batch.period_start_s,
                                       batch.period_end_s, plant_codes, file.cap_leaves, file.allocation_leaves)
        else:
            result = chain.anchor_batch(batch_id, from_hex32(batch.root), from_hex32(batch.input_hash),
                                        batch.period_start_s, batch.period_end_s, plant_codes)
    except ContractRevertError as exc:
        if exc.name == "GreenCertificateBatchAlreadyRegistered":
            return None
        _mark_failed(factory, batch.batch_id, f"the chain refused the batch: {exc}")
        raise IssuanceError(f"batch {batch.batch_id}: the chain refused it: {exc}") from exc
    except IssuanceError as exc:
        _mark_failed(factory, batch.batch_id, str(exc))
        raise
    return result.tx_hash


def _registering_tx(chain: CertificateChain, batch_id: str, on_chain: AnchoredBatch) -> str | None:
    """Return the hash of the transaction that registered ``batch_id`` (from its block's events)."""
    for event in chain.events(on_chain.block_number, on_chain.block_number):
        if event.name in ("BatchAnchored", "BatchIssued") and hex32(event.args["batchId"]) == batch_id:
            return event.tx_hash
    return None


def _mark_failed(factory: sessionmaker[Session], batch_id: str, error: str) -> None:
    with session_scope(factory) as session:
        batch = batch_by_id(session, batch_id)
        batch.state, batch.error, batch.updated_at = BatchState.FAILED, error[:2000], utc_now()


def _mismatch(batch: IssuanceBatch, plant_codes: list[str], on_chain: AnchoredBatch) -> str | None:
    expected_root = bytes(32) if batch.mode == "direct" else from_hex32(batch.root)
    checks = {
        "root": (hex32(expected_root), hex32(on_chain.root)),
        "input hash": (batch.input_hash, hex32(on_chain.input_hash)),
        "period": ((batch.period_start_s, batch.period_end_s), (on_chain.period_start_s, on_chain.period_end_s)),
        "direct": (batch.mode == "direct", on_chain.direct),
    }
    for what, (db_value, chain_value) in checks.items():
        if db_value != chain_value:
            return f"{what} is {db_value} in the DB but {chain_value} on-chain"
    return None if plant_codes else "the batch lists no plants"


def _confirm(factory: sessionmaker[Session], chain: CertificateChain, batch_id: str) -> IssuanceBatch:
    on_chain = chain.batch(from_hex32(batch_id))
    with session_scope(factory) as session:
        batch = batch_by_id(session, batch_id)
        if on_chain is None:
            raise IssuanceError(f"batch {batch_id} is recorded as sent in tx {batch.tx_hash} but is not on-chain")
        problem = _mismatch(batch, batch_plant_codes(session, batch), on_chain)
        if problem is not None:
            batch.state, batch.error, batch.updated_at = BatchState.FAILED, problem, utc_now()
            session.commit()
            raise IssuanceError(f"batch {batch_id}: {problem}")
        batch.state, batch.block_number, batch.updated_at = BatchState.CONFIRMED, on_chain.block_number, utc_now()
        if batch.mode == "direct":
            _record_direct_mints(session, batch)
        return batch


def _record_direct_mints(session: Session, batch: IssuanceBatch) -> None:
    leaf_ids = session.scalars(select(AllocationLeafRow.id).where(AllocationLeafRow.batch_pk == batch.id)).all()
    now = utc_now()
    session.execute(insert(ClaimRow), [
        {"leaf_id": leaf_id, "mode": "direct", "tx_hash": batch.tx_hash, "block_number": batch.block_number,
         "created_at": now}
        for leaf_id in leaf_ids
    ])
