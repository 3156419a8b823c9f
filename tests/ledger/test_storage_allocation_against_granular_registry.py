"""Storage allocation (FIFO, pro-rata) and the round-trip rule against the Granular Registry's worked storage examples.

Sources (numbers below are computed by hand from them, not by the code under test):

- Granular Registry storage methodology, ``example-transactions/time-shifting.md``
  (github.com/the-granular-registry/methodology-storage): a battery consumed 5,000 MWh charging and
  injected 4,250 MWh at 85 % round-trip efficiency; 4,250 GCs are issued for the discharge.
- same, ``process/storage-allocation-records-sars.md``, "Example of FIFO Allocation": SCR 1
  (Jan 1, 12:00) 1000 Wh, SDR 1 (Jan 2, 15:00) 900 Wh, SCR 2 (Jan 3, 14:00) 800 Wh, SDR 2 (Jan 4,
  18:00) 700 Wh; older SCRs are matched first. Its table implies 90 % round trip (900 = 1000 × 0.9);
  the reference registry's FIFO allocator (Future-Energy-Associates/granular_certificate_registry,
  ``gc_registry/storage/allocation/fifo.py``) draws ``SDR / efficiency`` gross Wh from the oldest SCR.
- The park's own figures (docs/ledger.md, "Storage"): the Binhai battery at 88 % round trip (the
  park model's dispatch), H2 wind charging 50 MWh at 10:00 and PV 25 MWh at 12:00, a 33 MWh
  discharge at 19:00.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from greenproof.ledger.errors import AllocationError
from greenproof.ledger.storage_allocation import ChargeLot, after_draw, draw, stored_after_losses

MWH = 1_000_000  # Wh


def _t(day: int, hour: int) -> int:
    return int(datetime(2025, 1, day, hour, tzinfo=UTC).timestamp())


def test_time_shifting_example_issues_4250_of_5000_mwh_at_85_percent() -> None:
    stored = stored_after_losses(5_000 * MWH, 850_000)
    assert stored == 4_250 * MWH
    taken = draw([ChargeLot(_t(1, 6), 1, stored)], 4_250 * MWH, "fifo")
    assert [wh for _, wh in taken] == [4_250 * MWH]
    assert after_draw([ChargeLot(_t(1, 6), 1, stored)], taken) == []


def test_sar_fifo_example_matches_the_oldest_charge_first() -> None:
    # 90 %: SCR 1 1000 Wh → 900 Wh deliverable, SCR 2 800 Wh → 720 Wh.
    scr1 = ChargeLot(_t(1, 12), 1, stored_after_losses(1000, 900_000))
    assert scr1.held_wh == 900
    sdr1 = draw([scr1], 900, "fifo")
    assert sdr1 == [(scr1, 900)]
    lots = after_draw([scr1], sdr1)
    assert lots == []
    scr2 = ChargeLot(_t(3, 14), 1, stored_after_losses(800, 900_000))
    assert scr2.held_wh == 720
    sdr2 = draw([scr2], 700, "fifo")
    assert sdr2 == [(scr2, 700)]
    # 20 Wh deliverable left = the reference allocator's 800 − 700 / 0.9 = 22.2 Wh gross × 0.9
    assert after_draw([scr2], sdr2) == [ChargeLot(_t(3, 14), 1, 20)]


def test_fifo_and_pro_rata_differ_when_both_charges_wait() -> None:
    # Both SCRs of the SAR example charged before SDR 1 (900 Wh): FIFO takes all of it from SCR 1;
    # pro-rata takes 900 × 900/1620 = 500 Wh from SCR 1 and 900 × 720/1620 = 400 Wh from SCR 2.
    scr1, scr2 = ChargeLot(_t(1, 12), 1, 900), ChargeLot(_t(1, 14), 2, 720)
    assert [wh for _, wh in draw([scr2, scr1], 900, "fifo")] == [900]
    assert draw([scr1, scr2], 900, "pro_rata") == [(scr1, 500), (scr2, 400)]


def test_park_battery_fifo_versus_pro_rata() -> None:
    # 88 %: H2 (index 2) charges 50 MWh at 10:00 → 44 MWh; PV (index 4) 25 MWh at 12:00 → 22 MWh.
    h2 = ChargeLot(_t(2, 10), 2, stored_after_losses(50 * MWH, 880_000))
    pv = ChargeLot(_t(2, 12), 4, stored_after_losses(25 * MWH, 880_000))
    assert (h2.held_wh, pv.held_wh) == (44 * MWH, 22 * MWH)
    # 33 MWh at 19:00 — FIFO: 33 from H2; pro-rata: 33 × 44/66 = 22 from H2, 33 × 22/66 = 11 from PV.
    assert draw([h2, pv], 33 * MWH, "fifo") == [(h2, 33 * MWH)]
    assert draw([h2, pv], 33 * MWH, "pro_rata") == [(h2, 22 * MWH), (pv, 11 * MWH)]
    # what is left: FIFO 11 MWh of H2 and 22 of PV; pro-rata 22 of H2 and 11 of PV
    assert after_draw([h2, pv], draw([h2, pv], 33 * MWH, "fifo")) == [ChargeLot(_t(2, 10), 2, 11 * MWH), pv]


def test_fifo_shares_one_charging_interval_pro_rata_among_its_plants() -> None:
    a, b, later = ChargeLot(_t(1, 1), 1, 300), ChargeLot(_t(1, 1), 2, 100), ChargeLot(_t(1, 2), 1, 1000)
    # the 10:00 interval holds 400 Wh: a 200 Wh discharge takes 150 (3/4) and 50 (1/4), nothing later
    assert draw([later, b, a], 200, "fifo") == [(a, 150), (b, 50)]
    # 500 Wh: the whole first interval, then 100 Wh of the next one
    assert draw([later, b, a], 500, "fifo") == [(a, 300), (b, 100), (later, 100)]


def test_whole_wh_rounding_gives_leftovers_to_the_largest_remainders() -> None:
    lots = [ChargeLot(_t(1, 1), plant, 1) for plant in (1, 2, 3)]
    # 2 Wh over three 1-Wh lots: quotas 2/3 each, ties broken by (interval, plant)
    assert draw(lots, 2, "pro_rata") == [(lots[0], 1), (lots[1], 1)]
    lots = [ChargeLot(_t(1, 1), 1, 2), ChargeLot(_t(1, 1), 2, 1)]
    assert draw(lots, 2, "pro_rata") == [(lots[0], 1), (lots[1], 1)]  # quotas 4/3 and 2/3: floors 1, 0; +1 to 2/3


def test_a_discharge_above_what_is_held_takes_everything_and_no_more() -> None:
    lots = [ChargeLot(_t(1, 1), 1, 70), ChargeLot(_t(1, 2), 0, 30)]
    for rule in ("fifo", "pro_rata"):
        assert sum(wh for _, wh in draw(lots, 1_000, rule)) == 100


def test_refusals_name_the_input() -> None:
    with pytest.raises(AllocationError, match="'lifo'"):
        draw([], 1, "lifo")
    with pytest.raises(AllocationError, match="1200000 ppm"):
        stored_after_losses(1, 1_200_000)
    with pytest.raises(AllocationError, match="share one"):
        draw([ChargeLot(1, 1, 1), ChargeLot(1, 1, 2)], 1, "fifo")
