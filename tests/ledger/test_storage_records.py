"""Storage accounts in batches: charges cancel certificates, discharges re-issue them with their origin, once.

Expected numbers are computed by hand next to each case (85 % round trip: ``floor(Wh × 0.85)``).
"""

from __future__ import annotations

import pytest
from ledger_park import OPERATOR
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from storage_park import BESS_OPERATOR, LNG, T0, record_readings, register_storage_park, storage_day

from greenproof.contracts.leaves import storage_account
from greenproof.ledger.batches import IntervalShares, build_batch, load_leaf_file
from greenproof.ledger.database import make_engine, make_session_factory, session_scope, upgrade
from greenproof.ledger.errors import BatchError, LedgerError, UnknownRecordError
from greenproof.ledger.leaf_file import LeafFile
from greenproof.ledger.storage_models import StorageChargeRow, StorageDischargeRow
from greenproof.ledger.storage_records import StorageFlow, discharge_source_mix, held_lots, register_storage


def _factory(url: str = "sqlite://") -> sessionmaker[Session]:
    engine = make_engine(url)
    upgrade(engine)
    return make_session_factory(engine)


def _discharges(file: LeafFile) -> dict[tuple[str, int, str], int]:
    return {(leaf.plant_code, leaf.origin_start_s, leaf.holder): leaf.amount_wh for leaf in file.discharge_leaves}


@pytest.mark.parametrize(("rule", "expected"), [
    # FIFO: the 10:00-equivalent H2 lot (850,000 Wh) first, then 425,000 Wh of the next interval,
    # shared pro-rata by its PV lot (850,000) and its lot without certificate (850,000): 212,500 each.
    # Holders: LNG 60 %, the BESS operator the rest.
    ("fifo", {("H2", T0, LNG): 510_000, ("H2", T0, BESS_OPERATOR): 340_000,
              ("PV", T0 + 900, LNG): 127_500, ("PV", T0 + 900, BESS_OPERATOR): 85_000}),
    # pro-rata: 1,275,000 of 2,550,000 held = one half of each lot: 425,000 Wh of H2, PV and grey.
    ("pro_rata", {("H2", T0, LNG): 255_000, ("H2", T0, BESS_OPERATOR): 170_000,
                  ("PV", T0 + 900, LNG): 255_000, ("PV", T0 + 900, BESS_OPERATOR): 170_000}),
])
def test_discharge_certificates_carry_their_origin_after_losses(rule: str, expected: dict) -> None:
    factory = _factory()
    with session_scope(factory) as session:
        register_storage_park(session, rule)
        batch = build_batch(session, period_start_s=T0, period_end_s=T0 + 2700, intervals=storage_day(session))
        file = load_leaf_file(session, batch.batch_id)
        account = storage_account(1)
        # charging cancels the charged certificates: they are leaves of the storage account
        charged = {(leaf.plant_code, leaf.interval_start_s): leaf.amount_wh
                   for leaf in file.allocation_leaves if leaf.holder == account}
        assert charged == {("H2", T0): 1_000_000, ("PV", T0 + 900): 1_000_000}
        records = session.execute(select(StorageChargeRow.plant_id, StorageChargeRow.charged_wh,
                                         StorageChargeRow.stored_wh).order_by(StorageChargeRow.id)).all()
        assert [tuple(r) for r in records] == [(2, 1_000_000, 850_000), (4, 1_000_000, 850_000),
                                               (None, 1_000_000, 850_000)]
        assert _discharges(file) == expected
        untracked = session.scalar(select(StorageDischargeRow.untracked_wh))
        assert untracked == (212_500 if rule == "fifo" else 425_000)  # the grey lot's part has no certificate
        assert sum(lot.held_wh for lot in held_lots(session, 1)) == 2_550_000 - 1_275_000
        # the leaf file carries the discharge tree and survives a round trip
        assert file.layout.discharge_bits == 2
        again = LeafFile.from_bytes(file.to_bytes())
        assert again.commitment == file.commitment and again.discharge_leaves == tuple(file.tree.discharges)


def test_a_discharge_carries_the_technology_mix_the_ledger_allocated_to_it() -> None:
    factory = _factory()
    with session_scope(factory) as session:
        register_storage_park(session, "fifo")
        build_batch(session, period_start_s=T0, period_end_s=T0 + 2700, intervals=storage_day(session))
        # FIFO drew 850,000 Wh of H2 (wind), 212,500 of PV and 212,500 without certificate of 1,275,000 Wh:
        # 2/3 wind, 1/6 solar, 1/6 unknown (``storage``, the proxy factor's key)
        mix = discharge_source_mix(session, T0 + 1800)
        assert mix.keys() == {"storage:BESS"}
        assert mix["storage:BESS"] == pytest.approx({"wind_offshore": 2 / 3, "solar_pv": 1 / 6, "storage": 1 / 6},
                                                    rel=1e-12)
        assert discharge_source_mix(session, T0) == {}  # charging, not discharging


def test_state_of_charge_carries_to_the_next_days_batch_and_batches_go_in_time_order() -> None:
    factory = _factory()
    with session_scope(factory) as session:
        register_storage_park(session, "fifo")
        day = storage_day(session)
        build_batch(session, period_start_s=T0, period_end_s=T0 + 1800, intervals=day[:2])
        assert sorted(lot.held_wh for lot in held_lots(session, 1)) == [850_000, 850_000, 850_000]
        batch = build_batch(session, period_start_s=T0 + 1800, period_end_s=T0 + 2700, intervals=day[2:])
        assert _discharges(load_leaf_file(session, batch.batch_id))[("H2", T0, LNG)] == 510_000
        record_readings(session, T0 - 900, {"H1": [0], "H2": [0], "H3": [0], "PV": [0]})
        with pytest.raises(BatchError, match=r"'BESS'.*time order"):
            build_batch(session, period_start_s=T0 - 900, period_end_s=T0, intervals=[
                IntervalShares(T0 - 900, {}, storage={"BESS": StorageFlow(discharged_wh=1)})])


def test_storage_refusals_name_the_input() -> None:
    factory = _factory()
    with session_scope(factory) as session:
        register_storage_park(session, "fifo")
        with pytest.raises(LedgerError, match="'BESS' is already registered"):
            register_storage(session, code="BESS", name_en="x", efficiency_ppm=1, operator_address=OPERATOR)
        with pytest.raises(LedgerError, match="'LNG' is a firm's code"):
            register_storage(session, code="LNG", name_en="x", efficiency_ppm=1, operator_address=OPERATOR)
        with pytest.raises(LedgerError, match="1000001"):
            register_storage(session, code="B2", name_en="x", efficiency_ppm=1_000_001, operator_address=OPERATOR)
        record_readings(session, T0, {"H1": [1], "H2": [1], "H3": [1], "PV": [1]})
        with pytest.raises(UnknownRecordError, match="'B9'"):
            build_batch(session, period_start_s=T0, period_end_s=T0 + 900,
                        intervals=[IntervalShares(T0, {}, storage={"B9": StorageFlow(charged_wh=1)})])
