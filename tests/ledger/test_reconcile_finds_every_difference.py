"""Reconciliation is empty when DB and chain agree, and names the batch, leaf or balance when they do not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ledger_park import FIRM_ADDRESSES, record_period
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from conftest import T0
from greenproof.contracts.client import ChainClient
from greenproof.ledger.database import session_scope
from greenproof.ledger.holdings import holdings
from greenproof.ledger.issuance import issue
from greenproof.ledger.models import AllocationLeafRow, ClaimRow, IssuanceBatch
from greenproof.ledger.reconcile import reconcile
from greenproof.ledger.retirements import Shipment, claim_leaf, retire

pytestmark = pytest.mark.chain

CRANES = FIRM_ADDRESSES["CRANES"]


@pytest.fixture
def busy(factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
         firm_keys: dict[str, str]) -> IssuanceBatch:
    """The issued batch with one claim and one retirement on top."""
    with factory() as session:
        held = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600,
                        now=datetime(2025, 4, 1, tzinfo=UTC))
    with session_scope(factory) as session:
        claim_leaf(session, fresh_chain, held[-1].leaf_id)
    retire(factory, fresh_chain, firm_code="CRANES", claim_ref="R-1",
           shipment=Shipment("BL-1", "steel", 10, "t", "Hamburg", 0.05), beneficiary="Cranes",
           purpose="EU CBAM", period_start_s=T0, period_end_s=T0 + 3600, holder_key=firm_keys["CRANES"])
    return issued


def test_agreeing_db_and_chain_reconcile_to_nothing(factory: sessionmaker[Session], busy: IssuanceBatch,
                                                    fresh_chain: ChainClient) -> None:
    with factory() as session:
        assert reconcile(session, fresh_chain) == []


def test_a_changed_root_in_the_db_is_named(factory: sessionmaker[Session], busy: IssuanceBatch,
                                           fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        session.execute(update(IssuanceBatch).values(root="0x" + "ab" * 32))
    with factory() as session:
        (difference,) = reconcile(session, fresh_chain)
    assert (difference.kind, difference.subject, difference.problem) == ("batch", busy.batch_id, "root differs")
    assert (difference.db, difference.chain) == ("0x" + "ab" * 32, busy.root)


def test_a_lost_claim_row_is_named_by_leaf_and_balance(factory: sessionmaker[Session], busy: IssuanceBatch,
                                                       fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        lost = session.scalars(select(ClaimRow).order_by(ClaimRow.id)).first()  # the claim_leaf of the last leaf
        assert lost is not None
        leaf = session.get_one(AllocationLeafRow, lost.leaf_id)
        session.execute(delete(ClaimRow).where(ClaimRow.id == lost.id))
    with factory() as session:
        differences = reconcile(session, fresh_chain)
    assert [(d.kind, d.subject, d.problem) for d in differences] == [
        ("claim", leaf.leaf_hash, "LeavesClaimed on-chain but no claim in the DB"),
        ("balance", f"{CRANES}/{leaf.token_id}", "balance differs"),
    ]
    assert (differences[1].db, differences[1].chain) == ("0 Wh", f"{leaf.amount_wh} Wh")


def test_a_transfer_behind_the_ledgers_back_shows_as_balance_differences(
        factory: sessionmaker[Session], busy: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    with factory() as session:
        token = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600,
                         now=datetime(2025, 4, 1, tzinfo=UTC))[-1].token_id
    fresh_chain.transfer(FIRM_ADDRESSES["LNG"], token, 7, holder_key=firm_keys["CRANES"])
    with factory() as session:
        differences = reconcile(session, fresh_chain)
    gaps = {d.subject: int(d.db.split()[0]) - int(d.chain.split()[0]) for d in differences if d.kind == "balance"}
    assert len(differences) == 2
    assert gaps == {f"{CRANES}/{token}": 7, f"{FIRM_ADDRESSES['LNG']}/{token}": -7}


def test_a_day_missing_between_anchored_days_is_reported_as_a_gap(factory: sessionmaker[Session], park: object,
                                                                  fresh_chain: ChainClient) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 12)
    for first in (0, 8, 4):  # hours 1 and 3, then the gap is filled
        issue(factory, fresh_chain, period_start_s=T0 + first * 900, period_end_s=T0 + (first + 4) * 900,
              intervals=intervals[first:first + 4])
        with factory() as session:
            gaps = [d for d in reconcile(session, fresh_chain) if d.kind == "gap"]
        if first == 8:
            assert [(d.subject, d.problem) for d in gaps] == [
                (code, "not issued between anchored batches: [2025-03-01T01:00:00+00:00, 2025-03-01T02:00:00+00:00)")
                for code in ("H1", "H2", "H3", "PV")]
    assert gaps == []
