"""Provenance records: ``retire`` certificates against a shipment, ``verify`` a record."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..exit_codes import EXIT_MISMATCH, exit_codes
from ..options import DatabaseOption, EndArgument, FirmArgument, StartArgument, app_state, settings, utc
from ..output import console, print_checks, wh

if TYPE_CHECKING:
    from ...usecases.app_state import AppState
    from ...usecases.periods import Period
    from ...usecases.schemas import FirmAuthorisations, ProvenanceRecord, ShipmentCreate

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
    signer_key_file: Annotated[Path | None, typer.Option(
        help="A firm-held account: file holding the firm's private key (0x + 64 hex digits); the authorisations "
             "are signed with it here and relayed by the park.", exists=True, dir_okay=False,
        show_default="none: a custodial account")] = None,
    prepare_only: Annotated[bool, typer.Option(
        "--prepare-only", help="A firm-held account: write the EIP-712 authorisations to sign (as "
                               "eth_signTypedData_v4 takes them) to the --authorisations file; retire nothing.")
    ] = False,
    signature: Annotated[list[str] | None, typer.Option(
        help="A firm-held account: the firm's signature (0x + 130 hex digits) of each authorisation in the "
             "--authorisations file, in order (repeat the option); submits the retirement.",
        show_default="none")] = None,
    authorisations: Annotated[Path | None, typer.Option(
        help="File of the prepared authorisations (--prepare-only writes it, --signature reads it).",
        show_default="authorisations-<shipment id>.json")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Retire FIRM's certificates consumed in [START, END) against a shipment and write its provenance record.

    Active certificates of the period are retired oldest first until they cover the embedded
    electricity; the record holds the claim, every retired leaf with its Merkle proofs and
    transactions, and the public verify URL. Check it with `greenproof verify FILE`. Interrupted,
    the same command run again continues where it stopped; run after it finished, it writes the
    same record again (the shipment id on other terms is refused).

    A custodial account (the demo default) is retired by the registry's derived key. A firm-held
    account (`greenproof firms set-account`) needs the firm's signature: --signer-key-file signs
    here; or --prepare-only writes the authorisations, the firm signs them in its wallet, and the
    same command with --signature (one per authorisation) submits them. The park relays and pays gas.
    """
    from ...usecases.periods import Period

    if sum((signer_key_file is not None, prepare_only, bool(signature))) > 1:
        raise typer.BadParameter("give at most one of --signer-key-file, --prepare-only, --signature",
                                 param_hint="--signer-key-file")
    with exit_codes():
        period = Period.nonempty(utc(start, "START"), utc(end, "END"))  # refused before any work
        shipment = _shipment(shipment_id, product, quantity, unit, destination, embedded_mwh)
        prepared_file = authorisations or Path(f"authorisations-{_file_safe(shipment_id)}.json")
        with app_state(database_url) as state:
            if not (signer_key_file or prepare_only or signature):
                from ...usecases.provenance import issue_provenance

                record = issue_provenance(
                    state.session_factory, state.chain.client(), state.chain.issuer_key(), firm, shipment,
                    period.start, period.end, beneficiary=beneficiary, purpose=purpose,
                    public_base_url=state.settings.public_base_url, rule=state.ledger_settings,
                    files=state.leaf_files)
            else:
                record = _firm_signed(state, firm, shipment, period, beneficiary, purpose, signer_key_file,
                                      prepare_only, signature or [], prepared_file)
    if record is None:
        return
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


def _file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def _firm_signed(state: AppState, firm: str, shipment: ShipmentCreate, period: Period, beneficiary: str | None,
                 purpose: str, signer_key_file: Path | None, prepare_only: bool, signatures: list[str],
                 prepared_file: Path) -> ProvenanceRecord | None:
    """Retire with a firm-held key: sign here, write the authorisations, or submit given signatures."""
    from ...usecases.firm_signed_retirement import (
        prepare_firm_retirement,
        sign_authorisations,
        submit_firm_retirement,
    )
    from ...usecases.schemas import SignedRetirement

    client = state.chain.client()
    if signatures:
        prepared = _read_prepared(prepared_file)
        given = (firm, shipment, int(period.start.timestamp()), int(period.end.timestamp()), purpose)
        found = (prepared.claim.firm_code, prepared.claim.shipment, prepared.claim.consumption_start_s,
                 prepared.claim.consumption_end_s, prepared.claim.purpose)
        if given != found:
            raise typer.BadParameter(f"{prepared_file} prepares another retirement (firm, shipment, period or "
                                     "purpose differ); give the options it was prepared with", param_hint="--signature")
    else:
        prepared = prepare_firm_retirement(state.session_factory, client, firm, shipment, period.start, period.end,
                                           beneficiary=beneficiary, purpose=purpose, rule=state.ledger_settings)
        if prepare_only:
            prepared_file.write_text(json.dumps(prepared.model_dump(mode="json"), indent=2), encoding="utf-8")
            console.print(f"wrote {len(prepared.authorisations)} authorisation(s) for {prepared.claim.holder} to "
                          f"{prepared_file}: sign each (eth_signTypedData_v4), then run this command again with "
                          "--signature for each, in order")
            return None
        assert signer_key_file is not None
        signatures = sign_authorisations(_read_key(signer_key_file), prepared)
    signed = SignedRetirement(claim=prepared.claim, chain_time_s=prepared.chain_time_s, signatures=signatures)
    return submit_firm_retirement(state.session_factory, client, signed, public_base_url=state.settings.public_base_url,
                                  rule=state.ledger_settings, files=state.leaf_files)


def _read_key(path: Path) -> str:
    text = path.read_text(encoding="utf-8").strip()
    if re.fullmatch(r"(0x)?[0-9a-fA-F]{64}", text) is None:
        raise typer.BadParameter(f"{path} does not hold a private key (0x + 64 hex digits)",
                                 param_hint="--signer-key-file")
    return text


def _read_prepared(path: Path) -> FirmAuthorisations:
    from pydantic import ValidationError

    from ...usecases.schemas import FirmAuthorisations
    from ...usecases.validation_summary import validation_summary

    try:
        return FirmAuthorisations.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}; write it with --prepare-only",
                                 param_hint="--authorisations") from exc
    except ValidationError as exc:
        raise typer.BadParameter(f"{path} is not a prepared retirement: {validation_summary(exc)}",
                                 param_hint="--authorisations") from exc


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
