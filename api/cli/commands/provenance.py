"""Provenance records: ``retire`` certificates against a shipment, ``verify`` a record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from ...usecases.app_state import AppState
from ...usecases.chain_gateway import ChainGateway
from ...usecases.errors import ProvenanceRecordError
from ...usecases.provenance import issue_provenance
from ...usecases.provenance_verify import verify_record
from ...usecases.schemas import ProvenanceRecord, ShipmentCreate
from ...usecases.units import mwh
from ..exit_codes import EXIT_MISMATCH, exit_codes
from ..options import DatabaseOption, EndArgument, StartArgument, settings, utc
from ..output import console, print_checks

__all__ = ["retire", "verify"]


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
    with exit_codes():
        shipment = _shipment(shipment_id, product, quantity, unit, destination, embedded_mwh)
        state = AppState.start(settings(database_url=database_url))
        try:
            record = issue_provenance(
                state.session_factory, state.chain.client(), state.chain.issuer_key(), firm, shipment,
                utc(start, "START"), utc(end, "END"), beneficiary=beneficiary, purpose=purpose,
                public_base_url=state.settings.public_base_url, rule=state.ledger_settings, files=state.leaf_files)
        finally:
            state.close()
    target = out or Path(f"provenance-{record.claim_ref[:18]}.json")
    target.write_text(json.dumps(record.model_dump(mode="json"), indent=2), encoding="utf-8")
    console.print(f"retired {mwh(record.retired_wh):,.3f} MWh in {len(record.lines)} line(s); record {target}; "
                  f"verify at {record.verify_url}")


def verify(record_file: Annotated[Path, typer.Argument(help="Provenance record (JSON).", exists=True,
                                                       dir_okay=False)]) -> None:
    """Check a provenance record against the chain alone (GREENPROOF_CHAIN_* settings); exit 1 if it fails."""
    with exit_codes():
        record = _read_record(record_file)
        result = verify_record(record, ChainGateway(settings()).client())
    print_checks(result)
    if not result.valid:
        raise typer.Exit(EXIT_MISMATCH)


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
