"""Monthly roll-up of issued certificates per plant into whole MWh, comparable with China GEC.

China issues one GEC per 1 MWh (1000 kWh) of renewable generation, monthly; what is left below
1 MWh is carried over to the next month (NEA 《可再生能源绿色电力证书核发和交易规则》, 2024:
"每1000千瓦时…核发1个绿证，不足核发1个绿证的当月电量结转至次月"). Our certificates count whole Wh
per 15-minute interval; this module sums them per production month (time zone configurable,
default Asia/Shanghai) and applies the same carry-over, so both registries can be compared
month by month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .certificate_status import production_month
from .models import BatchState, CapLeafRow, IssuanceBatch, Plant

__all__ = ["WH_PER_GEC", "GecMonth", "gec_rollup", "roll_up"]

#: One China GEC certificate stands for 1 MWh.
WH_PER_GEC = 1_000_000


@dataclass(frozen=True)
class GecMonth:
    """One plant-month of the roll-up.

    Attributes
    ----------
    plant_code : str
    year, month : int
        Production month (in the roll-up's time zone).
    issued_wh : int
        Wh of certificates issued for the month's intervals.
    carried_in_wh : int
        Remainder (< 1 MWh) carried from the previous month.
    gec_mwh : int
        Whole MWh (= GEC-comparable certificates) for the month: ``(carried_in_wh + issued_wh) // 1e6``.
    carried_out_wh : int
        Remainder carried to the next month, ``< 1_000_000``.
    """

    plant_code: str
    year: int
    month: int
    issued_wh: int
    carried_in_wh: int
    gec_mwh: int
    carried_out_wh: int


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    start, stop = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    return [(index // 12, index % 12 + 1) for index in range(start, stop + 1)]


def roll_up(plant_code: str, monthly_wh: Mapping[tuple[int, int], int]) -> list[GecMonth]:
    """Roll one plant's monthly Wh into whole MWh with the remainder carried to the next month.

    Parameters
    ----------
    plant_code : str
        Plant the months belong to.
    monthly_wh : mapping of (year, month) to int
        Wh issued per production month; months in between that are missing count as 0 Wh.

    Returns
    -------
    list of GecMonth
        Every month from the first to the last, in order.
    """
    if not monthly_wh:
        return []
    rows = []
    carry = 0
    for year, month in _months(min(monthly_wh), max(monthly_wh)):
        issued = monthly_wh.get((year, month), 0)
        mwh, rest = divmod(carry + issued, WH_PER_GEC)
        rows.append(GecMonth(plant_code, year, month, issued, carry, mwh, rest))
        carry = rest
    return rows


def gec_rollup(session: Session, *, plant_codes: Iterable[str] | None = None,
               tz: str = "Asia/Shanghai") -> list[GecMonth]:
    """Return the roll-up of every plant's certificates issued by confirmed batches (their caps).

    Parameters
    ----------
    plant_codes : iterable of str, optional
        Restrict to these plants (default: all).
    tz : str
        IANA time zone of production months.
    """
    query = (select(Plant.code, CapLeafRow.interval_start_s, CapLeafRow.cap_wh)
             .join(Plant, CapLeafRow.plant_id == Plant.id)
             .join(IssuanceBatch, CapLeafRow.batch_pk == IssuanceBatch.id)
             .where(IssuanceBatch.state == BatchState.CONFIRMED))
    if plant_codes is not None:
        query = query.where(Plant.code.in_(list(plant_codes)))
    totals: defaultdict[str, defaultdict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    for code, start_s, cap_wh in session.execute(query):
        totals[code][production_month(start_s, tz)] += cap_wh
    return [row for code in sorted(totals) for row in roll_up(code, totals[code])]
