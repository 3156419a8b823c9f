"""The end-to-end demo: one park day from power flow to a buyer-verified provenance record.

Steps (each timed): start a chain, deploy the contract and register the park; solve the park at
15 minutes for one day and trace every interval; anchor the day's certificates as one Merkle root
(the battery's charge records recorded on-chain with it); mint the storage discharge certificates
of the firm the battery served most and retire one; retire certificates of the exporter firm
against a shipment; verify the provenance record and the firm's leaves from the chain and the
published leaf file only.

Without ``keep`` everything is throwaway: an in-memory Anvil, stopped at the end, and a temporary
SQLite ledger. With ``keep`` the demo leaves what the other commands use: the local chain of
``greenproof chain up`` (still running, state in ``greenproof-data/chain/``), the ledger
``greenproof-data/ledger.sqlite``, the settings file, and its artifacts in ``greenproof-data/demo/``.

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

from greenproof.contracts.anvil import Anvil, find_anvil
from greenproof.contracts.client import ChainClient
from greenproof.ledger.leaf_file import LeafFile
from greenproof.ledger.models import IssuanceBatch
from greenproof.ledger.verify import HolderVerification, verify_holder

from ..usecases.app_state import AppState
from ..usecases.attribution_results import PARK_TZ
from ..usecases.data_folder import DATA_FOLDER, DEFAULT_DATABASE_URL
from ..usecases.park_attribution import AttributionRun
from ..usecases.park_chain import prepare_park_chain
from ..usecases.park_runs import issue_pending, run_attribution
from ..usecases.provenance import issue_provenance
from ..usecases.provenance_render import qr_png, record_html, record_pdf
from ..usecases.provenance_verify import verify_record
from ..usecases.schemas import ProvenanceRecord, ShipmentCreate, VerificationPublic
from ..usecases.settings import ApiSettings, write_settings_file
from ..usecases.storage_certificates import StorageDay, retire_one_discharge
from .local_node import DEFAULT_PORT, LocalNode

__all__ = ["DEMO_DAY", "DEMO_EXPORTER", "DEMO_SHIPMENT", "DemoResult", "KeptDemo", "run_demo"]

#: The demo's park-local day (midsummer: wind and sun both contribute).
DEMO_DAY = date(2025, 6, 21)
#: The exporting firm (green hydrogen electrolysers).
DEMO_EXPORTER = "GH2"
DEMO_SHIPMENT = ShipmentCreate(shipment_id="BHP-EXP-2025-0621-001", product="compressed green hydrogen", quantity=2.0,
                               quantity_unit="t", destination="Port of Rotterdam, NL", embedded_electricity_mwh=110.0)


@dataclass(frozen=True)
class KeptDemo:
    """Where a kept demo left its chain and data.

    Attributes
    ----------
    rpc_url : str
        The local chain, still running (stop it with ``greenproof chain down``).
    database_url : str
        The ledger.
    settings_file : Path
        The settings file every command reads (chain URL and id, contract, issuer key).
    artifacts : Path
        Folder of the leaf file and the provenance record (JSON, HTML, PDF, QR code).
    """

    rpc_url: str
    database_url: str
    settings_file: Path
    artifacts: Path


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
    leaf_file : LeafFile
        The published leaf file of the day's batch.
    storage : StorageDay or None
        The park battery's day: charged, discharged, certified with origin, retired.
    kept : KeptDemo or None
        Where the chain and data were left, with ``keep``.
    timings_s : dict
        Wall time of each step, seconds.
    """

    run: AttributionRun
    batches: list[IssuanceBatch]
    record: ProvenanceRecord
    record_check: VerificationPublic
    leaves_check: HolderVerification
    leaf_file: LeafFile
    storage: StorageDay | None = None
    kept: KeptDemo | None = None
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


def _write_artifacts(folder: Path, leaf_file: LeafFile, record: ProvenanceRecord) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"leaf-file-{leaf_file.batch_id}.json").write_bytes(leaf_file.to_bytes())
    (folder / "provenance-record.json").write_text(json.dumps(record.model_dump(mode="json"), indent=2))
    (folder / "provenance-record.html").write_text(record_html(record), encoding="utf-8")
    (folder / "provenance-record.pdf").write_bytes(record_pdf(record))
    (folder / "verify-qr.png").write_bytes(qr_png(record.verify_url))


def run_demo(*, database_url: str | None = None, keep: bool = False, port: int = DEFAULT_PORT,
             day: date = DEMO_DAY, progress: bool = False, report: Callable[[str], None] = lambda _step: None
             ) -> DemoResult:
    """Run the demo (see the module docstring).

    Parameters
    ----------
    database_url : str, optional
        Ledger database; default a temporary SQLite file (``greenproof-data/ledger.sqlite`` with ``keep``).
    keep : bool
        Run on the local chain of ``greenproof chain up`` (port ``port``) and leave it running with
        the ledger, the settings file and the artifacts; the caller checks that ``greenproof-data/``
        is free. Without it, an in-memory Anvil is stopped at the end and everything is deleted.
    port : int
        Port of the local chain, with ``keep``.
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
        with _timed(timings, "start a chain, deploy the contract, register the park in the ledger and on-chain",
                    report):
            # the chain's clock starts one hour after the demo day: its batch has ended and its certificates are
            # valid on the chain's clock, whatever today's date (they expire 24 months after the production month)
            clock_start_s = int(end.timestamp()) + 3600
            if keep:
                node = LocalNode()
                running = node.start(find_anvil(), port, clock_start_s)
                stack.push(_stop_on_error(node))
                rpc_url, chain_id, issuer_key = str(running.rpc_url), running.chain_id, node.issuer_key()
                url = database_url or DEFAULT_DATABASE_URL
            else:
                anvil = stack.enter_context(Anvil(genesis_timestamp_s=clock_start_s))
                rpc_url, chain_id, issuer_key = anvil.rpc_url, anvil.chain_id, anvil.private_keys[0]
                url = database_url or f"sqlite:///{Path(tmp) / 'ledger.sqlite'}"
            settings = ApiSettings(database_url=url, chain_rpc_url=rpc_url, chain_id=chain_id, issuer_key=issuer_key,
                                   key_file=(DATA_FOLDER if keep else Path(tmp)) / "api-keys.json")
            state = AppState.start(settings)
            stack.callback(state.close)
            client = prepare_park_chain(state.session_factory, rpc_url, issuer_key).client
        result = _pipeline(state, client, issuer_key, start, end, timings, progress, report)
        if keep:
            written = write_settings_file({"chain_rpc_url": rpc_url, "chain_id": chain_id,
                                           "contract_address": client.address, "issuer_key": issuer_key,
                                           "database_url": database_url})
            _write_artifacts(DATA_FOLDER / "demo", result.leaf_file, result.record)
            result.kept = KeptDemo(rpc_url=rpc_url, database_url=url, settings_file=written,
                                   artifacts=DATA_FOLDER / "demo")
        return result


def _stop_on_error(node: LocalNode) -> Callable[..., bool]:
    """Return an exit callback that stops the local chain if the demo fails: a node is left only on success."""

    def on_exit(exc_type: type[BaseException] | None, *_: object) -> bool:
        if exc_type is not None:
            node.stop()
        return False

    return on_exit


def _pipeline(state: AppState, client: ChainClient, issuer_key: str, start: datetime, end: datetime,
              timings: dict[str, float], progress: bool, report: Callable[[str], None]) -> DemoResult:
    with _timed(timings, "solve and trace the park day (96 intervals of 15 min)", report):
        run = run_attribution(state.session_factory, issuer_key, start, end, simulated_meters=True, mode="anchor",
                              progress=progress)
    with _timed(timings, "anchor the day's certificates on-chain (one Merkle root over every leaf)", report):
        batches = issue_pending(state.session_factory, client)
    with _timed(timings, "mint the battery's discharge certificates (original plant and interval) and retire one",
                report):
        for day in run.batches:  # the demo day spans two park days (UTC+8): the first with a discharge certificate
            storage = retire_one_discharge(state.session_factory, client, issuer_key, day.batch_id,
                                           purpose="stored renewable electricity, time-shifted by the park battery")
            if storage.retired_wh:
                break
    with _timed(timings, f"retire {DEMO_EXPORTER} certificates for shipment {DEMO_SHIPMENT.shipment_id}", report):
        record = issue_provenance(state.session_factory, client, issuer_key, DEMO_EXPORTER, DEMO_SHIPMENT, start,
                                  end, beneficiary=None, purpose="EU CBAM: renewable electricity of exported hydrogen",
                                  public_base_url=state.settings.public_base_url, rule=state.ledger_settings,
                                  files=state.leaf_files)
    with _timed(timings, "verify from the chain and the published leaf file", report):
        with state.session_factory() as session:
            leaf_file = LeafFile.from_bytes(state.leaf_files.get(session, run.batches[0].batch_id).to_bytes())
        record_check = verify_record(record, client)
        leaves_check = verify_holder(client, [leaf_file], record.claim.holder, period_start_s=int(start.timestamp()),
                                     period_end_s=int(end.timestamp()))
    return DemoResult(run=run, batches=batches, record=record, record_check=record_check, leaves_check=leaves_check,
                      leaf_file=leaf_file, storage=storage, timings_s=timings)
