"""`greenproof issue` and `greenproof retire` killed with SIGKILL at every step, rerun: exactly once, all agree.

The commands run as a user runs them (the installed console script, a folder of its own, a local
chain from `greenproof chain up`). ``GREENPROOF_CRASH_AT=<step>[#n]`` makes the process SIGKILL
itself at a named step (``greenproof.contracts.crash_points``): no timing, every kill lands where
it is meant to. After each kill the same command is run again and must exit 0.

What is checked, from the chain's own events (not the ledger's rows):
- every batch has exactly one ``BatchAnchored`` event, and the ledger confirms it;
- per shipment, the ``Retired`` events of the firm under that shipment's reference sum to the
  shipment's Wh (Σ retired = shipment), each under its own part reference (no part burnt twice);
- every provenance record verifies against the chain alone; `greenproof reconcile` finds 0 differences.

The node fault: the Anvil node is SIGKILLed after a retirement transaction was sent and restarted
from its state file (written every 30 s and on a clean stop), so the transaction may be lost; the
rerun finds whichever the chain holds and ends with the same sums.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from eth_utils import keccak
from sqlalchemy import select

from greenproof.api.usecases.provenance_verify import verify_record
from greenproof.api.usecases.schemas import ProvenanceRecord
from greenproof.contracts.client import ChainClient
from greenproof.ledger.batches import IntervalShares, build_batch
from greenproof.ledger.database import make_engine, make_session_factory, session_scope
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.models import BatchState, Firm, IssuanceBatch

pytestmark = [pytest.mark.chain, pytest.mark.integration]

T0 = 1_750_377_600  # 2025-06-20T00:00:00Z
HOUR = 3600
BATCHES = 4  # one hour each, from T0
#: Each renewable plant's reading per 15 minutes, Wh (odd: the split rounds).
READING_WH = 1_000_003
#: GH2 takes half of every renewable plant's output: 4 plants × 4 intervals × ≈500 001 Wh ≈ 8 MWh per batch.
SHARES = {plant: {"GH2": 0.5, "IDC": 0.25} for plant in ("H1", "H2", "H3", "PV147")}
KILLED = -signal.SIGKILL


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Park:
    """A folder where `greenproof chain up` ran, and how to run the CLI there."""

    folder: Path
    env: dict[str, str]

    def run(self, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if crash_at is not None:
            env["GREENPROOF_CRASH_AT"] = crash_at
        return subprocess.run(["greenproof", *args], cwd=self.folder, env=env, capture_output=True, text=True,
                              timeout=300, check=False)

    def ok(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        return done.stdout

    def killed(self, *args: str, crash_at: str) -> None:
        done = self.run(*args, crash_at=crash_at)
        assert done.returncode == KILLED, (crash_at, done.returncode, done.stdout + done.stderr)

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.folder / 'greenproof-data' / 'ledger.sqlite'}"

    def chain(self) -> ChainClient:
        settings = json.loads((self.folder / "greenproof-data" / "settings.json").read_text())
        return ChainClient.connect(settings["chain_rpc_url"], settings["contract_address"], settings["issuer_key"])


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Park]:
    """`greenproof chain up` in an empty folder, then 4 pending one-hour batches written by the ledger API."""
    folder = tmp_path_factory.mktemp("killed")
    env = {name: value for name, value in os.environ.items() if not name.startswith("GREENPROOF_")}
    bin_dir = str(Path(sys.executable).parent)
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", GREENPROOF_CHAIN_PORT=str(_free_port()),
               COLUMNS="200")
    park = Park(folder, env)
    park.ok("chain", "up")
    engine = make_engine(park.database_url)
    factory = make_session_factory(engine)
    for batch in range(BATCHES):
        start = T0 + batch * HOUR
        with session_scope(factory) as session:
            ingest_readings(session, [MeterReading(plant, start + 900 * i, 900, energy_wh=READING_WH)
                                      for plant in SHARES for i in range(4)])
            build_batch(session, period_start_s=start, period_end_s=start + HOUR,
                        intervals=[IntervalShares(start + 900 * i, SHARES) for i in range(4)])
    engine.dispose()
    yield park
    park.run("chain", "down")


def _batches(park: Park) -> list[IssuanceBatch]:
    engine = make_engine(park.database_url)
    with make_session_factory(engine)() as session:
        rows = list(session.scalars(select(IssuanceBatch).order_by(IssuanceBatch.period_start_s)))
    engine.dispose()
    return rows


def _gh2(park: Park) -> str:
    engine = make_engine(park.database_url)
    with make_session_factory(engine)() as session:
        address = session.scalars(select(Firm.address).where(Firm.code == "GH2")).one()
    engine.dispose()
    return address


def retire_args(shipment_id: str, mwh: str, out: str) -> list[str]:
    return ["retire", "GH2", "2025-06-20T00:00Z", "2025-06-20T04:00Z", "--shipment-id", shipment_id,
            "--product", "green ammonia", "--quantity", "40", "--unit", "t", "--destination", "Hamburg",
            "--embedded-mwh", mwh, "--out", out]


def _retired(chain: ChainClient, holder: str, shipment_id: str) -> list[tuple[bytes, int]]:
    """(claim reference, Wh) of each Retired event of ``holder`` for the shipment (read from the chain)."""
    ref = keccak(shipment_id.encode())
    return [(e.args["claimRef"], sum(e.args["amountsWh"])) for e in chain.events()
            if e.name == "Retired" and e.args["holder"] == holder and e.args["shipmentRef"] == ref]


def test_killed_issue_and_retire_rerun_to_exactly_once(park: Park) -> None:
    # -- issue: each run dies at the next step; each rerun resumes what the one before left ----------------
    for step in ("transaction_sent", "transaction_mined", "sent_recorded", "confirmed"):
        park.killed("issue", crash_at=step)
    park.ok("issue")
    chain = park.chain()
    anchored = [e.args["batchId"] for e in chain.events() if e.name == "BatchAnchored"]
    batches = _batches(park)
    assert [b.state for b in batches] == [BatchState.CONFIRMED] * BATCHES
    assert sorted("0x" + bytes(a).hex() for a in anchored) == sorted(b.batch_id for b in batches)  # once each

    # -- retire: killed after the intent, after each transaction, after the receipts, after the DB confirmed ---
    shipments = {"BL-intent": "0.5", "BL-two-parts": "10", "BL-receipt": "0.5", "BL-confirmed": "0.5"}
    park.killed(*retire_args("BL-intent", "0.5", "intent.json"), crash_at="intent_stored")
    park.ok(*retire_args("BL-intent", "0.5", "intent.json"))
    # 10 MWh spans two batches: two transactions; the first run dies after sending the first, the rerun
    # adopts it and dies after sending the second, the last run adopts both
    park.killed(*retire_args("BL-two-parts", "10", "two.json"), crash_at="transaction_sent")
    park.killed(*retire_args("BL-two-parts", "10", "two.json"), crash_at="transaction_sent")
    park.ok(*retire_args("BL-two-parts", "10", "two.json"))
    park.killed(*retire_args("BL-receipt", "0.5", "receipt.json"), crash_at="receipt_received")
    park.ok(*retire_args("BL-receipt", "0.5", "receipt.json"))
    park.killed(*retire_args("BL-confirmed", "0.5", "confirmed.json"), crash_at="lines_confirmed")
    park.ok(*retire_args("BL-confirmed", "0.5", "confirmed.json"))
    first = (park.folder / "confirmed.json").read_text()
    park.ok(*retire_args("BL-confirmed", "0.5", "again.json"))  # after completion: the same record, exit 0
    assert (park.folder / "again.json").read_text() == first

    # -- the node: SIGKILLed after the retirement was sent, restarted from its state file ----------------------
    park.ok("chain", "down")  # a clean stop writes the state: everything before this point survives
    park.ok("chain", "up")
    park.killed(*retire_args("BL-node", "0.5", "node.json"), crash_at="transaction_sent")
    node = json.loads((park.folder / "greenproof-data" / "chain" / "node.json").read_text())
    os.kill(node["pid"], signal.SIGKILL)
    park.ok("chain", "up")
    park.ok(*retire_args("BL-node", "0.5", "node.json"))
    shipments["BL-node"] = "0.5"

    chain, holder = park.chain(), _gh2(park)
    for shipment_id, mwh in shipments.items():
        parts = _retired(chain, holder, shipment_id)
        assert sum(wh for _, wh in parts) == int(Decimal(mwh) * 1_000_000), (shipment_id, parts)
        assert len({ref for ref, _ in parts}) == len(parts), (shipment_id, parts)  # no part sent twice
    assert len(_retired(chain, holder, "BL-two-parts")) >= 2  # the kills fell between its transactions
    for name in ("intent", "two", "receipt", "confirmed", "node"):
        record = ProvenanceRecord.model_validate_json((park.folder / f"{name}.json").read_bytes())
        result = verify_record(record, chain)
        assert result.valid, (name, [c for c in result.checks if not c.ok])
    assert "ledger and chain agree" in park.ok("reconcile")
