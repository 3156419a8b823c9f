"""Many processes on one PostgreSQL ledger and one issuer key: nothing lost, nothing doubled, no crash.

Four processes start together (a barrier) on a fresh database (no schema yet) and on a migrated
one, each doing what `greenproof attribute` does to the database for its own hour — migrate, register
the park, store meter readings and a pending batch — with the hours started latest-first; then two
processes run what `greenproof issue` runs (resume every unfinished batch) with the same issuer key
at once. The power-flow solve of `attribute` is left out (it touches no database, and costs seconds
per process); its traced shares are fixed here.

Checked against the chain, not the ledger's rows: each batch has exactly one ``BatchAnchored``
event, and every (plant, 15-minute interval) of the four hours is issued (the contract's bitmap).
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from conftest import _postgres_url
from greenproof.api.usecases.park_setup import register_park
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient
from greenproof.ledger.batches import IntervalShares, build_batch
from greenproof.ledger.database import (
    PARK_REGISTRY_LOCK,
    locked_scope,
    make_engine,
    make_session_factory,
    session_scope,
    upgrade,
)
from greenproof.ledger.issuance import resume_unfinished
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import BatchState, IssuanceBatch, Plant
from greenproof.ledger.reconcile import reconcile

pytestmark = [pytest.mark.db, pytest.mark.chain]

T0 = 1_750_377_600  # 2025-06-20T00:00:00Z
HOUR = 3600
RENEWABLE = ("H1", "H2", "H3", "PV147")
SHARES = {plant: {"GH2": 0.5, "IDC": 0.25} for plant in RENEWABLE}
ATTRIBUTORS = 4
ISSUERS = 2


def attribute_hour(url: str, issuer_key: str, hour: int) -> None:
    """The database work of `greenproof attribute` for hour ``hour`` of 2025-06-20 (shares fixed)."""
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with locked_scope(factory, PARK_REGISTRY_LOCK) as session:
        register_park(session, issuer_key)
    start = T0 + hour * HOUR
    with session_scope(factory) as session:
        ingest_readings(session, [MeterReading(plant, start + 900 * i, 900, energy_wh=1_000_003 + hour)
                                  for plant in RENEWABLE for i in range(4)])
        build_batch(session, period_start_s=start, period_end_s=start + HOUR,
                    intervals=[IntervalShares(start + 900 * i, SHARES) for i in range(4)])
    engine.dispose()


def issue_all(url: str, rpc_url: str, address: str, issuer_key: str) -> None:
    """What `greenproof issue` runs: every pending or interrupted batch to the chain."""
    engine = make_engine(url)
    resume_unfinished(make_session_factory(engine), ChainClient.connect(rpc_url, address, issuer_key))
    engine.dispose()


def _child(barrier: Any, errors: Any, work: Callable[..., None], args: tuple[Any, ...]) -> None:
    try:
        barrier.wait(timeout=60)
        work(*args)
    except BaseException:
        errors.put(traceback.format_exc())


def run_together(work: Callable[..., None], arguments: list[tuple[Any, ...]]) -> None:
    """Run ``work(*args)`` for each argument tuple in its own forked process, all released at once."""
    context = multiprocessing.get_context("fork")
    barrier, errors = context.Barrier(len(arguments)), context.SimpleQueue()
    processes = [context.Process(target=_child, args=(barrier, errors, work, args)) for args in arguments]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert not found, "\n".join(found)
    assert [p.exitcode for p in processes] == [0] * len(processes)


@pytest.mark.parametrize("schema", ["fresh", "migrated"])
def test_concurrent_attribute_and_issue_anchor_every_day_once(schema: str, postgres_server: object, anvil: Anvil,
                                                             fresh_chain: ChainClient) -> None:
    url = _postgres_url(postgres_server)
    if schema == "migrated":
        upgrade(url)
    issuer_key = anvil.private_keys[0]
    run_together(attribute_hour, [(url, issuer_key, hour) for hour in reversed(range(ATTRIBUTORS))])
    run_together(issue_all, [(url, fresh_chain.rpc_url, fresh_chain.address, issuer_key)] * ISSUERS)

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        batches = list(session.scalars(select(IssuanceBatch).order_by(IssuanceBatch.period_start_s)))
        plants = dict(session.execute(select(Plant.code, Plant.id).where(Plant.code.in_(RENEWABLE))).all())
        differences = reconcile(session, fresh_chain)
    engine.dispose()
    assert [(b.period_start_s, b.state) for b in batches] == [
        (T0 + hour * HOUR, BatchState.CONFIRMED) for hour in range(ATTRIBUTORS)]
    anchored = ["0x" + bytes(e.args["batchId"]).hex() for e in fresh_chain.events() if e.name == "BatchAnchored"]
    assert sorted(anchored) == sorted(b.batch_id for b in batches)  # each batch exactly once
    assert all(fresh_chain.is_issued(plants[code], T0 + 900 * i)
               for code in RENEWABLE for i in range(4 * ATTRIBUTORS))
    assert differences == []
