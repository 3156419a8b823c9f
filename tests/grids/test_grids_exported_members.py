"""The public surface of greenproof.grids is listed once, in ruff's RUF022 order, and importable."""

from __future__ import annotations

import greenproof.grids as grids


def _isort_key(name: str) -> tuple[int, str]:
    # RUF022 "isort-style": CONSTANTS, then Classes, then functions, each alphabetically
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert grids.__all__ == sorted(grids.__all__, key=_isort_key)
    assert grids.__all__ == ["GridError", "from_pandapower", "load_case", "map_intervals",
                             "simbench_profiles", "solve_power_flow", "solve_series", "star_bus_id",
                             "technology_of_type"]
    for name in grids.__all__:
        assert getattr(grids, name) is not None


def test_grid_error_is_a_greenproof_error() -> None:
    from greenproof.attribution import GreenproofError

    assert issubclass(grids.GridError, GreenproofError)
