"""The end-to-end demo: one park day from power flow to a buyer-verified provenance record, on a throwaway chain.

Steps (each timed): start Anvil and deploy the contract; migrate a ledger database (temporary
SQLite unless a URL is given) and register the Binhai park's plants and firms; solve the park at
15 minutes for one day and trace every interval; anchor the day's certificates as one Merkle root;
retire certificates of the exporter firm against a shipment; verify the provenance record and the
firm's leaves from the chain and the published leaf file only; stop Anvil.

The demo shipment: 2 t of compressed green hydrogen from the electrolyser plant (GH2). Embedded
electricity 110 MWh = 2,000 kg × 55 kWh/kg, the upper end of the 50–55 kWh/kg a PEM or alkaline
electrolysis system draws (IEA, *Global Hydrogen Review 2023*, electrolyser efficiency ranges).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient
from greenproof.ledger.leaf_file import LeafFile
from greenproof.ledger.models import IssuanceBatch
from greenproof.ledger.verify import HolderVerification, verify_holder

from ..usecases.app_state import AppState
from ..usecases.attribution_results import PARK_TZ
from ..usecases.park_attribution import AttributionRun
from ..usecases.park_runs import issue_pending, run_attribution
from ..usecases.provenance import issue_provenance
from ..usecases.provenance_render import qr_png, record_html, record_pdf
from ..usecases.provenance_verify import verify_record
from ..usecases.schemas import ProvenanceRecord, ShipmentCreate, VerificationPublic
from ..usecases.settings import ApiSettings

__all__ = ["DEMO_DAY", "DEMO_EXPORTER", "DEMO_SHIPMENT", "DemoResult", "run_demo"]

#: The demo's park-local day (midsummer: wind and sun both contribute).
DEMO_DAY = date(2025, 6, 21)
#: The exporting firm (green hydrogen electrolysers).
DEMO_EXPORTER = "GH2"
DEMO_SHIPMENT = ShipmentCreate(shipment_id="BHP-EXP-2025-0621-001", product="compressed green hydrogen", quantity=2.0,
                               quantity_unit="t", destination="Port of Rotterdam, NL", embedded_electricity_mwh=110.0)


@dataclass
class DemoResult:
    """What the demo did and found.

    Attributes
    ----------
    run : AttributionRun
        Per-firm consumption and traced renewable share of the day.
    batches : list of IssuanceBatch
        Batches sent to the chain (one anchored day).
    record : ProvenanceRecord
        The exporter's provenance record.
    record_check : VerificationPublic
        The record checked against the chain alone.
    leaves_check : HolderVerification
        Every leaf of the exporter in the day checked against the on-chain root from the leaf file.
    artifacts : Path or None
        Folder holding the leaf file, the record (JSON, HTML, PDF, QR) and the database, with ``--keep``.
    timings_s : dict
        Wall time of each step, seconds.
    """

    run: AttributionRun
    batches: list[IssuanceBatch]
    record: ProvenanceRecord
    record_check: VerificationPublic
    leaves_check: HolderVerification
    artifacts: Path | None
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        """True when the record and the exporter's leaves both verified against the chain."""
        return self.record_check.valid and self.leaves_check.ok


@contextmanager
def _timed(timings: dict[str, float], step: str, report: Callable[[str], None]) -> Iterator[None]:
    report(step)
    started = time.perf_counter()
    yield
    timings[step] = time.perf_counter() - started


def _keep(folder: Path, leaf_file: LeafFile, record: ProvenanceRecord) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"leaf-file-{leaf_file.batch_id}.json").write_bytes(leaf_file.to_bytes())
    (folder / "provenance-record.json").write_text(json.dumps(record.model_dump(mode="json"), indent=2))
    (folder / "provenance-record.html").write_text(record_html(record), encoding="utf-8")
    (folder / "provenance-record.pdf").write_bytes(record_pdf(record))
    (folder / "verify-qr.png").write_bytes(qr_png(record.verify_url))


def run_demo(*, database_url: str | None = None, keep: Path | None = None, day: date = DEMO_DAY,
             progress: bool = False, report: Callable[[str], None] = lambda _step: None) -> DemoResult:
    """Run the demo (see the module docstring); Anvil is stopped whatever happens.

    Parameters
    ----------
    database_url : str, optional
        Ledger database; default a SQLite file in a temporary folder (or in ``keep``).
    keep : Path, optional
        Folder to leave the artifacts in; without it everything is deleted.
    day : date
        Park-local calendar day to simulate.
    progress : bool
        Show the power-flow progress bar.
    report : callable
        Called with the name of each step as it starts.
    """
    start = datetime.combine(day, datetime.min.time(), PARK_TZ).astimezone(UTC)
    end = start + timedelta(days=1)
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="greenproof-demo-") as tmp, ExitStack() as stack:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        with _timed(timings, "start Anvil, deploy the contract, migrate the ledger", report):
            # the chain starts one hour after the demo day: its batch has ended and its certificates are valid on
            # the chain's clock, whatever today's date (they expire 24 months after the production month)
            node = stack.enter_context(Anvil(genesis_timestamp_s=int(end.timestamp()) + 3600))
            issuer_key = node.private_keys[0]
            client = ChainClient.deploy(node.rpc_url, issuer_key)
            settings = ApiSettings(database_url=database_url or f"sqlite:///{folder / 'ledger.sqlite'}",
                                   chain_rpc_url=node.rpc_url, contract_address=client.address, issuer_key=issuer_key,
                                   key_file=folder / "api-keys.json")
            state = AppState.start(settings)
            stack.callback(state.close)
        return _pipeline(state, client, issuer_key, start, end, keep, timings, progress, report)


def _pipeline(state: AppState, client: ChainClient, issuer_key: str, start: datetime, end: datetime,
              keep: Path | None, timings: dict[str, float], progress: bool,
              report: Callable[[str], None]) -> DemoResult:
    with _timed(timings, "solve and trace the park day (96 intervals)", report):
        run = run_attribution(state.session_factory, issuer_key, start, end, simulated_meters=True, mode="anchor",
                              progress=progress)
    with _timed(timings, "anchor the day's certificates on-chain", report):
        batches = issue_pending(state.session_factory, client)
    with _timed(timings, f"retire {DEMO_EXPORTER} certificates for shipment {DEMO_SHIPMENT.shipment_id}", report):
        record = issue_provenance(state.session_factory, client, issuer_key, DEMO_EXPORTER, DEMO_SHIPMENT, start,
                                  end, beneficiary=None, purpose="EU CBAM: renewable electricity of exported hydrogen",
                                  public_base_url=state.settings.public_base_url, rule=state.ledger_settings,
                                  files=state.leaf_files)
    with _timed(timings, "verify from the chain and the leaf file", report):
        with state.session_factory() as session:
            leaf_file = LeafFile.from_bytes(state.leaf_files.get(session, run.batch_id).to_bytes())
        record_check = verify_record(record, client)
        leaves_check = verify_holder(client, [leaf_file], record.claim.holder, period_start_s=int(start.timestamp()),
                                     period_end_s=int(end.timestamp()))
    if keep is not None:
        _keep(keep, leaf_file, record)
    return DemoResult(run=run, batches=batches, record=record, record_check=record_check, leaves_check=leaves_check,
                      artifacts=keep, timings_s=timings)
