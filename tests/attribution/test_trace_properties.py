"""Hypothesis properties of proportional sharing on random radial and meshed networks with losses.

Invariants from DESIGN.md: each load's allocations sum to its demand (upstream: plus its loss
share); each generator's allocations never exceed its output; all entries >= 0; equality with an
independent topological walk (attribution_reference.propagate); invariance to bus ids and row order.
"""

from __future__ import annotations

import numpy as np
from attribution_cases import kcl_networks, permuted, snapshot_of
from attribution_reference import kang_intensity, propagate
from hypothesis import given, settings
from hypothesis import strategies as st

from greenproof.attribution import carbon_intensity, emission_factors, mix, trace

METHODS = st.sampled_from(["upstream", "downstream", "average"])
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)
TOL = 1e-8  # MW; flows are O(100 MW), float round-off of the solves is O(1e-12)


@PROPERTY_SETTINGS
@given(case=kcl_networks(meshed=False), method=METHODS)
def test_radial_networks_equal_the_topological_walk(case, method) -> None:
    net, flip = case
    np.testing.assert_allclose(trace(snapshot_of(net, flip=flip), method=method).mw.toarray(),
                               propagate(net, method), rtol=1e-9, atol=TOL)


@PROPERTY_SETTINGS
@given(case=kcl_networks(meshed=True, with_draws=True), method=METHODS)
def test_meshed_networks_equal_the_topological_walk(case, method) -> None:
    net, flip = case
    np.testing.assert_allclose(trace(snapshot_of(net, flip=flip), method=method).mw.toarray(),
                               propagate(net, method), rtol=1e-9, atol=TOL)


@PROPERTY_SETTINGS
@given(case=kcl_networks(meshed=True, with_draws=True), method=METHODS)
def test_allocations_are_nonnegative_and_conserve_energy(case, method) -> None:
    net, flip = case
    allocation = trace(snapshot_of(net, flip=flip), method=method)
    assert (allocation.mw.data > 0).all()
    assert (allocation.delivered_mw <= allocation.injection_mw + TOL).all()
    if method == "upstream":
        # gross: demand plus a nonnegative loss share; all generation reaches loads, unless a bus's only
        # outlet is a branch drawing from both ends (documented: that power reaches no withdrawal)
        assert (allocation.withdrawal_loss_mw >= -TOL).all()
        outlets = {b for b, p in net["loads"] if p > 0} | {s for s, _, _, _ in net["lines"]}
        if all(a in outlets and b in outlets for a, b, _, _ in net["draws"]):
            np.testing.assert_allclose(allocation.supplied_mw.sum(), allocation.injection_mw.sum(), rtol=1e-9)
    else:
        np.testing.assert_allclose(allocation.supplied_mw, allocation.withdrawal_mw, rtol=1e-9, atol=TOL)
        losses = sum(ps - pr for _, _, ps, pr in net["lines"]) + sum(pa + pb for _, _, pa, pb in net["draws"])
        np.testing.assert_allclose(allocation.injection_loss_mw.sum(), losses, rtol=1e-9, atol=1e-7)


@PROPERTY_SETTINGS
@given(case=kcl_networks(meshed=True), method=METHODS, seed=st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_bus_ids_or_row_order(case, method, seed) -> None:
    net, flip = case
    snapshot = snapshot_of(net, flip=flip)
    shuffled = permuted(snapshot, seed)
    a, b = trace(snapshot, method=method), trace(shuffled, method=method)
    pi = [list(b.injection_id).index(i) for i in a.injection_id]
    pw = [list(b.withdrawal_id).index(i) for i in a.withdrawal_id]
    np.testing.assert_allclose(b.mw.toarray()[np.ix_(pi, pw)], a.mw.toarray(), rtol=1e-9, atol=TOL)


@PROPERTY_SETTINGS
@given(case=kcl_networks(meshed=True, with_draws=True), method=METHODS)
def test_share_only_mix_equals_the_trace_technology_share(case, method) -> None:
    net, flip = case
    snapshot = snapshot_of(net, flip=flip)
    np.testing.assert_allclose(mix(snapshot, method=method).withdrawal_share,
                               trace(snapshot, method=method).technology_share, rtol=1e-9, atol=1e-12)


@PROPERTY_SETTINGS
@given(case=kcl_networks(meshed=True))
def test_carbon_intensity_equals_kang_2015_dense_formula(case) -> None:
    net, flip = case
    snapshot = snapshot_of(net, flip=flip)
    factors = emission_factors()
    per_gen = [factors[tech] for tech in snapshot.injections.technology]
    expected = kang_intensity(net, per_gen)
    result = carbon_intensity(snapshot)
    order = [list(result.bus_ids).index(b) for b in net["buses"]]
    np.testing.assert_allclose(result.bus_t_per_mwh[order], expected, rtol=1e-9, atol=1e-12)
