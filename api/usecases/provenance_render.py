"""Human-readable forms of a provenance record: HTML and PDF, each with a QR code of its public verify URL."""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from pathlib import Path

import qrcode
from jinja2 import Environment

from .pdf_document import TABLE_HEADINGS, new_pdf
from .periods import utc_from_s
from .schemas import ProvenanceRecord
from .units import mwh

__all__ = ["RECORD_HTML_CSP", "qr_png", "record_html", "record_pdf"]

#: Content-Security-Policy of :func:`record_html`'s page: its own inline style and data: QR image, nothing else.
RECORD_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


_ENVIRONMENT = Environment(autoescape=True)
_ENVIRONMENT.filters["mwh"] = mwh
_HTML = _ENVIRONMENT.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Renewable electricity provenance - shipment {{ c.shipment.shipment_id }}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#1d2b36}
table{border-collapse:collapse}td,th{border:1px solid #c8d3dc;padding:.25rem .5rem;text-align:left}
code{font-size:.8rem;word-break:break-all}.qr{float:right;width:10rem}</style></head>
<body>
<img class="qr" alt="QR code of the verify URL" src="data:image/png;base64,{{ qr }}">
<h1>Renewable electricity provenance</h1>
<p>Shipment <b>{{ c.shipment.shipment_id }}</b>: {{ c.shipment.quantity }} {{ c.shipment.quantity_unit }}
of {{ c.shipment.product }} to {{ c.shipment.destination }}, embedding
{{ "%.3f"|format(c.shipment.embedded_electricity_mwh) }} MWh of electricity.</p>
<p>{{ "%.3f"|format(r.retired_wh|mwh) }} MWh of renewable certificates of {{ c.firm_code }}
(account <code>{{ c.holder }}</code>) consumed {{ start }} to {{ end }} (UTC) were retired for
{{ c.beneficiary }} ({{ c.purpose }}).</p>
<table><tr><th>Plant</th><th>MWh retired</th></tr>
{% for plant, wh in plants %}<tr><td>{{ plant }}</td><td>{{ "%.3f"|format(wh|mwh) }}</td></tr>{% endfor %}
</table>
<p>Claim reference <code>{{ r.claim_ref }}</code> on chain {{ c.chain_id }}, contract <code>{{ c.contract }}</code>,
in {{ txs|length }} transaction(s).</p>
<p>Verify: <a href="{{ r.verify_url }}">{{ r.verify_url }}</a>, or offline: keep this record's JSON
(format <code>{{ r.format }}</code>), recompute the claim reference and the Merkle proofs, and check the
<code>Retired</code> events on the chain.</p>
</body></html>
""")


def qr_png(url: str) -> bytes:
    """Return a PNG QR code encoding ``url``."""
    buffer = io.BytesIO()
    qrcode.make(url).save(buffer, format="PNG")
    return buffer.getvalue()


def _by_plant(record: ProvenanceRecord) -> list[tuple[str, int]]:
    totals: defaultdict[str, int] = defaultdict(int)
    for line in record.lines:
        totals[line.leaf.plant_code] += line.amount_wh
    return sorted(totals.items())


def record_html(record: ProvenanceRecord) -> str:
    """Return the record as a self-contained HTML page (the QR code inlined as a data URI)."""
    claim = record.claim
    return _HTML.render(
        r=record, c=claim, plants=_by_plant(record), txs=sorted({line.tx_hash for line in record.lines}),
        start=utc_from_s(claim.consumption_start_s).isoformat(), end=utc_from_s(claim.consumption_end_s).isoformat(),
        qr=base64.b64encode(qr_png(record.verify_url)).decode("ascii"))


def record_pdf(record: ProvenanceRecord, font: Path | None = None) -> bytes:
    """Return the record as a one-page A4 PDF with the QR code of its verify URL.

    Text is written in the CJK-capable ``font`` (:func:`~greenproof.api.usecases.pdf_document.new_pdf`),
    so a Chinese product or destination prints as written.

    Raises
    ------
    PdfFontMissingError
        If no such font is installed or configured.
    """
    claim, shipment = record.claim, record.claim.shipment
    pdf = new_pdf(font)
    pdf.add_page()
    pdf.image(io.BytesIO(qr_png(record.verify_url)), x=160, y=10, w=40)
    pdf.set_font_size(14)
    pdf.cell(140, 9, "Renewable electricity provenance", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9)
    lines = [
        f"Shipment {shipment.shipment_id}: {shipment.quantity:g} {shipment.quantity_unit} of {shipment.product}",
        f"Destination: {shipment.destination}",
        f"Embedded electricity: {shipment.embedded_electricity_mwh:,.3f} MWh",
        f"Retired: {mwh(record.retired_wh):,.3f} MWh of {claim.firm_code} ({claim.holder})",
        f"Consumption period (UTC): {utc_from_s(claim.consumption_start_s).isoformat()} to "
        f"{utc_from_s(claim.consumption_end_s).isoformat()}",
        f"Beneficiary: {claim.beneficiary}; purpose: {claim.purpose}",
        f"Chain {claim.chain_id}, contract {claim.contract}",
    ]
    for text in lines:
        pdf.multi_cell(140, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font_size(7)
    pdf.multi_cell(0, 4, f"Claim reference: {record.claim_ref}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4, f"Verify: {record.verify_url}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font_size(9)
    with pdf.table(col_widths=(40, 40), text_align=("LEFT", "RIGHT"), width=80, align="LEFT",
                   headings_style=TABLE_HEADINGS) as table:
        table.row(["Plant", "MWh retired"])
        for plant, wh in _by_plant(record):
            table.row([plant, f"{mwh(wh):,.3f}"])
    return bytes(pdf.output())
