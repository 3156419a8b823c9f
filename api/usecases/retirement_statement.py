"""Aggregate retirement statements of one firm account over a period, as JSON and as PDF (fpdf2)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from greenproof.ledger.models import AllocationLeafRow, Plant, RetirementRow
from greenproof.ledger.registry import firm_by_code

from .firm_codes import canonical_firm_code
from .pdf_document import TABLE_HEADINGS, new_pdf
from .periods import Period, utc_from_s
from .schemas import PlantRetiredPublic, RetirementPublic, RetirementStatementPublic, ShipmentPublic
from .storage_certificates import firm_storage_records
from .units import mwh

__all__ = ["retirement_statement", "statement_pdf"]

_CONFIRMED = "confirmed"


def retirement_statement(session: Session, firm_code: str, period: Period) -> RetirementStatementPublic:
    """Return the firm's confirmed retirements whose claimed consumption period overlaps ``period``.

    Raises
    ------
    UnknownRecordError
        If the firm is not registered.
    """
    firm = firm_by_code(session, canonical_firm_code(firm_code))
    rows = session.scalars(
        select(RetirementRow).options(selectinload(RetirementRow.lines))
        .where(RetirementRow.firm_id == firm.id, RetirementRow.state == _CONFIRMED,
               RetirementRow.period_start_s < period.end_s, RetirementRow.period_end_s > period.start_s)
        .order_by(RetirementRow.created_at, RetirementRow.id)).all()
    leaf_ids = [line.leaf_id for row in rows for line in row.lines]
    plant_of_leaf = dict(session.execute(
        select(AllocationLeafRow.id, Plant.code).join(Plant, Plant.id == AllocationLeafRow.plant_id)
        .where(AllocationLeafRow.id.in_(leaf_ids))).all()) if leaf_ids else {}
    technology = dict(session.execute(select(Plant.code, Plant.technology)).all())
    by_plant: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        for line in row.lines:
            by_plant[plant_of_leaf[line.leaf_id]] += line.amount_wh
    return RetirementStatementPublic(
        firm_code=firm.code, firm_name=firm.name_en, account=firm.address, period_start=period.start,
        period_end=period.end, generated_at=datetime.now(UTC), retired_wh=sum(by_plant.values()),
        by_plant=[PlantRetiredPublic(plant_code=code, technology=technology[code], retired_wh=wh)
                  for code, wh in sorted(by_plant.items())],
        retirements=[RetirementPublic(
            claim_ref=row.claim_ref, beneficiary=row.beneficiary, purpose=row.purpose,
            consumption_start=utc_from_s(row.period_start_s), consumption_end=utc_from_s(row.period_end_s),
            shipment=ShipmentPublic(shipment_id=row.shipment_id, product=row.product, quantity=row.quantity,
                                    quantity_unit=row.quantity_unit, destination=row.destination,
                                    embedded_electricity_mwh=row.embedded_mwh),
            retired_wh=row.amount_wh, state=row.state, created_at=row.created_at,
            tx_hashes=sorted({line.tx_hash for line in row.lines if line.tx_hash}),
        ) for row in rows],
        storage_records=firm_storage_records(session, firm.id, period.start_s, period.end_s),
    )


def statement_pdf(statement: RetirementStatementPublic, font: Path | None = None) -> bytes:
    """Render a statement as a one-table PDF (A4), quantities in MWh with three decimals (kWh).

    Text is written in the CJK-capable ``font`` (:func:`~greenproof.api.usecases.pdf_document.new_pdf`).

    Raises
    ------
    PdfFontMissingError
        If no such font is installed or configured.
    """
    pdf = new_pdf(font)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font_size(14)
    pdf.cell(0, 9, "Renewable certificate retirement statement", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9)
    header = [
        f"Account: {statement.firm_code} - {statement.firm_name} ({statement.account})",
        f"Period (UTC): {statement.period_start.isoformat()} to {statement.period_end.isoformat()}",
        f"Generated (UTC): {statement.generated_at.isoformat(timespec='seconds')}",
        f"Total retired: {mwh(statement.retired_wh):,.3f} MWh in {len(statement.retirements)} retirement(s)",
    ]
    for line in header:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font_size(11)
    pdf.cell(0, 6, "By plant", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9)
    with pdf.table(col_widths=(30, 40, 40), text_align=("LEFT", "LEFT", "RIGHT"), headings_style=TABLE_HEADINGS
                   ) as table:
        table.row(["Plant", "Technology", "Retired MWh"])
        for plant in statement.by_plant:
            table.row([plant.plant_code, plant.technology, f"{mwh(plant.retired_wh):,.3f}"])
    pdf.ln(3)
    pdf.set_font_size(11)
    pdf.cell(0, 6, "Retirements", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(8)
    with pdf.table(col_widths=(28, 30, 40, 30, 22, 40), text_align="LEFT", headings_style=TABLE_HEADINGS) as table:
        table.row(["Shipment", "Product", "Destination", "Beneficiary", "MWh", "Claim reference"])
        for item in statement.retirements:
            table.row([item.shipment.shipment_id, item.shipment.product, item.shipment.destination,
                       item.beneficiary, f"{mwh(item.retired_wh):,.3f}", item.claim_ref])
    if statement.storage_records:
        pdf.ln(3)
        pdf.set_font_size(11)
        pdf.cell(0, 6, "Storage discharge certificates (energy time-shifted by a battery, original attributes)",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(8)
        with pdf.table(col_widths=(20, 20, 45, 45, 25, 25), text_align="LEFT", headings_style=TABLE_HEADINGS) as table:
            table.row(["Storage", "Plant", "Produced (UTC)", "Discharged in batch of (UTC)", "MWh", "Retired MWh"])
            for record in statement.storage_records:
                table.row([record.storage_code, record.plant_code, record.origin_start.isoformat(timespec="minutes"),
                           record.discharged_in.isoformat(timespec="minutes"), f"{mwh(record.amount_wh):,.3f}",
                           f"{mwh(record.retired_wh):,.3f}"])
    return bytes(pdf.output())
