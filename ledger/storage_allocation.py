"""Which stored energy a storage discharge takes: FIFO or pro-rata over charge lots, whole Wh.

A *lot* is what one Storage Charge Record (SCR) put into a storage unit: the energy one plant (or,
for ``plant_index`` 0, any non-certified source: coal, grid import, unknown) charged in one
interval, after the round-trip loss. Its deliverable Wh are

    ``stored_wh = floor(charged_wh × efficiency_ppm / 10^6)``

— the contract's own rule when it records a charge (``recordCharges``), so what the ledger lets a
unit discharge from a plant is exactly what the chain allows. Losses (``charged − stored``) are
nobody's certificate.

A discharge of ``D`` Wh (deliverable, as metered at the unit's terminals) takes from the lots still
holding energy:

- **FIFO** (the Granular Registry's rule, its FIFO storage allocator): the oldest charging
  interval first; the lots of one interval entered together, so a partly used interval is shared
  among its lots pro-rata.
- **pro-rata**: every lot in proportion to what it still holds (the unit is one well-mixed pool;
  :class:`greenproof.attribution.StorageLedger`'s default for the technology mix).

Shares are apportioned in exact integers by the largest-remainder method
(:func:`~greenproof.ledger.allocation_leaves.largest_remainder`), so the draws sum to
``min(D, Σ held)`` exactly and no lot gives more than it holds. A discharge above what the lots
hold takes them all; the rest has no known origin and is nobody's certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import groupby, pairwise

from .allocation_leaves import largest_remainder
from .errors import AllocationError

__all__ = ["ALLOCATION_RULES", "PPM", "ChargeLot", "after_draw", "draw", "stored_after_losses"]

#: Discharge allocation rules: ``"fifo"`` (oldest charge first) or ``"pro_rata"`` (well-mixed pool).
ALLOCATION_RULES = ("fifo", "pro_rata")

#: Parts per million: round-trip efficiency unit, as registered on-chain.
PPM = 1_000_000


def stored_after_losses(charged_wh: int, efficiency_ppm: int) -> int:
    """Return the deliverable Wh of ``charged_wh`` charged at ``efficiency_ppm`` round trip (rounded down).

    Raises
    ------
    AllocationError
        If ``charged_wh < 0`` or the efficiency is not in ``(0, 10^6]`` ppm.
    """
    if not 0 < efficiency_ppm <= PPM:
        raise AllocationError(f"round-trip efficiency {efficiency_ppm} ppm must be in (0, {PPM}]")
    if charged_wh < 0:
        raise AllocationError(f"charged energy {charged_wh} Wh must be >= 0")
    return charged_wh * efficiency_ppm // PPM


@dataclass(frozen=True)
class ChargeLot:
    """Energy one source charged into a storage unit in one interval, still held (deliverable Wh).

    Attributes
    ----------
    origin_start_s : int
        Start of the charging (= production) interval, UNIX s UTC.
    plant_index : int
        On-chain index of the renewable plant that produced it; 0 for energy without a certificate.
    held_wh : int
        Deliverable Wh still in the unit, ``>= 0``.
    record_id : int
        The ledger's charge record (0 when not stored yet).
    """

    origin_start_s: int
    plant_index: int
    held_wh: int
    record_id: int = 0

    @property
    def key(self) -> tuple[int, int]:
        """``(origin_start_s, plant_index)``: lots are ordered and apportioned by it."""
        return (self.origin_start_s, self.plant_index)


def _pro_rata(lots: Sequence[ChargeLot], wh: int) -> dict[tuple[int, int], int]:
    held = {lot.key: lot.held_wh for lot in lots if lot.held_wh > 0}
    total = sum(held.values())
    if total == 0:
        return {}
    if wh >= total:
        return held
    return largest_remainder(wh, held, total)


def draw(lots: Sequence[ChargeLot], discharge_wh: int, rule: str) -> list[tuple[ChargeLot, int]]:
    """Return the lots a discharge takes and how much of each, by ``rule``.

    Parameters
    ----------
    lots : sequence of ChargeLot
        What the unit holds, any order, at most one lot per ``key``.
    discharge_wh : int
        Deliverable Wh discharged, ``>= 0``.
    rule : {"fifo", "pro_rata"}
        Allocation rule (module docstring).

    Returns
    -------
    list of (ChargeLot, int)
        ``(lot, Wh taken)`` by ``key``, Wh > 0; they sum to ``min(discharge_wh, Σ held)``.

    Raises
    ------
    AllocationError
        If ``rule`` is unknown, ``discharge_wh`` or a lot is negative, or two lots share a key.
    """
    if rule not in ALLOCATION_RULES:
        raise AllocationError(f"storage allocation rule {rule!r} is not one of {ALLOCATION_RULES}")
    if discharge_wh < 0 or any(lot.held_wh < 0 for lot in lots):
        raise AllocationError(f"a discharge ({discharge_wh} Wh) and the lots it draws on must be >= 0 Wh")
    ordered = sorted(lots, key=lambda lot: lot.key)
    if any(a.key == b.key for a, b in pairwise(ordered)):
        raise AllocationError("two charge lots share one (interval, plant)")
    by_key = {lot.key: lot for lot in ordered}
    taken: dict[tuple[int, int], int] = {}
    if rule == "pro_rata":
        taken = _pro_rata(ordered, discharge_wh)
    else:
        left = discharge_wh
        for _start, group in groupby(ordered, key=lambda lot: lot.origin_start_s):
            if left == 0:
                break
            part = _pro_rata(list(group), left)
            taken.update(part)
            left -= sum(part.values())
    return [(by_key[key], wh) for key, wh in sorted(taken.items()) if wh > 0]


def after_draw(lots: Sequence[ChargeLot], taken: Sequence[tuple[ChargeLot, int]]) -> list[ChargeLot]:
    """Return ``lots`` with the Wh ``taken`` removed (empty lots dropped), by key."""
    minus = {lot.key: wh for lot, wh in taken}
    left = [replace(lot, held_wh=lot.held_wh - minus.get(lot.key, 0)) for lot in lots]
    return sorted((lot for lot in left if lot.held_wh > 0), key=lambda lot: lot.key)
