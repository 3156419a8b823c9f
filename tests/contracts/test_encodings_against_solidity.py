"""Python encodings (leaves, token ids, storage accounts, BatchTree proofs) against the contract's own code.

Token ids and storage accounts are compared value for value; leaf and node encodings are checked
through what the contract accepts: proofs built by :class:`BatchTree` for trees of many shapes
(one or several plants, intervals and holders, odd counts, empty plant-intervals) must verify in
``verifyLeaf`` and ``claimLeaves``, and the off-chain verifier must reach the stored commitment.
"""

from __future__ import annotations

import pytest
from chain_scenario import GRID_S, T0
from eth_utils import keccak

from greenproof.contracts import (
    AllocationLeaf,
    BatchHeader,
    BatchTree,
    LeafRef,
    PlantIntervalCap,
    ProvenLeaf,
    decode_token_id,
    generation_commitment,
    storage_account,
    token_id,
)

pytestmark = pytest.mark.chain

TOKEN_CASES = [
    (1, 0, 1, T0, 900),
    (2, 7, 123, 0, 1),
    (2, 2**32 - 1, 2**32 - 1, 2**64 - 1, 2**32 - 1),
]


@pytest.mark.parametrize(("kind", "storage", "plant", "start", "seconds"), TOKEN_CASES)
def test_token_ids_match_solidity_and_decode(chain, kind, storage, plant, start, seconds):
    expected = token_id(plant, start, seconds, kind=kind, storage_index=storage)
    assert chain.token_id_of(plant, start, seconds, kind=kind, storage_index=storage) == expected
    fields = decode_token_id(expected)
    assert (fields.kind, fields.storage_index, fields.plant_index, fields.interval_start_s, fields.interval_s) == (
        kind, storage, plant, start, seconds)


@pytest.mark.parametrize("storage", [1, 2, 2**32 - 1])
def test_storage_accounts_match_solidity(chain, storage):
    assert chain.storage_account(storage) == storage_account(storage)


SHAPES = [  # (plants, intervals, holders per plant-interval, interval_s)
    ((1,), 1, (1,), 900),
    ((1,), 1, (3,), 900),
    ((1, 2), 3, (1, 5), 900),
    ((2, 5, 9), 5, (2, 1, 4), 1800),
    ((1, 2, 3, 4, 5), 2, (3, 3, 0, 1, 2), 3600),  # one plant without generation
]


@pytest.mark.parametrize(("plants", "intervals", "holders", "interval_s"), SHAPES)
def test_batch_tree_proofs_verify_in_the_contract(fresh_chain, anvil, plants, intervals, holders, interval_s):
    for plant in plants:
        fresh_chain.register_plant(plant, f"SHAPE-{plant}", "wind", True, 10**12, GRID_S, "X")
    leaves, caps = [], []
    for i in range(intervals):
        start = T0 + i * interval_s
        for plant, n in zip(plants, holders, strict=True):
            if not n:
                continue
            amounts = [1000 + 7 * i + h for h in range(n)]
            caps.append(PlantIntervalCap(f"SHAPE-{plant}", plant, start, interval_s, sum(amounts) + i))
            leaves += [AllocationLeaf(f"SHAPE-{plant}", plant, start, interval_s, anvil.addresses[h], a)
                       for h, a in enumerate(amounts)]
    tree = BatchTree(period_start_s=T0, interval_s=interval_s, interval_count=intervals, plants=plants, caps=caps,
                     allocations=leaves)
    batch_id, inputs = keccak(text=f"shape-{plants}-{intervals}"), keccak(text="inputs")
    fresh_chain.anchor_batch(batch_id, tree.root, inputs, tree.layout)
    header = BatchHeader(batch_id, inputs, tree.discharge_root, tree.layout)
    assert fresh_chain.batch(batch_id).commitment == tree.commitment(inputs)
    for leaf in tree.allocations[:: max(1, len(leaves) // 6)]:
        ref = LeafRef(tree.position(leaf), leaf.amount_wh)
        assert fresh_chain.verify_leaf(header, leaf.holder, ref, tree.multiproof([leaf])), leaf
    for h in {x.holder for x in leaves}:
        mine = [x for x in tree.allocations if x.holder == h]
        proven = [ProvenLeaf(tree.position(x), x.hash, x.amount_wh) for x in mine]
        assert generation_commitment(tree.layout, input_hash=inputs, discharge_root=tree.discharge_root,
                                     leaves=proven, proof=tree.multiproof(mine)) == tree.commitment(inputs)
        fresh_chain.claim_leaves(header, h, [LeafRef(tree.position(x), x.amount_wh) for x in mine],
                                 tree.multiproof(mine))
        assert all(fresh_chain.balance_of(h, x.token_id) == x.amount_wh for x in mine[:3])


def test_storage_charges_and_discharges_built_in_python_pass_the_contract(fresh_chain, anvil):
    from greenproof.contracts import DischargeLeaf, DischargeRef, discharge_commitment

    fresh_chain.register_plant(1, "WIND", "wind", True, 10**9, GRID_S, "X")
    fresh_chain.register_storage(2, "BESS", 900_000)
    account, firm = storage_account(2), anvil.addresses[1]
    charge = AllocationLeaf("WIND", 1, T0, 900, account, 50_000)
    direct = AllocationLeaf("WIND", 1, T0, 900, firm, 30_000)
    cap = PlantIntervalCap("WIND", 1, T0, 900, 80_000)
    day = BatchTree(period_start_s=T0, interval_s=900, interval_count=1, plants=[1], caps=[cap],
                    allocations=[charge, direct])
    inputs = keccak(text="charged")
    fresh_chain.anchor_batch(keccak(text="charged"), day.root, inputs, day.layout)
    header = BatchHeader(keccak(text="charged"), inputs, day.discharge_root, day.layout)
    fresh_chain.record_charges(header, 2, [LeafRef(day.position(charge), charge.amount_wh)], day.multiproof([charge]))
    assert fresh_chain.stored_wh(2, 1) == 45_000  # 50 000 Wh × 0.9
    discharges = [DischargeLeaf(2, "WIND", 1, T0, 900, firm, 20_000), DischargeLeaf(2, "WIND", 1, T0, 900,
                                                                                     anvil.addresses[2], 25_000)]
    later = BatchTree(period_start_s=T0 + 3600, interval_s=900, interval_count=1, plants=[1], caps=[], allocations=[],
                      discharges=discharges)
    fresh_chain.anchor_batch(keccak(text="discharged"), later.root, inputs, later.layout)
    d_header = BatchHeader(keccak(text="discharged"), inputs, later.generation_root, later.layout)
    for leaf in later.discharges:
        ref = DischargeRef(later.position(leaf), 2, 1, T0, 900, leaf.amount_wh)
        assert discharge_commitment(later.layout, input_hash=inputs, generation_root=later.generation_root,
                                    leaves=[ProvenLeaf(ref.position, leaf.hash)],
                                    proof=later.discharge_multiproof([leaf])) == later.commitment(inputs)
        fresh_chain.claim_discharges(d_header, leaf.holder, [ref], later.discharge_multiproof([leaf]))
        assert fresh_chain.balance_of(leaf.holder, leaf.token_id) == leaf.amount_wh
    assert fresh_chain.stored_wh(2, 1) == 0
