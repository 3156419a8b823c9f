"""Certified once, over random charge/discharge schedules; and a restart gives the same certificates.

For every plant and every window of production intervals, the renewable Wh certified — allocation
leaves of firms and own accounts (direct) plus storage discharge leaves whose origin lies in the
window — never exceed the metered Wh of the window. Charge records (storage-account leaves) are
not certificates: they are cancelled into the storage account. Checked against the meter readings
the test wrote, with sums of its own.

Restart: the same schedule issued as one batch, and as two batches with the database closed and
reopened between them (a process restart), gives the same allocation leaves and the same discharge
certificates per (plant, origin, holder) — the state of charge lives in the ledger.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from ledger_park import register_park

from greenproof.contracts.leaves import storage_account
from greenproof.ledger.batches import IntervalShares, build_batch, load_leaf_file
from greenproof.ledger.database import make_engine, make_session_factory, session_scope, upgrade
from greenproof.ledger.errors import BatchError
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.storage_records import StorageFlow, register_storage, storage_by_code

T0 = 1_740_787_200
N = 6
PLANTS = ("H1", "PV")
OPERATOR = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"
_template: list[Path] = []


def _template_db() -> Path:
    """A migrated ledger with the test park and a battery, written once and copied per example."""
    if not _template:
        path = Path(tempfile.mkdtemp()) / "template.sqlite"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        with session_scope(make_session_factory(engine)) as session:
            register_park(session)
            register_storage(session, code="BESS", name_en="battery", efficiency_ppm=850_000,
                             operator_address=OPERATOR)
        engine.dispose()
        _template.append(path)
    return _template[0]


share = st.sampled_from([0.0, 0.125, 0.25, 0.5, 1 / 3, 0.6])
interval = st.fixed_dictionaries({
    "wh": st.tuples(*(st.integers(0, 3_000_000) for _ in PLANTS)),
    "to_storage": st.tuples(*(share for _ in PLANTS)),
    "to_firm": st.tuples(*(share for _ in PLANTS)),
    "grey_wh": st.integers(0, 1_000_000),
    "discharge_wh": st.integers(0, 2_500_000),
    "to_lng": share,
})
schedule = st.lists(interval, min_size=N, max_size=N)


def _intervals(days: list[dict], session) -> list[IntervalShares]:
    readings, items = [], []
    for i, day in enumerate(days):
        start = T0 + 900 * i
        shares: dict[str, dict[str, float]] = {}
        charged = day["grey_wh"]
        for k, code in enumerate(PLANTS):
            readings.append(MeterReading(code, start, 900, energy_wh=day["wh"][k]))
            firm = min(day["to_firm"][k], 1 - day["to_storage"][k])
            shares[code] = {"BESS": day["to_storage"][k], "COLD": firm}
            charged += day["wh"][k]  # an upper bound of what the plants charge: the rest is grey
        for code in ("H2", "H3"):
            readings.append(MeterReading(code, start, 900, energy_wh=0))
        flow = StorageFlow(charged_wh=charged if any(day["to_storage"]) or day["grey_wh"] else 0,
                           discharged_wh=day["discharge_wh"], discharge_shares={"LNG": day["to_lng"]})
        items.append(IntervalShares(start, shares, storage={"BESS": flow}))
    ingest_readings(session, readings)
    return items


def _issue(days: list[dict], rule: str, split: int | None) -> tuple[set, dict, dict]:
    folder = Path(tempfile.mkdtemp())
    path = folder / "ledger.sqlite"
    shutil.copy(_template_db(), path)
    engine = make_engine(f"sqlite:///{path}")
    with session_scope(make_session_factory(engine)) as session:
        storage_by_code(session, "BESS").allocation_rule = rule
        items = _intervals(days, session)
    bounds = [(0, N)] if split is None else [(0, split), (split, N)]
    allocations, discharges = set(), defaultdict(int)
    metered = {(code, T0 + 900 * i): day["wh"][k] for i, day in enumerate(days) for k, code in enumerate(PLANTS)}
    for a, b in bounds:
        try:
            with session_scope(make_session_factory(engine)) as session:
                batch = build_batch(session, period_start_s=T0 + 900 * a, period_end_s=T0 + 900 * b,
                                    intervals=items[a:b])
                file = load_leaf_file(session, batch.batch_id)
        except BatchError as exc:  # no generation and no storage flow: nothing is written, nothing changes
            assert "nothing to issue" in str(exc)
        else:
            allocations |= set(file.allocation_leaves)
            for leaf in file.discharge_leaves:
                discharges[(leaf.plant_code, leaf.origin_start_s, leaf.holder)] += leaf.amount_wh
        engine.dispose()  # a restart: nothing survives but the database file
        engine = make_engine(f"sqlite:///{path}")
    engine.dispose()
    shutil.rmtree(folder)
    return allocations, dict(discharges), metered


def _prefix(values: list[int]) -> list[int]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return out


@settings(max_examples=15, deadline=None)
@given(days=schedule, rule=st.sampled_from(["fifo", "pro_rata"]), split=st.integers(1, N - 1))
def test_stored_energy_is_certified_once_and_a_restart_changes_nothing(days, rule, split) -> None:
    allocations, discharges, metered = _issue(days, rule, split)
    # certified once: per plant, every window of production intervals
    account = storage_account(1)
    for code in PLANTS:
        starts = [T0 + 900 * i for i in range(N)]
        direct = defaultdict(int)
        charged = defaultdict(int)
        for leaf in allocations:
            if leaf.plant_code == code:
                (charged if leaf.holder == account else direct)[leaf.interval_start_s] += leaf.amount_wh
        stored = defaultdict(int)
        for (plant, origin, _holder), wh in discharges.items():
            if plant == code:
                stored[origin] += wh
        certified = _prefix([direct[s] + stored[s] for s in starts])
        meter = _prefix([metered[(code, s)] for s in starts])
        for a in range(N):
            for b in range(a + 1, N + 1):
                assert certified[b] - certified[a] <= meter[b] - meter[a], (code, a, b)
        # what left storage from an origin never exceeds 85 % of what was charged from it
        for s in starts:
            assert stored[s] <= charged[s] * 85 // 100
    # restart in the middle = one uninterrupted batch
    whole_allocations, whole_discharges, _ = _issue(days, rule, None)
    assert allocations == whole_allocations
    assert discharges == whole_discharges
