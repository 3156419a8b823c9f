"""Edge cases of DESIGN.md "Proportional sharing": tiny flows, zero through-flow, loops, star buses, grid exchange."""

from __future__ import annotations

import numpy as np
import pytest
from attribution_cases import BIALEK_NET, snapshot_of
from attribution_reference import dense_inverse_upstream, propagate
from test_trace_against_bialek_1996 import PUBLISHED_UPSTREAM_MW

from greenproof.attribution import (
    AttributionError,
    Branches,
    Injections,
    Snapshot,
    Withdrawals,
    carbon_intensity,
    mix,
    trace,
)


def _with_extra_branches(snapshot: Snapshot, rows: list[tuple[str, int, int, float, float]],
                         extra_buses: list[int] | None = None, balance_tol_mw: float = 1e-3) -> Snapshot:
    br = snapshot.branches
    columns = [np.concatenate([old, [row[j] for row in rows]])
               for j, old in enumerate((br.branch_id, br.from_bus, br.to_bus, br.p_from_mw, br.p_to_mw))]
    return Snapshot(
        np.concatenate([snapshot.bus_ids, extra_buses or []]), snapshot.injections, snapshot.withdrawals,
        Branches(*columns),
        balance_tol_mw=balance_tol_mw,
    )


def test_branches_below_tolerance_are_dropped() -> None:
    base = snapshot_of(BIALEK_NET)
    noisy = _with_extra_branches(base, [("tiny", 2, 3, 1e-12, -1e-12), ("zero", 3, 4, 0.0, 0.0),
                                        ("tiny_both_draw", 1, 3, 5e-10, 5e-10)])
    np.testing.assert_allclose(trace(noisy).mw.toarray(), trace(base).mw.toarray(), rtol=1e-12)


def test_bus_with_zero_through_flow_does_not_crash_and_has_no_mix() -> None:
    snapshot = _with_extra_branches(snapshot_of(BIALEK_NET), [], extra_buses=[99])
    allocation = trace(snapshot)
    np.testing.assert_allclose(allocation.mw.toarray()[:, :2], trace(snapshot_of(BIALEK_NET)).mw.toarray())
    result = mix(snapshot)
    assert np.isnan(result.share[list(result.bus_ids).index(99)]).all()


def test_lossless_circulation_is_reported_with_its_buses() -> None:
    circulation = [("c1", 7, 8, 10.0, -10.0), ("c2", 8, 9, 10.0, -10.0), ("c3", 9, 7, 10.0, -10.0)]
    snapshot = _with_extra_branches(snapshot_of(BIALEK_NET), circulation, extra_buses=[7, 8, 9])
    with pytest.raises(AttributionError, match=r"buses \[7, 8, 9\].*circulation"):
        trace(snapshot)


def test_lossy_loop_flow_is_traced_like_the_dense_inverse() -> None:
    # A directed cycle 1→2→3→1 with losses, fed at bus 1, loads at 2 and 3: A_u stays non-singular.
    # KCL: bus 1 70.3 generated + 9.7 returning = 80 leaving; bus 2 79 = 39 + 40; bus 3 38.5 = 10 + 28.5.
    net = {"buses": [1, 2, 3], "gens": [(1, 70.3)], "loads": [(2, 40.0), (3, 28.5)],
           "lines": [(1, 2, 80.0, 79.0), (2, 3, 39.0, 38.5), (3, 1, 10.0, 9.7)]}
    allocation = trace(snapshot_of(net))
    np.testing.assert_allclose(allocation.mw.toarray(), dense_inverse_upstream(net), rtol=1e-12)
    np.testing.assert_allclose(allocation.delivered_mw, [70.3], rtol=1e-12)


def test_three_winding_star_bus_is_just_a_bus() -> None:
    # hv bus 1 → star bus -1 → mv bus 2 and lv bus 3, as grids/ writes a trafo3w.
    net = {"buses": [1, -1, 2, 3], "gens": [(1, 50.0), (2, 5.0)], "loads": [(2, 29.9), (3, 24.7)],
           "lines": [(1, -1, 50.0, 49.8), (-1, 2, 25.0, 24.9), (-1, 3, 24.8, 24.7)]}
    for method in ("upstream", "downstream", "average"):
        np.testing.assert_allclose(trace(snapshot_of(net), method=method).mw.toarray(), propagate(net, method),
                                   rtol=1e-12, atol=1e-12)


def test_grid_import_with_a_configured_mix_and_export_as_a_withdrawal() -> None:
    snapshot = Snapshot(
        bus_ids=[0, 1],
        injections=Injections(["ext_grid:0", "sgen:pv"], [0, 1], ["grid_import", "solar_pv"], [60.0, 40.0]),
        withdrawals=Withdrawals(["load:port", "ext_grid:export"], [1, 1], [90.0, 10.0], ["load", "export"]),
        branches=Branches(["line:0"], [0], [1], [60.0, ], [-60.0]),
    )
    plain = trace(snapshot)
    np.testing.assert_allclose(plain.renewable_share, [0.4, 0.4])
    assert list(plain.withdrawal_kind) == ["load", "export"]
    configured = trace(snapshot, source_mix={"ext_grid:0": {"coal": 0.5, "hydro": 0.5}})
    np.testing.assert_allclose(configured.renewable_share, [0.7, 0.7])


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(AttributionError, match="sideways"):
        trace(snapshot_of(BIALEK_NET), method="sideways")  # type: ignore[arg-type]


def test_storage_of_unknown_provenance_gets_the_grid_factor_and_a_source_mix_replaces_it() -> None:
    # G0 coal 400 MW, G1 an untracked storage unit 114 MW: Bialek's published split (Bialek 1996)
    snapshot = snapshot_of(BIALEK_NET, technologies=["coal", "storage"])
    untracked = carbon_intensity(snapshot, method="upstream")
    coal_share = PUBLISHED_UPSTREAM_MW[0] / PUBLISHED_UPSTREAM_MW.sum(axis=0)
    np.testing.assert_allclose(untracked.withdrawal_t_per_mwh, coal_share * 0.877 + (1 - coal_share) * 0.5617,
                               atol=1e-5)
    tracked = carbon_intensity(snapshot, method="upstream", source_mix={"G1": {"wind_offshore": 1.0}})
    np.testing.assert_allclose(tracked.withdrawal_t_per_mwh, coal_share * 0.877, atol=1e-5)
    with pytest.raises(AttributionError, match="'storage'"):
        carbon_intensity(snapshot, {"storage": float("nan")})


def test_bad_source_mix_is_named() -> None:
    with pytest.raises(AttributionError, match="'nobody'"):
        trace(snapshot_of(BIALEK_NET), source_mix={"nobody": {"coal": 1.0}})
    with pytest.raises(AttributionError, match="summing to 1"):
        trace(snapshot_of(BIALEK_NET), source_mix={"G0": {"coal": 0.5}})
