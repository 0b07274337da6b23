"""Statements run on the session's own DBAPI connection, for the paths that run them by the
thousand (ingestion, lookups and the candidate index they share).

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

import datetime as dt
import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session


class Driver:
    """The session's DBAPI connection, with the conversions SQLAlchemy would have made."""

    def __init__(self, session: Session) -> None:
        session.flush()  # what the ORM holds back must be in the database these statements see
        self._connection = session.connection()  # begins the session's transaction if needed
        self.postgres = self._connection.dialect.name == "postgresql"
        self._raw: Any = self._connection.connection.driver_connection

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row the statement returns."""
        with self._errors(sql, parameters):
            cursor = self._raw.execute(self._sql(sql), tuple(parameters))
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
        with self._errors(sql, parameters):
            self._raw.execute(self._sql(sql), tuple(parameters)).close()

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per row of parameters."""
        batch = [tuple(row) for row in rows]
        if not batch:
            return
        with self._errors(sql, batch):
            cursor = self._raw.cursor()
            try:
                cursor.executemany(self._sql(sql), batch)
            finally:
                cursor.close()

    @contextmanager
    def _errors(self, sql: str, parameters: Any) -> Iterator[None]:
        """The driver's errors as SQLAlchemy raises them (OperationalError, IntegrityError...).

        Callers (the API's 503 for a database that went away, a lock timeout) handle
        SQLAlchemy's exceptions whichever way a statement ran; a lost connection is marked
        invalid, as SQLAlchemy would, so that the pool does not hand it out again.
        """
        dialect = self._connection.dialect
        base = dialect.loaded_dbapi.Error
        try:
            yield
        except base as error:
            lost = dialect.is_disconnect(error, self._raw, None)
            if lost:
                self._connection.invalidate(error)
            raise DBAPIError.instance(
                sql, parameters, error, base, connection_invalidated=lost, dialect=dialect
            ) from error

    def marks(self, count: int) -> str:
        """`?, ?, ...`: the placeholders of an IN list of `count` values."""
        return ", ".join(["?"] * count)

    def in_list(self, sql: str, values: Collection[Any]) -> tuple[str, list[Any]]:
        """`sql` with its `(...)` holding a placeholder per distinct value, and those values
        (sorted, so that equal sets make the same statement). Callers skip empty sets: an
        empty IN list is no valid SQL."""
        wanted = sorted(set(values))
        return sql.replace("(...)", f"({self.marks(len(wanted))})"), wanted

    def json(self, value: Any) -> Any:
        """A value for a JSON column, as SQLAlchemy's JSON type stores it."""
        if self.postgres:
            from psycopg.types.json import Json  # only installed with PostgreSQL support

            return Json(value)
        return json.dumps(value)

    def date(self, value: dt.date | None) -> Any:
        """A value for a date or timestamp column, as SQLAlchemy stores it.

        Parameters are passed to the driver as they are (converting every value of every row
        cost more than the statements); dates are the one type SQLite needs converted.
        """
        return value if self.postgres else sqlite_value(value)

    def read_json(self, stored: Any) -> Any:
        """A JSON column's value as read back (SQLite returns its text, psycopg the value)."""
        return stored if self.postgres or stored is None else json.loads(stored)

    def read_date(self, stored: Any) -> dt.date | None:
        """A date column's value as read back (SQLite returns its ISO text)."""
        return dt.date.fromisoformat(stored) if isinstance(stored, str) else stored

    def _sql(self, sql: str) -> str:
        return _psycopg_sql(sql) if self.postgres else sql


@lru_cache(maxsize=512)
def _psycopg_sql(sql: str) -> str:
    return sql.replace("?", "%s")


def sqlite_value(value: Any) -> Any:
    """A value as SQLite stores it: dates and times in the text forms SQLAlchemy's SQLite
    dialect writes and parses back."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
