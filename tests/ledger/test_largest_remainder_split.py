"""Largest-remainder splitting of a plant-interval's metered Wh, checked against exact rational arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenproof.ledger.allocation_leaves import split_cap
from greenproof.ledger.errors import AllocationError

OWN = "own"


def hamilton_with_fractions(cap_wh: int, shares: dict[str, float]) -> dict[str, int]:
    """Independent reference: exact Fraction quotas, floor, then +1 to the largest remainders (ties by key)."""
    exact = {holder: Fraction(share) for holder, share in shares.items()}
    total = sum(exact.values(), Fraction(0))
    scale = max(total, Fraction(1))
    quotas = {holder: cap_wh * share / scale for holder, share in exact.items()}
    quotas[OWN] = quotas.get(OWN, Fraction(0)) + cap_wh * (1 - total / scale)
    parts = {holder: math.floor(q) for holder, q in quotas.items()}
    order = sorted(quotas, key=lambda h: (-(quotas[h] - parts[h]), h))
    for holder in order[: cap_wh - sum(parts.values())]:
        parts[holder] += 1
    return {holder: wh for holder, wh in parts.items() if wh}


def test_split_against_wikipedia_largest_remainder_hare_example() -> None:
    # Wikipedia "Largest remainders method", Hare quota example: 100 000 votes, 10 seats;
    # Yellows 47 000, Whites 16 000, Reds 15 800, Greens 12 000, Blues 6 100, Pinks 3 100
    # -> seats 5, 2, 1, 1, 1, 0. Pinks play the plant's own account (the remainder of the shares).
    shares = {"yellows": 0.47, "whites": 0.16, "reds": 0.158, "greens": 0.12, "blues": 0.061}
    assert split_cap(10, shares, OWN) == {"yellows": 5, "whites": 2, "reds": 1, "greens": 1, "blues": 1}


def test_unallocated_output_goes_to_the_plant_account() -> None:
    # 1 000 Wh, firms take 30 % and 20 %: 500 Wh stay with the plant.
    assert split_cap(1000, {"a": 0.3, "b": 0.2}, OWN) == {"a": 300, "b": 200, OWN: 500}


def test_shares_summing_a_hair_above_one_are_normalised_but_clearly_above_one_refused() -> None:
    assert sum(split_cap(999_999, {"a": 0.5, "b": 0.5 + 1e-15}, OWN).values()) == 999_999
    with pytest.raises(AllocationError, match=r"plant H1 .*sum to 1\.01"):
        split_cap(1000, {"a": 0.51, "b": 0.5}, OWN, what="plant H1 at 00:00")


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf])
def test_negative_or_non_finite_shares_are_refused_naming_the_holder(bad: float) -> None:
    with pytest.raises(AllocationError, match="holder 'b'"):
        split_cap(1000, {"a": 0.2, "b": bad}, OWN)


def test_negative_cap_is_refused() -> None:
    with pytest.raises(AllocationError, match="cap -1"):
        split_cap(-1, {"a": 0.2}, OWN)


share_dicts = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", OWN]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
    max_size=11,
).map(lambda d: {k: v / max(1.0, sum(d.values())) for k, v in d.items()})


@settings(max_examples=300, deadline=None)
@given(cap_wh=st.integers(min_value=0, max_value=10**12), shares=share_dicts)
def test_split_matches_exact_fractions_and_keeps_every_wh(cap_wh: int, shares: dict[str, float]) -> None:
    parts = split_cap(cap_wh, shares, OWN)
    assert parts == hamilton_with_fractions(cap_wh, shares)
    assert sum(parts.values()) == cap_wh
    total = sum(Fraction(s) for s in shares.values())
    scale = max(total, Fraction(1))
    for holder in set(shares) | {OWN}:
        exact = cap_wh * (Fraction(shares.get(holder, 0.0)) / scale + (1 - total / scale if holder == OWN else 0))
        assert parts.get(holder, 0) >= 0
        assert abs(parts.get(holder, 0) - exact) < 1
