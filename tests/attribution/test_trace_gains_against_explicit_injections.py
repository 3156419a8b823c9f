"""Branches that deliver more than they receive, against the same networks with the gains written out.

The documented method (docs/attribution.md, "Branch gains"): a branch carries its sending-end flow
and its gain ``p_recv - p_send`` is a fictitious injection at the receiving bus that carries the
sending bus's mix; it is no device's power. The reference rewrites each gain as an explicit
generator ("gain rows") in a plain network dict and traces it with the independent topological
walk (``attribution_reference.propagate``); the mix each gain carries is derived by hand below
(or, where gains feed each other, from the two balance equations written out). Found on real
grids: PEGASE 9241 (61 transformers with vkr < 0, 10 lines with r < 0, up to 5.3 MW), case145
(204 lines with r < 0), case3120sp (transformers delivering at one end while taking ~1e-12 MW at
the other).
"""

from __future__ import annotations

import numpy as np
import pytest
from attribution_cases import snapshot_of
from attribution_reference import propagate

from greenproof.attribution import TECHNOLOGY_KEYS, Branches, Injections, Snapshot, Withdrawals, mix, trace

COAL, WIND, SOLAR = (TECHNOLOGY_KEYS.index(t) for t in ("coal", "wind_offshore", "solar_pv"))

# Bus 1: coal 100 + wind 50 MW. Line 1→2 takes 80 and delivers 81 (gain 1); line 1→3 takes 70 and
# delivers 68; bus 2: solar 10, load 40, line 2→4 takes 51 and delivers 52 (gain 1, downstream of the
# first). Loads 40 (bus 2), 68 (bus 3), 52 (bus 4). KCL: 150 = 80 + 70; 81 + 10 = 40 + 51.
GAIN_NET = {
    "buses": [1, 2, 3, 4],
    "gens": [(1, 100.0), (1, 50.0), (2, 10.0)],
    "loads": [(2, 40.0), (3, 68.0), (4, 52.0)],
    "lines": [(1, 2, 80.0, 81.0), (1, 3, 70.0, 68.0), (2, 4, 51.0, 52.0)],
}
TECHNOLOGIES = ["coal", "wind_offshore", "solar_pv"]
# The same network with each gain written out as a generator at the receiving bus (lines carry p_send).
EXPLICIT = {**GAIN_NET,
            "gens": GAIN_NET["gens"] + [(2, 1.0), (4, 1.0)],
            "lines": [(1, 2, 80.0, 80.0), (1, 3, 70.0, 68.0), (2, 4, 51.0, 51.0)]}
# Mix carried by each gain, by hand: bus 1 holds only its two generators (2/3 coal, 1/3 wind) in every
# method; bus 2 holds 80 MW of bus 1's mix, the 1 MW gain with bus 1's mix and 10 MW solar (no loss on
# line 1→2 in the written-out network, so all three methods agree): coal 54/91, wind 27/91, solar 10/91.
GAIN_MIX = np.zeros((2, len(TECHNOLOGY_KEYS)))
GAIN_MIX[0, [COAL, WIND]] = [2 / 3, 1 / 3]
GAIN_MIX[1, [COAL, WIND, SOLAR]] = [54 / 91, 27 / 91, 10 / 91]


@pytest.mark.parametrize("method", ["upstream", "downstream", "average"])
def test_gains_are_injections_at_the_receiving_bus_with_the_sending_bus_mix(method: str) -> None:
    allocation = trace(snapshot_of(GAIN_NET, technologies=TECHNOLOGIES), method=method)  # type: ignore[arg-type]
    reference = propagate(EXPLICIT, method)  # (5, 3): three generators, then the two gain rows
    np.testing.assert_allclose(allocation.mw.toarray(), reference[:3], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(allocation.gain_mix_mw, reference[3:].T @ GAIN_MIX, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(allocation.supplied_mw, reference.sum(axis=0), rtol=1e-12)


def test_upstream_gains_keep_every_output_whole_and_every_load_supplied() -> None:
    allocation = trace(snapshot_of(GAIN_NET, technologies=TECHNOLOGIES))
    np.testing.assert_allclose(allocation.delivered_mw, [100.0, 50.0, 10.0], rtol=1e-12)
    assert (allocation.supplied_mw >= allocation.withdrawal_mw - 1e-9).all()
    # the loads receive the 160 MW generated plus the 2 MW of gains (the 2 MW loss of line 1→3 is theirs too)
    assert allocation.supplied_mw.sum() == pytest.approx(162.0, rel=1e-12)
    assert allocation.gain_mw.sum() == pytest.approx(2.0, rel=1e-12)


@pytest.mark.parametrize("method", ["upstream", "downstream", "average"])
def test_share_only_mix_carries_the_gains_too(method: str) -> None:
    snapshot = snapshot_of(GAIN_NET, technologies=TECHNOLOGIES)
    allocation = trace(snapshot, method=method)  # type: ignore[arg-type]
    np.testing.assert_allclose(mix(snapshot, method=method).withdrawal_share,  # type: ignore[arg-type]
                               allocation.technology_share, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(allocation.technology_share.sum(axis=1), 1.0, rtol=1e-12)


def test_a_negative_loss_at_round_off_level_is_no_gain() -> None:
    # 1e-12 of a 100 MW flow: float round-off of the two end flows, far below GAIN_ROUND_OFF_RTOL (1e-9)
    noisy = {"buses": [1, 2], "gens": [(1, 100.0)], "loads": [(2, 100.0 + 1e-10)],
             "lines": [(1, 2, 100.0, 100.0 + 1e-10)]}
    allocation = trace(snapshot_of(noisy))
    assert not allocation.gain_mix_mw.any()
    np.testing.assert_allclose(allocation.mw.toarray(), [[100.0]], rtol=1e-12)


def _with_branch(base: dict, branch: tuple[str, int, int, float, float], extra_bus: int | None = None) -> Snapshot:
    """``base`` (lines oriented with the flow) plus one branch in pandapower signs."""
    lines = base["lines"]
    return Snapshot(
        bus_ids=base["buses"] + ([] if extra_bus is None else [extra_bus]),
        injections=Injections([f"G{k}" for k in range(len(base["gens"]))], [b for b, _ in base["gens"]],
                              ["coal", "wind_offshore"][:len(base["gens"])], [p for _, p in base["gens"]]),
        withdrawals=Withdrawals([f"L{m}" for m in range(len(base["loads"]))], [b for b, _ in base["loads"]],
                                [p for _, p in base["loads"]]),
        branches=Branches([f"line{i}" for i in range(len(lines))] + [branch[0]],
                          [s for s, _, _, _ in lines] + [branch[1]], [r for _, r, _, _ in lines] + [branch[2]],
                          [ps for _, _, ps, _ in lines] + [branch[3]], [-pr for _, _, _, pr in lines] + [branch[4]]),
    )


@pytest.mark.parametrize("method", ["upstream", "downstream", "average"])
def test_a_branch_delivering_from_a_dead_bus_carries_its_own_bus_mix(method: str) -> None:
    # case3120sp's trafo:31 in small: it delivers 0.5 MW at bus 2 and takes ~0 at bus 9, where nothing
    # else is. The gain's source carries no flow, so it carries bus 2's own mix (60 % coal, 40 % wind).
    base = {"buses": [1, 2], "gens": [(1, 60.0), (1, 40.0)], "loads": [(2, 99.5)], "lines": [(1, 2, 100.0, 99.0)]}
    snapshot = _with_branch(base, ("trafo:31", 2, 9, -0.5, 1e-12), extra_bus=9)
    allocation = trace(snapshot, method=method)  # type: ignore[arg-type]
    explicit = {**base, "gens": base["gens"] + [(2, 0.5)]}
    reference = propagate(explicit, method)
    np.testing.assert_allclose(allocation.mw.toarray(), reference[:2], rtol=1e-12)
    np.testing.assert_allclose(allocation.gain_mix_mw[0, [COAL, WIND]], reference[2, 0] * np.array([0.6, 0.4]),
                               rtol=1e-12)
    np.testing.assert_allclose(allocation.technology_share[0, [COAL, WIND]], [0.6, 0.4], rtol=1e-12)


def test_a_branch_delivering_at_both_ends_gives_each_end_the_other_ends_mix() -> None:
    # Two feeders: coal 50 MW at bus 1 → bus 3 (takes 50, delivers 49), wind 30 MW at bus 2 → bus 4
    # (30 → 29.5); branch Y between buses 3 and 4 delivers 0.2 MW at bus 3 and 0.3 MW at bus 4.
    base = {"buses": [1, 2, 3, 4], "gens": [(1, 50.0), (2, 30.0)], "loads": [(3, 49.2), (4, 29.8)],
            "lines": [(1, 3, 50.0, 49.0), (2, 4, 30.0, 29.5)]}
    snapshot = _with_branch(base, ("Y", 3, 4, -0.2, -0.3))
    allocation = trace(snapshot)
    # upstream (gross) mixes: bus 3 carries 50 MW coal + 0.2 MW of bus 4's mix, bus 4 carries 30 MW wind
    # + 0.3 MW of bus 3's mix. Coal share c3, c4: 50.2 c3 = 50 + 0.2 c4 and 30.3 c4 = 0.3 c3.
    c3, c4 = np.linalg.solve([[50.2, -0.2], [-0.3, 30.3]], [50.0, 0.0])
    reference = propagate({**base, "gens": base["gens"] + [(3, 0.2), (4, 0.3)]}, "upstream")
    np.testing.assert_allclose(allocation.mw.toarray(), reference[:2], rtol=1e-12)
    expected_coal = reference[2] * c4 + reference[3] * c3
    np.testing.assert_allclose(allocation.gain_mix_mw[:, COAL], expected_coal, rtol=1e-12)
    np.testing.assert_allclose(allocation.gain_mw, reference[2:].sum(axis=0), rtol=1e-12)
