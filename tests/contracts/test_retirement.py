"""Retirement: burn, retired balance, the claim event, once-only claim references (real Anvil)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chain_scenario import PERIOD_END, T0, anchored_scenario, retirement

from greenproof.contracts import ContractRevertError

pytestmark = pytest.mark.chain


def _error(action):
    with pytest.raises(ContractRevertError) as err:
        action()
    return err.value.name, err.value.error_args


def test_retire_with_proof_burns_records_and_emits_the_claim(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    leaf = s.leaves[0]
    claim = retirement("R-1")
    tx = s.retire_with_proof(leaf, 3_000_000, claim)
    remainder = leaf.amount_wh - 3_000_000
    assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == remainder
    assert fresh_chain.retired_balance(leaf.token_id, leaf.holder) == 3_000_000
    assert fresh_chain.minted(leaf.token_id) == leaf.amount_wh
    assert fresh_chain.is_leaf_claimed(leaf) and fresh_chain.claim_ref_used(claim.claim_ref)
    events = fresh_chain.events(tx.block_number, tx.block_number)
    assert [e.name for e in events] == ["LeafClaimed", "TransferSingle", "TransferSingle", "Retired"]
    assert (events[2].args["from"], events[2].args["to"], events[2].args["value"]) == (
        leaf.holder, "0x" + "0" * 40, 3_000_000)
    assert events[3].args == {
        "holder": leaf.holder, "id": leaf.token_id, "claimRef": claim.claim_ref, "amountWh": 3_000_000,
        "beneficiary": "Binhai Steel Co.", "purpose": "EU CBAM embedded emissions", "periodStart": T0,
        "periodEnd": PERIOD_END, "shipmentRef": claim.shipment_ref,
    }
    # the claim reference is spent, and the leaf too
    assert _error(lambda: fresh_chain.retire(leaf.token_id, 1, claim, holder_key=s.holder_keys[leaf.holder])) == (
        "GreenCertificateClaimRefUsed", (claim.claim_ref,))
    assert _error(lambda: s.retire_with_proof(leaf, 1, retirement("R-2")))[0] == "GreenCertificateLeafAlreadyClaimed"


def test_transferred_certificates_are_retired_by_the_receiver_only_up_to_its_balance(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    leaf = s.leaves[0]
    seller_key = s.holder_keys[leaf.holder]
    buyer, buyer_key = anvil.addresses[6], anvil.private_keys[6]
    s.claim(leaf)
    fresh_chain.transfer(buyer, leaf.token_id, 1_000_000, holder_key=seller_key)
    assert fresh_chain.balance_of(buyer, leaf.token_id) == 1_000_000
    assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == leaf.amount_wh - 1_000_000
    fresh_chain.retire(leaf.token_id, 1_000_000, retirement("R-buyer"), holder_key=buyer_key)
    assert fresh_chain.retired_balance(leaf.token_id, buyer) == 1_000_000
    assert fresh_chain.balance_of(buyer, leaf.token_id) == 0
    # retired certificates are gone: retiring them again fails on the balance
    assert _error(lambda: fresh_chain.retire(leaf.token_id, 1, retirement("R-again"), holder_key=buyer_key)) == (
        "GreenCertificateInsufficientBalance", (buyer, leaf.token_id, 0, 1))
    held = leaf.amount_wh - 1_000_000
    assert _error(lambda: fresh_chain.retire(leaf.token_id, held + 1, retirement("R-more"),
                                             holder_key=seller_key)) == (
        "GreenCertificateInsufficientBalance", (leaf.holder, leaf.token_id, held, held + 1))


def test_retire_with_proof_checks_sender_amount_and_claim(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    leaf = s.leaves[1]
    other_key, other = anvil.private_keys[7], anvil.addresses[7]
    assert _error(lambda: s.retire_with_proof(leaf, 1, retirement("R-x"), key=other_key)) == (
        "GreenCertificateSenderNotHolder", (other, leaf.holder))
    assert _error(lambda: s.retire_with_proof(leaf, leaf.amount_wh + 1, retirement("R-x"))) == (
        "GreenCertificateInsufficientBalance", (leaf.holder, leaf.token_id, leaf.amount_wh, leaf.amount_wh + 1))
    assert _error(lambda: s.retire_with_proof(leaf, 0, retirement("R-x"))) == ("GreenCertificateZeroAmount", ())
    assert _error(lambda: s.retire_with_proof(leaf, 1, replace(retirement("R-x"), claim_ref=bytes(32)))) == (
        "GreenCertificateZeroHash", ())
    assert _error(lambda: s.retire_with_proof(leaf, 1, retirement("R-x", start=PERIOD_END, end=T0))) == (
        "GreenCertificateInvalidPeriod", (PERIOD_END, T0))
    assert not fresh_chain.is_leaf_claimed(leaf)
    s.retire_with_proof(leaf, leaf.amount_wh, retirement("R-x"))
    assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == 0
    assert fresh_chain.retired_balance(leaf.token_id, leaf.holder) == leaf.amount_wh
