"""Batched dense tracing (``trace_many``) equals one sparse-LU ``trace`` per snapshot, to 1e-9 MW.

The reference is the per-interval path: its own system build and SuperLU factorisation per
snapshot (``trace``). Streams of one network whose flows change from interval to interval go
through the stacked dense solve; intervals with a branch gain or a loop flow must leave it and
still match.
"""

from __future__ import annotations

import numpy as np
from attribution_cases import BIALEK_NET, kcl_networks, snapshot_of
from hypothesis import given, settings
from hypothesis import strategies as st

from greenproof.attribution import trace, trace_many, trace_snapshots
from greenproof.attribution.batch import _dense_allocations

#: Bialek 1996 upstream result (DESIGN.md "Published cases"), MW: (G1→bus 3, G2→bus 3, G1→bus 4, G2→bus 4).
BIALEK_UPSTREAM_MW = (276.3251, 33.4346, 123.6749, 80.5654)


def _scaled(net, factors):
    """``net`` with each line's flows scaled by its factor and generation/load re-derived for KCL."""
    lines = [(s, r, ps * f, pr * f) for (s, r, ps, pr), f in zip(net["lines"], factors, strict=True)]
    balance = {b: 0.0 for b in net["buses"]}
    for s, r, ps, pr in lines:
        balance[s] -= ps
        balance[r] += pr
    # one generator and one load per bus, so every snapshot of the stream has the same rows
    return {"buses": net["buses"], "lines": lines, "draws": net.get("draws", []),
            "gens": [(b, max(-balance[b], 0.0) + 1.0) for b in net["buses"]],
            "loads": [(b, max(balance[b], 0.0) + 1.0 - sum(p for a, _, p, _ in net.get("draws", []) if a == b)
                       - sum(p for _, c, _, p in net.get("draws", []) if c == b)) for b in net["buses"]]}


def _assert_equal_to_per_interval(snapshots, **options) -> None:
    for snapshot, streamed in zip(snapshots, trace_many(snapshots, **options), strict=True):
        reference = trace(snapshot, **options)
        np.testing.assert_allclose(streamed.mw.toarray(), reference.mw.toarray(), rtol=0, atol=1e-9)
        np.testing.assert_allclose(streamed.technology_mix_mw, reference.technology_mix_mw, rtol=0, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(case=kcl_networks(max_buses=9), data=st.data())
def test_a_stream_of_one_network_is_solved_in_one_stack_and_equals_per_interval_lu(case, data) -> None:
    net, flip = case
    n_t = data.draw(st.integers(2, 6))
    snapshots = [snapshot_of(_scaled(net, data.draw(st.lists(st.floats(0.0, 3.0), min_size=len(net["lines"]),
                                                                     max_size=len(net["lines"])))), flip=flip)
                 for _ in range(n_t)]
    # flows all point down one bus order (no loop flow, no gain): the stack decides every interval
    assert all(values is not None for values in _dense_allocations(snapshots, "upstream", 1e-9))
    _assert_equal_to_per_interval(snapshots)


def test_bialek_1996_through_the_stack() -> None:
    # two identical intervals make a stack of two
    allocation = next(trace_many([snapshot_of(BIALEK_NET)] * 2))
    got = allocation.mw.toarray()  # rows G0 (bus 1), G1 (bus 2); columns L0 (bus 3), L1 (bus 4)
    np.testing.assert_allclose([got[0, 0], got[1, 0], got[0, 1], got[1, 1]], BIALEK_UPSTREAM_MW, atol=1e-4)


#: A loop flow 1 → 2 → 3 → 1 fed at bus 1 (send/recv MW), and Bialek's net with line 4→3 delivering
#: more than it receives (a gain of 2 MW; it used to deliver 82 MW, so bus 3's load grows by 3 MW).
LOOP_NET = {"buses": [1, 2, 3], "gens": [(1, 20.0)], "loads": [(1, 9.95), (3, 9.8)],
            "lines": [(1, 2, 15.0, 14.9), (2, 3, 14.9, 14.8), (3, 1, 5.0, 4.95)]}
GAIN_NET = {**BIALEK_NET, "lines": [*BIALEK_NET["lines"][:4], (4, 3, 83.0, 85.0)],
            "loads": [(3, 303.0), (4, 200.0)]}


def test_loop_flows_and_gains_leave_the_stack_and_still_match() -> None:
    for special in (LOOP_NET, GAIN_NET):
        decided = _dense_allocations([snapshot_of(special)] * 2, "upstream", 1e-9)
        assert decided == [None, None]
        _assert_equal_to_per_interval([snapshot_of(special)] * 2 + [snapshot_of(BIALEK_NET)])


def test_other_methods_are_traced_per_interval_and_pairs_keep_their_snapshot() -> None:
    snapshots = [snapshot_of(BIALEK_NET), snapshot_of(LOOP_NET), snapshot_of(BIALEK_NET, flip=[True] * 5)]
    for method in ("downstream", "average"):
        _assert_equal_to_per_interval(snapshots, method=method)
    assert [pair[0] for pair in trace_snapshots(snapshots)] == snapshots


def test_dead_ends_are_cut_in_the_stack_as_per_interval() -> None:
    # DESIGN.md's stub rule, by hand (as tests/attribution/test_trace_dead_ends.py): G1 100 MW at bus 1,
    # G2 30 MW at bus 2, load 39.5 MW at bus 1 and 89 MW at bus 2; line 1→2 60/59 MW; a chain of
    # stubs 1→3→4 ending where nothing is. Bus 1's gross through-flow is 39.5 + 60 = 99.5 MW.
    chain = {"buses": [1, 2, 3, 4], "gens": [(1, 100.0), (2, 30.0)], "loads": [(1, 39.5), (2, 89.0)],
             "lines": [(1, 2, 60.0, 59.0), (1, 3, 0.5, 0.3), (3, 4, 0.3, 0.0)]}
    snapshots = [snapshot_of(chain)] * 2
    assert all(values is not None for values in _dense_allocations(snapshots, "upstream", 1e-9))
    by_hand = np.array([[100 * 39.5 / 99.5, 100 * 60 / 99.5], [0.0, 30.0]])
    for allocation in trace_many(snapshots):
        np.testing.assert_allclose(allocation.mw.toarray(), by_hand, rtol=1e-12, atol=1e-12)
    _assert_equal_to_per_interval(snapshots)
