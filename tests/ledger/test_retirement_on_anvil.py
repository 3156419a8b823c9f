"""Claims and shipment retirements on a real Anvil: amounts, order, refusals, and what the chain records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ledger_park import FIRM_ADDRESSES
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conftest import T0
from greenproof.contracts.client import ChainClient
from greenproof.ledger.database import session_scope
from greenproof.ledger.errors import ClaimRefReusedError, InsufficientCertificatesError, RetirementError
from greenproof.ledger.holdings import holdings
from greenproof.ledger.models import AllocationLeafRow, IssuanceBatch, RetirementRow
from greenproof.ledger.retirements import Shipment, claim_leaf, line_claim_ref, retire

pytestmark = pytest.mark.chain

CRANES = FIRM_ADDRESSES["CRANES"]
NOW = datetime(2025, 4, 1, tzinfo=UTC)


def shipment(mwh: float) -> Shipment:
    return Shipment("BL-2025-0042", "wind turbine blades", 3, "pcs", "Rotterdam", mwh)


def retire_cranes(session: Session, chain: ChainClient, keys: dict[str, str], mwh: float, ref: str = "CBAM-1",
                  now: datetime = NOW) -> RetirementRow:
    return retire(session, chain, firm_code="CRANES", claim_ref=ref, shipment=shipment(mwh),
                  beneficiary="Binhai Port terminal cranes", purpose="EU CBAM", period_start_s=T0,
                  period_end_s=T0 + 3600, holder_key=keys["CRANES"], now=now)


def retired_events(chain: ChainClient) -> list:
    return [e for e in chain.events() if e.name == "Retired"]


def test_retirement_burns_the_embedded_wh_oldest_first(factory: sessionmaker[Session], issued: IssuanceBatch,
                                                       fresh_chain: ChainClient, firm_keys: dict[str, str]) -> None:
    with factory() as session:
        held = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600, now=NOW)
    # Independent expectation: walk the holdings oldest first until 1.5 MWh = 1 500 000 Wh are covered.
    need, expected = 1_500_000, {}
    for h in held:
        take = min(need, h.leaf.amount_wh)
        if take:
            expected[h.token_id] = take
        need -= take
    with session_scope(factory) as session:
        row = retire_cranes(session, fresh_chain, firm_keys, 1.5)
        assert row.state == "confirmed" and row.amount_wh == 1_500_000
        assert all(line.tx_hash for line in row.lines)
    events = retired_events(fresh_chain)
    assert {e.args["id"]: e.args["amountWh"] for e in events} == expected
    assert {e.args["claimRef"] for e in events} == {line_claim_ref("CBAM-1", i) for i in range(len(expected))}
    assert all(e.args["holder"] == CRANES and e.args["purpose"] == "EU CBAM" for e in events)
    for token, wh in expected.items():
        assert fresh_chain.retired_balance(token, CRANES) == wh
    partly = next(h for h in held if h.token_id == list(expected)[-1])
    # retireWithProof minted the whole leaf: what was not retired stays on the firm's balance.
    assert fresh_chain.balance_of(CRANES, partly.token_id) == partly.leaf.amount_wh - expected[partly.token_id]


def test_claimed_leaves_are_retired_from_the_minted_balance(factory: sessionmaker[Session], issued: IssuanceBatch,
                                                            fresh_chain: ChainClient,
                                                            firm_keys: dict[str, str]) -> None:
    with factory() as session:
        first = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600, now=NOW)[0]
    with session_scope(factory) as session:
        claim_leaf(session, fresh_chain, first.leaf_id)
    assert fresh_chain.balance_of(CRANES, first.token_id) == first.leaf.amount_wh
    with (pytest.raises(RetirementError, match=f"allocation leaf {first.leaf_id} .* already claimed"),
          session_scope(factory) as session):
        claim_leaf(session, fresh_chain, first.leaf_id)
    with session_scope(factory) as session:
        retire_cranes(session, fresh_chain, firm_keys, 0.1)  # 100 000 Wh < the first leaf
    assert fresh_chain.balance_of(CRANES, first.token_id) == first.leaf.amount_wh - 100_000
    with factory() as session:
        again = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600, now=NOW)[0]
    assert (again.retired_wh, again.status) == (100_000, "active")


def test_reused_claim_reference_is_refused(factory: sessionmaker[Session], issued: IssuanceBatch,
                                           fresh_chain: ChainClient, firm_keys: dict[str, str]) -> None:
    with session_scope(factory) as session:
        retire_cranes(session, fresh_chain, firm_keys, 0.1)
    with pytest.raises(ClaimRefReusedError, match="'CBAM-1'"), session_scope(factory) as session:
        retire_cranes(session, fresh_chain, firm_keys, 0.1)
    assert len(retired_events(fresh_chain)) == 1


def test_retiring_more_than_held_is_refused_before_any_transaction(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    with factory() as session:
        leaves = session.scalars(select(AllocationLeafRow.amount_wh)
                                 .where(AllocationLeafRow.holder_address == CRANES)).all()
    held = sum(leaves)
    with (pytest.raises(InsufficientCertificatesError, match=rf"'CRANES' holds {held} Wh .* needs 1000000000 Wh"),
          session_scope(factory) as session):
        retire_cranes(session, fresh_chain, firm_keys, 1000.0)
    with factory() as session:
        assert session.scalar(select(RetirementRow)) is None
    assert retired_events(fresh_chain) == []


def test_expired_certificates_cannot_be_retired(factory: sessionmaker[Session], issued: IssuanceBatch,
                                                fresh_chain: ChainClient, firm_keys: dict[str, str]) -> None:
    # Production month March 2025 (Asia/Shanghai) + 24 months: expired from 2027-03-01T00:00+08:00.
    with (pytest.raises(InsufficientCertificatesError, match="holds 0 Wh"), session_scope(factory) as session):
        retire_cranes(session, fresh_chain, firm_keys, 0.1, now=datetime(2027, 2, 28, 16, tzinfo=UTC))
    with session_scope(factory) as session:
        retire_cranes(session, fresh_chain, firm_keys, 0.1, now=datetime(2027, 2, 28, 15, 59, tzinfo=UTC))
