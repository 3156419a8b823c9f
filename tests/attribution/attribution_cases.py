"""Test networks for the attribution tests: the published Bialek case and random KCL-consistent flows.

Random networks (hypothesis): buses in a random topological order, a random spanning tree plus
optional extra branches (meshed) all pointing "down" the order, random sending-end flows and loss
fractions; each bus's generation and load are then derived so that KCL holds exactly, with an
extra random amount on both sides so that buses can both generate and consume. Bus ids, the
pandapower from/to orientation of each branch, and row orders are random.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from greenproof.attribution import Branches, Injections, Snapshot, Withdrawals

#: Bialek 1996 (IEE Proc. GTD 143(4)), 4-bus example, as restated in DESIGN.md "Published cases":
#: G1 400 MW at bus 1, G2 114 MW at bus 2; loads 300 MW at bus 3, 200 MW at bus 4;
#: lines (send, recv, sending-end MW, loss MW).
BIALEK_LINES = [(1, 2, 60.0, 1.0), (2, 4, 173.0, 2.0), (1, 4, 115.0, 3.0), (1, 3, 225.0, 7.0), (4, 3, 83.0, 1.0)]
BIALEK_NET = {
    "buses": [1, 2, 3, 4],
    "gens": [(1, 400.0), (2, 114.0)],
    "loads": [(3, 300.0), (4, 200.0)],
    "lines": [(s, r, ps, ps - loss) for s, r, ps, loss in BIALEK_LINES],
}

TECHS = ("coal", "wind_offshore", "solar_pv", "gas", "grid_import")


def snapshot_of(net, *, technologies=None, flip=None, duration_h=0.25):
    """Snapshot of a reference network; ``flip[i]`` records line i with from/to swapped (pandapower signs)."""
    lines = net["lines"]
    flip = flip or [False] * len(lines)
    technologies = technologies or [TECHS[k % len(TECHS)] for k in range(len(net["gens"]))]
    from_bus = [r if f else s for (s, r, _, _), f in zip(lines, flip, strict=True)]
    to_bus = [s if f else r for (s, r, _, _), f in zip(lines, flip, strict=True)]
    p_from = [-pr if f else ps for (_, _, ps, pr), f in zip(lines, flip, strict=True)]
    p_to = [ps if f else -pr for (_, _, ps, pr), f in zip(lines, flip, strict=True)]
    draws = net.get("draws", [])
    return Snapshot(
        bus_ids=net["buses"],
        injections=Injections([f"G{k}" for k in range(len(net["gens"]))], [b for b, _ in net["gens"]],
                              technologies, [p for _, p in net["gens"]]),
        withdrawals=Withdrawals([f"L{m}" for m in range(len(net["loads"]))], [b for b, _ in net["loads"]],
                                [p for _, p in net["loads"]]),
        branches=Branches([f"br{i}" for i in range(len(lines))] + [f"draw{i}" for i in range(len(draws))],
                          from_bus + [a for a, _, _, _ in draws], to_bus + [b for _, b, _, _ in draws],
                          p_from + [pa for _, _, pa, _ in draws], p_to + [pb for _, _, _, pb in draws]),
        duration_h=duration_h,
    )


@st.composite
def kcl_networks(draw, *, max_buses=9, meshed=True, with_draws=False):
    """A random network dict (see module docstring) plus ``flip`` for the pandapower orientation."""
    n = draw(st.integers(2, max_buses))
    ids = draw(st.lists(st.integers(-50, 500), min_size=n, max_size=n, unique=True))
    edges = {(draw(st.integers(0, j - 1)), j) for j in range(1, n)}
    if meshed:
        for _ in range(draw(st.integers(0, n))):
            i = draw(st.integers(0, n - 2))
            edges.add((i, draw(st.integers(i + 1, n - 1))))
    edges = sorted(edges)
    flows = [draw(st.floats(0.5, 80.0)) for _ in edges]
    loss = [draw(st.sampled_from([0.0, 0.001, 0.01, 0.05])) for _ in edges]
    lines = [(ids[i], ids[j], f, f * (1 - x)) for (i, j), f, x in zip(edges, flows, loss, strict=True)]
    balance = {b: 0.0 for b in ids}
    for s, r, ps, pr in lines:
        balance[s] -= ps
        balance[r] += pr
    draws = []
    if with_draws and n >= 2:
        a, b = ids[0], ids[1]
        pa, pb = draw(st.floats(0.01, 2.0)), draw(st.floats(0.01, 2.0))
        draws = [(a, b, pa, pb)]
        balance[a] -= pa
        balance[b] -= pb
    gens, loads = [], []
    for b in ids:
        extra = draw(st.sampled_from([0.0, 0.0, 5.0, 20.0]))
        generation, demand = max(-balance[b], 0.0) + extra, max(balance[b], 0.0) + extra
        for bucket, total in ((gens, generation), (loads, demand)):
            if total > 0:
                split = draw(st.sampled_from([1.0, 0.3, 0.7]))
                bucket.append((b, total * split))
                if split < 1:
                    bucket.append((b, total * (1 - split)))
    net = {"buses": ids, "gens": gens, "loads": loads, "lines": lines,
           "draws": draws}
    flip = [draw(st.booleans()) for _ in lines]
    return net, flip


def permuted(snapshot, seed):
    """The same snapshot with bus ids, devices and branches in another row order."""
    rng = np.random.default_rng(seed)
    inj, wd, br = snapshot.injections, snapshot.withdrawals, snapshot.branches
    pi, pw, pb = rng.permutation(len(inj)), rng.permutation(len(wd)), rng.permutation(len(br))
    return Snapshot(rng.permutation(snapshot.bus_ids),
                    Injections(inj.device_id[pi], inj.bus[pi], inj.technology[pi], inj.p_mw[pi]),
                    Withdrawals(wd.device_id[pw], wd.bus[pw], wd.p_mw[pw], wd.kind[pw]),
                    Branches(br.branch_id[pb], br.from_bus[pb], br.to_bus[pb], br.p_from_mw[pb], br.p_to_mw[pb]),
                    duration_h=snapshot.duration_h)
