"""Provenance records: ``retire`` certificates against a shipment, ``verify`` a record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..exit_codes import EXIT_MISMATCH, exit_codes
from ..options import DatabaseOption, EndArgument, FirmArgument, StartArgument, app_state, settings, utc
from ..output import console, print_checks, wh

if TYPE_CHECKING:
    from ...usecases.schemas import ProvenanceRecord, ShipmentCreate

__all__ = ["retire", "verify"]


def retire(
    firm: FirmArgument,
    start: StartArgument, end: EndArgument,
    shipment_id: Annotated[str, typer.Option(help="Bill of lading or customs declaration number.",
                                             show_default=False)],
    product: Annotated[str, typer.Option(help="Product shipped.", show_default=False)],
    quantity: Annotated[float, typer.Option(help="Quantity shipped, > 0.", show_default=False)],
    unit: Annotated[str, typer.Option(help="Unit of the quantity, e.g. t.", show_default=False)],
    destination: Annotated[str, typer.Option(help="Port or country of destination.", show_default=False)],
    embedded_mwh: Annotated[float, typer.Option(help="Electricity embedded in the shipment, MWh, > 0 (the "
                                                     "certificates retired cover it).", show_default=False)],
    beneficiary: Annotated[str | None, typer.Option(help="Who the claim is for.",
                                                    show_default="the firm's name")] = None,
    purpose: Annotated[str, typer.Option(help="Purpose written on-chain.")] =
        "embedded renewable electricity of an exported shipment",
    out: Annotated[Path | None, typer.Option(help="Provenance record file (JSON).",
                                             show_default="provenance-<claim reference>.json")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Retire FIRM's certificates consumed in [START, END) against a shipment and write its provenance record.

    Active certificates of the period are retired oldest first until they cover the embedded
    electricity; the record holds the claim, every retired leaf with its Merkle proofs and
    transactions, and the public verify URL. Check it with `greenproof verify FILE`. Interrupted,
    the same command run again continues where it stopped; run after it finished, it writes the
    same record again (the shipment id on other terms is refused).
    """
    from ...usecases.periods import Period
    from ...usecases.provenance import issue_provenance

    with exit_codes():
        period = Period.nonempty(utc(start, "START"), utc(end, "END"))  # refused before any work
        shipment = _shipment(shipment_id, product, quantity, unit, destination, embedded_mwh)
        with app_state(database_url) as state:
            record = issue_provenance(
                state.session_factory, state.chain.client(), state.chain.issuer_key(), firm, shipment,
                period.start, period.end, beneficiary=beneficiary, purpose=purpose,
                public_base_url=state.settings.public_base_url, rule=state.ledger_settings, files=state.leaf_files)
    target = out or Path(f"provenance-{record.claim_ref[:18]}.json")
    target.write_text(json.dumps(record.model_dump(mode="json"), indent=2), encoding="utf-8")
    console.print(f"retired {wh(record.retired_wh)} of {firm} in {len(record.lines)} line(s) from account "
                  f"{record.claim.holder}; record {target}; verify at {record.verify_url}")


def verify(record_file: Annotated[Path, typer.Argument(help="Provenance record (JSON), as `retire` writes it.",
                                                       exists=True, dir_okay=False, show_default=False)]) -> None:
    """Check a provenance record against the chain alone (chain from the settings); exit 1 if it does not match.

    Exit 2 if the file is not a provenance record or the chain settings are wrong, 3 if the chain
    cannot be reached: 1 always means the record and the chain disagree.
    """
    from ...usecases.chain_gateway import ChainGateway
    from ...usecases.provenance_verify import verify_record

    with exit_codes():
        record = _read_record(record_file)
        result = verify_record(record, ChainGateway(settings()).client())
    print_checks(result)
    if not result.valid:
        raise typer.Exit(EXIT_MISMATCH)


def _shipment(shipment_id: str, product: str, quantity: float, unit: str, destination: str,
              embedded_mwh: float) -> ShipmentCreate:
    from pydantic import ValidationError

    from ...usecases.schemas import ShipmentCreate
    from ...usecases.validation_summary import validation_summary

    try:
        return ShipmentCreate(shipment_id=shipment_id, product=product, quantity=quantity, quantity_unit=unit,
                              destination=destination, embedded_electricity_mwh=embedded_mwh)
    except ValidationError as exc:
        raise typer.BadParameter(validation_summary(exc)) from exc


def _read_record(path: Path) -> ProvenanceRecord:
    from pydantic import ValidationError

    from ...usecases.errors import ProvenanceRecordError
    from ...usecases.schemas import ProvenanceRecord
    from ...usecases.validation_summary import validation_summary

    try:
        return ProvenanceRecord.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise ProvenanceRecordError(f"{path} is not a provenance record: {validation_summary(exc)}") from exc
