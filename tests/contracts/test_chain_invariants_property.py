"""Property test against a real Anvil: random batches and random claim/retire sequences keep the chain's invariants.

Each example registers two small plants, builds batches of random shape (interval 15 or 30 min,
2–4 intervals, random caps and holders) for a few days, anchors them in a random order, then runs
a random sequence of claims, full and partial retirements and relayed retirements — some of them
on leaves already used. Checked from the chain's own events and views, against a plain model:

- every grid step of every anchored day is issued, whatever the order the days came in;
- a leaf is used once: reusing one reverts ``GreenCertificateLeafAlreadyClaimed`` naming it;
- Σ certified (minted + retired straight from leaves) of each plant-interval ≤ its cap ≤
  capacity × interval, and of each plant in each clock hour ≤ capacity × 1 h;
- retired ≤ issued for every token;
- once a production month's certificates expire, none of them moves or retires.

Examples are bounded (the CI profile of tests/conftest.py derandomizes them).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from chain_scenario import revert_of, set_chain_time
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenproof.contracts import (
    AllocationLeaf,
    BatchHeader,
    BatchTree,
    LeafRef,
    PlantIntervalCap,
    RetirementClaim,
    decode_token_id,
    sign_typed_data,
)

pytestmark = pytest.mark.chain

T0 = 1_738_368_000  # 2025-02-01T00:00:00Z
DAY = 86_400
PLANTS = {11: 3_600, 12: 8_000}  # plant index -> capacity W (900..2,000 Wh per 15 min)
INPUTS = keccak(text="property inputs")


@st.composite
def batches(draw: st.DrawFn, holders: list[str]) -> list[BatchTree]:
    trees = []
    for day in range(draw(st.integers(1, 3))):
        interval_s = draw(st.sampled_from([900, 1800]))
        count = draw(st.integers(2, 4))
        start = T0 + day * DAY + draw(st.integers(0, 8)) * 1800
        caps, leaves = [], []
        for i in range(count):
            for plant, capacity_w in PLANTS.items():
                max_wh = capacity_w * interval_s // 3600
                cap = draw(st.integers(1, max_wh))
                chosen = draw(st.lists(st.sampled_from(holders), min_size=1, max_size=len(holders), unique=True))
                weights = [draw(st.integers(1, 5)) for _ in chosen]
                slack = draw(st.integers(0, cap // 4))
                amounts = [(cap - slack) * w // sum(weights) for w in weights]
                caps.append(PlantIntervalCap(f"P{plant}", plant, start + i * interval_s, interval_s, cap))
                leaves += [AllocationLeaf(f"P{plant}", plant, start + i * interval_s, interval_s, h, a)
                           for h, a in zip(chosen, amounts, strict=True) if a > 0]
        trees.append(BatchTree(period_start_s=start, interval_s=interval_s, interval_count=count, plants=list(PLANTS),
                               caps=caps, allocations=leaves))
    return trees


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_batches_and_claim_sequences_keep_the_chains_invariants(chain, anvil, data):
    holders, keys = anvil.addresses[10:14], dict(zip(anvil.addresses[10:14], anvil.private_keys[10:14], strict=True))
    with chain.snapshot():
        for plant, capacity_w in PLANTS.items():
            chain.register_plant(plant, f"P{plant}", "wind", True, capacity_w, 900, "XX")
        trees = data.draw(batches(holders))
        order = data.draw(st.permutations(range(len(trees))))
        for n in order:
            chain.anchor_batch(keccak(text=f"batch-{n}"), trees[n].root, INPUTS, trees[n].layout)
        for tree in trees:
            for plant in PLANTS:
                for step in range(tree.layout.period_start_s, tree.layout.period_end_s, 900):
                    assert chain.is_issued(plant, step)

        used: set[tuple[str, int, int]] = set()
        for _ in range(data.draw(st.integers(3, 8))):
            n = data.draw(st.integers(0, len(trees) - 1))
            tree, holder = trees[n], data.draw(st.sampled_from(holders))
            mine = [x for x in tree.allocations if x.holder == holder]
            if not mine:
                continue
            chosen = sorted(data.draw(st.lists(st.sampled_from(mine), min_size=1, max_size=4, unique=True)),
                            key=tree.position)
            action = data.draw(st.sampled_from(["claim", "retire", "partial", "relayed"]))
            header = BatchHeader(keccak(text=f"batch-{n}"), INPUTS, tree.discharge_root, tree.layout)
            claim = RetirementClaim(keccak(text=f"ref-{len(used)}-{action}-{n}"), "Firm", "test",
                                    tree.layout.period_start_s, tree.layout.period_end_s)
            retire = {"claim": lambda wh: 0, "partial": lambda wh: max(1, wh // 2)}.get(action, lambda wh: wh)
            refs = [LeafRef(tree.position(x), x.amount_wh, retire(x.amount_wh)) for x in chosen]
            proof = tree.multiproof(chosen)

            def act(action=action, header=header, holder=holder, refs=refs, proof=proof, claim=claim):
                if action == "claim":
                    return chain.claim_leaves(header, holder, refs, proof)
                if action == "relayed":
                    deadline = chain.chain_time() + 600
                    typed = chain.retire_leaves_typed_data(holder, header.batch_id, refs, claim, deadline)
                    return chain.retire_leaves_for(header, holder, refs, proof, claim, deadline,
                                                   sign_typed_data(keys[holder], typed))
                return chain.retire_leaves(header, refs, proof, claim, holder_key=keys[holder])

            reused = [x for x in chosen if (x.holder, x.plant_index, x.interval_start_s) in used]
            if reused:
                assert revert_of(act) == ("GreenCertificateLeafAlreadyClaimed",
                                          (holder, reused[0].plant_index, reused[0].interval_start_s))
            else:
                act()
                used.update((x.holder, x.plant_index, x.interval_start_s) for x in chosen)

        certified: defaultdict[int, int] = defaultdict(int)
        retired: defaultdict[int, int] = defaultdict(int)
        issued: defaultdict[int, int] = defaultdict(int)
        minted_tokens = set()
        for event in chain.events():
            if event.name == "TransferSingle" and int(event.args["from"], 16) == 0:
                certified[event.args["id"]] += event.args["value"]
                issued[event.args["id"]] += event.args["value"]
                minted_tokens.add((event.args["to"], event.args["id"]))
            elif event.name == "TransferBatch" and int(event.args["from"], 16) == 0:
                for token, value in zip(event.args["ids"], event.args["values"], strict=True):
                    certified[token] += value
                    issued[token] += value
                    minted_tokens.add((event.args["to"], token))
            elif event.name == "Retired":
                for token, value in zip(event.args["ids"], event.args["amountsWh"], strict=True):
                    retired[token] += value
                    if event.args["batchId"] != bytes(32):
                        certified[token] += value
                        issued[token] += value
        caps = {cap.token_id: cap for tree in trees for cap in tree.caps}
        per_hour: defaultdict[tuple[int, int], int] = defaultdict(int)
        for token, wh in certified.items():
            fields = decode_token_id(token)
            cap = caps[token]
            assert wh <= cap.cap_wh <= PLANTS[fields.plant_index] * fields.interval_s // 3600
            per_hour[(fields.plant_index, fields.interval_start_s // 3600)] += wh
        for (plant, _hour), wh in per_hour.items():
            assert wh <= PLANTS[plant]  # capacity W × 1 h
        for token, wh in retired.items():
            assert wh <= issued[token]

        expiry = chain.expires_at(T0)
        set_chain_time(chain, expiry)
        for holder, token in sorted(minted_tokens)[:3]:
            if chain.balance_of(holder, token):
                at = chain.expires_at(decode_token_id(token).interval_start_s)
                expired = ("GreenCertificateExpired", (token, at))
                assert revert_of(lambda h=holder, t=token: chain.transfer(holders[0], t, 1, holder_key=keys[h])) == (
                    expired)
                late = RetirementClaim(keccak(text=f"late-{token}"), "Firm", "test", 0, 2**63)
                assert revert_of(lambda h=holder, t=token, c=late: chain.retire([t], [1], c, holder_key=keys[h])) == (
                    expired)
