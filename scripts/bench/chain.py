"""Chain cost benchmark: contract v2 beside the landed v1 contract, in one run on one Anvil.

Baseline: the v1 artifact committed at cd2549b (``scripts/bench/baseline/GreenCertificate-v1.json``),
deployed next to the current artifact on the same node, fed the same park day: 96 intervals × 4
plants × 10 holders = 3,840 allocation leaves (+ 384 caps). Measured for both: anchoring a day
(the first day, and the mean over a year of daily anchors), claiming a leaf, retiring one leaf
with its proof, and retiring one firm's whole day (384 leaves: v1 needs one transaction per leaf,
v2 takes them in one ``retireLeaves``, or one relayed ``retireLeavesFor``). Targets (issue 18):
≤ 15k gas per leaf for a firm's day, ≤ 60k for one leaf, anchoring no worse than v1.

    .venv/bin/python scripts/bench/chain.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from eth_utils import keccak

sys.path.insert(0, str(Path(__file__).parent))
from baseline.contract_v1 import SOURCE_COMMIT, ContractV1, SortedPairTree, allocation_leaf, cap_leaf

from greenproof.contracts import (
    AllocationLeaf,
    Anvil,
    BatchHeader,
    BatchTree,
    ChainClient,
    LeafRef,
    PlantIntervalCap,
    RetirementClaim,
    sign_typed_data,
)

DAY_S = 86_400
INTERVAL_S = 900
N_INTERVALS = 96
N_PLANTS = 4
N_HOLDERS = 10
T0 = 1_735_689_600           # 2025-01-01T00:00:00Z
GENESIS_S = T0 + 400 * DAY_S  # the chain starts after a year of days, so every day can be anchored
CAPACITY_W = 400_000_000
YEAR_DAYS = 365


def day_amounts(day: int, i: int, p: int, h: int) -> int:
    return 1_000_000 + 1_000 * p + 10 * i + h + day


def v2_day(plants: list[int], holders: list[str], day: int) -> BatchTree:
    start = T0 + day * DAY_S
    caps, leaves = [], []
    for i in range(N_INTERVALS):
        for p, plant in enumerate(plants):
            amounts = [day_amounts(day, i, p, h) for h in range(len(holders))]
            caps.append(PlantIntervalCap(f"V2-{plant}", plant, start + i * INTERVAL_S, INTERVAL_S, sum(amounts)))
            leaves += [AllocationLeaf(f"V2-{plant}", plant, start + i * INTERVAL_S, INTERVAL_S, holder, a)
                       for holder, a in zip(holders, amounts, strict=True)]
    return BatchTree(period_start_s=start, interval_s=INTERVAL_S, interval_count=N_INTERVALS, plants=plants,
                     caps=caps, allocations=leaves)


def v1_day(codes: list[str], holders: list[str]) -> tuple[SortedPairTree, list[tuple], dict]:
    leaves, caps = [], {}
    for i in range(N_INTERVALS):
        start = T0 + i * INTERVAL_S
        for p, code in enumerate(codes):
            amounts = [day_amounts(0, i, p, h) for h in range(len(holders))]
            caps[(code, start)] = sum(amounts)
            leaves += [(code, start, INTERVAL_S, holder, a) for holder, a in zip(holders, amounts, strict=True)]
    tree = SortedPairTree([allocation_leaf(*x) for x in leaves] + [cap_leaf(c, s, INTERVAL_S, wh)
                                                                  for (c, s), wh in caps.items()])
    return tree, leaves, caps


def mean_gas(results: list) -> float:
    return statistics.mean(r.gas_used for r in results)


def main() -> None:
    with Anvil(accounts=N_HOLDERS + 2, genesis_timestamp_s=GENESIS_S) as node:
        admin = node.private_keys[0]
        holders = node.addresses[1:N_HOLDERS + 1]
        keys = dict(zip(holders, node.private_keys[1:N_HOLDERS + 1], strict=True))
        firm, firm_key = holders[3], keys[holders[3]]
        v1 = ContractV1(node.rpc_url, admin)
        v2 = ChainClient.deploy(node.rpc_url, admin)
        codes = [f"V1-{p}" for p in range(N_PLANTS)]
        plants = list(range(1, N_PLANTS + 1))
        v1.send_many([v1.register_plant(code, CAPACITY_W) for code in codes])
        v2.send_many([v2.prepare_register_plant(p, f"V2-{p}", "offshore_wind", True, CAPACITY_W, INTERVAL_S, "CN")
                      for p in plants])

        # -- anchor day 0 ----------------------------------------------------------------------
        v1_tree, v1_leaves, v1_caps = v1_day(codes, holders)
        (v1_anchor,) = v1.send_many([v1.anchor(keccak(text="v1-day-0"), v1_tree.root, T0, T0 + DAY_S, codes)])
        tree = v2_day(plants, holders, 0)
        inputs = keccak(text="inputs-0")
        v2_anchor = v2.anchor_batch(keccak(text="v2-day-0"), tree.root, inputs, tree.layout)
        header = BatchHeader(keccak(text="v2-day-0"), inputs, tree.discharge_root, tree.layout)

        # -- v1: claims and retirements, one transaction per leaf -------------------------------
        def v1_claim_args(leaf: tuple) -> tuple:
            cap = v1_caps[(leaf[0], leaf[1])]
            return (keccak(text="v1-day-0"), v1.leaf_args(*leaf), v1_tree.proof(allocation_leaf(*leaf)), cap,
                    v1_tree.proof(cap_leaf(leaf[0], leaf[1], INTERVAL_S, cap)))

        def v1_claim_ref(n: int) -> tuple:
            return (keccak(text=f"v1-R-{n}"), "Binhai Steel Co.", "EU CBAM", T0, T0 + DAY_S, bytes(32))

        v1_first = v1.send_many([v1.prepare("claim", *v1_claim_args(x)) for x in v1_leaves[0:400:N_HOLDERS]])
        v1_later = v1.send_many([v1.prepare("claim", *v1_claim_args(x)) for x in v1_leaves[1:400:N_HOLDERS]])
        v1_firm_leaves = [x for x in v1_leaves if x[3] == firm]
        v1_retire_day = v1.send_many([
            v1.prepare("retireWithProof", *v1_claim_args(x), x[4], v1_claim_ref(n), key=firm_key)
            for n, x in enumerate(v1_firm_leaves)])
        half_holder = holders[5]
        v1_halves = v1.send_many([
            v1.prepare("retireWithProof", *v1_claim_args(x), x[4] // 2, v1_claim_ref(1000 + n), key=keys[half_holder])
            for n, x in enumerate([x for x in v1_leaves if x[3] == half_holder][:40])])

        # -- v2: one firm's day in one transaction; single leaves; claims; relayed ---------------
        mine = [x for x in tree.allocations if x.holder == firm]
        claim = RetirementClaim(keccak(text="v2-R-day"), "Binhai Steel Co.", "EU CBAM", T0, T0 + DAY_S)
        day_retire = v2.retire_leaves(header, [LeafRef(tree.position(x), x.amount_wh, x.amount_wh) for x in mine],
                                      tree.multiproof(mine), claim, holder_key=firm_key)
        def singles(holder: str, part: int, tag: str) -> list:
            prepared = []
            for n, leaf in enumerate([x for x in tree.allocations if x.holder == holder][:40]):
                ref = RetirementClaim(keccak(text=f"v2-R-{tag}-{n}"), "Binhai Steel Co.", "EU CBAM", T0, T0 + DAY_S)
                prepared.append(v2.prepare_retire_leaves(header, [LeafRef(tree.position(leaf), leaf.amount_wh,
                                                                          leaf.amount_wh // part)],
                                                         tree.multiproof([leaf]), ref, holder_key=keys[holder]))
            return v2.send_many(prepared)

        v2_wholes, v2_halves = singles(holders[4], 1, "whole"), singles(half_holder, 2, "half")
        relayed_holder = holders[6]
        theirs = [x for x in tree.allocations if x.holder == relayed_holder]
        refs = [LeafRef(tree.position(x), x.amount_wh, x.amount_wh) for x in theirs]
        relayed_claim = RetirementClaim(keccak(text="v2-R-relayed"), "Binhai Port", "EU CBAM", T0, T0 + DAY_S)
        deadline = v2.chain_time() + 3600
        typed = v2.retire_leaves_typed_data(relayed_holder, header.batch_id, refs, relayed_claim, deadline)
        relayed = v2.retire_leaves_for(header, relayed_holder, refs, tree.multiproof(theirs), relayed_claim, deadline,
                                       sign_typed_data(keys[relayed_holder], typed))
        claimer = holders[8]
        claimed = [x for x in tree.allocations if x.holder == claimer]
        claim_day = v2.claim_leaves(header, claimer, [LeafRef(tree.position(x), x.amount_wh) for x in claimed],
                                    tree.multiproof(claimed))

        # -- a year of daily anchors (later roots synthetic: chain cost only) ---------------------
        v1_year = [v1.anchor(keccak(text=f"v1-day-{d}"), keccak(text=f"r-{d}"), T0 + d * DAY_S, T0 + (d + 1) * DAY_S,
                             codes) for d in range(1, YEAR_DAYS)]
        started = time.perf_counter()
        v1_year_results = v1.send_many(v1_year)
        v1_year_s = time.perf_counter() - started
        layout = tree.layout
        v2_year = [v2.prepare_anchor_batch(keccak(text=f"v2-day-{d}"), keccak(text=f"r-{d}"), keccak(text="i"),
                                           type(layout)(T0 + d * DAY_S, INTERVAL_S, N_INTERVALS, layout.plants,
                                                        layout.slot_bits))
                   for d in range(1, YEAR_DAYS)]
        started = time.perf_counter()
        v2_year_results = v2.send_many(v2_year)
        v2_year_s = time.perf_counter() - started

    v2_year_gas = [v2_anchor.gas_used, *(r.gas_used for r in v2_year_results)]
    v1_year_gas = [v1_anchor.gas_used, *(r.gas_used for r in v1_year_results)]
    n_mine = len(mine)
    rows = [
        ("anchor a park day (first day)", v1_anchor.gas_used, v2_anchor.gas_used),
        (f"anchor a day, mean of {YEAR_DAYS} days", statistics.mean(v1_year_gas), statistics.mean(v2_year_gas)),
        ("anchor a day, worst of the year", max(v1_year_gas), max(v2_year_gas)),
        ("claim a leaf (v1 first of its token; v2 per leaf of a day)", mean_gas(v1_first),
         claim_day.gas_used / len(claimed)),
        ("claim a leaf (v1 later of its token; v2 per leaf of a day)", mean_gas(v1_later),
         claim_day.gas_used / len(claimed)),
        ("retire one whole leaf with its proof", mean_gas(v1_retire_day), mean_gas(v2_wholes)),
        ("retire half a leaf with its proof (rest minted)", mean_gas(v1_halves), mean_gas(v2_halves)),
        (f"retire a firm's day ({n_mine} leaves), gas per leaf", mean_gas(v1_retire_day),
         day_retire.gas_used / n_mine),
        ("  same, relayed with the firm's EIP-712 signature", None, relayed.gas_used / len(theirs)),
        ("  transactions for that day", n_mine, 1),
    ]
    print(f"one run on one Anvil; v1 = baseline artifact of {SOURCE_COMMIT}, v2 = contracts/artifacts; a park day = "
          f"{N_INTERVALS} intervals × {N_PLANTS} plants × {N_HOLDERS} holders = {len(tree.allocations)} leaves")
    print(f"{'gas':<62}{'v1':>14}{'v2':>14}{'v2 ÷ v1':>10}")
    for label, old, new in rows:
        ratio = f"{new / old:9.2f}×" if old else ""
        print(f"{label:<62}{'' if old is None else f'{old:,.0f}':>14}{new:>14,.0f}{ratio:>10}")
    print(f"targets: firm's day ≤ 15,000 gas/leaf → {day_retire.gas_used / n_mine:,.0f}; one leaf ≤ 60,000 → "
          f"{mean_gas(v2_wholes):,.0f}; anchor ≤ v1 {v1_anchor.gas_used:,} → first {v2_anchor.gas_used:,}, "
          f"mean {statistics.mean(v2_year_gas):,.0f}")
    print(f"year of daily anchors, pipelined: v1 {v1_year_s:.2f} s, v2 {v2_year_s:.2f} s "
          f"(ratio {v2_year_s / v1_year_s:.2f}×)")


if __name__ == "__main__":
    main()
