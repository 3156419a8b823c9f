"""Dashboard benchmark: a park year on the overview and firm pages (server-side aggregation).

Seeds a fresh SQLite ledger with the Binhai park's plants and firms and one year of per-interval
results and technology flows (8 firms × 35,040 quarter-hours, and 5 technologies per firm and
interval: deterministic synthetic numbers, since the page cost does not depend on their values),
then renders, in one run:

- the park overview for the year (charts aggregated per day, grid diagram and the year's Sankey);
- a firm page for the year (share, hourly matching of 8,760 hours, balances);
- the same park overview for one week (672 quarter-hour points) — the baseline.

Prints wall times, the chart data shipped to the browser, and ratios against the baseline and
against the naive payload (every firm's 35,040 quarter-hour points as JSON).

    .venv/bin/python scripts/bench/dashboard_year.py
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from greenproof.api import ApiSettings, KeyStore, Role, create_app
from greenproof.api.usecases.park_setup import register_park
from greenproof.grids import binhai
from greenproof.ledger.models import FirmIntervalResult, TechnologyFlowRow

YEAR_START = datetime(2024, 12, 31, 16, tzinfo=UTC)  # 2025-01-01 00:00 park time
INTERVALS = 35_040
ISSUER = "0x" + "11" * 32
TECHNOLOGIES = ("wind_offshore", "solar_pv", "coal", "grid_import", "storage")


def _seed(app: object) -> None:
    state = app.state.greenproof  # type: ignore[attr-defined]
    start_s = int(YEAR_START.timestamp())
    with state.session_factory() as session:
        register_park(session, ISSUER)
        for k, firm in enumerate(binhai.FIRMS):
            rows = [{"firm_code": firm.code, "interval_start_s": start_s + 900 * i, "interval_s": 900,
                     "consumption_wh": 2_000_000 + 1_000 * ((i * 7 + k) % 500),
                     "renewable_wh": 600_000 + 1_000 * ((i * 13 + k) % 700), "emissions_kg": 900.0}
                    for i in range(INTERVALS)]
            session.execute(insert(FirmIntervalResult), rows)
            flows = [{"interval_start_s": start_s + 900 * i, "interval_s": 900, "sink": firm.code,
                      "technology": technology, "energy_wh": 100_000 + 1_000 * ((i * 11 + k + j) % 300)}
                     for i in range(INTERVALS) for j, technology in enumerate(TECHNOLOGIES)]
            session.execute(insert(TechnologyFlowRow), flows)
        session.commit()


def _chart_bytes(html: str) -> int:
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    return len(found.group(1).encode()) if found else 0


def _timed(client: TestClient, url: str) -> tuple[float, int, int]:
    began = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - began
    response.raise_for_status()
    return elapsed, len(response.content), _chart_bytes(response.text)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = ApiSettings(database_url=f"sqlite:///{Path(tmp) / 'ledger.sqlite'}", key_file=Path(tmp) / "k.json",
                               issuer_key=ISSUER)
        app = create_app(settings)
        began = time.perf_counter()
        _seed(app)
        print(f"seeded {len(binhai.FIRMS)} firms × {INTERVALS} intervals in {time.perf_counter() - began:.1f} s")
        store = KeyStore(settings.key_file)
        operator, firm = store.create(Role.PARK_OPERATOR)[1], store.create(Role.FIRM, firm_code="GH2")[1]
        with TestClient(app, base_url="http://bench") as client:
            client.post("/ui/session", data={"api_key": operator}, headers={"origin": "http://bench"})
            _timed(client, "/ui/park?start=2025-06-02&end=2025-06-02")  # warm caches: profiles, imports
            week = _timed(client, "/ui/park?start=2025-06-02&end=2025-06-08&at=2025-06-08T12:00")
            year = _timed(client, "/ui/park?start=2025-01-01&end=2025-12-31&at=2025-06-08T12:00")
            client.post("/ui/session", data={"api_key": firm}, headers={"origin": "http://bench"})
            firm_year = _timed(client, "/ui/firms/GH2?start=2025-01-01&end=2025-12-31")
    naive = len(json.dumps([{"start": "2025-01-01T00:00:00Z", "consumption_mwh": 2.123, "renewable_mwh": 0.789,
                             "renewable_share": 0.3717}] * INTERVALS * len(binhai.FIRMS)).encode())
    print(f"park week (baseline): {week[0]:.2f} s, page {week[1] / 1e3:.0f} kB, chart data {week[2] / 1e3:.1f} kB")
    print(f"park year:            {year[0]:.2f} s, page {year[1] / 1e3:.0f} kB, chart data {year[2] / 1e3:.1f} kB")
    print(f"firm year:            {firm_year[0]:.2f} s, page {firm_year[1] / 1e3:.0f} kB, "
          f"chart data {firm_year[2] / 1e3:.1f} kB")
    print(f"ratio year/week park page time: {year[0] / week[0]:.2f}×; year chart data / naive 15-min JSON "
          f"({naive / 1e6:.1f} MB): {year[2] / naive:.4f}")


if __name__ == "__main__":
    main()
