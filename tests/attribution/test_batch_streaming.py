"""trace_many / mix_many: same results as one call per snapshot, lazily, across topology changes."""

from __future__ import annotations

import itertools

import numpy as np
from attribution_cases import BIALEK_NET, kcl_networks, snapshot_of
from hypothesis import given, settings
from hypothesis import strategies as st

from greenproof.attribution import mix, mix_many, trace, trace_many


def _balanced(buses, lines):
    """One generator and one load per bus (same rows whatever the flows), sized for KCL."""
    balance = {b: 0.0 for b in buses}
    for s, r, ps, pr in lines:
        balance[s] -= ps
        balance[r] += pr
    return {"buses": buses, "lines": lines, "gens": [(b, max(-balance[b], 0.0) + 1.0) for b in buses],
            "loads": [(b, max(balance[b], 0.0) + 1.0) for b in buses]}


@settings(max_examples=25, deadline=None)
@given(cases=st.lists(kcl_networks(max_buses=7), min_size=1, max_size=3), repeats=st.integers(1, 3),
       method=st.sampled_from(["upstream", "downstream", "average"]))
def test_streams_equal_single_calls_across_orientation_and_topology_changes(cases, repeats, method) -> None:
    # Per case (a topology), flows alternate direction: the cached LU ordering meets another pattern.
    snapshots = []
    for net, flip in cases:
        for r in range(repeats):
            lines = net["lines"] if r % 2 == 0 else [(b, a, ps, pr) for a, b, ps, pr in net["lines"]]
            reoriented = [f != (r % 2 == 1) for f in flip]  # same from/to columns as the first snapshot
            snapshots.append(snapshot_of(_balanced(net["buses"], lines), flip=reoriented))
    for snapshot, streamed in zip(snapshots, trace_many(snapshots, method=method), strict=True):
        np.testing.assert_allclose(streamed.mw.toarray(), trace(snapshot, method=method).mw.toarray(),
                                   rtol=1e-9, atol=1e-9)
    for snapshot, streamed_mix in zip(snapshots, mix_many(snapshots, method=method), strict=True):
        np.testing.assert_allclose(streamed_mix.share, mix(snapshot, method=method).share, rtol=1e-9, atol=1e-12)


def test_streams_are_lazy_on_an_endless_source() -> None:
    endless = itertools.repeat(snapshot_of(BIALEK_NET))
    first, second = itertools.islice(trace_many(endless), 2)
    np.testing.assert_allclose(first.mw.toarray(), second.mw.toarray())
    assert next(mix_many(endless, by="renewable")).keys == ("renewable", "non_renewable")
