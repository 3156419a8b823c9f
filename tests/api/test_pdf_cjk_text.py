"""PDFs embed a CJK-capable font: Chinese text written into a record or a statement is read back by pypdf.

pypdf (an independent extractor) reads the text through the font's ToUnicode map; a Latin-1 core font
would have printed each Chinese character as ``?``.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from api_harness import SHIPMENT, schema_valid_record
from pypdf import PdfReader

from greenproof.api import PdfFontMissingError
from greenproof.api.usecases import pdf_document
from greenproof.api.usecases.provenance_render import record_pdf
from greenproof.api.usecases.retirement_statement import statement_pdf
from greenproof.api.usecases.schemas import ProvenanceRecord, RetirementStatementPublic

PRODUCT, DESTINATION, BENEFICIARY = "绿色甲醇", "鹿特丹港", "江苏滨海港绿氢有限公司"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {str(font["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}


def test_a_record_with_chinese_text_round_trips_through_a_text_extractor() -> None:
    record = ProvenanceRecord.model_validate(schema_valid_record(**{
        "claim.shipment.product": PRODUCT, "claim.shipment.destination": DESTINATION,
        "claim.beneficiary": BENEFICIARY}))
    pdf = record_pdf(record)
    text = _text(pdf)
    for written in (PRODUCT, DESTINATION, BENEFICIARY, record.claim_ref):
        assert written in text
    assert "?" not in text.replace(record.verify_url, "")
    assert not any(name.endswith(("Helvetica", "Courier")) for name in _fonts(pdf))


def test_a_statement_with_chinese_text_round_trips() -> None:
    statement = RetirementStatementPublic.model_validate({
        "firm_code": "GH2", "firm_name": "滨海绿氢", "account": "0x" + "cd" * 20,
        "period_start": datetime(2025, 6, 1, 16, tzinfo=UTC), "period_end": datetime(2025, 6, 2, 16, tzinfo=UTC),
        "generated_at": datetime(2025, 6, 3, tzinfo=UTC), "retired_wh": 1_500_000,
        "by_plant": [{"plant_code": "H2", "technology": "wind_offshore", "retired_wh": 1_500_000}],
        "retirements": [{"claim_ref": "0x" + "ab" * 32, "beneficiary": BENEFICIARY, "purpose": "出口",
                         "consumption_start": datetime(2025, 6, 1, 16, tzinfo=UTC),
                         "consumption_end": datetime(2025, 6, 2, 16, tzinfo=UTC),
                         "shipment": {**SHIPMENT, "product": PRODUCT, "destination": DESTINATION},
                         "retired_wh": 1_500_000, "state": "confirmed",
                         "created_at": datetime(2025, 6, 3, tzinfo=UTC), "tx_hashes": []}]})
    text = _text(statement_pdf(statement))
    for written in ("滨海绿氢", PRODUCT, DESTINATION, "1.500"):
        assert written in text


def test_without_a_cjk_font_no_pdf_is_written_and_the_error_says_why(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    record = ProvenanceRecord.model_validate(schema_valid_record())
    with pytest.raises(PdfFontMissingError, match=r"no-such-font\.ttf"):
        record_pdf(record, tmp_path / "no-such-font.ttf")
    monkeypatch.setattr(pdf_document, "CJK_FONT_CANDIDATES", (tmp_path / "absent.ttc",))
    pdf_document._find.cache_clear()
    try:
        with pytest.raises(PdfFontMissingError, match="apt-get install fonts-wqy-microhei") as raised:
            record_pdf(record)
        assert raised.value.status == 503
    finally:
        pdf_document._find.cache_clear()
