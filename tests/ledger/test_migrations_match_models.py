"""``alembic upgrade head`` (run from package data, no alembic.ini) gives exactly the models' schema."""

from __future__ import annotations

from importlib.resources import as_file, files

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Engine, inspect

from greenproof.ledger.database import make_engine, normalise_url, upgrade
from greenproof.ledger.models import Base


def test_upgrade_head_has_no_autogenerate_diff_against_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == _newest_revision()


def _newest_revision() -> str:
    """The head revision of the migration scripts shipped in ``ledger/migrations``."""
    with as_file(files("greenproof.ledger") / "migrations") as location:
        return str(ScriptDirectory(str(location)).get_current_head())


def test_upgrade_creates_every_check_constraint_of_the_models(engine: Engine) -> None:
    # Alembic's autogenerate does not compare CHECK constraints: compare their names table by table.
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        expected = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        assert {c["name"] for c in inspector.get_check_constraints(table.name)} == expected, table.name


def test_upgrade_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    engine = make_engine(database_url)
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    engine.dispose()


def test_plain_postgresql_urls_are_read_as_psycopg3() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.sqlite").drivername == "sqlite"
