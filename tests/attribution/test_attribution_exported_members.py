"""The public surface of greenproof.attribution is listed once, sorted, and importable."""

from __future__ import annotations

import greenproof.attribution as attribution

EXPECTED = {
    "Allocation", "AttributionError", "Branches", "BusMix", "CarbonIntensity", "GreenproofError", "Injections",
    "Snapshot", "SnapshotError", "StorageLedger", "StorageStep", "TECHNOLOGIES", "TECHNOLOGY_KEYS", "Technology",
    "Withdrawals", "carbon_intensity", "emission_factors", "mix", "mix_many", "renewable_technologies", "trace",
    "trace_many", "trace_snapshots",
}


def test_all_is_pinned_and_importable() -> None:
    assert set(attribution.__all__) == EXPECTED
    for name in attribution.__all__:
        assert getattr(attribution, name) is not None


def test_every_deliberate_error_derives_from_greenproof_error() -> None:
    assert issubclass(attribution.SnapshotError, attribution.GreenproofError)
    assert issubclass(attribution.AttributionError, attribution.GreenproofError)
