"""Retirement straight from leaves and from minted balances; relayed (signed) retirements and transfers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chain_scenario import PERIOD_END, T0, anchored_scenario, retirement, revert_of

from greenproof.contracts import LeafRef, sign_typed_data

pytestmark = pytest.mark.chain


def test_retiring_leaves_burns_nothing_minted_and_emits_one_claim(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    holder = anvil.addresses[1]
    leaves = sorted(s.of(holder), key=s.tree.position)
    claim = retirement("R-1")
    retire_wh = [leaf.amount_wh for leaf in leaves[:-1]] + [1_000_000]  # the last leaf only in part
    tx = s.retire(leaves, claim, retire_wh)
    events = fresh_chain.events(tx.block_number, tx.block_number)
    assert [e.name for e in events] == ["Retired", "TransferSingle"]  # the rest of the last leaf, minted
    assert events[0].args == {
        "holder": holder, "claimRef": claim.claim_ref, "batchId": s.batch_id, "ids": [x.token_id for x in leaves],
        "amountsWh": retire_wh, "beneficiary": "Binhai Steel Co.", "purpose": "EU CBAM embedded emissions",
        "periodStart": T0, "periodEnd": PERIOD_END, "shipmentRef": claim.shipment_ref,
    }
    last = leaves[-1]
    assert (events[1].args["id"], events[1].args["value"]) == (last.token_id, last.amount_wh - 1_000_000)
    assert fresh_chain.balance_of(holder, last.token_id) == last.amount_wh - 1_000_000
    assert fresh_chain.balance_of(holder, leaves[0].token_id) == 0
    assert fresh_chain.claim_ref_used(holder, claim.claim_ref)
    # the leaves are spent: neither retired nor claimed again
    assert revert_of(lambda: s.retire(leaves[:1], retirement("R-2")))[0] == "GreenCertificateLeafAlreadyClaimed"
    assert revert_of(lambda: s.claim(leaves[:1]))[0] == "GreenCertificateLeafAlreadyClaimed"


def test_retire_leaves_checks_amounts_and_the_claim(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    leaf = s.of(anvil.addresses[2])[0]
    assert revert_of(lambda: s.retire([leaf], retirement("R"), [0])) == (
        "GreenCertificateInvalidRetireAmount", (0, 0, leaf.amount_wh))
    assert revert_of(lambda: s.retire([leaf], retirement("R"), [leaf.amount_wh + 1])) == (
        "GreenCertificateInvalidRetireAmount", (0, leaf.amount_wh + 1, leaf.amount_wh))
    assert revert_of(lambda: s.retire([leaf], replace(retirement("R"), claim_ref=bytes(32)))) == (
        "GreenCertificateZeroHash", ())
    assert revert_of(lambda: s.retire([leaf], retirement("R", start=PERIOD_END, end=T0))) == (
        "GreenCertificateInvalidPeriod", (PERIOD_END, T0))
    # signed by someone else, the leaves are not theirs: the proof is for another holder
    assert revert_of(lambda: s.retire([leaf], retirement("R"), key=anvil.private_keys[7])) == (
        "GreenCertificateInvalidProof", (s.batch_id,))
    assert not fresh_chain.is_leaf_claimed(leaf.holder, leaf.plant_index, leaf.interval_start_s)


def test_minted_balances_retire_and_transfer_up_to_the_balance(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    seller = anvil.addresses[1]
    seller_key = s.holder_keys[seller]
    buyer, buyer_key = anvil.addresses[6], anvil.private_keys[6]
    leaves = sorted(s.of(seller)[:2], key=lambda x: x.token_id)
    s.claim(leaves)
    fresh_chain.transfer(buyer, leaves[0].token_id, 1_000_000, holder_key=seller_key)
    ids = [leaf.token_id for leaf in leaves]
    tx = fresh_chain.retire(ids, [400_000, 2], retirement("R-seller"), holder_key=seller_key)
    (event,) = [e for e in fresh_chain.events(tx.block_number, tx.block_number) if e.name == "Retired"]
    assert (event.args["holder"], event.args["batchId"], event.args["ids"], event.args["amountsWh"]) == (
        seller, bytes(32), ids, [400_000, 2])
    held = leaves[0].amount_wh - 1_400_000
    assert fresh_chain.balance_of(seller, ids[0]) == held
    assert revert_of(lambda: fresh_chain.retire([ids[0]], [held + 1], retirement("R-more"),
                                                holder_key=seller_key)) == (
        "GreenCertificateInsufficientBalance", (seller, ids[0], held, held + 1))
    assert revert_of(lambda: fresh_chain.retire(list(reversed(ids)), [1, 1], retirement("R-order"),
                                                holder_key=seller_key)) == (
        "GreenCertificateInvalidPosition", (1, ids[0]))
    assert revert_of(lambda: fresh_chain.retire(ids, [1], retirement("R-len"), holder_key=seller_key)) == (
        "GreenCertificateLengthMismatch", (2, 1))
    assert revert_of(lambda: fresh_chain.retire([], [], retirement("R-none"), holder_key=seller_key)) == (
        "GreenCertificateEmptyBatch", (bytes(32),))
    fresh_chain.retire([ids[0]], [1_000_000], retirement("R-buyer"), holder_key=buyer_key)
    assert fresh_chain.balance_of(buyer, ids[0]) == 0


def test_relayed_retirements_and_transfers_for_firm_held_keys(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    firm, firm_key = anvil.addresses[3], s.holder_keys[anvil.addresses[3]]
    park = fresh_chain.with_sender(anvil.private_keys[0])
    deadline = fresh_chain.chain_time() + 3600
    leaves = sorted(s.of(firm)[:3], key=s.tree.position)
    refs = [LeafRef(s.tree.position(x), x.amount_wh, x.amount_wh // 2) for x in leaves]
    claim = retirement("R-relayed")
    typed = park.retire_leaves_typed_data(firm, s.batch_id, refs, claim, deadline)
    firm_eth_before = fresh_chain.web3.eth.get_balance(firm)
    park.retire_leaves_for(s.header, firm, refs, s.tree.multiproof(leaves), claim, deadline,
                           sign_typed_data(firm_key, typed))
    assert fresh_chain.web3.eth.get_balance(firm) == firm_eth_before  # the park paid the gas
    assert fresh_chain.claim_ref_used(firm, claim.claim_ref) and fresh_chain.nonce(firm) == 1
    rest = leaves[0].amount_wh - leaves[0].amount_wh // 2
    assert fresh_chain.balance_of(firm, leaves[0].token_id) == rest
    # the minted rest: a signed retirement of balances, then a signed transfer
    typed = park.retire_typed_data(firm, [leaves[0].token_id], [rest - 10], retirement("R-rest"), deadline)
    park.retire_for(firm, [leaves[0].token_id], [rest - 10], retirement("R-rest"), deadline,
                    sign_typed_data(firm_key, typed))
    buyer = anvil.addresses[8]
    typed = park.transfer_typed_data(firm, buyer, leaves[0].token_id, 10, deadline)
    park.transfer_for(firm, buyer, leaves[0].token_id, 10, deadline, sign_typed_data(firm_key, typed))
    assert fresh_chain.balance_of(buyer, leaves[0].token_id) == 10 and fresh_chain.nonce(firm) == 3
