"""Issuance pipeline with an outbox: a batch is anchored on-chain exactly once, whatever crashes.

States of a batch (:class:`~greenproof.ledger.models.IssuanceBatch`):

1. ``pending`` — computed and written with all its leaves in one transaction (the outbox entry);
2. ``sent`` — the chain accepted the transaction: its hash and block are recorded (the contract
   client sends and waits for the receipt in one call, so ``sent`` is written once the receipt is in);
3. ``confirmed`` — the batch read back from the chain (``chain.batch(batch_id)``) matches the DB
   (its commitment to root, input hash, plants and shape);
4. ``failed`` — the chain refused it for good (e.g. its intervals were already issued), or the
   batch on-chain under its id differs from the DB's.

Resuming a ``pending`` or ``sent`` batch first asks the chain whether the batch id is registered;
only if it is not is the transaction (re)sent. The contract registers a batch id once, so a
process killed at any point and rerun ends with exactly one anchored batch per input.

Storage (issue 16): once anchored, the batch's renewable storage charge records are recorded
on-chain (:func:`~greenproof.ledger.storage_chain.record_charges`, step ``charges_recorded`` when
there were any); in direct mode its discharge leaves are minted to their holders with its other
leaves.

Direct mode (contract v2 has no direct mint): the batch is anchored like any other, then every
holder's leaves are claimed (minted to it) in the same run, one ``claimLeaves`` transaction per
holder and up to :data:`CLAIM_CHUNK` leaves; leaves the chain already lists as claimed (a crash
after the transaction) are recorded from their ``LeavesClaimed`` event after checking holder, token
and amount. A confirmed direct batch whose claims were cut short is completed on the next run.

Fault injection: ``on_step`` is called with the name of each completed step
(:data:`ISSUANCE_STEPS`) and the batch id; raising from it simulates a crash right there. By
default it is :func:`greenproof.contracts.crash_points.crash_point`, which SIGKILLs the process
at the step ``GREENPROOF_CRASH_AT`` names (and does nothing when it is unset).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.crash_points import crash_point
from greenproof.contracts.errors import ContractRevertError
from greenproof.contracts.leaves import AllocationLeaf, plant_key
from greenproof.contracts.merkle import commitment
from greenproof.contracts.records import AnchoredBatch

from .batches import IntervalShares, batch_by_id, batch_layout, build_batch, load_leaf_file
from .chain_binding import check_chain_binding
from .chain_port import CertificateChain, from_hex32
from .database import session_scope
from .errors import IssuanceError
from .leaf_file import LeafFile, hex32
from .models import AllocationLeafRow, BatchState, ClaimRow, IssuanceBatch, Plant, utc_now
from .storage_chain import claim_discharges, record_charges
from .storage_records import storage_addresses

__all__ = [
    "CLAIM_CHUNK",
    "DIRECT_MAX_LINES",
    "ISSUANCE_STEPS",
    "RECHECK_BLOCKS",
    "StepHook",
    "issue",
    "register_plants_on_chain",
    "resume_unfinished",
    "send_and_confirm",
]

#: Steps reported to ``on_step``, in order (``claimed`` only in direct mode).
ISSUANCE_STEPS = ("pending_written", "transaction_mined", "sent_recorded", "confirmed", "claimed")

#: Most allocation lines a direct batch may have (each is claimed in the same run).
DIRECT_MAX_LINES = 800

#: Most leaves per ``claimLeaves`` transaction (≈45k gas each with its proof).
CLAIM_CHUNK = 200

#: Blocks below the head within which confirmed anchors are read again on every run (rollback depth).
RECHECK_BLOCKS = 64

StepHook = Callable[[str, str], None]


def _crash_hook(step: str, _batch_id: str) -> None:
    """SIGKILL at ``step`` if ``GREENPROOF_CRASH_AT`` names it: the default hook (fault-injection tests)."""
    crash_point(step)


def register_plants_on_chain(session: Session, chain: CertificateChain, codes: Iterable[str] | None = None, *,
                             grid_s: int = 900) -> list[str]:
    """Register on-chain the ledger's plants that the chain does not know yet (issuer only).

    A plant's on-chain index is its ledger id; its issuance grid is ``grid_s`` (the metering
    interval): batches must start on it and last whole multiples of it.

    Parameters
    ----------
    codes : iterable of str, optional
        Plants to consider (default: all).
    grid_s : int
        Issuance grid of newly registered plants, seconds.

    Returns
    -------
    list of str
        Codes registered by this call.

    Raises
    ------
    IssuanceError
        If the chain holds another plant under a ledger plant's index (a different ledger or a reset DB).
    """
    query = select(Plant).order_by(Plant.id)
    if codes is not None:
        query = query.where(Plant.code.in_(list(codes)))
    registered = []
    for plant in session.scalars(query):
        on_chain = chain.plant(plant.id)
        if on_chain is None:
            try:
                chain.register_plant(plant.id, plant.code, plant.technology, plant.renewable,
                                     round(plant.capacity_mw * 1_000_000), grid_s, plant.location_code)
                registered.append(plant.code)
                continue
            except ContractRevertError as exc:  # another process registered it meanwhile: check it is this plant
                if exc.name != "GreenCertificatePlantAlreadyRegistered":
                    raise
                on_chain = chain.plant(plant.id)
        if on_chain is None or on_chain.plant_key != plant_key(plant.code):
            key = f"0x{on_chain.plant_key.hex()}" if on_chain is not None else "?"
            raise IssuanceError(f"plant {plant.code!r} is #{plant.id} in the ledger, but the chain holds another plant "
                                f"(key {key}) under #{plant.id}: this ledger does not belong to "
                                f"contract {getattr(chain, 'address', '?')}")
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
    on_step: StepHook = _crash_hook,
) -> IssuanceBatch:
    """Build a batch (or find the one with the same inputs) and drive it to ``confirmed``.

    Parameters
    ----------
    factory : sessionmaker
        Session factory of the ledger; each step commits its own transaction.
    chain : CertificateChain
        Contract client sending as an issuer.
    period_start_s, period_end_s, intervals, interval_s, mode
        As in :func:`~greenproof.ledger.batches.build_batch`; ``interval_s`` is also the issuance
        grid of plants registered on-chain by this run.
    on_step : callable, optional
        Fault-injection hook, called as ``on_step(step, batch_id)`` after each step.

    Raises
    ------
    BatchError, AllocationError, UnknownRecordError
        From building the batch (nothing written).
    IssuanceError
        If the chain refuses the batch for good (the batch is marked ``failed``) or disagrees with it.
    ChainIdentityError
        If the chain is not the one the ledger was first used with (the batch stays ``pending``).
    ChainError
        If the node cannot be reached; the batch stays ``pending``/``sent`` for a rerun.
    """
    with session_scope(factory) as session:
        batch = build_batch(session, period_start_s=period_start_s, period_end_s=period_end_s, intervals=intervals,
                            interval_s=interval_s, mode=mode)
        batch_id = batch.batch_id
    on_step("pending_written", batch_id)
    check_chain_binding(factory, chain)
    return send_and_confirm(factory, chain, batch_id, on_step=on_step, grid_s=interval_s)


def resume_unfinished(factory: sessionmaker[Session], chain: CertificateChain, *,
                      on_step: StepHook = _crash_hook) -> list[IssuanceBatch]:
    """Drive every ``pending`` or ``sent`` batch to ``confirmed``, oldest period first.

    First, every batch confirmed within :data:`RECHECK_BLOCKS` of the head (or above it) is read
    again from the chain: an anchor a node rollback dropped sends the batch again (back to
    ``pending``), and one the chain now shows in another transaction or block is recorded as such.

    Raises
    ------
    ChainIdentityError
        If the chain is not the one the ledger was first used with (nothing is sent).
    """
    check_chain_binding(factory, chain)
    _recheck_recent(factory, chain)
    with factory() as session:
        ids = list(session.scalars(select(IssuanceBatch.batch_id)
                                   .where(IssuanceBatch.state.in_([BatchState.PENDING, BatchState.SENT]))
                                   .order_by(IssuanceBatch.period_start_s)))
    return [send_and_confirm(factory, chain, batch_id, on_step=on_step) for batch_id in ids]


def _recheck_recent(factory: sessionmaker[Session], chain: CertificateChain) -> None:
    """Re-read recently confirmed anchors (a rollback may have dropped or moved them) and fix the rows."""
    head = chain.block_number()
    with factory() as session:
        recent = list(session.scalars(select(IssuanceBatch).where(
            IssuanceBatch.state == BatchState.CONFIRMED, IssuanceBatch.block_number > head - RECHECK_BLOCKS)))
    for batch in recent:
        since = max(0, min(batch.block_number or 0, head) - RECHECK_BLOCKS)
        on_chain = chain.batch(from_hex32(batch.batch_id), from_block=since)
        with session_scope(factory) as session:
            stored = batch_by_id(session, batch.batch_id)
            if on_chain is None:  # the node no longer holds the anchor: it is sent again
                stored.state, stored.tx_hash, stored.block_number = BatchState.PENDING, None, None
                stored.updated_at = utc_now()
            elif (stored.tx_hash, stored.block_number) != (on_chain.tx_hash, on_chain.block_number):
                stored.tx_hash, stored.block_number = on_chain.tx_hash, on_chain.block_number
                stored.updated_at = utc_now()


def send_and_confirm(factory: sessionmaker[Session], chain: CertificateChain, batch_id: str, *,
                     on_step: StepHook = _crash_hook, grid_s: int = 900) -> IssuanceBatch:
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
        if batch.state == BatchState.FAILED:
            raise IssuanceError(f"batch {batch_id} failed earlier: {batch.error}")
        if batch.state != BatchState.CONFIRMED:
            plant_codes = [code for code, _ in session.execute(
                select(Plant.code, Plant.id).where(Plant.id.in_(batch_layout(session, batch).plants)))]
            register_plants_on_chain(session, chain, plant_codes, grid_s=grid_s)
    if batch.state != BatchState.CONFIRMED:
        if chain.batch_commitment(from_hex32(batch_id)) is None:
            mined_in = _send(factory, chain, batch)
            on_chain = chain.batch(from_hex32(batch_id), from_block=mined_in)
            if on_chain is None:
                raise IssuanceError(f"batch {batch_id}: its transaction was mined but the chain does not list it")
            on_step("transaction_mined", batch_id)
        else:  # registered before (a crash, another run): its event is searched from the block last recorded
            on_chain = chain.batch(from_hex32(batch_id), from_block=batch.block_number or 0)
            if on_chain is None:
                raise IssuanceError(f"batch {batch_id} vanished from the chain while it was being read")
        with session_scope(factory) as session:  # the including transaction as the chain shows it, whatever was stored
            stored = batch_by_id(session, batch_id)
            if stored.state == BatchState.PENDING:
                stored.state = BatchState.SENT
            stored.tx_hash, stored.block_number, stored.updated_at = on_chain.tx_hash, on_chain.block_number, utc_now()
        on_step("sent_recorded", batch_id)
        _confirm(factory, chain, batch_id, on_chain)
        on_step("confirmed", batch_id)
    if record_charges(factory, chain, batch_id):  # type: ignore[arg-type]  # ChainClient meets both protocols
        on_step("charges_recorded", batch_id)
    if batch.mode == "direct":
        _claim_every_leaf(factory, chain, batch_id)
        claim_discharges(factory, chain, batch_id)  # type: ignore[arg-type]
        on_step("claimed", batch_id)
    with factory() as session:
        return batch_by_id(session, batch_id)


def _send(factory: sessionmaker[Session], chain: CertificateChain, batch: IssuanceBatch) -> int:
    """Anchor the batch; return its block (0 if another run registered it meanwhile). A refusal marks it ``failed``."""
    try:
        with factory() as session:
            layout = batch_layout(session, batch)
            if batch.mode == "direct":
                lines = session.scalar(select(func.count()).where(AllocationLeafRow.batch_pk == batch.id)) or 0
                if lines > DIRECT_MAX_LINES:
                    raise IssuanceError(f"batch {batch.batch_id} has {lines} allocation lines; direct issuance takes "
                                        f"at most {DIRECT_MAX_LINES}: anchor it instead")
        return chain.anchor_batch(from_hex32(batch.batch_id), from_hex32(batch.root), from_hex32(batch.input_hash),
                                  layout).block_number
    except ContractRevertError as exc:
        if exc.name == "GreenCertificateBatchAlreadyRegistered":
            return 0
        _mark_failed(factory, batch.batch_id, f"the chain refused the batch: {exc}")
        raise IssuanceError(f"batch {batch.batch_id}: the chain refused it: {exc}") from exc
    except IssuanceError as exc:
        _mark_failed(factory, batch.batch_id, str(exc))
        raise


def _mark_failed(factory: sessionmaker[Session], batch_id: str, error: str) -> None:
    with session_scope(factory) as session:
        batch = batch_by_id(session, batch_id)
        batch.state, batch.error, batch.updated_at = BatchState.FAILED, error[:2000], utc_now()


def _confirm(factory: sessionmaker[Session], chain: CertificateChain, batch_id: str, on_chain: AnchoredBatch) -> None:
    with session_scope(factory) as session:
        batch = batch_by_id(session, batch_id)
        expected = commitment(from_hex32(batch.root), from_hex32(batch.input_hash), batch_layout(session, batch))
        if expected != on_chain.commitment:
            problem = (f"the chain's commitment {hex32(on_chain.commitment)} is not the DB's {hex32(expected)} "
                       f"(root, input hash, plants or shape differ; on-chain root {hex32(on_chain.root)})")
            batch.state, batch.error, batch.updated_at = BatchState.FAILED, problem, utc_now()
            session.commit()
            raise IssuanceError(f"batch {batch_id}: {problem}")
        batch.state, batch.block_number, batch.updated_at = BatchState.CONFIRMED, on_chain.block_number, utc_now()


def _claim_every_leaf(factory: sessionmaker[Session], chain: CertificateChain, batch_id: str) -> None:
    """Claim (mint) every not yet claimed leaf of a direct batch to its holder and record the claims."""
    with factory() as session:
        file = load_leaf_file(session, batch_id)
        batch_pk = batch_by_id(session, batch_id).id
        claimed = set(session.scalars(select(AllocationLeafRow.leaf_hash).join(ClaimRow)
                                      .where(AllocationLeafRow.batch_pk == batch_pk)))
        accounts = set(storage_addresses(session).values())  # charge records are recorded, never minted
    todo: defaultdict[str, list[AllocationLeaf]] = defaultdict(list)
    for leaf in file.tree.allocations:
        if hex32(leaf.hash) not in claimed and leaf.holder not in accounts:
            todo[leaf.holder].append(leaf)
    for holder, leaves in todo.items():
        on_chain = [x for x in leaves if chain.is_leaf_claimed(holder, x.plant_index, x.interval_start_s)]
        adopted = _adopt_claims(chain, file, holder, on_chain)
        sent = []
        done = set(on_chain)
        rest = [x for x in leaves if x not in done]
        for start in range(0, len(rest), CLAIM_CHUNK):
            chunk = rest[start:start + CLAIM_CHUNK]
            result = chain.claim_leaves(file.header, holder, file.leaf_refs(chunk), file.proof(chunk))
            sent += [(leaf, result.tx_hash, result.block_number) for leaf in chunk]
        _record_claims(factory, batch_pk, [*adopted, *sent])


def _adopt_claims(chain: CertificateChain, file: LeafFile, holder: str,
                  leaves: list[AllocationLeaf]) -> list[tuple[AllocationLeaf, str, int]]:
    """Match leaves the chain lists as claimed to ``LeavesClaimed`` events of this batch (holder, token, Wh)."""
    if not leaves:
        return []
    found: dict[int, tuple[int, str, int]] = {}
    for event in chain.events():
        if event.name == "LeavesClaimed" and hex32(event.args["batchId"]) == file.batch_id \
                and event.args["holder"] == holder:
            for token, wh in zip(event.args["ids"], event.args["amountsWh"], strict=True):
                found[token] = (wh, event.tx_hash, event.block_number)
    adopted = []
    for leaf in leaves:
        wh, tx_hash, block = found.get(leaf.token_id, (None, "", 0))
        if wh != leaf.amount_wh:
            raise IssuanceError(f"batch {file.batch_id}: the chain lists {holder}'s leaf of plant {leaf.plant_code!r} "
                                f"at {leaf.interval_start_s} as used, but no LeavesClaimed event of this batch mints "
                                f"its {leaf.amount_wh} Wh to it")
        adopted.append((leaf, tx_hash, block))
    return adopted


def _record_claims(factory: sessionmaker[Session], batch_pk: int,
                   claims: list[tuple[AllocationLeaf, str, int]]) -> None:
    if not claims:
        return
    with session_scope(factory) as session:
        ids = dict(session.execute(select(AllocationLeafRow.leaf_hash, AllocationLeafRow.id)
                                   .where(AllocationLeafRow.batch_pk == batch_pk)).all())
        now = utc_now()
        session.add_all(ClaimRow(leaf_id=ids[hex32(leaf.hash)], mode="direct", tx_hash=tx_hash, block_number=block,
                                 created_at=now) for leaf, tx_hash, block in claims)
