"""Writing many rows through the database's bulk path: COPY on PostgreSQL, one executemany elsewhere.

The ORM's insert keeps per-row bookkeeping (≈15k statement executions for a month of leaves, issue
19); a batch's leaf rows, an attribution day's results and flows are plain column values, so they
go straight to the driver. The rows join the session's transaction: a rollback removes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Table
from sqlalchemy.orm import Session

__all__ = ["insert_rows"]


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, object]]) -> None:
    """Insert ``rows`` (column → value, every row with the same columns) into ``table`` in the session's transaction.

    PostgreSQL through psycopg: ``COPY … FROM STDIN``; any other database: one ``executemany``.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        columns = list(rows[0])
        quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
        driver_connection = connection.connection.driver_connection
        statement = f"COPY {connection.dialect.identifier_preparer.format_table(table)} ({quoted}) FROM STDIN"
        with driver_connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([row[name] for name in columns])
        return
    connection.execute(table.insert(), list(rows))
