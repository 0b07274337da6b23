"""Bulk loading for benchmarks and imports: many rows per statement, COPY on PostgreSQL.

The rows go into the real tables (the ones migrations create and the application reads);
only the way they arrive differs from ingestion: no matching, no ORM, no per-row round trips.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlmodel import SQLModel

from quotetrail.db.driver import sqlite_value

# Tables in the order their foreign keys allow.
LOAD_ORDER = ("speaker", "speaker_alias", "article", "quote", "appearance", "quote_key")


def _columns(table: str) -> list[str]:
    return [column.name for column in SQLModel.metadata.tables[table].columns]


def bulk_insert(
    connection: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert `rows` (tuples in the order of `columns`) into one of Quotetrail's tables."""
    if table not in LOAD_ORDER or not set(columns) <= set(_columns(table)):
        raise ValueError(f"cannot bulk-load {table}({', '.join(columns)})")
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    raw.executemany(sql, [tuple(map(sqlite_value, row)) for row in rows])  # type: ignore[union-attr]


@contextmanager
def loading(engine: Engine) -> Iterator[Connection]:
    """A connection set up for a large load; the postings' indexes are rebuilt at the end.

    On PostgreSQL the quote_key primary key, foreign key and index are dropped during the load
    and created again after it (one sort instead of millions of index insertions); on SQLite
    the page cache is made large enough to hold the postings' B-tree. Then the key frequencies
    are recomputed from the postings and the planner's statistics refreshed.
    """
    with engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SET maintenance_work_mem = '1GB'"))
            connection.execute(text("ALTER TABLE quote_key DROP CONSTRAINT pk_quote_key"))
            connection.execute(
                text("ALTER TABLE quote_key DROP CONSTRAINT fk_quote_key_quote_id_quote")
            )
            connection.execute(text("DROP INDEX ix_quote_key_quote_id"))
        else:
            connection.exec_driver_sql("PRAGMA cache_size = -4000000")  # 4 GB
        yield connection
        if postgres:
            connection.execute(
                text(
                    "ALTER TABLE quote_key ADD CONSTRAINT pk_quote_key "
                    'PRIMARY KEY ("key", quote_id)'
                )
            )
            connection.execute(
                text(
                    "ALTER TABLE quote_key ADD CONSTRAINT fk_quote_key_quote_id_quote "
                    "FOREIGN KEY (quote_id) REFERENCES quote (id) ON DELETE CASCADE"
                )
            )
            connection.execute(text("CREATE INDEX ix_quote_key_quote_id ON quote_key (quote_id)"))
            for table in ("speaker", "article", "quote", "appearance"):
                # Explicit ids were loaded: the sequences must continue after them.
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                    )
                )
        connection.execute(text("DELETE FROM key_frequency"))
        connection.execute(
            text(
                "INSERT INTO key_frequency (key, quotes) "
                "SELECT key, count(*) FROM quote_key GROUP BY key"
            )
        )
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        else:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
