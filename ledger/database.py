"""Database engines, sessions and programmatic Alembic migrations.

SQLite (the default, a file) gets write-ahead logging and enforced foreign keys on every
connection; PostgreSQL is reached through psycopg 3 (``postgresql+psycopg://``; a plain
``postgresql://`` URL is read the same way). Migrations ship as package data in
``greenproof.ledger/migrations`` and run without any ``alembic.ini``, so :func:`upgrade` works
from an installed wheel.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .errors import DatabaseUnavailableError, LedgerError

__all__ = [
    "MIGRATION_LOCK",
    "PARK_REGISTRY_LOCK",
    "database_lock",
    "database_unavailable",
    "locked_scope",
    "make_engine",
    "make_session_factory",
    "normalise_url",
    "session_scope",
    "upgrade",
]

#: Name of the lock migrations run under.
MIGRATION_LOCK = "migrations"
#: Name of the lock registering the park's plants and firms runs under.
PARK_REGISTRY_LOCK = "park-registry"


def database_unavailable(exc: BaseException) -> DatabaseUnavailableError | None:
    """Return the one-line :class:`DatabaseUnavailableError` of a driver error that says the database is unusable.

    Operational and interface errors (server unreachable or gone, read-only or full file, disk I/O,
    lock timeouts) qualify; integrity and programming errors do not (``None``).
    """
    if not isinstance(exc, OperationalError | InterfaceError):
        return None
    reason = str(exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc).strip()
    reason = reason.splitlines()[0] if reason else type(exc).__name__
    return DatabaseUnavailableError(f"the ledger database is unavailable ({reason}): fix the server or the disk "
                                    "(space, permissions) and run the command again; it continues where it stopped")


def normalise_url(url: str | URL) -> URL:
    """Return ``url`` as a SQLAlchemy URL, reading ``postgresql://`` as psycopg 3.

    Raises
    ------
    LedgerError
        If the URL cannot be parsed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise LedgerError(f"database URL {str(url)!r} is not a SQLAlchemy URL") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (SQLite: WAL, foreign keys ON, parent folder created).

    Parameters
    ----------
    url : str or URL
        ``sqlite:///path``, ``sqlite://`` (in memory) or a PostgreSQL URL.
    **kwargs
        Passed to :func:`sqlalchemy.create_engine`.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):  # a URI names a file
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory bound to ``engine`` (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session inside one transaction: committed on success, rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def _lock_key(name: str) -> int:
    """Return the signed 64-bit PostgreSQL advisory-lock key of ``name`` (``greenproof:`` namespaced)."""
    return int.from_bytes(hashlib.sha256(f"greenproof:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def _sqlite_file_lock(engine: Engine, name: str) -> Iterator[None]:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or engine.url.query.get("uri"):
        yield
        return
    with open(f"{database}.{name}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def database_lock(connection: Connection, name: str) -> Iterator[None]:
    """Hold the cross-process lock ``name`` of the database ``connection`` is on, until its transaction ends.

    PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``), so every process
    reaching the database takes turns, whichever machine it runs on. SQLite: an exclusive
    ``flock`` on ``<database file>.<name>.lock`` beside the file (processes of one machine share a
    SQLite file). Either is released by the server or the kernel if the holder dies.
    """
    with _sqlite_file_lock(connection.engine, name):
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(name)})
        yield


@contextmanager
def locked_scope(factory: sessionmaker[Session], name: str) -> Iterator[Session]:
    """Like :func:`session_scope`, holding :func:`database_lock` ``name`` until the transaction commits.

    For check-then-insert work that several processes may start at once (registering the park):
    the second waits, then finds what the first wrote.
    """
    with factory() as session, session.begin(), database_lock(session.connection(), name):
        yield session


def upgrade(url: str | URL | Engine, revision: str = "head") -> None:
    """Apply the ledger's Alembic migrations up to ``revision`` (default: the newest).

    Parameters
    ----------
    url : str, URL or Engine
        The database to migrate; an engine is used as is (needed for in-memory SQLite).
    revision : str
        Alembic revision id or ``"head"``.

    Migrations run once under :func:`database_lock` ``"migrations"``: processes starting together
    on a fresh database take turns, and the later ones find the schema at ``revision``.

    Raises
    ------
    DatabaseUnavailableError
        If the database cannot be reached or written.
    LedgerError
        If the migration fails (the database error is chained).
    """
    engine = url if isinstance(url, Engine) else make_engine(url)
    with as_file(files("greenproof.ledger") / "migrations") as script_location:
        config = Config()
        config.set_main_option("script_location", str(script_location))
        try:
            with engine.begin() as connection, database_lock(connection, MIGRATION_LOCK):
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        except SQLAlchemyError as exc:
            unavailable = database_unavailable(exc)
            if unavailable is not None:
                raise unavailable from exc
            raise LedgerError(f"migrating {engine.url.render_as_string(hide_password=True)} to {revision} "
                              f"failed: {exc}") from exc
        finally:
            if not isinstance(url, Engine):
                engine.dispose()
