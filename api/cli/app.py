"""The ``greenproof`` command line (typer + rich); each command calls a function that holds its logic.

Exit codes: 0 success; 1 a verification or reconciliation found a mismatch; 2 bad input (file,
option or data the domain rejects); 3 a service (chain, database) is unavailable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from greenproof.attribution.errors import GreenproofError
from greenproof.contracts.errors import ChainError
from greenproof.ledger.leaf_file import LeafFile
from greenproof.ledger.reconcile import reconcile as reconcile_ledger
from greenproof.ledger.verify import verify_holder

from ..app import create_app
from ..usecases.api_keys import KeyStore, Role
from ..usecases.app_state import AppState
from ..usecases.chain_gateway import ChainGateway
from ..usecases.errors import ChainUnavailableError, ProvenanceRecordError, SchedulerUnavailableError
from ..usecases.meter_upload import readings_to_csv
from ..usecases.park_attribution import AttributionRun
from ..usecases.park_runs import batch_public, issue_pending, run_attribution
from ..usecases.park_simulation import DEFAULT_SEED, simulate_readings
from ..usecases.provenance import issue_provenance
from ..usecases.provenance_verify import verify_record
from ..usecases.schemas import IssuanceMode, ProvenanceRecord, ShipmentCreate, VerificationPublic
from ..usecases.settings import ApiSettings
from ..usecases.units import KG_PER_T, mwh
from .demo import DEMO_EXPORTER, run_demo
from .trace_export import TraceMethod, TraceSummary, export_trace

__all__ = ["EXIT_BAD_INPUT", "EXIT_MISMATCH", "EXIT_UNAVAILABLE", "app", "main"]

EXIT_MISMATCH = 1
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3

app = typer.Typer(
    name="greenproof",
    help="Green-power traceability: power-flow attribution anchored as certificates on an EVM chain.",
    no_args_is_help=True,
    add_completion=False,
)
keys_app = typer.Typer(help="Create, list and revoke API keys (stored hashed in the key file).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
console = Console()

DatabaseOption = Annotated[str | None, typer.Option(
    help="Ledger database URL [default: GREENPROOF_DATABASE_URL or sqlite:///greenproof-data/ledger.sqlite].")]
StartArgument = Annotated[str, typer.Argument(help="Period start, ISO 8601 with offset, e.g. 2025-06-20T16:00Z.")]
EndArgument = Annotated[str, typer.Argument(help="Period end (exclusive), ISO 8601 with offset.")]
SeedOption = Annotated[int, typer.Option(help="Seed of the park profiles.")]
KeyFileOption = Annotated[Path | None, typer.Option(
    "--key-file", help="API key file [default: GREENPROOF_KEY_FILE or greenproof-data/api-keys.json].")]


@contextmanager
def _exit_codes() -> Iterator[None]:
    """Turn domain errors into a red message and the documented exit code."""
    try:
        yield
    except (ChainUnavailableError, ChainError) as exc:
        console.print(f"[bold red]unavailable:[/bold red] {exc}")
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    except GreenproofError as exc:
        console.print(f"[bold red]error:[/bold red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from exc


def _settings(**overrides: object) -> ApiSettings:
    given = {name: value for name, value in overrides.items() if value is not None}
    return ApiSettings(**given)


def _print_version(value: bool) -> None:
    if value:
        console.print(f"greenproof {version('greenproof')}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Green-power traceability: power-flow attribution anchored as certificates on an EVM chain."""


@keys_app.command("create")
def keys_create(
    role: Annotated[Role, typer.Option(help="Role of the key.")],
    firm: Annotated[str | None, typer.Option(help="Firm code the key is bound to (roles firm and exporter).")] = None,
    label: Annotated[str, typer.Option(help="Free text to recognise the key by.")] = "",
    key_file: KeyFileOption = None,
) -> None:
    """Create an API key and print it once (only its salted hash is stored)."""
    with _exit_codes():
        record, key = KeyStore(_settings(key_file=key_file).key_file).create(role, firm_code=firm, label=label)
    console.print(f"key id {record.key_id} ({record.role.value}{', firm ' + firm if firm else ''}); "
                  "store this key now, it is not shown again:")
    console.print(key, soft_wrap=True, highlight=False)


@keys_app.command("list")
def keys_list(key_file: KeyFileOption = None) -> None:
    """List the stored keys (ids, roles and firms; never secrets)."""
    with _exit_codes():
        records = KeyStore(_settings(key_file=key_file).key_file).records()
    table = Table("key id", "role", "firm", "label", "created (UTC)")
    for record in records:
        table.add_row(record.key_id, record.role.value, record.firm_code or "", record.label, record.created_at)
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="Id of the key to revoke.")],
                key_file: KeyFileOption = None) -> None:
    """Revoke (delete) an API key."""
    with _exit_codes():
        KeyStore(_settings(key_file=key_file).key_file).revoke(key_id)
    console.print(f"revoked key {key_id}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    database_url: DatabaseOption = None,
) -> None:
    """Serve the HTTP API (migrates the database first); chain settings come from GREENPROOF_* variables."""
    with _exit_codes():
        api = create_app(_settings(database_url=database_url))
    uvicorn.run(api, host=host, port=port)


@app.command()
def demo(
    database_url: DatabaseOption = None,
    keep: Annotated[bool, typer.Option(
        "--keep", help="Keep the leaf file, provenance record (JSON/HTML/PDF/QR) and database in a new folder "
                       "./greenproof-demo-<UTC time> and print its name.")] = False,
) -> None:
    """Run the whole pipeline on one park day with a throwaway Anvil chain; no configuration needed.

    Builds the Binhai park, solves the day at 15 min, traces it, anchors the certificates, retires a
    hydrogen shipment for the GH2 exporter, verifies it from the chain and the leaf file, and stops Anvil.
    Exits 1 if the verification fails.
    """
    folder = Path.cwd() / f"greenproof-demo-{datetime.now(UTC):%Y%m%dT%H%M%SZ}" if keep else None
    started = time.perf_counter()
    with _exit_codes():
        result = run_demo(database_url=database_url, keep=folder, progress=True,
                          report=lambda step: console.print(f"[cyan]•[/cyan] {step}"))
    _print_firms(result.run)
    _print_checks(result.record_check)
    leaves = result.leaves_check
    console.print(f"ledger.verify from chain + leaf file: {len(leaves.leaves)} leaves of {DEMO_EXPORTER}, "
                  f"{'all proven' if leaves.ok else 'NOT all proven'}; {mwh(leaves.retired_wh):,.3f} MWh retired "
                  f"on-chain")
    console.print(f"provenance record {result.record.claim_ref}: "
                  f"{'[bold green]VERIFIED[/bold green]' if result.verified else '[bold red]FAILED[/bold red]'} "
                  f"({time.perf_counter() - started:.1f} s)")
    if result.artifacts is not None:
        console.print(f"artifacts kept in {result.artifacts}")
    if not result.verified:
        raise typer.Exit(EXIT_MISMATCH)


@app.command()
def simulate(
    start: StartArgument, end: EndArgument,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Write the readings as a meter-data CSV file.")] = None,
    seed: SeedOption = DEFAULT_SEED,
) -> None:
    """Solve the Binhai park model over [START, END) and report each renewable plant's generation.

    With --csv, the 15-minute readings are written in the upload format of POST /park/meter-readings/csv.
    """
    with _exit_codes():
        readings = simulate_readings(_utc(start, "START"), _utc(end, "END"), seed=seed, progress=True)
    totals: dict[str, int] = {}
    for reading in readings:
        totals[reading.plant_code] = totals.get(reading.plant_code, 0) + int(reading.energy_wh or 0)
    table = Table("plant", "generation MWh", title="Simulated renewable generation")
    for code, wh in sorted(totals.items()):
        table.add_row(code, f"{mwh(wh):,.3f}")
    console.print(table)
    if csv_file is not None:
        csv_file.write_text(readings_to_csv(readings), encoding="utf-8")
        console.print(f"wrote {len(readings)} readings to {csv_file}")


@app.command()
def attribute(
    start: StartArgument, end: EndArgument, database_url: DatabaseOption = None,
    simulated_meters: Annotated[bool, typer.Option(
        "--simulated-meters/--uploaded-meters",
        help="Store the model's plant output as meter readings, or use readings already uploaded.")] = False,
    mode: Annotated[IssuanceMode, typer.Option(help="Issuance mode of the batch.")] = IssuanceMode.ANCHOR,
    seed: SeedOption = DEFAULT_SEED,
) -> None:
    """Solve and trace the park over [START, END); store per-firm results and a pending certificate batch.

    Needs GREENPROOF_ISSUER_KEY (the firms' custodial accounts derive from it). Send the batch with `issue`.
    """
    with _exit_codes():
        state = AppState.start(_settings(database_url=database_url))
        try:
            run = run_attribution(state.session_factory, state.chain.issuer_key(), _utc(start, "START"),
                                  _utc(end, "END"), simulated_meters=simulated_meters, mode=mode.value, seed=seed,
                                  progress=True)
        finally:
            state.close()
    _print_firms(run)
    console.print(f"pending batch {run.batch_id} ({run.intervals} intervals); send it with `greenproof issue`")


@app.command()
def trace(
    source: Annotated[str, typer.Argument(help="park, a pandapower case (case9, case118, case1354pegase, ...), a "
                                               "SimBench code (1-MV-rural--0-sw) or a pandapower JSON file.")],
    start: Annotated[str | None, typer.Option(help="First interval, ISO 8601 with offset (default: start of the "
                                                   "profiles; park: 2025-01-01 park time).")] = None,
    end: Annotated[str | None, typer.Option(help="End of the period (exclusive), ISO 8601 with offset "
                                                 "(default: end of the profiles).")] = None,
    intervals: Annotated[int | None, typer.Option(help="Number of intervals from --start (instead of --end).",
                                                  min=1)] = None,
    method: Annotated[TraceMethod, typer.Option(help="Losses charged to loads (upstream), to generators "
                                                     "(downstream), or shared (average).")] = TraceMethod.UPSTREAM,
    out: Annotated[Path, typer.Option(help="Trace CSV, gzip-compressed if it ends in .gz.")] = Path("trace.csv.gz"),
    nodal_intensity: Annotated[Path | None, typer.Option(help="Also write each bus's carbon intensity (tCO2/MWh) "
                                                              "per interval to this CSV.")] = None,
    default_technology: Annotated[str | None, typer.Option(help="Technology key of generators whose type maps to "
                                                                "none (e.g. gas, coal, other).")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (tcp://host:8786): run the intervals "
                                                       "on its workers, written in time order.")] = None,
) -> None:
    """Trace SOURCE interval by interval and stream MWh per (generator, load, interval) to a CSV file.

    Rows: interval_start_utc, injection_id, technology, withdrawal_id, withdrawal_kind, mwh.
    Nonzero entries only, sorted by injection then withdrawal id within each interval.
    A source without profiles is one 1 h interval at its stored operating point.
    Prints totals per withdrawal kind and the top loads with their renewable share.
    """
    with _exit_codes():
        try:
            summary = export_trace(source, out, start=_utc(start, "--start") if start else None,
                                   end=_utc(end, "--end") if end else None, intervals=intervals,
                                   method=method.value, nodal_intensity=nodal_intensity,
                                   default_technology=default_technology, scheduler=scheduler, progress=True)
        except SchedulerUnavailableError as exc:
            console.print(f"[bold red]unavailable:[/bold red] {exc}")
            raise typer.Exit(EXIT_UNAVAILABLE) from exc
    _print_trace(summary)
    console.print(f"wrote {summary.rows:,} rows ({summary.intervals:,} intervals) to {out}")


@app.command()
def issue(database_url: DatabaseOption = None) -> None:
    """Send every pending or interrupted batch to the chain and confirm it (GREENPROOF_CHAIN_* settings)."""
    with _exit_codes():
        state = AppState.start(_settings(database_url=database_url))
        try:
            batches = [batch_public(b) for b in issue_pending(state.session_factory, state.chain.client())]
        finally:
            state.close()
    table = Table("batch", "period start (UTC)", "mode", "state", "block", title="Issued batches")
    for batch in batches:
        table.add_row(batch.batch_id, batch.period_start.isoformat(), batch.mode, batch.state,
                      str(batch.block_number))
    console.print(table if batches else "no pending batch")


@app.command()
def retire(
    firm: Annotated[str, typer.Argument(help="Exporting firm code, e.g. GH2.")],
    start: StartArgument, end: EndArgument,
    shipment_id: Annotated[str, typer.Option(help="Bill of lading or customs declaration number.")],
    product: Annotated[str, typer.Option(help="Product shipped.")],
    quantity: Annotated[float, typer.Option(help="Quantity shipped.", min=0)],
    unit: Annotated[str, typer.Option(help="Unit of the quantity.")],
    destination: Annotated[str, typer.Option(help="Port or country of destination.")],
    embedded_mwh: Annotated[float, typer.Option(help="Electricity embedded in the shipment, MWh.", min=0)],
    beneficiary: Annotated[str | None, typer.Option(help="Who the claim is for [default: the firm].")] = None,
    purpose: Annotated[str, typer.Option(help="Purpose written on-chain.")] =
        "embedded renewable electricity of an exported shipment",
    out: Annotated[Path | None, typer.Option(help="Provenance record file [default: provenance-<claim>.json].")
                   ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Retire FIRM's certificates consumed in [START, END) against a shipment and write its provenance record."""
    with _exit_codes():
        shipment = _shipment(shipment_id, product, quantity, unit, destination, embedded_mwh)
        state = AppState.start(_settings(database_url=database_url))
        try:
            record = issue_provenance(
                state.session_factory, state.chain.client(), state.chain.issuer_key(), firm, shipment,
                _utc(start, "START"), _utc(end, "END"), beneficiary=beneficiary, purpose=purpose,
                public_base_url=state.settings.public_base_url, rule=state.ledger_settings, files=state.leaf_files)
        finally:
            state.close()
    target = out or Path(f"provenance-{record.claim_ref[:18]}.json")
    target.write_text(json.dumps(record.model_dump(mode="json"), indent=2), encoding="utf-8")
    console.print(f"retired {mwh(record.retired_wh):,.3f} MWh in {len(record.lines)} line(s); record {target}; "
                  f"verify at {record.verify_url}")


@app.command()
def verify(record_file: Annotated[Path, typer.Argument(help="Provenance record (JSON).", exists=True,
                                                       dir_okay=False)]) -> None:
    """Check a provenance record against the chain alone (GREENPROOF_CHAIN_* settings); exit 1 if it fails."""
    with _exit_codes():
        record = _read_record(record_file)
        result = verify_record(record, ChainGateway(_settings()).client())
    _print_checks(result)
    if not result.valid:
        raise typer.Exit(EXIT_MISMATCH)


@app.command()
def audit(
    holder: Annotated[str, typer.Argument(help="EVM address (0x…) of the certificate account to audit.")],
    leaf_files: Annotated[list[Path], typer.Argument(
        help="Published leaf files (canonical JSON, see docs/ledger.md) of the batches to check.", exists=True,
        dir_okay=False)],
    start: Annotated[str | None, typer.Option(help="Only intervals from this instant (ISO 8601 with offset).")] = None,
    end: Annotated[str | None, typer.Option(help="Only intervals before this instant (ISO 8601 with offset).")] = None,
) -> None:
    """Verify a holder's certificates from published leaf files against the chain alone; exit 1 if any fails.

    No database is read: each leaf's Merkle proof is checked against the root the contract stores
    (GREENPROOF_CHAIN_* settings), and its claims and retirements are read from the chain's events.
    """
    period_start_s = int(_utc(start, "--start").timestamp()) if start else 0
    period_end_s = int(_utc(end, "--end").timestamp()) if end else 2**63 - 1
    with _exit_codes():
        files = [LeafFile.from_bytes(path.read_bytes()) for path in leaf_files]
        result = verify_holder(ChainGateway(_settings()).client(), files, holder,
                               period_start_s=period_start_s, period_end_s=period_end_s)
    table = Table("interval (UTC)", "plant", "Wh", "claimed", "retired Wh", "result", title=f"Certificates of {holder}")
    for item in result.leaves:
        table.add_row(datetime.fromtimestamp(item.leaf.interval_start_s, UTC).strftime("%Y-%m-%d %H:%M"),
                      item.leaf.plant_code, f"{item.leaf.amount_wh:,}", "yes" if item.claimed else "no",
                      f"{item.retired_wh:,}",
                      "[green]ok[/green]" if item.ok else f"[red]FAILED[/red] {'; '.join(item.problems)}")
    console.print(table)
    console.print(f"{len(result.leaves)} leaves; verified {result.allocated_wh:,} Wh allocated, "
                  f"{result.claimed_wh:,} Wh claimed, {result.retired_wh:,} Wh retired on-chain")
    if not result.leaves:
        console.print(f"[bold red]no leaf of {holder} in the given files and period[/bold red]")
        raise typer.Exit(EXIT_MISMATCH)
    if not result.ok:
        raise typer.Exit(EXIT_MISMATCH)


@app.command()
def reconcile(
    database_url: DatabaseOption = None,
    from_block: Annotated[int, typer.Option(help="First block to read events from.", min=0)] = 0,
) -> None:
    """Compare the ledger database with the chain's events and balances; exit 1 on any difference."""
    with _exit_codes():
        state = AppState.start(_settings(database_url=database_url))
        try:
            with state.session_factory() as session:
                differences = reconcile_ledger(session, state.chain.client(), from_block=from_block)
        finally:
            state.close()
    if not differences:
        console.print("[bold green]ledger and chain agree[/bold green]")
        return
    table = Table("kind", "subject", "problem", "database", "chain", title="Differences")
    for item in differences:
        table.add_row(item.kind, item.subject, item.problem, item.db or "", item.chain or "")
    console.print(table)
    raise typer.Exit(EXIT_MISMATCH)


def _utc(text: str, name: str) -> datetime:
    """Parse an ISO 8601 instant with an offset (``2025-06-20T16:00Z``); naive times are refused."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=name) from exc
    if moment.utcoffset() is None:
        raise typer.BadParameter(f"{text!r} has no UTC offset (write e.g. 2025-06-20T16:00Z)", param_hint=name)
    return moment.astimezone(UTC)


def _shipment(shipment_id: str, product: str, quantity: float, unit: str, destination: str,
              embedded_mwh: float) -> ShipmentCreate:
    try:
        return ShipmentCreate(shipment_id=shipment_id, product=product, quantity=quantity, quantity_unit=unit,
                              destination=destination, embedded_electricity_mwh=embedded_mwh)
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _read_record(path: Path) -> ProvenanceRecord:
    try:
        return ProvenanceRecord.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise ProvenanceRecordError(f"{path} is not a provenance record: {exc}") from exc


def _print_firms(run: AttributionRun) -> None:
    table = Table("firm", "consumption MWh", "renewable MWh", "renewable share", "tCO2",
                  title=f"Traced supply {run.period_start:%Y-%m-%d %H:%M} – {run.period_end:%Y-%m-%d %H:%M} UTC")
    for firm in run.firms:
        table.add_row(firm.firm_code, f"{mwh(firm.consumption_wh):,.1f}", f"{mwh(firm.renewable_wh):,.1f}",
                      f"{firm.renewable_share:.1%}", f"{firm.emissions_kg / KG_PER_T:,.1f}")
    console.print(table)


def _print_trace(summary: TraceSummary, top: int = 10) -> None:
    title = f"Traced energy, {summary.source}, {summary.intervals} interval(s), {summary.method}"
    table = Table("withdrawal", "kind", "demand MWh", "traced MWh", "renewable share", title=title)
    for row in (*summary.by_kind(), *[w for w in summary.withdrawals if w.kind == "load"][:top]):
        table.add_row(row.withdrawal_id, row.kind, f"{row.demand_mwh:,.3f}", f"{row.supplied_mwh:,.3f}",
                      f"{row.renewable_share:.1%}")
    console.print(table)
    console.print(f"generation {summary.generation_mwh:,.3f} MWh, consumption {summary.consumption_mwh:,.3f} MWh, "
                  f"losses {summary.losses_mwh:,.3f} MWh, traced {summary.traced_mwh:,.3f} MWh")


def _print_checks(result: VerificationPublic) -> None:
    table = Table("check", "result", "detail", title=f"Provenance record {result.claim_ref[:18]}…")
    for item in result.checks:
        table.add_row(item.name, "[green]ok[/green]" if item.ok else "[red]FAILED[/red]", item.detail)
    console.print(table)


def main() -> None:
    """Entry point of the ``greenproof`` console script."""
    app()
