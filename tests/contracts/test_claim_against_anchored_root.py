"""Claiming anchored allocation leaves: minting, the cap, and every claim revert path (real Anvil)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chain_scenario import (
    COAL,
    INTERVAL_S,
    PERIOD_END,
    PV,
    PV_CAPACITY_W,
    T0,
    WIND,
    anchor_tree,
    anchored_scenario,
    register_plants,
)
from eth_utils import keccak

from greenproof.contracts import AllocationLeaf, CapLeaf, ContractRevertError, leaf_hash, plant_key

pytestmark = pytest.mark.chain


def test_claim_mints_the_leaf_to_its_holder_once(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    leaf = s.leaves[4]
    before = fresh_chain.web3.eth.block_number
    s.claim(leaf)
    assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == leaf.amount_wh
    assert fresh_chain.minted(leaf.token_id) == leaf.amount_wh
    assert fresh_chain.is_leaf_claimed(leaf)
    assert not fresh_chain.is_leaf_claimed(s.leaves[5])
    events = fresh_chain.events(from_block=before + 1)
    assert [e.name for e in events] == ["LeafClaimed", "TransferSingle"]
    assert events[0].args == {"batchId": s.batch_id, "leafHash": leaf_hash(leaf), "holder": leaf.holder,
                              "tokenId": leaf.token_id, "amountWh": leaf.amount_wh}
    assert events[1].args == {"operator": fresh_chain.sender, "from": "0x" + "0" * 40, "to": leaf.holder,
                              "id": leaf.token_id, "value": leaf.amount_wh}
    with pytest.raises(ContractRevertError) as err:
        s.claim(leaf)
    assert (err.value.name, err.value.error_args) == (
        "GreenCertificateLeafAlreadyClaimed", (s.batch_id, leaf_hash(leaf)))


def test_claiming_exactly_the_cap_succeeds_and_one_wh_more_reverts(fresh_chain, anvil):
    register_plants(fresh_chain)
    a, b, c = anvil.addresses[1:4]
    first = AllocationLeaf(PV, T0, INTERVAL_S, a, 600)
    second = AllocationLeaf(PV, T0, INTERVAL_S, b, 400)
    one_more = AllocationLeaf(PV, T0, INTERVAL_S, c, 1)  # a faulty root whose leaves exceed the cap by 1 Wh
    cap = CapLeaf(PV, T0, INTERVAL_S, 1000)
    batch_id, tree = anchor_tree(fresh_chain, "cap", [first, second, one_more, cap], [PV])
    for leaf in (first, second):
        fresh_chain.claim(batch_id, leaf, tree.proof(leaf_hash(leaf)), cap, tree.proof(leaf_hash(cap)))
    assert fresh_chain.minted(cap.token_id) == 1000
    with pytest.raises(ContractRevertError) as err:
        fresh_chain.claim(batch_id, one_more, tree.proof(leaf_hash(one_more)), cap, tree.proof(leaf_hash(cap)))
    assert (err.value.name, err.value.error_args) == ("GreenCertificateAmountAboveCap", (cap.token_id, 1001, 1000))


def _claim_error(chain, batch_id, tree, leaf, cap):
    with pytest.raises(ContractRevertError) as err:
        chain.claim(batch_id, leaf, tree.proof(leaf_hash(leaf)), cap, tree.proof(leaf_hash(cap)))
    return err.value.name, err.value.error_args


def test_claim_against_an_unknown_batch_reverts(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    leaf = s.leaves[0]
    cap = s.cap_of(leaf)
    unknown = keccak(text="never anchored")
    with pytest.raises(ContractRevertError) as err:
        fresh_chain.claim(unknown, leaf, s.proof(leaf), cap, s.proof(cap))
    assert (err.value.name, err.value.error_args) == ("GreenCertificateUnknownBatch", (unknown,))


def test_tampered_leaf_or_cap_fails_its_proof(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    leaf = s.leaves[0]
    cap = s.cap_of(leaf)
    inflated = replace(leaf, amount_wh=leaf.amount_wh + 1)
    with pytest.raises(ContractRevertError) as err:
        fresh_chain.claim(s.batch_id, inflated, s.proof(leaf), cap, s.proof(cap))
    assert (err.value.name, err.value.error_args) == (
        "GreenCertificateInvalidLeafProof", (s.batch_id, leaf_hash(inflated)))
    with pytest.raises(ContractRevertError) as err:
        fresh_chain.claim(s.batch_id, leaf, s.proof(leaf), replace(cap, cap_wh=cap.cap_wh + 1), s.proof(cap))
    assert (err.value.name, err.value.error_args) == (
        "GreenCertificateInvalidCapProof", (s.batch_id, leaf.token_id, cap.cap_wh + 1))
    # an allocation leaf never passes for a cap leaf (tags 1 and 2), even with equal numbers
    with pytest.raises(ContractRevertError) as err:
        fresh_chain.claim(s.batch_id, leaf, s.proof(leaf), replace(cap, cap_wh=leaf.amount_wh), s.proof(leaf))
    assert err.value.name == "GreenCertificateInvalidCapProof"


def test_cap_above_capacity_times_duration_reverts(fresh_chain, anvil):
    register_plants(fresh_chain)
    max_wh = PV_CAPACITY_W * INTERVAL_S // 3600  # 147 MW × 0.25 h = 36.75 MWh
    leaf = AllocationLeaf(PV, T0, INTERVAL_S, anvil.addresses[1], 10)
    cap = CapLeaf(PV, T0, INTERVAL_S, max_wh + 1)
    batch_id, tree = anchor_tree(fresh_chain, "capacity", [leaf, cap], [PV])
    assert _claim_error(fresh_chain, batch_id, tree, leaf, cap) == (
        "GreenCertificateCapAboveCapacity", (plant_key(PV), max_wh + 1, max_wh))


def test_zero_amount_leaf_reverts(fresh_chain, anvil):
    register_plants(fresh_chain)
    leaf = AllocationLeaf(PV, T0, INTERVAL_S, anvil.addresses[1], 0)
    cap = CapLeaf(PV, T0, INTERVAL_S, 10)
    batch_id, tree = anchor_tree(fresh_chain, "zero", [leaf, cap], [PV])
    assert _claim_error(fresh_chain, batch_id, tree, leaf, cap) == ("GreenCertificateZeroAmount", ())


def test_interval_outside_the_batch_period_reverts(fresh_chain, anvil):
    register_plants(fresh_chain)
    late = AllocationLeaf(PV, PERIOD_END, INTERVAL_S, anvil.addresses[1], 10)
    straddling = AllocationLeaf(PV, PERIOD_END - INTERVAL_S, 2 * INTERVAL_S, anvil.addresses[1], 10)
    caps = [CapLeaf(x.plant_code, x.interval_start_s, x.interval_s, 10) for x in (late, straddling)]
    batch_id, tree = anchor_tree(fresh_chain, "outside", [late, straddling, *caps], [PV])
    for leaf, cap in zip((late, straddling), caps, strict=True):
        assert _claim_error(fresh_chain, batch_id, tree, leaf, cap) == (
            "GreenCertificateIntervalOutsidePeriod", (batch_id, leaf.interval_start_s, leaf.interval_s))


def test_plant_outside_the_batch_or_unregistered_reverts(fresh_chain, anvil):
    register_plants(fresh_chain)
    wind = AllocationLeaf(WIND, T0, INTERVAL_S, anvil.addresses[1], 10)  # registered, not in the batch
    ghost = AllocationLeaf("BH-NOT-REGISTERED", T0, INTERVAL_S, anvil.addresses[1], 10)
    coal = AllocationLeaf(COAL, T0, INTERVAL_S, anvil.addresses[1], 10)
    caps = [CapLeaf(x.plant_code, T0, INTERVAL_S, 10) for x in (wind, ghost, coal)]
    batch_id, tree = anchor_tree(fresh_chain, "plants", [wind, ghost, coal, *caps], [PV])
    assert _claim_error(fresh_chain, batch_id, tree, wind, caps[0]) == (
        "GreenCertificatePlantNotInBatch", (batch_id, plant_key(WIND)))
    assert _claim_error(fresh_chain, batch_id, tree, ghost, caps[1]) == (
        "GreenCertificateUnknownPlant", (plant_key("BH-NOT-REGISTERED"),))
    assert _claim_error(fresh_chain, batch_id, tree, coal, caps[2]) == (
        "GreenCertificatePlantNotInBatch", (batch_id, plant_key(COAL)))
