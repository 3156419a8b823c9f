"""Claiming anchored allocation leaves with multiproofs: minting, events, once-only use and every refusal."""

from __future__ import annotations

from dataclasses import replace

import pytest
from chain_scenario import INPUTS, INTERVAL_S, PV_INDEX, T0, anchored_scenario, revert_of
from eth_utils import keccak

from greenproof.contracts import BatchHeader, LeafRef

pytestmark = pytest.mark.chain


def test_claim_mints_a_holders_leaves_once_in_one_transaction(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    holder = anvil.addresses[2]
    leaves = s.of(holder)
    assert len(leaves) == 8  # 2 plants × 4 intervals
    tx = s.claim(leaves)
    for leaf in leaves:
        assert fresh_chain.balance_of(holder, leaf.token_id) == leaf.amount_wh
        assert fresh_chain.is_leaf_claimed(holder, leaf.plant_index, leaf.interval_start_s)
    assert not fresh_chain.is_leaf_claimed(anvil.addresses[1], PV_INDEX, T0)
    events = fresh_chain.events(tx.block_number, tx.block_number)
    assert [e.name for e in events] == ["LeavesClaimed", "TransferBatch"]
    by_position = sorted(leaves, key=s.tree.position)
    assert events[0].args == {"batchId": s.batch_id, "holder": holder, "ids": [x.token_id for x in by_position],
                              "amountsWh": [x.amount_wh for x in by_position]}
    assert revert_of(lambda: s.claim(leaves[:1])) == (
        "GreenCertificateLeafAlreadyClaimed", (holder, leaves[0].plant_index, leaves[0].interval_start_s))


def test_anyone_may_send_a_claim_but_the_leaves_go_to_their_holder(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    holder = anvil.addresses[3]
    leaf = s.of(holder)[0]
    stranger = fresh_chain.with_sender(anvil.private_keys[9])
    stranger.claim_leaves(s.header, holder, s.refs([leaf], retire=False), s.tree.multiproof([leaf]))
    assert fresh_chain.balance_of(holder, leaf.token_id) == leaf.amount_wh
    assert fresh_chain.balance_of(anvil.addresses[9], leaf.token_id) == 0
    # claiming it for someone else changes the leaf: it is not under the root
    other = s.of(anvil.addresses[1])[0]
    assert revert_of(lambda: stranger.claim_leaves(s.header, anvil.addresses[9], s.refs([other], retire=False),
                                                   s.tree.multiproof([other]))) == (
        "GreenCertificateInvalidProof", (s.batch_id,))


def test_altered_leaves_proofs_and_headers_are_refused(fresh_chain, anvil):
    s = anchored_scenario(fresh_chain, anvil)
    holder = anvil.addresses[1]
    leaves = s.of(holder)[:3]
    refs, proof = s.refs(leaves, retire=False), s.tree.multiproof(leaves)
    invalid = ("GreenCertificateInvalidProof", (s.batch_id,))

    def claim(header=s.header, refs=refs, proof=proof):
        return fresh_chain.claim_leaves(header, holder, refs, proof)

    assert revert_of(lambda: claim(refs=[replace(refs[0], amount_wh=refs[0].amount_wh - 1), *refs[1:]])) == invalid
    assert revert_of(lambda: claim(refs=[replace(refs[0], amount_wh=refs[0].amount_wh + 1), *refs[1:]]))[0] == (
        "GreenCertificateAllocationsAboveCap")  # the caps here are exactly the sums
    assert revert_of(lambda: claim(proof=[proof[0][:-1] + b"\x01", *proof[1:]])) == invalid
    assert revert_of(lambda: claim(header=replace(s.header, input_hash=keccak(text="other")))) == invalid
    assert revert_of(lambda: claim(header=replace(s.header, sibling_root=keccak(text="other")))) == invalid
    assert revert_of(lambda: claim(refs=list(reversed(refs)))) == (
        "GreenCertificateInvalidPosition", (1, refs[1].position))
    assert revert_of(lambda: claim(refs=[refs[0], refs[0]])) == (
        "GreenCertificateInvalidPosition", (1, refs[0].position))
    assert revert_of(lambda: claim(proof=proof[:-1])) == (
        "GreenCertificateMalformedProof", (s.batch_id, len(proof) - 1))
    assert revert_of(lambda: claim(proof=[*proof, bytes(32)])) == (
        "GreenCertificateMalformedProof", (s.batch_id, len(proof) + 1))
    beyond = 4 << 1 << s.tree.layout.slot_bits  # interval index 4 of a 4-interval batch
    assert revert_of(lambda: claim(refs=[LeafRef(beyond, 1)])) == ("GreenCertificateInvalidPosition", (0, beyond >> 2))
    assert revert_of(lambda: claim(refs=[replace(refs[0], amount_wh=0)])) == ("GreenCertificateInvalidAmount", (0, 0))
    assert revert_of(lambda: claim(refs=[replace(refs[0], amount_wh=2**64)])) == (
        "GreenCertificateInvalidAmount", (0, 2**64))
    assert revert_of(lambda: claim(refs=[])) == ("GreenCertificateEmptyBatch", (s.batch_id,))
    unknown = keccak(text="never anchored")
    assert revert_of(lambda: claim(header=BatchHeader(unknown, INPUTS, bytes(32), s.tree.layout))) == (
        "GreenCertificateUnknownBatch", (unknown,))
    # one plant fewer: the tree is one level shallower, so the proof is read out of step and runs long
    assert revert_of(lambda: claim(header=replace(s.header, layout=replace(s.tree.layout, plants=(PV_INDEX,))))) == (
        "GreenCertificateMalformedProof", (s.batch_id, len(proof)))
    claim()  # the untouched claim still works


def test_contract_and_off_chain_verifier_agree_on_leaves(fresh_chain, anvil):
    from greenproof.contracts import ProvenLeaf, generation_commitment

    s = anchored_scenario(fresh_chain, anvil)
    stored = fresh_chain.batch(s.batch_id).commitment
    for holder in anvil.addresses[1:4]:
        leaves = sorted(s.of(holder)[:5], key=s.tree.position)
        proven = [ProvenLeaf(s.tree.position(x), x.hash, x.amount_wh) for x in leaves]
        assert generation_commitment(s.tree.layout, input_hash=INPUTS, discharge_root=s.tree.discharge_root,
                                     leaves=proven, proof=s.tree.multiproof(leaves)) == stored
        for leaf in leaves:
            ref = LeafRef(s.tree.position(leaf), leaf.amount_wh)
            assert fresh_chain.verify_leaf(s.header, holder, ref, s.tree.multiproof([leaf]))
            assert not fresh_chain.verify_leaf(s.header, anvil.addresses[9], ref, s.tree.multiproof([leaf]))
    assert s.tree.layout.interval_s == INTERVAL_S
