"""Engine set-up (SQLite WAL + foreign keys), UTC timestamps, settings, and the ledger's public surface."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import greenproof.ledger as ledger
from greenproof.attribution import GreenproofError
from greenproof.ledger.database import make_engine, session_scope
from greenproof.ledger.errors import LedgerError
from greenproof.ledger.models import Firm, MeterReadingRow
from greenproof.ledger.registry import register_firm
from greenproof.ledger.settings import LedgerSettings


def test_sqlite_runs_with_wal_and_enforced_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'ledger.sqlite'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_a_reading_of_a_missing_plant_violates_the_foreign_key(factory: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), session_scope(factory) as session:
        session.add(MeterReadingRow(plant_id=999, interval_start_s=0, interval_s=900, energy_wh=1, source="x",
                                    recorded_at=datetime.now(UTC)))


def test_timestamps_come_back_timezone_aware_utc(factory: sessionmaker[Session], engine: Engine) -> None:
    shanghai = datetime(2025, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    with session_scope(factory) as session:
        firm = register_firm(session, code="F", name_en="F", address="0x" + "11" * 20)
        firm.created_at = shanghai
    with factory() as session:
        stored = session.get_one(Firm, firm.id).created_at
    assert stored == datetime(2025, 3, 1, 0, 0, tzinfo=UTC) and stored.utcoffset() == timedelta(0)


def test_a_malformed_firm_address_is_refused_by_name(factory: sessionmaker[Session]) -> None:
    with (pytest.raises(LedgerError, match=r"firm 'F' address: '0x12' is not an EVM address"),
          session_scope(factory) as session):
        register_firm(session, code="F", name_en="F", address="0x12")


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert LedgerSettings().database_url == "sqlite:///greenproof-data/ledger.sqlite"
    monkeypatch.setenv("GREENPROOF_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("GREENPROOF_VALIDITY_MONTHS", "12")
    settings = LedgerSettings()
    assert (settings.database_url, settings.validity_months, settings.interval_s) == (
        "postgresql+psycopg://u@h/db", 12, 900)


def test_public_surface_is_sorted_and_every_error_is_a_greenproof_error() -> None:
    assert ledger.__all__ == sorted(ledger.__all__)
    assert all(hasattr(ledger, name) for name in ledger.__all__)
    errors = [getattr(ledger, n) for n in ledger.__all__ if n.endswith("Error")]
    assert errors and all(issubclass(e, LedgerError) and issubclass(e, GreenproofError) for e in errors)
