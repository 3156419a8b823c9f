"""The issuance outbox on a real Anvil: one anchored batch per input, whatever step the process dies at."""

from __future__ import annotations

import pytest
from ledger_park import Park, record_period
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.client import ChainClient
from greenproof.contracts.leaves import leaf_hash
from greenproof.contracts.merkle import verify_proof
from greenproof.ledger.batches import load_leaf_file
from greenproof.ledger.chain_port import from_hex32
from greenproof.ledger.database import session_scope
from greenproof.ledger.errors import BatchError, IssuanceError
from greenproof.ledger.issuance import ISSUANCE_STEPS, issue, resume_unfinished
from greenproof.ledger.models import BatchState, ClaimRow, IssuanceBatch

pytestmark = pytest.mark.chain

T0 = 1_740_787_200  # 2025-03-01T00:00:00Z
N = 4  # intervals per test batch (one hour)


class Crash(Exception):
    """Stands for the process being killed."""


def crash_at(step: str):
    def hook(name: str, _batch_id: str) -> None:
        if name == step:
            raise Crash(step)
    return hook


def anchored_events(chain: ChainClient, batch_id: str) -> list:
    return [e for e in chain.events() if e.name in ("BatchAnchored", "BatchIssued")
            and "0x" + e.args["batchId"].hex() == batch_id]


def batches(factory: sessionmaker[Session]) -> list[IssuanceBatch]:
    with factory() as session:
        return list(session.scalars(select(IssuanceBatch)))


def test_issue_anchors_the_root_of_the_leaf_file(factory: sessionmaker[Session], park: Park,
                                                 fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, N)
    batch = issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + N * 900, intervals=intervals)
    assert batch.state == BatchState.CONFIRMED
    on_chain = fresh_chain.batch(from_hex32(batch.batch_id))
    assert on_chain is not None and "0x" + on_chain.root.hex() == batch.root
    assert on_chain.block_number == batch.block_number
    (event,) = anchored_events(fresh_chain, batch.batch_id)
    assert event.tx_hash == batch.tx_hash
    with factory() as session:
        file = load_leaf_file(session, batch.batch_id)
    leaf = file.allocation_leaves[0]
    assert verify_proof(leaf_hash(leaf), file.proof(leaf), on_chain.root)
    assert fresh_chain.verify_leaf(from_hex32(batch.batch_id), leaf, file.proof(leaf))


@pytest.mark.parametrize("step", ISSUANCE_STEPS)
def test_a_crash_after_any_step_then_rerun_gives_exactly_one_batch(factory: sessionmaker[Session], park: Park,
                                                                   fresh_chain: ChainClient, step: str) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, N)
    with pytest.raises(Crash):
        issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + N * 900, intervals=intervals,
              on_step=crash_at(step))
    rerun = issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + N * 900, intervals=intervals)
    (stored,) = batches(factory)
    assert stored.batch_id == rerun.batch_id and stored.state == BatchState.CONFIRMED
    assert len(anchored_events(fresh_chain, stored.batch_id)) == 1
    assert stored.tx_hash == anchored_events(fresh_chain, stored.batch_id)[0].tx_hash


def test_resume_unfinished_completes_a_batch_left_pending(factory: sessionmaker[Session], park: Park,
                                                          fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, N)
    with pytest.raises(Crash):
        issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + N * 900, intervals=intervals,
              on_step=crash_at("transaction_mined"))
    assert batches(factory)[0].state == BatchState.PENDING
    (resumed,) = resume_unfinished(factory, fresh_chain)
    assert resumed.state == BatchState.CONFIRMED
    assert resume_unfinished(factory, fresh_chain) == []


def test_direct_mode_mints_every_leaf_once(factory: sessionmaker[Session], park: Park,
                                           fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 2)
    with pytest.raises(Crash):
        issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 2 * 900, intervals=intervals, mode="direct",
              on_step=crash_at("transaction_mined"))
    batch = issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 2 * 900, intervals=intervals,
                  mode="direct")
    assert batch.state == BatchState.CONFIRMED
    with factory() as session:
        file = load_leaf_file(session, batch.batch_id)
        assert session.scalar(select(func.count()).select_from(ClaimRow)) == len(file.allocation_leaves)
    for leaf in file.allocation_leaves:
        assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == leaf.amount_wh
    assert len(anchored_events(fresh_chain, batch.batch_id)) == 1


def test_overlapping_period_is_refused_by_the_ledger_and_a_chain_refusal_marks_failed(
        factory: sessionmaker[Session], park: Park, fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, N)
    issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 2 * 900, intervals=intervals[:2])
    with pytest.raises(BatchError, match="overlaps batches already issued until 2025-03-01T00:30:00"):
        issue(factory, fresh_chain, period_start_s=T0 + 900, period_end_s=T0 + 3 * 900, intervals=intervals[1:3])
    # The chain's own watermark: anchor the next hour behind the ledger's back, then issue it from the ledger.
    stored = batches(factory)[0]
    fresh_chain.anchor_batch(b"\x01" * 32, b"\x02" * 32, b"\x03" * 32, T0 + 2 * 900, T0 + 4 * 900,
                             ["H1", "H2", "H3", "PV"])
    with pytest.raises(IssuanceError, match="GreenCertificateIntervalAlreadyIssued"):
        issue(factory, fresh_chain, period_start_s=T0 + 2 * 900, period_end_s=T0 + 4 * 900, intervals=intervals[2:])
    states = sorted((b.period_start_s, b.state) for b in batches(factory))
    assert states == [(stored.period_start_s, BatchState.CONFIRMED), (T0 + 2 * 900, BatchState.FAILED)]
