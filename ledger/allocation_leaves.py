"""Splitting a plant's metered Wh over its holders: largest remainder, exact integer arithmetic.

For one plant and interval, the metered generation ``cap_wh`` is the most certificates that may
exist. It is split over the holders in proportion to their traced shares of the plant's output;
what no firm took (``1 - sum(shares)``: export, storage charging, non-firm loads, losses) belongs
to the plant's own account. Each holder first gets its exact quota rounded down to whole Wh; the
Wh left over (fewer than the number of holders) go one each to the largest fractional remainders
(Hamilton / largest-remainder method), ties broken by holder key. So the parts sum to ``cap_wh``
exactly, each is within 1 Wh of its exact quota, and no Wh is lost.

Shares are read exactly: a float is a dyadic rational, so the quotas are computed with integers
and no rounding error enters before the final floor.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from math import isfinite
from typing import Any, TypeVar

from .errors import AllocationError

__all__ = ["SHARE_SUM_TOLERANCE", "largest_remainder", "split_cap"]

#: Shares summing above 1 by at most this much (float round-off of a traced allocation) are
#: scaled down to sum to exactly 1; beyond it :func:`split_cap` refuses them.
SHARE_SUM_TOLERANCE = Fraction(1, 10**9)

K = TypeVar("K", bound=Any)


def _exact_numerators(shares: Mapping[str, float], what: str) -> tuple[dict[str, int], int]:
    """Return integer numerators over one common power-of-two denominator, and that denominator."""
    ratios: dict[str, tuple[int, int]] = {}
    for holder, share in shares.items():
        value = float(share)
        if not isfinite(value) or value < 0:
            raise AllocationError(f"{what}: share of holder {holder!r} is {share!r}; shares must be finite and >= 0")
        ratios[holder] = value.as_integer_ratio()
    denominator = max((d for _, d in ratios.values()), default=1)
    return {holder: n * (denominator // d) for holder, (n, d) in ratios.items()}, denominator


def split_cap(cap_wh: int, shares: Mapping[str, float], own_account: str, *, what: str = "split") -> dict[str, int]:
    """Split ``cap_wh`` whole Wh over holders by the largest-remainder method.

    Parameters
    ----------
    cap_wh : int
        Metered generation of the plant-interval, whole Wh, ``>= 0``.
    shares : mapping of str to float
        Share of the plant's output delivered to each holder, each in [0, 1], summing to at most
        1 (+ :data:`SHARE_SUM_TOLERANCE`).
    own_account : str
        Key of the plant's own account, which receives ``1 - sum(shares)``. It may also appear in
        ``shares``; its parts add up.
    what : str
        Names the plant-interval in error messages.

    Returns
    -------
    dict of str to int
        Whole Wh per holder (own account included), zero entries omitted; the values sum to ``cap_wh``.

    Raises
    ------
    AllocationError
        If ``cap_wh`` is negative, a share is negative or not finite, or the shares sum above 1.
    """
    if isinstance(cap_wh, bool) or not isinstance(cap_wh, int) or cap_wh < 0:
        raise AllocationError(f"{what}: cap {cap_wh!r} Wh must be a whole number >= 0")
    numerators, denominator = _exact_numerators(shares, what)
    total = sum(numerators.values())
    if total > denominator:
        if Fraction(total, denominator) > 1 + SHARE_SUM_TOLERANCE:
            raise AllocationError(f"{what}: shares sum to {total / denominator!r} > 1")
        denominator = total  # round-off above 1: normalise to exactly 1
    numerators[own_account] = numerators.get(own_account, 0) + denominator - total
    return largest_remainder(cap_wh, numerators, denominator)


def largest_remainder(total_wh: int, numerators: Mapping[K, int], denominator: int) -> dict[K, int]:
    """Apportion ``total_wh`` whole Wh by exact integer quotas ``numerator / denominator`` (Hamilton).

    Parameters
    ----------
    total_wh : int
        Whole Wh to apportion, ``>= 0``.
    numerators : mapping of key to int
        Integer weights, ``>= 0``, summing to ``denominator``.
    denominator : int
        ``sum(numerators.values())``, ``> 0``.

    Returns
    -------
    dict
        Whole Wh per key, zero entries omitted, summing to ``total_wh``: each key gets its quota
        rounded down, the leftover Wh go one each to the largest remainders, ties by key.
    """
    floors: dict[K, int] = {}
    remainders: list[tuple[int, K]] = []
    for key, numerator in numerators.items():
        whole, remainder = divmod(total_wh * numerator, denominator)
        floors[key] = whole
        remainders.append((remainder, key))
    leftover = total_wh - sum(floors.values())
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, key in remainders[:leftover]:
        floors[key] += 1
    return {key: wh for key, wh in floors.items() if wh > 0}
