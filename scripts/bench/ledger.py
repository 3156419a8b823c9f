"""Benchmark of the ledger: a park year of meter data to anchored daily roots on Anvil and rows in the DB.

    .venv/bin/python scripts/bench/ledger.py [--days 365] [--database-url URL]

Synthetic inputs (the grid and attribution parts are benchmarked on their own): the four renewable
plants of the Binhai park model (``greenproof.grids.binhai.PLANTS``: H1 100 MW, H2 400 MW, H3 300 MW
offshore wind, PV147 147 MW) metered every 15 min from a seeded AR(1) capacity-factor process
(wind) and a clear-sky-shaped day curve with seeded clouds (PV); ten firms receiving 85 % of each
plant's output in seeded Dirichlet shares (the rest stays with the plant's account). Every day is
one batch: ingest 384 readings, build ≈4,000 leaves, write them, anchor the root on Anvil.

Printed: wall time and its split (ingest / build / anchor), rows/s, DB size, gas per anchored leaf
(mean over the run: the per-plant issued bitmap costs more on days that open a new word) against
the baseline of minting the same lines directly with the landed v1 contract's ``issueBatch``
(``scripts/bench/baseline``, measured in this run on a sample of lines; v2 has no direct mint), and
peak memory (``ru_maxrss``) after 1 month vs after the whole run as a ratio (flat memory: the run
works in daily chunks).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from baseline.contract_v1 import ContractV1, plant_key

from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient
from greenproof.grids.binhai import PLANTS
from greenproof.ledger.batches import IntervalShares, build_batch
from greenproof.ledger.database import make_engine, make_session_factory, session_scope, upgrade
from greenproof.ledger.issuance import register_plants_on_chain, send_and_confirm
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import AllocationLeafRow, CapLeafRow, MeterReadingRow
from greenproof.ledger.registry import register_firm, register_plant

DAY_S = 86_400
INTERVAL_S = 900
N_FIRMS = 10
FIRM_SHARE = 0.85
YEAR_START = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())


def synthetic_day(rng: np.random.Generator, state: np.ndarray, day: int, plants: list) -> tuple[np.ndarray, list]:
    """Return (wh[interval, plant], shares per interval) for one day; ``state`` carries the wind AR(1)."""
    n = DAY_S // INTERVAL_S
    wh = np.zeros((n, len(plants)), dtype=np.int64)
    hours = (np.arange(n) * INTERVAL_S / 3600 + 8) % 24  # local solar time ~ UTC+8
    for j, plant in enumerate(plants):
        max_wh = plant.capacity_mw * 1e6 * INTERVAL_S / 3600
        if plant.technology == "solar_pv":
            season = 0.75 + 0.25 * np.cos(2 * np.pi * (day - 172) / 365)
            shape = np.clip(np.sin(np.pi * (hours - 6) / 12), 0, None) * season
            cf = shape * rng.uniform(0.4, 1.0, n)
        else:
            cf = np.empty(n)
            for i in range(n):
                state[j] = 0.98 * state[j] + 0.02 * 0.4 + rng.normal(0, 0.03)
                state[j] = min(max(state[j], 0.0), 1.0)
                cf[i] = state[j]
        wh[:, j] = np.floor(cf * 0.97 * max_wh).astype(np.int64)
    shares = rng.dirichlet(np.ones(N_FIRMS), size=(n, len(plants))) * FIRM_SHARE
    return wh, shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    plants = [p for p in PLANTS if p.renewable]
    rng = np.random.default_rng(20250101)
    wind_state = np.full(len(plants), 0.4)
    genesis = YEAR_START + (args.days + 1) * DAY_S  # the chain starts after the last day: every day has ended
    with (tempfile.TemporaryDirectory(prefix="greenproof-bench-") as tmp,
          Anvil(accounts=N_FIRMS + 2, genesis_timestamp_s=genesis) as node):
        db_path = Path(tmp) / "ledger.sqlite"
        url = args.database_url or f"sqlite:///{db_path}"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_session_factory(engine)
        chain = ChainClient.deploy(node.rpc_url, node.private_keys[0])
        firm_codes = [f"F{i:02d}" for i in range(N_FIRMS)]
        with session_scope(factory) as session:
            for plant in plants:
                register_plant(session, code=plant.code, name_en=plant.name_en, technology=plant.technology,
                               capacity_mw=plant.capacity_mw, renewable=True, operator_address=node.addresses[1])
            for i, code in enumerate(firm_codes):
                register_firm(session, code=code, name_en=code, address=node.addresses[2 + i])
            register_plants_on_chain(session, chain)
        timings = {"ingest": 0.0, "build": 0.0, "anchor": 0.0}
        rss_month = 0
        wall0 = time.perf_counter()
        batch_ids = []
        for day in range(args.days):
            start = YEAR_START + day * DAY_S
            wh, shares = synthetic_day(rng, wind_state, day, plants)
            t0 = time.perf_counter()
            with session_scope(factory) as session:
                ingest_readings(session, [MeterReading(p.code, start + i * INTERVAL_S, INTERVAL_S,
                                                       energy_wh=int(wh[i, j]))
                                          for i in range(wh.shape[0]) for j, p in enumerate(plants)])
            t1 = time.perf_counter()
            intervals = [IntervalShares(start + i * INTERVAL_S,
                                        {p.code: dict(zip(firm_codes, shares[i, j].tolist(), strict=True))
                                         for j, p in enumerate(plants)})
                         for i in range(wh.shape[0])]
            with session_scope(factory) as session:
                batch_id = build_batch(session, period_start_s=start, period_end_s=start + DAY_S,
                                       intervals=intervals).batch_id
            t2 = time.perf_counter()
            send_and_confirm(factory, chain, batch_id)
            t3 = time.perf_counter()
            timings["ingest"] += t1 - t0
            timings["build"] += t2 - t1
            timings["anchor"] += t3 - t2
            batch_ids.append(batch_id)
            if day == 30:
                rss_month = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        wall = time.perf_counter() - wall0
        rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with factory() as session:
            readings = session.scalar(select(func.count()).select_from(MeterReadingRow)) or 0
            leaves = session.scalar(select(func.count()).select_from(AllocationLeafRow)) or 0
            caps = session.scalar(select(func.count()).select_from(CapLeafRow)) or 0
        engine.dispose()
        db_bytes = sum(f.stat().st_size for f in Path(tmp).glob("ledger.sqlite*")) if not args.database_url else 0
        anchor_gas = statistics.mean(chain.web3.eth.get_transaction_receipt(_tx_of(factory, batch_id))["gasUsed"]
                                     for batch_id in batch_ids)
        direct_gas_per_line, direct_lines = _direct_baseline(node)

    days = args.days
    rows = readings + leaves + caps
    print(f"greenproof ledger benchmark: {days} daily batches, {len(plants)} plants, {N_FIRMS} firms "
          f"({days * 96} intervals), synthetic meter data and shares")
    print(f"rows: {readings} readings + {leaves} allocation leaves + {caps} cap leaves = {rows}")
    print(f"wall time: {wall:.1f} s (ingest {timings['ingest']:.1f} s, build+write {timings['build']:.1f} s, "
          f"anchor {timings['anchor']:.1f} s); {rows / wall:,.0f} rows/s; {wall / days * 1000:.0f} ms per day")
    if db_bytes:
        print(f"DB size: {db_bytes / 1e6:.1f} MB ({db_bytes / rows:.0f} B per row)")
    print(f"gas: anchoring a day = {anchor_gas:,.0f} gas (mean) for {leaves // days} leaves = "
          f"{anchor_gas / (leaves / days):.1f} gas per leaf; baseline v1 direct issueBatch = "
          f"{direct_gas_per_line:.0f} gas per line "
          f"(measured on {direct_lines} lines): ratio direct/anchor = "
          f"{direct_gas_per_line / (anchor_gas / (leaves / days)):.0f}x")
    if days > 30:
        print(f"peak RSS: {rss_month / 1024:.0f} MB after 1 month, {rss_end / 1024:.0f} MB after {days} days: "
              f"ratio {rss_end / rss_month:.2f}")


def _tx_of(factory, batch_id: str) -> str:
    from greenproof.ledger.batches import batch_by_id

    with factory() as session:
        return str(batch_by_id(session, batch_id).tx_hash)


def _direct_baseline(node: Anvil) -> tuple[float, int]:
    """Gas per minted line of a v1 ``issueBatch`` of 4 plants × 96 intervals × 1 holder (384 lines)."""
    v1 = ContractV1(node.rpc_url, node.private_keys[0])
    plants = [p for p in PLANTS if p.renewable]
    v1.send_many([v1.register_plant(p.code, int(p.capacity_mw * 1e6)) for p in plants])
    caps = [(plant_key(p.code), YEAR_START + i * INTERVAL_S, INTERVAL_S, 1_000_000) for p in plants for i in range(96)]
    mints = [(index, node.addresses[2], 900_000) for index in range(len(caps))]
    (result,) = v1.send_many([v1.prepare("issueBatch", b"\x01" * 32, b"\x02" * 32, YEAR_START, YEAR_START + DAY_S,
                                         [plant_key(p.code) for p in plants], caps, mints)])
    return result.gas_used / len(mints), len(mints)


if __name__ == "__main__":
    main()
