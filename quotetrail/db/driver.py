"""Statements run on the session's own DBAPI connection, for the paths that run them by the
thousand (ingestion, the candidate index).

A statement through SQLAlchemy costs 40 microseconds (exec_driver_sql) to 250 (ORM) before the
database sees it; on the DBAPI connection, 3 on SQLite. Ingestion runs about sixty statements
an article, so that overhead alone capped it at about thirty articles a second. The statements
join the session's transaction (the same connection), so a rollback undoes them too. They
bypass the ORM: objects the session already holds are not refreshed by them, which is why the
paths using the driver read and write plain rows only.

SQL is written with `?` placeholders and no `%` or `?` anywhere else; on PostgreSQL (psycopg's
`%s` style) the marks are replaced once per statement text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlmodel import Session


class Driver:
    """The session's DBAPI connection, with the conversions SQLAlchemy would have made."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()  # begins the session's transaction if needed
        self.postgres = connection.dialect.name == "postgresql"
        self._raw: Any = connection.connection.driver_connection

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row the statement returns."""
        cursor = self._raw.execute(self._sql(sql), self._values(parameters))
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def value(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        found = self.rows(sql, parameters)
        return found[0][0] if found else None

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        """Run a statement that returns nothing."""
        self._raw.execute(self._sql(sql), self._values(parameters)).close()

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per row of parameters."""
        batch = [self._values(row) for row in rows]
        if not batch:
            return
        cursor = self._raw.cursor()
        try:
            cursor.executemany(self._sql(sql), batch)
        finally:
            cursor.close()

    def marks(self, count: int) -> str:
        """`?, ?, ...`: the placeholders of an IN list of `count` values."""
        return ", ".join(["?"] * count)

    def json(self, value: Any) -> Any:
        """A value for a JSON column, as SQLAlchemy's JSON type stores it."""
        if self.postgres:
            from psycopg.types.json import Json  # only installed with PostgreSQL support

            return Json(value)
        return json.dumps(value)

    def read_json(self, stored: Any) -> Any:
        """A JSON column's value as read back (SQLite returns its text)."""
        return json.loads(stored) if isinstance(stored, str) else stored

    def read_date(self, stored: Any) -> date | None:
        """A date column's value as read back (SQLite returns its ISO text)."""
        return date.fromisoformat(stored) if isinstance(stored, str) else stored

    def _sql(self, sql: str) -> str:
        return _psycopg_sql(sql) if self.postgres else sql

    def _values(self, parameters: Sequence[Any]) -> tuple[Any, ...]:
        if self.postgres:
            return tuple(parameters)
        return tuple(sqlite_value(value) for value in parameters)


@lru_cache(maxsize=512)
def _psycopg_sql(sql: str) -> str:
    return sql.replace("?", "%s")


def sqlite_value(value: Any) -> Any:
    """A value as SQLite stores it: dates and times in the text forms SQLAlchemy's SQLite
    dialect writes and parses back."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
