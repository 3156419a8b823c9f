"""Alembic environment of the ledger: runs on the connection passed in ``config.attributes``.

There is no ``alembic.ini``: :func:`greenproof.ledger.database.upgrade` builds the configuration
in code and hands over an open connection, so migrations run the same from a checkout or a wheel.
"""

from alembic import context

from greenproof.ledger.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("greenproof migrations need a connection: call greenproof.ledger.database.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("greenproof migrations run online only (greenproof.ledger.database.upgrade)")
run_migrations_online()
