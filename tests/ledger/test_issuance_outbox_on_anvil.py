"""The issuance outbox on a real Anvil: one anchored batch per input, whatever step the process dies at."""

from __future__ import annotations

import pytest
from ledger_park import Park, record_period
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.client import ChainClient
from greenproof.contracts.merkle import BatchLayout
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
    return [e for e in chain.events() if e.name == "BatchAnchored" and "0x" + e.args["batchId"].hex() == batch_id]


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
    assert on_chain.commitment == file.commitment
    for leaf in file.allocation_leaves[::7]:
        assert fresh_chain.verify_leaf(file.header, leaf.holder, file.leaf_refs([leaf])[0], file.proof([leaf]))
    # plants are registered under their ledger ids, on the metering grid
    assert [fresh_chain.plant(index).grid_s for _, index in file.plants] == [900] * len(file.plants)


@pytest.mark.parametrize("step", ISSUANCE_STEPS[:-1])
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


@pytest.mark.parametrize("step", ["transaction_mined", "confirmed"])
def test_direct_mode_mints_every_leaf_once(factory: sessionmaker[Session], park: Park,
                                           fresh_chain: ChainClient, step: str) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 2)
    with pytest.raises(Crash):
        issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 2 * 900, intervals=intervals, mode="direct",
              on_step=crash_at(step))
    batch = issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 2 * 900, intervals=intervals,
                  mode="direct")
    assert batch.state == BatchState.CONFIRMED
    with factory() as session:
        file = load_leaf_file(session, batch.batch_id)
        assert session.scalar(select(func.count()).select_from(ClaimRow)) == len(file.allocation_leaves)
    for leaf in file.allocation_leaves:
        assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == leaf.amount_wh
    assert len(anchored_events(fresh_chain, batch.batch_id)) == 1
    claimed = [e for e in fresh_chain.events() if e.name == "LeavesClaimed"]
    assert sum(len(e.args["ids"]) for e in claimed) == len(file.allocation_leaves)  # each leaf minted once


def test_days_issue_in_any_order_and_overlaps_are_refused(factory: sessionmaker[Session], park: Park,
                                                         fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, N)
    # the later half first, then the earlier one: both end anchored
    issue(factory, fresh_chain, period_start_s=T0 + 2 * 900, period_end_s=T0 + 4 * 900, intervals=intervals[2:])
    issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 2 * 900, intervals=intervals[:2])
    assert [b.state for b in batches(factory)] == [BatchState.CONFIRMED] * 2
    with pytest.raises(BatchError, match=r"overlaps batch 0x[0-9a-f]+ \[2025-03-01T00:00:00\+00:00, "
                                         r"2025-03-01T00:30:00\+00:00\) of plant 'H1'"):
        issue(factory, fresh_chain, period_start_s=T0 + 900, period_end_s=T0 + 3 * 900, intervals=intervals[1:3])


def test_a_chain_refusal_marks_the_batch_failed(factory: sessionmaker[Session], park: Park,
                                               fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, N)
    issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 2 * 900, intervals=intervals[:2])
    stored = batches(factory)[0]
    # someone anchors the next half hour of plant H1 (#1) behind the ledger's back
    fresh_chain.anchor_batch(b"\x01" * 32, b"\x02" * 32, b"\x03" * 32, BatchLayout(T0 + 2 * 900, 900, 2, (1,), 0))
    with pytest.raises(IssuanceError, match="GreenCertificateIntervalAlreadyIssued"):
        issue(factory, fresh_chain, period_start_s=T0 + 2 * 900, period_end_s=T0 + 4 * 900, intervals=intervals[2:])
    states = sorted((b.period_start_s, b.state) for b in batches(factory))
    assert states == [(stored.period_start_s, BatchState.CONFIRMED), (T0 + 2 * 900, BatchState.FAILED)]
