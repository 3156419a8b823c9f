"""Independent reference implementations for the attribution tests (no greenproof code inside).

- ``propagate``: proportional sharing by walking the buses of an acyclic flow pattern in
  topological order (Bialek 1996's recursion written out), per generator / per load vectors, with
  plain Python loops: no matrix, no inverse.
- ``dense_inverse_upstream``: Bialek's A_u matrix built literally and inverted with numpy (for
  cyclic flow patterns the walk cannot handle).
- ``kang_intensity``: Kang et al. 2015 nodal carbon intensity, e_N = (P_N - P_Bᵀ)⁻¹ P_Gᵀ E_G, dense.

Networks are plain dicts: ``buses`` list, ``gens`` [(bus, MW)], ``loads`` [(bus, MW)],
``lines`` [(send, recv, p_send_mw, p_recv_mw)] already oriented with the flow, ``draws``
[(bus_a, bus_b, p_a_mw, p_b_mw)] branches drawing from both ends (loss sinks: ignored by the gross
upstream through-flow, absent from the downstream inflow-based one, withdrawn in average).

Upstream also applies the documented dead-end rule (docs/attribution.md), written out here with
plain loops: a line into a bus with no load and no outgoing line is a loss draw at its sending
bus, repeated until no such line is left.
"""

from __future__ import annotations

import numpy as np


def _topological(buses, lines):
    indeg = {b: 0 for b in buses}
    for _, r, _, _ in lines:
        indeg[r] += 1
    order, ready = [], [b for b in buses if indeg[b] == 0]
    while ready:
        b = ready.pop()
        order.append(b)
        for s, r, _, _ in lines:
            if s == b:
                indeg[r] -= 1
                if indeg[r] == 0:
                    ready.append(r)
    assert len(order) == len(buses), "flow pattern has a directed cycle"
    return order


def without_dead_ends(buses, loads, lines):
    """The lines left after turning every line into a bus with no load and no outlet into a loss draw."""
    lines = list(lines)
    while True:
        dead = {b for b in buses
                if not any(lb == b and p > 0 for lb, p in loads) and not any(s == b for s, _, _, _ in lines)}
        kept = [line for line in lines if line[1] not in dead]
        if len(kept) == len(lines):
            return lines
        lines = kept


def propagate(net, method):
    """Return the (n_gen, n_load) allocation in MW for method upstream/downstream/average."""
    buses, gens, loads = net["buses"], net["gens"], net["loads"]
    lines = without_dead_ends(buses, loads, net["lines"]) if method == "upstream" else list(net["lines"])
    sinks = {b: sum(p for lb, p in loads if lb == b) for b in buses}
    if method == "average":
        for s, r, ps, pr in net["lines"]:
            sinks[s] += (ps - pr) / 2
            sinks[r] += (ps - pr) / 2
        lines = [(s, r, (ps + pr) / 2, (ps + pr) / 2) for s, r, ps, pr in net["lines"]]
    for a, b, pa, pb in net.get("draws", []):  # branches drawing from both ends: loss sinks
        if method == "average":
            sinks[a] += pa
            sinks[b] += pb
    order = _topological(buses, lines)
    alloc = np.zeros((len(gens), len(loads)))
    if method in ("upstream", "average"):
        through = {b: sinks[b] + sum(ps for s, _, ps, _ in lines if s == b) for b in buses}
        gross = {}  # bus -> per-generator MW of its gross through-flow
        for b in order:
            v = np.array([p if gb == b else 0.0 for gb, p in gens])
            for s, r, ps, _ in lines:
                if r == b and through[s] > 0:
                    v = v + ps * gross[s] / through[s]
            gross[b] = v
        for m, (lb, p) in enumerate(loads):
            if through[lb] > 0:
                alloc[:, m] = p * gross[lb] / through[lb]
    else:
        through = {b: sum(p for gb, p in gens if gb == b) + sum(pr for _, r, _, pr in lines if r == b) for b in buses}
        net_flow = {}  # bus -> per-load MW of its net through-flow
        for b in reversed(order):
            u = np.array([p if lb == b else 0.0 for lb, p in loads])
            for s, r, _, pr in lines:
                if s == b and through[r] > 0:
                    u = u + pr * net_flow[r] / through[r]
            net_flow[b] = u
        for k, (gb, p) in enumerate(gens):
            if through[gb] > 0:
                alloc[k, :] = p * net_flow[gb] / through[gb]
    return alloc


def dense_inverse_upstream(net):
    """Bialek's A_u P = P_G, inverted densely: (n_gen, n_load) MW, upstream gross."""
    buses = list(net["buses"])
    pos = {b: i for i, b in enumerate(buses)}
    n = len(buses)
    through = np.zeros(n)
    for b, p in net["loads"]:
        through[pos[b]] += p
    for s, _, ps, _ in net["lines"]:
        through[pos[s]] += ps
    a_u = np.eye(n)
    for s, r, ps, _ in net["lines"]:
        a_u[pos[r], pos[s]] -= ps / through[pos[s]]
    inv = np.linalg.inv(a_u)
    alloc = np.zeros((len(net["gens"]), len(net["loads"])))
    for k, (gb, pg) in enumerate(net["gens"]):
        for m, (lb, pl) in enumerate(net["loads"]):
            alloc[k, m] = pl / through[pos[lb]] * inv[pos[lb], pos[gb]] * pg
    return alloc


def kang_intensity(net, gen_factor):
    """Kang et al. 2015, eqs. for nodal carbon intensity: e_N = (P_N - P_Bᵀ)⁻¹ P_Gᵀ E_G, tCO2/MWh per bus."""
    buses = list(net["buses"])
    pos = {b: i for i, b in enumerate(buses)}
    n, k = len(buses), len(net["gens"])
    p_b = np.zeros((n, n))  # branch power flow distribution matrix, flow arriving at the receiving bus
    for s, r, _, pr in net["lines"]:
        p_b[pos[s], pos[r]] += pr
    p_g = np.zeros((k, n))  # generator injection distribution matrix
    for g, (b, p) in enumerate(net["gens"]):
        p_g[g, pos[b]] = p
    p_n = np.diag(p_b.sum(axis=0) + p_g.sum(axis=0))  # nodal active power flux (inflows)
    return np.linalg.solve(p_n - p_b.T, p_g.T @ np.asarray(gen_factor))
