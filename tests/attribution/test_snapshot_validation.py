"""Snapshot validation: malformed rows raise SnapshotError naming the row; imbalance is reported."""

from __future__ import annotations

import math

import pytest

from greenproof.attribution import Branches, Injections, Snapshot, SnapshotError, Withdrawals


def _snapshot(**overrides: object) -> Snapshot:
    parts: dict[str, object] = {
        "bus_ids": [1, 2],
        "injections": Injections(["G1", "G2"], [1, 1], ["coal", "solar_pv"], [60.0, 41.0]),
        "withdrawals": Withdrawals(["L1"], [2], [100.0]),
        "branches": Branches(["line:0"], [1], [2], [101.0], [-100.0]),
    }
    parts.update(overrides)
    return Snapshot(**parts)  # type: ignore[arg-type]


def test_valid_snapshot_has_zero_imbalance() -> None:
    assert _snapshot().imbalance_mw == pytest.approx(0.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_injection_names_the_row(bad: float) -> None:
    with pytest.raises(SnapshotError, match=r"injections row 1 \('G2'\): p_mw is"):
        _snapshot(injections=Injections(["G1", "G2"], [1, 1], ["coal", "solar_pv"], [60.0, bad]))


def test_non_finite_branch_flow_names_the_branch() -> None:
    with pytest.raises(SnapshotError, match=r"branches row 0 \('line:0'\): p_to_mw is nan"):
        _snapshot(branches=Branches(["line:0"], [1], [2], [101.0], [math.nan]))


def test_unknown_bus_names_the_row() -> None:
    with pytest.raises(SnapshotError, match=r"withdrawals row 0 \('L1'\): bus 7 is no bus"):
        _snapshot(withdrawals=Withdrawals(["L1"], [7], [100.0]))
    with pytest.raises(SnapshotError, match=r"branches row 0 \('line:0'\): to_bus 9"):
        _snapshot(branches=Branches(["line:0"], [1], [9], [101.0], [-100.0]))


def test_negative_power_names_the_row() -> None:
    with pytest.raises(SnapshotError, match=r"withdrawals row 0 \('L1'\): p_mw is -100.0 < 0"):
        _snapshot(withdrawals=Withdrawals(["L1"], [2], [-100.0]))


def test_duplicate_ids_name_the_rows() -> None:
    with pytest.raises(SnapshotError, match=r"injections rows \[0, 1\]: id 'G1' appears 2 times"):
        _snapshot(injections=Injections(["G1", "G1"], [1, 1], ["coal", "solar_pv"], [60.0, 41.0]))
    with pytest.raises(SnapshotError, match=r"bus_ids rows \[0, 1\]"):
        _snapshot(bus_ids=[1, 1])


def test_unknown_technology_and_kind_name_the_row() -> None:
    with pytest.raises(SnapshotError, match=r"injections row 1 \('G2'\): technology 'fusion'"):
        Injections(["G1", "G2"], [1, 1], ["coal", "fusion"], [60.0, 41.0])
    with pytest.raises(SnapshotError, match=r"withdrawals row 0 \('L1'\): kind 'heat'"):
        Withdrawals(["L1"], [2], [100.0], ["heat"])


def test_imbalance_is_reported_with_its_terms() -> None:
    with pytest.raises(SnapshotError, match=r"energy imbalance of 5 MW \(injections 106 MW, withdrawals 100 MW, "
                                            r"branch losses 1 MW\)"):
        _snapshot(injections=Injections(["G1", "G2"], [1, 1], ["coal", "solar_pv"], [65.0, 41.0]))


def test_imbalance_names_the_bus_at_fault_and_its_devices() -> None:
    # bus 1 injects 65 + 41 MW but sends 101 MW into line:0: 5 MW too many there, none at bus 2
    with pytest.raises(SnapshotError, match=r"largest mismatch \+5 MW at bus 1, whose devices are \['G1', 'G2'\]"):
        _snapshot(injections=Injections(["G1", "G2"], [1, 1], ["coal", "solar_pv"], [65.0, 41.0]))


def test_unsupplied_devices_are_listed_once_and_are_no_rows() -> None:
    assert _snapshot(unsupplied_device_id=["load:9"]).unsupplied_device_id.tolist() == ["load:9"]
    assert _snapshot().unsupplied_device_id.size == 0
    with pytest.raises(SnapshotError, match=r"unsupplied device 'L1' is also an injection or withdrawal row"):
        _snapshot(unsupplied_device_id=["L1"])
    with pytest.raises(SnapshotError, match=r"unsupplied_device_id rows \[0, 1\]"):
        _snapshot(unsupplied_device_id=["load:9", "load:9"])


def test_column_length_mismatch_is_reported() -> None:
    with pytest.raises(SnapshotError, match=r"injections\.p_mw has 1 rows, device_id has 2"):
        Injections(["G1", "G2"], [1, 1], ["coal", "coal"], [60.0])
