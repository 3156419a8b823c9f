"""Edge load benchmark: mixed reads against ``greenproof serve``, alone and under the public-verify abuse of issue 12.

Seeds a ledger the way the attacker of issue 12 found it (two park days traced and anchored on
Anvil, a retirement with its provenance record), then runs ``greenproof serve`` as a subprocess (one
uvicorn worker) and drives it with an asyncio httpx client on loopback, all in one run:

0. **bare ASGI** (the named baseline of the machine) — a one-route FastAPI app (``GET /health``
   answering a constant, no middleware, no database) under the same uvicorn and the same client:
   the most requests/s this machine, shared as it is at the moment, serves through this stack.
1. **mixed reads** — mixed reads for ``--seconds`` with ``--clients`` concurrent connections: ``/health``,
   a firm's balance, certificates and hourly matching (firm key), the auditor's certificate search,
   a firm's dashboard page (signed-in session). Reports requests/s and latency percentiles.
2. **abuse** — the same reads while ``--abusers`` connections send what the issue sent, in turn: the
   12 MB ``POST /public/verify`` of 12,000 lines naming different batch ids, a record within the
   4 MiB cap whose 1,000 lines name 1,000 batches, and a body nested 120,000 deep. Reports the
   reads' figures and each abusive request's status and server time.
3. **abuse, rate limit off** — phase 2 against a server started with the public rate limits lifted
   (``GREENPROOF_PUBLIC_VERIFY_RATE_LIMIT``), so only the work caps bound each abusive request.

Ratios are against phase 0 (reads/s) and phase 1 (under abuse), measured in the same run. The target
of issue 12: ≥ 200 mixed reads/s with p99 < 100 ms on 2 cores, and ``/health`` and the firm page
answering throughout phases 2 and 3.

    .venv/bin/python scripts/bench/edge_load.py [--seconds 10] [--clients 16] [--abusers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from greenproof.api import ApiSettings, KeyStore, Role, create_app
from greenproof.api.usecases.park_runs import issue_pending, run_attribution
from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient

DAY_START = datetime(2025, 6, 1, 16, tzinfo=UTC)  # 2025-06-02 00:00 park time; two days
DAYS = 2
FIRM = "GH2"
NO_LIMIT = "1000000/minute"


@dataclass
class Seeded:
    """What the seeding left for the load: settings (as environment), keys and the issued record."""

    env: dict[str, str]
    keys: dict[str, str]
    record: dict[str, Any]


def _seed(workdir: Path, anvil: Anvil) -> Seeded:
    issuer = anvil.private_keys[0]
    chain = ChainClient.deploy(anvil.rpc_url, issuer)
    env = {"GREENPROOF_DATABASE_URL": f"sqlite:///{workdir / 'ledger.sqlite'}",
           "GREENPROOF_KEY_FILE": str(workdir / "keys.json"), "GREENPROOF_CHAIN_RPC_URL": anvil.rpc_url,
           "GREENPROOF_CONTRACT_ADDRESS": chain.address, "GREENPROOF_ISSUER_KEY": issuer}
    settings = ApiSettings(database_url=env["GREENPROOF_DATABASE_URL"], key_file=workdir / "keys.json",
                           chain_rpc_url=anvil.rpc_url, contract_address=chain.address, issuer_key=issuer)
    app = create_app(settings)
    state = app.state.greenproof
    for day in range(DAYS):
        start = DAY_START + timedelta(days=day)
        run_attribution(state.session_factory, issuer, start, start + timedelta(days=1), simulated_meters=True)
    issue_pending(state.session_factory, state.chain.client())
    store = KeyStore(settings.key_file)
    keys = {role: store.create(Role(role), firm_code=FIRM if role in ("firm", "exporter") else None)[1]
            for role in ("firm", "auditor", "exporter")}
    with TestClient(app) as client:
        retired = client.post("/exporter/retirements", headers={"Authorization": f"Bearer {keys['exporter']}"}, json={
            "shipment": {"shipment_id": "BL-BENCH-1", "product": "green methanol", "quantity": 20.0,
                         "quantity_unit": "t", "destination": "Rotterdam", "embedded_electricity_mwh": 1.5},
            "consumption_start": DAY_START.isoformat(),
            "consumption_end": (DAY_START + timedelta(days=DAYS)).isoformat()})
        retired.raise_for_status()
    return Seeded(env, keys, retired.json())


_BARE_APP = """
import sys
import uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


@contextmanager
def _serve(workdir: Path, env: dict[str, str], bare: bool = False) -> Any:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (workdir / f"serve-{port}.log").open("wb")
    command = ([sys.executable, "-c", _BARE_APP, str(port)] if bare else
               [str(Path(sys.executable).parent / "greenproof"), "serve", "--port", str(port)])
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base_url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"greenproof serve did not start: see {log.name}") from None
                time.sleep(0.2)
        yield base_url, process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _abusive_bodies(record: dict[str, Any]) -> list[tuple[str, bytes]]:
    line = record["lines"][0]

    def with_batches(count: int) -> bytes:
        lines = [{**line, "line": i, "batch_id": f"0x{i + 1:064x}"} for i in range(count)]
        return json.dumps({**record, "lines": lines}).encode()

    return [("12k-lines", with_batches(12_000)), ("1k-batches", with_batches(1_000)),
            ("deep", b"[" * 120_000 + b"]" * 120_000)]


@dataclass
class Tally:
    """Latencies (s) and statuses per kind of request."""

    latencies: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: defaultdict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, kind: str, seconds: float, status: int) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[kind][status] += 1


def _reads(seeded: Seeded, cookie: str) -> list[tuple[str, str, dict[str, str]]]:
    firm = {"Authorization": f"Bearer {seeded.keys['firm']}"}
    auditor = {"Authorization": f"Bearer {seeded.keys['auditor']}"}
    day = f"start={DAY_START:%Y-%m-%dT%H:%M:%SZ}&end={DAY_START + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}"
    page = {"Cookie": f"gp_session={cookie}"}
    return [("health", "/health", {}), ("balance", f"/firms/{FIRM}/balance", firm),
            ("certificates", f"/firms/{FIRM}/certificates?limit=20", firm), ("health", "/health", {}),
            ("matching", f"/firms/{FIRM}/hourly-matching?{day}", firm),
            ("search", "/auditor/certificates?limit=20", auditor), ("health", "/health", {}),
            ("balance", f"/firms/{FIRM}/balance", firm),
            ("firm-page", f"/ui/firms/{FIRM}?start=2025-06-02&end=2025-06-03", page),
            ("certificates", f"/firms/{FIRM}/certificates?limit=20", firm)]


async def _load(base_url: str, seeded: Seeded | None, seconds: float, clients: int, abusers: int
                ) -> tuple[Tally, float]:
    async with httpx.AsyncClient(base_url=base_url, timeout=120,
                                 limits=httpx.Limits(max_connections=clients + abusers + 2)) as http:
        if seeded is None:  # the bare baseline: /health only
            reads: list[tuple[str, str, dict[str, str]]] = [("health", "/health", {})]
        else:
            signed_in = await http.post("/ui/session", data={"api_key": seeded.keys["firm"]},
                                        headers={"Origin": base_url})
            reads = _reads(seeded, signed_in.cookies["gp_session"])
            http.cookies.clear()
        tally = Tally()
        deadline = time.perf_counter() + seconds

        async def reader(offset: int) -> None:
            for kind, path, headers in cycle(reads[offset:] + reads[:offset]):
                if time.perf_counter() > deadline:
                    return
                began = time.perf_counter()
                response = await http.get(path, headers=headers)
                tally.add(kind, time.perf_counter() - began, response.status_code)

        async def abuser(bodies: list[tuple[str, bytes]]) -> None:
            for kind, body in cycle(bodies):
                if time.perf_counter() > deadline:
                    return
                began = time.perf_counter()
                response = await http.post("/public/verify", content=body,
                                           headers={"content-type": "application/json"})
                tally.add(f"abuse:{kind}", time.perf_counter() - began, response.status_code)

        bodies = _abusive_bodies(seeded.record) if seeded is not None and abusers else []
        began = time.perf_counter()
        await asyncio.gather(*[reader(i % len(reads)) for i in range(clients)],
                             *[abuser(bodies[i % len(bodies):] + bodies[:i % len(bodies)]) for i in range(abusers)])
        return tally, time.perf_counter() - began


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _report(name: str, tally: Tally, wall_s: float, baseline: dict[str, float] | None) -> dict[str, float]:
    reads = [s for kind, values in tally.latencies.items() if not kind.startswith("abuse") for s in values]
    figures = {"rps": len(reads) / wall_s, "p50": _percentile(reads, 50) * 1e3, "p99": _percentile(reads, 99) * 1e3}
    for kind in ("health", "firm-page"):
        figures[f"{kind} p99"] = _percentile(tally.latencies[kind], 99) * 1e3 if tally.latencies[kind] else 0.0
    errors = sum(n for kind, c in tally.statuses.items() if not kind.startswith("abuse")
                 for status, n in c.items() if status != 200)
    line = (f"{name:<25} {figures['rps']:6.0f} reads/s  p50 {figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms  "
            f"/health p99 {figures['health p99']:6.1f} ms  firm page p99 {figures['firm-page p99']:6.1f} ms  "
            f"non-200 {errors}")
    if baseline:
        line += (f"  | ×baseline: reads/s {figures['rps'] / baseline['rps']:.2f}, "
                 f"p99 {figures['p99'] / baseline['p99']:.2f}, "
                 f"/health p99 {figures['health p99'] / baseline['health p99']:.2f}, "
                 f"firm page p99 {figures['firm-page p99'] / baseline['firm-page p99']:.2f}")
    print(line)
    for kind in sorted(k for k in tally.latencies if k.startswith("abuse")):
        values = tally.latencies[kind]
        print(f"    {kind:<20} {len(values):5d} sent, statuses {dict(tally.statuses[kind])}, "
              f"median {statistics.median(values) * 1e3:7.1f} ms, max {max(values) * 1e3:7.1f} ms")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="Duration of each phase, s.")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent reading connections.")
    parser.add_argument("--abusers", type=int, default=4, help="Concurrent abusive connections in phases 2 and 3.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenproof-edge-") as tmp, Anvil() as anvil:
        workdir = Path(tmp)
        began = time.perf_counter()
        seeded = _seed(workdir, anvil)
        print(f"seeded {DAYS} park days, an anchored batch and a {len(seeded.record['lines'])}-line record in "
              f"{time.perf_counter() - began:.1f} s; {os.cpu_count()} cores; {args.clients} reading connections, "
              f"{args.abusers} abusive, {args.seconds:.0f} s per phase")
        with _serve(workdir, {}, bare=True) as (base_url, _process):
            tally, wall = asyncio.run(_load(base_url, None, args.seconds, args.clients, 0))
            bare = _report("0 bare ASGI /health", tally, wall, None)
        with _serve(workdir, seeded.env) as (base_url, process):
            tally, wall = asyncio.run(_load(base_url, seeded, args.seconds, args.clients, 0))
            baseline = _report("1 mixed reads", tally, wall, None)
            print(f"    mixed reads/s = {baseline['rps'] / bare['rps']:.2f} × the bare ASGI /health of this run")
            tally, wall = asyncio.run(_load(base_url, seeded, args.seconds, args.clients, args.abusers))
            _report("2 abuse, rate limit on", tally, wall, baseline)
            assert process.poll() is None, "the server died under abuse"
        with _serve(workdir, {**seeded.env, "GREENPROOF_PUBLIC_VERIFY_RATE_LIMIT": NO_LIMIT}) as (base_url, process):
            tally, wall = asyncio.run(_load(base_url, seeded, args.seconds, args.clients, args.abusers))
            _report("3 abuse, rate limit off", tally, wall, baseline)
            assert process.poll() is None, "the server died under abuse"
        target = "met" if baseline["rps"] >= 200 and baseline["p99"] < 100 else "NOT met"
        print(f"target ≥ 200 reads/s with p99 < 100 ms: {target} "
              f"({baseline['rps']:.0f} reads/s, p99 {baseline['p99']:.1f} ms)")


if __name__ == "__main__":
    main()
