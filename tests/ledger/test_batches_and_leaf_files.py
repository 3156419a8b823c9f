"""Batches are deterministic, keep every metered Wh, and their leaf files rebuild their roots."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from independent_tree import GenerationTree, allocation_leaf
from ledger_park import FIRM_ADDRESSES, OPERATOR, SHARES, Park, record_period, register_park
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from test_holder_shares_against_bialek_1996 import bialek_snapshot

from conftest import T0
from greenproof.ledger.batches import IntervalShares, build_batch, load_leaf_file
from greenproof.ledger.canonical import snapshot_digest
from greenproof.ledger.database import make_engine, make_session_factory, session_scope, upgrade
from greenproof.ledger.errors import BatchError, UnknownRecordError
from greenproof.ledger.leaf_file import LeafFile, hex32
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import IssuanceBatch

END = T0 + 4 * 900


def fresh_ledger(path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        register_park(session)
    return factory


def build(factory: sessionmaker[Session], intervals: list[IntervalShares]) -> tuple[str, str, str]:
    with session_scope(factory) as session:
        batch = build_batch(session, period_start_s=T0, period_end_s=END, intervals=intervals)
        return batch.batch_id, batch.input_hash, batch.root


def test_equal_inputs_give_one_equal_batch_in_any_ledger(factory: sessionmaker[Session], park: Park,
                                                         tmp_path: Path) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 4)
    first = build(factory, intervals)
    assert build(factory, intervals) == first
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(IssuanceBatch)) == 1
    other = fresh_ledger(tmp_path / "other.sqlite")
    with session_scope(other) as session:
        record_period(session, T0, 4)
    assert build(other, intervals) == first


def test_changed_shares_or_meter_data_change_the_batch(factory: sessionmaker[Session], park: Park,
                                                       tmp_path: Path) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 4)
    reference = build(factory, intervals)
    nudged = [IntervalShares(i.interval_start_s, {**SHARES, "H3": {"COLD": 0.61}}) for i in intervals]
    other = fresh_ledger(tmp_path / "shares.sqlite")
    with session_scope(other) as session:
        record_period(session, T0, 4)
    assert build(other, nudged)[0] != reference[0]
    metered = fresh_ledger(tmp_path / "meter.sqlite")
    with session_scope(metered) as session:
        ingest_readings(session, [MeterReading("H1", T0, 900, energy_wh=5)])
        record_period(session, T0 + 900, 3)
        ingest_readings(session, [MeterReading(code, T0, 900, energy_wh=1_000_003) for code in ("H2", "H3", "PV")])
    changed = build(metered, intervals)
    assert changed[0] != reference[0] and changed[1] != reference[1]


def test_leaves_split_every_metered_wh_and_the_leaf_file_rebuilds_the_root(factory: sessionmaker[Session],
                                                                            park: Park) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 4, pv_dark=True)
    batch_id, _, root = build(factory, intervals)
    with factory() as session:
        file = load_leaf_file(session, batch_id)
    data = file.to_bytes()
    parsed = LeafFile.from_bytes(data)
    assert parsed.to_bytes() == data
    # Rebuild the root independently of LeafFile.tree and of greenproof.contracts, from the JSON alone.
    doc = json.loads(data)
    plants = [p["index"] for p in doc["plants"]]
    independent = GenerationTree(doc["period_start_s"], doc["interval_s"], 4, plants, doc["slot_bits"])
    for row in doc["allocation_leaves"]:
        independent.leaves[row["position"]] = (allocation_leaf(row["plant_index"], row["interval_start_s"],
                                                               row["interval_s"], row["holder"], row["amount_wh"]),
                                               row["amount_wh"])
    for row in doc["caps"]:
        interval_index = (row["interval_start_s"] - doc["period_start_s"]) // doc["interval_s"]
        independent.caps[independent.pi(interval_index, plants.index(row["plant_index"]))] = row["cap_wh"]
    assert hex32(independent.root) == root == parsed.root
    assert [code for code, _ in parsed.plants] == ["H1", "H2", "H3", "PV"]  # PV belongs to the batch though dark
    assert {c.plant_code for c in parsed.caps} == {"H1", "H2", "H3"}
    caps = {(c.plant_code, c.interval_start_s): c.cap_wh for c in parsed.caps}
    assert caps[("H2", T0 + 2 * 900)] == 3 * 1_000_003
    sums: defaultdict[tuple[str, int], int] = defaultdict(int)
    for leaf in parsed.allocation_leaves:
        sums[(leaf.plant_code, leaf.interval_start_s)] += leaf.amount_wh
    assert sums == caps  # no Wh lost: firms + plant account = metered
    h3 = {x.holder: x.amount_wh for x in parsed.allocation_leaves if (x.plant_code, x.interval_start_s) == ("H3", T0)}
    # H3 gives 60 % to COLD: 0.6 x 1 000 003 = 600 001.8 -> 600 002 (largest remainder), plant keeps 400 001.
    assert h3 == {FIRM_ADDRESSES["COLD"]: 600_002, OPERATOR: 400_001}


def test_missing_readings_or_shares_and_unknown_firms_are_refused(factory: sessionmaker[Session],
                                                                  park: Park) -> None:
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 3)
    with pytest.raises(BatchError, match=r"no meter reading for plant 'H1' at 2025-03-01T00:45:00\+00:00"):
        build(factory, [*intervals, IntervalShares(T0 + 3 * 900, SHARES)])
    with (pytest.raises(BatchError, match=r"no traced shares for interval 2025-03-01T00:30:00"),
          session_scope(factory) as session):
        build_batch(session, period_start_s=T0, period_end_s=T0 + 3 * 900, intervals=intervals[:2])
    bad = [IntervalShares(i.interval_start_s, {"H1": {"NOBODY": 0.1}}) for i in intervals]
    with (pytest.raises(UnknownRecordError, match=r"plant 'H1' at .* firm 'NOBODY'"),
          session_scope(factory) as session):
        build_batch(session, period_start_s=T0, period_end_s=T0 + 3 * 900, intervals=bad)
    with pytest.raises(BatchError, match="not made of whole 900 s intervals"), session_scope(factory) as session:
        build_batch(session, period_start_s=T0 + 1, period_end_s=T0 + 900, intervals=[])


def test_snapshot_digest_changes_with_any_flow_and_binds_the_batch(factory: sessionmaker[Session], park: Park,
                                                                   tmp_path: Path) -> None:
    snapshot = bialek_snapshot()
    nudged = bialek_snapshot()
    nudged.branches.p_from_mw[2] = np.nextafter(nudged.branches.p_from_mw[2], np.inf)
    assert snapshot_digest(snapshot) == snapshot_digest(bialek_snapshot())
    assert snapshot_digest(nudged) != snapshot_digest(snapshot)
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 4)
    plain = build(factory, intervals)
    other = fresh_ledger(tmp_path / "digest.sqlite")
    with session_scope(other) as session:
        record_period(session, T0, 4)
    bound = [IntervalShares(i.interval_start_s, i.shares, snapshot_digest(snapshot)) for i in intervals]
    assert build(other, bound)[1] != plain[1]
