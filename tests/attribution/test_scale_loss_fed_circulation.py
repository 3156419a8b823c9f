"""A dead end with a loop flow, no load and no generation: found on PEGASE 9241 (AC), traced, not refused.

In ``case9241pegase`` buses 879 and 6670 hang off the grid through one transformer; two parallel
lines with different R/X join them and carry a 0.0126 MW loop flow in opposite directions, fed by
13e-6 MW through the transformer that covers the two lines' losses. The upstream (gross) system
sees a closed loop there (sending-end flows, no withdrawal) and used to raise "lossless
circulation". The power entering such a loss-fed set is a loss like any other: it is charged to
withdrawals (upstream) or to injections (downstream/average), exactly as for a branch drawing power
at both ends.

Reference network (hand-made, KCL exact): G 100 MW at bus 1; line 1→2 sends 99.98 and delivers
99.0 to a 99 MW load at bus 2; line 1→3 sends 0.02, delivers 0.019; loop 3→4 sends 1.0, delivers
0.99; 4→3 sends 0.99, delivers 0.981. Losses: 0.98 + 0.001 + 0.01 + 0.009 = 1.0 MW.
By Bialek's definitions with the dead end's intake charged as a loss: upstream the load gets all
100 MW of G (its 99 MW plus all 1.0 MW of losses); downstream and average it gets exactly 99 MW,
and average charges the 1.0 MW of losses to G as loss sinks.
"""

from __future__ import annotations

import numpy as np
import pytest
from attribution_cases import snapshot_of

from greenproof.attribution import AttributionError, mix, trace

DEAD_END_LOOP = {
    "buses": [1, 2, 3, 4],
    "gens": [(1, 100.0)],
    "loads": [(2, 99.0)],
    "lines": [(1, 2, 99.98, 99.0), (1, 3, 0.02, 0.019), (3, 4, 1.0, 0.99), (4, 3, 0.99, 0.981)],
}


@pytest.mark.parametrize(("method", "delivered_mw"), [("upstream", 100.0), ("downstream", 99.0), ("average", 99.0)])
def test_loss_fed_dead_end_loop_is_charged_as_a_loss(method: str, delivered_mw: float) -> None:
    allocation = trace(snapshot_of(DEAD_END_LOOP), method=method)  # type: ignore[arg-type]
    np.testing.assert_allclose(allocation.mw.toarray(), [[delivered_mw]], rtol=1e-12)
    if method == "average":
        np.testing.assert_allclose(allocation.injection_loss_mw, [1.0], rtol=1e-12)


def test_dead_end_buses_have_no_mix_and_the_load_keeps_its_source() -> None:
    result = mix(snapshot_of(DEAD_END_LOOP, technologies=["wind_offshore"]), by="renewable")
    np.testing.assert_allclose(result.withdrawal_share, [[1.0, 0.0]], rtol=1e-12)
    dead = [list(result.bus_ids).index(b) for b in (3, 4)]
    assert np.isnan(result.share[dead]).all()


def test_a_loop_that_nothing_feeds_is_still_refused() -> None:
    # the same loop with no intake and no losses keeps its power: proportional sharing is undefined there
    isolated = {**DEAD_END_LOOP, "lines": [(1, 2, 100.0, 99.0), (3, 4, 1.0, 1.0), (4, 3, 1.0, 1.0)]}
    with pytest.raises(AttributionError, match=r"buses \[3, 4\].*circulation"):
        trace(snapshot_of(isolated))
