"""The fast path (pandapower model + lightsim2grid Newton) equals plain ``pandapower.runpp``.

Reference: ``engine="pandapower"`` — set the profile values, ``runpp`` with pandapower's defaults,
convert its result tables. Tolerance 1e-6 MW on every device and branch value.
"""

from __future__ import annotations

import numpy as np
import pytest

from greenproof.attribution import Snapshot
from greenproof.grids import load_case, simbench_profiles, solve_series
from greenproof.grids.binhai import build_park, profiles

TOL_MW = 1e-6


def _assert_same(fast: list[Snapshot], plain: list[Snapshot]) -> None:
    assert len(fast) == len(plain)
    for a, b in zip(fast, plain, strict=True):
        assert a.start == b.start
        for table in ("injections", "withdrawals"):
            ta, tb = getattr(a, table), getattr(b, table)
            assert ta.device_id.tolist() == tb.device_id.tolist()
            np.testing.assert_allclose(ta.p_mw, tb.p_mw, rtol=0, atol=TOL_MW)
        assert a.branches.branch_id.tolist() == b.branches.branch_id.tolist()
        np.testing.assert_allclose(a.branches.p_from_mw, b.branches.p_from_mw, rtol=0, atol=TOL_MW)
        np.testing.assert_allclose(a.branches.p_to_mw, b.branches.p_to_mw, rtol=0, atol=TOL_MW)


@pytest.mark.slow
def test_park_100_random_intervals_match_runpp() -> None:
    year = profiles(2025, seed=3)
    periods = np.random.default_rng(42).choice(len(year), size=100, replace=False)
    net = build_park()
    fast = list(solve_series(net, year, periods=periods, progress=False))
    plain = list(solve_series(net, year, periods=periods, engine="pandapower", progress=False))
    _assert_same(fast, plain)


def test_park_day_matches_runpp_at_sampled_intervals() -> None:
    year = profiles(2025, seed=3)
    periods = list(range(96 * 40, 96 * 41, 8))
    net = build_park()
    _assert_same(list(solve_series(net, year, periods=periods, progress=False)),
                 list(solve_series(net, year, periods=periods, engine="pandapower", progress=False)))


@pytest.mark.slow
@pytest.mark.parametrize("code", ["1-HV-mixed--0-no_sw", "1-MV-rural--0-sw"])
def test_simbench_grid_with_its_profiles_matches_runpp(code: str) -> None:
    net = load_case(code)
    year = simbench_profiles(net)
    periods = list(range(0, len(year), len(year) // 12))
    _assert_same(list(solve_series(net, year, periods=periods, progress=False)),
                 list(solve_series(net, year, periods=periods, engine="pandapower", progress=False)))
