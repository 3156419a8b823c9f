"""Claims and shipment retirements on a real Anvil: amounts, order, refusals, and what the chain records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ledger_park import FIRM_ADDRESSES
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from conftest import T0
from greenproof.contracts.client import ChainClient
from greenproof.contracts.records import RetirementClaim
from greenproof.ledger.authorisation import KeySigner
from greenproof.ledger.batches import load_leaf_file
from greenproof.ledger.database import session_scope
from greenproof.ledger.errors import ClaimRefReusedError, InsufficientCertificatesError, RetirementError
from greenproof.ledger.holdings import holdings
from greenproof.ledger.models import AllocationLeafRow, ClaimRow, IssuanceBatch, RetirementLine, RetirementRow
from greenproof.ledger.reconcile import reconcile
from greenproof.ledger.retirements import Shipment, claim_leaf, part_claim_ref, retire

pytestmark = pytest.mark.chain

CRANES = FIRM_ADDRESSES["CRANES"]
NOW = datetime(2025, 4, 1, tzinfo=UTC)


def shipment(mwh: float) -> Shipment:
    return Shipment("BL-2025-0042", "wind turbine blades", 3, "pcs", "Rotterdam", mwh)


def retire_cranes(factory: sessionmaker[Session], chain: ChainClient, keys: dict[str, str], mwh: float,
                  ref: str = "CBAM-1", now: datetime = NOW) -> RetirementRow:
    return retire(factory, chain, firm_code="CRANES", claim_ref=ref, shipment=shipment(mwh),
                  beneficiary="Binhai Port terminal cranes", purpose="EU CBAM", period_start_s=T0,
                  period_end_s=T0 + 3600, holder_key=keys["CRANES"], now=now)


def retired_events(chain: ChainClient) -> list:
    return [e for e in chain.events() if e.name == "Retired"]


def test_retirement_takes_the_embedded_wh_oldest_first_in_one_transaction(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    with factory() as session:
        held = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600, now=NOW)
    # Independent expectation: walk the holdings oldest first until 1.5 MWh = 1 500 000 Wh are covered.
    need, expected = 1_500_000, {}
    for h in held:
        take = min(need, h.leaf.amount_wh)
        if take:
            expected[h.token_id] = take
        need -= take
    row = retire_cranes(factory, fresh_chain, firm_keys, 1.5)
    assert row.state == "confirmed" and row.amount_wh == 1_500_000
    assert len({line.tx_hash for line in row.lines}) == 1  # one batch: one transaction
    (event,) = retired_events(fresh_chain)
    assert dict(zip(event.args["ids"], event.args["amountsWh"], strict=True)) == expected
    assert event.args["claimRef"] == part_claim_ref(CRANES, "BL-2025-0042", issued.batch_id)
    assert (event.args["holder"], event.args["purpose"], event.args["batchId"].hex()) == (
        CRANES, "EU CBAM", issued.batch_id.removeprefix("0x"))
    partly = next(h for h in held if h.token_id == list(expected)[-1])
    # the part of the last leaf that was not retired is minted to the firm
    assert fresh_chain.balance_of(CRANES, partly.token_id) == partly.leaf.amount_wh - expected[partly.token_id]
    assert all(fresh_chain.balance_of(CRANES, token) == 0 for token in list(expected)[:-1])


def forget_the_receipts(factory: sessionmaker[Session]) -> None:
    """Put the DB back where a run killed after sending, before any receipt, left it."""
    with session_scope(factory) as session:
        session.execute(update(RetirementLine).values(block_number=None))
        session.execute(update(RetirementRow).values(state="pending"))
        session.execute(delete(ClaimRow))


def test_a_rerun_after_a_crash_adopts_its_own_retirement_and_only_that(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    retire_cranes(factory, fresh_chain, firm_keys, 0.5, ref="CBAM-first-run")
    (sent,) = retired_events(fresh_chain)
    forget_the_receipts(factory)
    with factory() as session:
        session.execute(update(RetirementLine).values(tx_hash="0x" + "ee" * 32))  # a hash the chain never included
        session.commit()
    row = retire_cranes(factory, fresh_chain, firm_keys, 0.5, ref="CBAM-first-run")  # the rerun resumes the intent
    assert row.state == "confirmed"
    assert {(line.tx_hash, line.block_number) for line in row.lines} == {(sent.tx_hash, sent.block_number)}
    assert len(retired_events(fresh_chain)) == 1  # nothing burnt twice
    with factory() as session:
        assert reconcile(session, fresh_chain) == []
    # the same shipment asking for more: the chain's retirement under its reference is not this one
    with factory() as session:
        session.execute(delete(RetirementLine))
        session.execute(delete(RetirementRow))
        session.execute(delete(ClaimRow))
        session.commit()
    with pytest.raises(RetirementError, match=r"already used claim reference 0x[0-9a-f]{64} on-chain .* for other "
                                              r"certificates"):
        retire_cranes(factory, fresh_chain, firm_keys, 0.6, ref="CBAM-more")
    assert len(retired_events(fresh_chain)) == 1


def test_a_part_the_chain_refuses_releases_its_reservation(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    with factory() as session:
        file = load_leaf_file(session, issued.batch_id)
        first = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600, now=NOW)[0]
    # someone claims the firm's oldest leaf behind the ledger's back: the ledger still counts it unclaimed
    fresh_chain.claim_leaves(file.header, CRANES, file.leaf_refs([first.leaf]), file.proof([first.leaf]))
    with pytest.raises(RetirementError, match=r"refused part 0x[0-9a-f]{64} \(contract reverted: "
                                              r"GreenCertificateLeafAlreadyClaimed.*released the 100000 Wh .* nothing "
                                              r"was retired"):
        retire_cranes(factory, fresh_chain, firm_keys, 0.1)
    with factory() as session:
        assert session.scalars(select(RetirementRow.state)).all() == ["failed"]
        assert session.scalars(select(RetirementLine)).all() == []
        again = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600, now=NOW)[0]
    assert (again.leaf_id, again.retired_wh) == (first.leaf_id, 0)  # nothing stays reserved
    assert retired_events(fresh_chain) == []


def test_someone_elses_retirement_under_the_firms_reference_is_never_adopted(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    lng = FIRM_ADDRESSES["LNG"]
    squatted = part_claim_ref(CRANES, "BL-2025-0042", issued.batch_id)  # predictable from the shipment
    with factory() as session:
        file = load_leaf_file(session, issued.batch_id)
    bait = next(leaf for leaf in file.allocation_leaves if leaf.holder == lng)
    fresh_chain.retire_leaves(file.header, file.leaf_refs([bait], [1]), file.proof([bait]),
                              RetirementClaim(squatted, "squatter", "squat", T0, T0 + 3600),
                              holder_key=firm_keys["LNG"])
    row = retire_cranes(factory, fresh_chain, firm_keys, 0.2)
    tx = row.lines[0].tx_hash
    events = retired_events(fresh_chain)
    assert [(e.args["holder"], e.args["claimRef"]) for e in events] == [(lng, squatted), (CRANES, squatted)]
    assert tx == events[1].tx_hash != events[0].tx_hash


def test_a_firm_held_key_signs_and_the_park_relays_and_pays(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    eth_before = fresh_chain.web3.eth.get_balance(CRANES)
    row = retire(factory, fresh_chain, firm_code="CRANES", claim_ref="CBAM-signed", shipment=shipment(1.5),
                 beneficiary="Binhai Port terminal cranes", purpose="EU CBAM", period_start_s=T0,
                 period_end_s=T0 + 3600, signer=KeySigner(firm_keys["CRANES"]))
    assert row.state == "confirmed"
    (event,) = retired_events(fresh_chain)
    assert event.args["holder"] == CRANES and sum(event.args["amountsWh"]) == 1_500_000
    assert fresh_chain.web3.eth.get_balance(CRANES) == eth_before
    assert fresh_chain.nonce(CRANES) == 1
    with pytest.raises(RetirementError, match="not at"):
        retire(factory, fresh_chain, firm_code="CRANES", claim_ref="CBAM-wrong-key", shipment=shipment(0.1),
               beneficiary="x", purpose="x", period_start_s=T0, period_end_s=T0 + 3600,
               signer=KeySigner(firm_keys["LNG"]))


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
    retire_cranes(factory, fresh_chain, firm_keys, 0.1)  # 100 000 Wh < the first leaf
    assert fresh_chain.balance_of(CRANES, first.token_id) == first.leaf.amount_wh - 100_000
    with factory() as session:
        again = holdings(session, CRANES, period_start_s=T0, period_end_s=T0 + 3600, now=NOW)[0]
    assert (again.retired_wh, again.status) == (100_000, "active")


def test_reused_claim_reference_is_refused(factory: sessionmaker[Session], issued: IssuanceBatch,
                                           fresh_chain: ChainClient, firm_keys: dict[str, str]) -> None:
    retire_cranes(factory, fresh_chain, firm_keys, 0.1)
    with pytest.raises(ClaimRefReusedError, match="'CBAM-1'"):
        retire_cranes(factory, fresh_chain, firm_keys, 0.1)
    assert len(retired_events(fresh_chain)) == 1


def test_retiring_more_than_held_is_refused_before_any_transaction(
        factory: sessionmaker[Session], issued: IssuanceBatch, fresh_chain: ChainClient,
        firm_keys: dict[str, str]) -> None:
    with factory() as session:
        leaves = session.scalars(select(AllocationLeafRow.amount_wh)
                                 .where(AllocationLeafRow.holder_address == CRANES)).all()
    held = sum(leaves)
    with pytest.raises(InsufficientCertificatesError, match=rf"'CRANES' holds {held} Wh .* needs 1000000000 Wh"):
        retire_cranes(factory, fresh_chain, firm_keys, 1000.0)
    with factory() as session:
        assert session.scalar(select(RetirementRow)) is None
    assert retired_events(fresh_chain) == []


def test_expired_certificates_cannot_be_retired(factory: sessionmaker[Session], issued: IssuanceBatch,
                                                fresh_chain: ChainClient, firm_keys: dict[str, str]) -> None:
    # Production month March 2025 (Asia/Shanghai) + 24 months: expired from 2027-03-01T00:00+08:00.
    with pytest.raises(InsufficientCertificatesError, match="holds 0 Wh"):
        retire_cranes(factory, fresh_chain, firm_keys, 0.1, now=datetime(2027, 2, 28, 16, tzinfo=UTC))
    retire_cranes(factory, fresh_chain, firm_keys, 0.1, now=datetime(2027, 2, 28, 15, 59, tzinfo=UTC))
