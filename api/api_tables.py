"""Tables the API keeps beside the ledger's schema: derived attribution results and issued provenance records.

Neither is ledger state: results are recomputable from the grid model, meter data and the
tracer; a provenance record is a published document whose every claim is checked against the
chain (:mod:`greenproof.api.provenance_verify`), so storing it verbatim lets the public verify URL
serve exactly what was issued. They are created with ``create_all`` (:func:`ensure_api_tables`),
not by the ledger's Alembic migrations.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Engine, Float, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["FirmIntervalResult", "ProvenanceRecordRow", "ensure_api_tables"]


class _ApiBase(DeclarativeBase):
    metadata = MetaData()


class FirmIntervalResult(_ApiBase):
    """One firm's consumption in one interval and its traced renewable part (Wh) and emissions (kg CO2)."""

    __tablename__ = "api_firm_interval_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    firm_code: Mapped[str] = mapped_column(String(64))
    interval_start_s: Mapped[int] = mapped_column(BigInteger)
    interval_s: Mapped[int] = mapped_column(Integer)
    consumption_wh: Mapped[int] = mapped_column(BigInteger)
    renewable_wh: Mapped[int] = mapped_column(BigInteger)
    emissions_kg: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("firm_code", "interval_start_s"),)


class ProvenanceRecordRow(_ApiBase):
    """A provenance record issued for a retirement, stored as the canonical JSON that was handed out."""

    __tablename__ = "api_provenance_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_ref: Mapped[str] = mapped_column(String(66), unique=True)
    firm_code: Mapped[str] = mapped_column(String(64), index=True)
    record_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: datetime.now(UTC))


def ensure_api_tables(engine: Engine) -> None:
    """Create the API's tables where missing."""
    _ApiBase.metadata.create_all(engine)
