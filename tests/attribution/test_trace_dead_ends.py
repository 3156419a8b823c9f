"""Stub branches and buses with no outlet: their intake is a loss draw at the sending bus, no megawatt is lost.

Found on real grids (issue 13): upstream tracing lost generator output on case1888rte (3.74 MW),
1-EHV-mixed--0-sw (6.43 MW), GBnetwork (0.15 MW) and others, because a stub branch into a bus with
nothing else on it (its far end takes ~0 MW: the whole sending flow is loss) kept its flow into a
bus whose through-flow is 0, where it vanished. The rule (docs/attribution.md): in the outflow view
(upstream, average) a line into a bus with no withdrawal and no outlet is a loss draw at its sending
bus, repeated until none is left.

References: the hand arithmetic in each test, and ``attribution_reference.propagate`` (a plain-loop
walk that applies the same rule independently). Invariant checked: upstream, every injection
delivers its whole output.
"""

from __future__ import annotations

import numpy as np
import pytest
from attribution_cases import snapshot_of
from attribution_reference import propagate

from greenproof.attribution import trace

# G1 100 MW at bus 1, G2 30 MW at bus 2. Line 1→2 takes 60 and delivers 59; load 39.5 MW at bus 1,
# 89 MW at bus 2. Stub 1→3 takes 0.5 MW and delivers 0 to bus 3, where nothing else is.
STUB = {
    "buses": [1, 2, 3],
    "gens": [(1, 100.0), (2, 30.0)],
    "loads": [(1, 39.5), (2, 89.0)],
    "lines": [(1, 2, 60.0, 59.0), (1, 3, 0.5, 0.0)],
}
# By hand, upstream: the stub's 0.5 MW is a loss draw at bus 1, so bus 1's gross through-flow is
# 39.5 + 60 = 99.5 MW and G1's 100 MW go 39.5/99.5 to load 1 and 60/99.5 on to bus 2, whose gross
# through-flow 100 * 60/99.5 + 30 equals its load's supply.
STUB_UPSTREAM_MW = np.array([[100 * 39.5 / 99.5, 100 * 60 / 99.5], [0.0, 30.0]])


def test_upstream_stub_is_a_loss_draw_at_its_sending_bus() -> None:
    allocation = trace(snapshot_of(STUB))
    np.testing.assert_allclose(allocation.mw.toarray(), STUB_UPSTREAM_MW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(allocation.delivered_mw, [100.0, 30.0], rtol=1e-12)


def test_a_chain_of_stubs_is_cut_back_to_the_feeding_bus() -> None:
    # bus 3 now passes 0.3 MW on to bus 4, where nothing is: cutting 3→4 leaves bus 3 a dead end too
    chain = {**STUB, "buses": [1, 2, 3, 4], "lines": [(1, 2, 60.0, 59.0), (1, 3, 0.5, 0.3), (3, 4, 0.3, 0.0)]}
    allocation = trace(snapshot_of(chain))
    np.testing.assert_allclose(allocation.mw.toarray(), STUB_UPSTREAM_MW, rtol=1e-12, atol=1e-12)


def test_a_bus_whose_only_other_branch_draws_at_both_ends_is_a_dead_end() -> None:
    # GBnetwork's remainder: line 1→5 delivers 0.3 MW to bus 5, whose only other branch draws 0.3 MW
    # there and 0.1 MW at bus 1 (charging/losses). KCL at bus 1: 100 = 39.5 + 60 + 0.4 + 0.1.
    net = {"buses": [1, 2, 5], "gens": [(1, 100.0), (2, 30.0)], "loads": [(1, 39.5), (2, 89.0)],
           "lines": [(1, 2, 60.0, 59.0), (1, 5, 0.4, 0.3)], "draws": [(5, 1, 0.3, 0.1)]}
    allocation = trace(snapshot_of(net))
    # by hand: bus 1's gross through-flow is 39.5 + 60 (the detour is a loss draw), as for the stub
    np.testing.assert_allclose(allocation.mw.toarray(), STUB_UPSTREAM_MW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(allocation.mw.toarray(), propagate(net, "upstream"), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(allocation.delivered_mw, [100.0, 30.0], rtol=1e-12)


@pytest.mark.parametrize("method", ["downstream", "average"])
def test_downstream_and_average_charge_the_stub_to_injections(method: str) -> None:
    allocation = trace(snapshot_of(STUB), method=method)  # type: ignore[arg-type]
    np.testing.assert_allclose(allocation.mw.toarray(), propagate(STUB, method), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(allocation.supplied_mw, [39.5, 89.0], rtol=1e-12)
    assert allocation.injection_loss_mw.sum() == pytest.approx(1.5, rel=1e-12)  # 1 MW line loss + 0.5 MW stub
