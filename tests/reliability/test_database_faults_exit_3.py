"""A database that cannot be reached or written: one line on stderr and exit 3 ("unavailable"), never a traceback.

Faults made for real: a PostgreSQL URL where no server listens; a SQLite ledger opened read-only
(SQLite's own ``mode=ro``, as a read-only mount gives it; permissions do not stop root); a SQLite
file that is full (``max_page_count``, SQLite's own limit, gives the same ``SQLITE_FULL`` as a
full disk).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import typer
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from greenproof.api.cli import EXIT_UNAVAILABLE, app
from greenproof.api.cli.exit_codes import exit_codes
from greenproof.ledger.database import make_engine, make_session_factory, session_scope, upgrade
from greenproof.ledger.errors import DatabaseUnavailableError
from greenproof.ledger.meters import MeterReading, ingest_readings
from greenproof.ledger.registry import register_plant

runner = CliRunner()
OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unavailable_line(output: str) -> str:
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith(("error:", "unavailable:"))]
    assert len(lines) == 1, output
    return lines[0]


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    """A migrated SQLite ledger holding plant H1."""
    path = tmp_path / "ledger.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        register_plant(session, code="H1", name_en="Plant H1", technology="wind_offshore", capacity_mw=100.0,
                       renewable=True, operator_address=OPERATOR)
    engine.dispose()
    return path


def test_an_unreachable_postgresql_server_is_unavailable(tmp_path: Path) -> None:
    url = f"postgresql://greenproof@127.0.0.1:{_free_port()}/ledger"  # nothing listens there
    result = runner.invoke(app, ["reconcile", "--database-url", url])
    assert result.exit_code == EXIT_UNAVAILABLE
    line = unavailable_line(result.output)
    assert line.startswith("unavailable: the ledger database is unavailable (")
    assert "refused" in line.lower() and "run the command again" in line


def test_a_read_only_sqlite_ledger_is_unavailable(tmp_path: Path, ledger_file: Path) -> None:
    csv = tmp_path / "meters.csv"
    csv.write_text("plant_code,interval_start,interval_s,energy_wh,source\nH1,2025-06-20T16:00:00Z,900,1000,meter\n")
    read_only = f"sqlite:///file:{ledger_file}?mode=ro&uri=true"
    result = runner.invoke(app, ["meters", "load", str(csv), "--database-url", read_only])
    assert result.exit_code == EXIT_UNAVAILABLE, result.output
    assert "readonly database" in unavailable_line(result.output)


def test_a_full_sqlite_ledger_is_unavailable(ledger_file: Path) -> None:
    engine = make_engine(f"sqlite:///{ledger_file}")

    @event.listens_for(engine, "connect")
    def _no_room(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")  # not one page more: SQLITE_FULL on growth
        cursor.close()

    readings = [MeterReading("H1", 1_750_435_200 + 900 * i, 900, energy_wh=1000 + i) for i in range(5000)]
    with pytest.raises(OperationalError, match="full") as raised, session_scope(make_session_factory(engine)) as s:
        ingest_readings(s, readings)
    engine.dispose()
    with pytest.raises(typer.Exit) as exited, exit_codes():  # the CLI's translation of the very error
        raise raised.value
    assert exited.value.exit_code == EXIT_UNAVAILABLE


def test_only_unusable_databases_are_unavailable() -> None:
    from sqlalchemy.exc import IntegrityError

    from greenproof.ledger.database import database_unavailable

    full = OperationalError("INSERT …", {}, Exception("database or disk is full"))
    assert isinstance(database_unavailable(full), DatabaseUnavailableError)
    assert "(database or disk is full)" in str(database_unavailable(full))
    assert database_unavailable(IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))) is None


def test_the_http_api_answers_an_unusable_database_with_503() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from greenproof.api.http.problem_details import install_problem_handlers

    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/write")
    def write() -> None:
        raise OperationalError("INSERT …", {}, Exception("attempt to write a readonly database"))

    answer = TestClient(app, raise_server_exceptions=False).get("/write")
    assert answer.status_code == 503
    assert "(attempt to write a readonly database)" in answer.json()["detail"]
