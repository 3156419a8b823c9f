"""Bialek 1996 4-bus example: published upstream numbers; downstream/average vs an independent walk."""

from __future__ import annotations

import numpy as np
import pytest
from attribution_cases import BIALEK_NET, snapshot_of
from attribution_reference import dense_inverse_upstream, propagate

from greenproof.attribution import carbon_intensity, mix, trace

# J. Bialek, "Tracing the flow of electricity", IEE Proc. Gener. Transm. Distrib. 143(4), 1996,
# 4-bus example (DESIGN.md "Published cases"): upstream gross, MW, rows G1/G2, columns load 3/load 4.
PUBLISHED_UPSTREAM_MW = np.array([[276.3251, 123.6749], [33.4346, 80.5654]])
PUBLISHED_TOL_MW = 1e-3  # the paper prints 4 decimals


def test_upstream_matches_published_bialek_1996_table() -> None:
    allocation = trace(snapshot_of(BIALEK_NET))
    np.testing.assert_allclose(allocation.mw.toarray(), PUBLISHED_UPSTREAM_MW, atol=PUBLISHED_TOL_MW)


def test_upstream_charges_the_14_mw_of_losses_to_loads() -> None:
    allocation = trace(snapshot_of(BIALEK_NET))
    # 514 MW generated, 500 MW consumed: the loads carry the 14 MW of line losses in total.
    assert allocation.withdrawal_loss_mw.sum() == pytest.approx(14.0, abs=1e-9)
    np.testing.assert_allclose(allocation.delivered_mw, [400.0, 114.0], atol=1e-9)


def test_upstream_equals_dense_inverse_of_a_u() -> None:
    np.testing.assert_allclose(trace(snapshot_of(BIALEK_NET)).mw.toarray(), dense_inverse_upstream(BIALEK_NET),
                               rtol=1e-12)


@pytest.mark.parametrize("method", ["upstream", "downstream", "average"])
def test_methods_equal_the_topological_walk(method: str) -> None:
    allocation = trace(snapshot_of(BIALEK_NET), method=method)
    np.testing.assert_allclose(allocation.mw.toarray(), propagate(BIALEK_NET, method), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("method", ["downstream", "average"])
def test_losses_are_charged_to_generators_downstream_and_average(method: str) -> None:
    allocation = trace(snapshot_of(BIALEK_NET), method=method)
    np.testing.assert_allclose(allocation.supplied_mw, [300.0, 200.0], rtol=1e-12)
    assert allocation.injection_loss_mw.sum() == pytest.approx(14.0, abs=1e-9)
    assert (allocation.injection_loss_mw > 0).all()


def test_mwh_is_mw_times_duration() -> None:
    allocation = trace(snapshot_of(BIALEK_NET, duration_h=0.25))
    np.testing.assert_allclose(allocation.mwh.toarray(), PUBLISHED_UPSTREAM_MW * 0.25, atol=PUBLISHED_TOL_MW)


def test_technology_views_follow_the_published_split() -> None:
    # G1 coal, G2 offshore wind: load 3's renewable share = 33.4346 / (276.3251 + 33.4346).
    allocation = trace(snapshot_of(BIALEK_NET, technologies=["coal", "wind_offshore"]))
    expected = PUBLISHED_UPSTREAM_MW[1] / PUBLISHED_UPSTREAM_MW.sum(axis=0)
    np.testing.assert_allclose(allocation.renewable_share, expected, atol=1e-5)
    assert allocation.destinations("G1") == pytest.approx({"L0": 33.4346, "L1": 80.5654}, abs=PUBLISHED_TOL_MW)
    assert allocation.sources("L0") == pytest.approx({"G0": 276.3251, "G1": 33.4346}, abs=PUBLISHED_TOL_MW)


@pytest.mark.parametrize("method", ["upstream", "downstream", "average"])
def test_share_only_mix_equals_the_full_trace(method: str) -> None:
    snapshot = snapshot_of(BIALEK_NET, technologies=["coal", "wind_offshore"])
    np.testing.assert_allclose(mix(snapshot, method=method).withdrawal_share,
                               trace(snapshot, method=method).technology_share, rtol=1e-12)


def test_carbon_intensity_of_load_3_is_its_coal_share_times_the_coal_factor() -> None:
    snapshot = snapshot_of(BIALEK_NET, technologies=["coal", "wind_offshore"])
    result = carbon_intensity(snapshot, {"coal": 1.0}, method="upstream")
    expected = PUBLISHED_UPSTREAM_MW[0] / PUBLISHED_UPSTREAM_MW.sum(axis=0)
    np.testing.assert_allclose(result.withdrawal_t_per_mwh, expected, atol=1e-5)
    np.testing.assert_allclose(result.withdrawal_t_co2, expected * np.array([300.0, 200.0]) * 0.25, atol=1e-3)
