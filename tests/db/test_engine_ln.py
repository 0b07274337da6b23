"""SQLite without its math functions still gets ln(), which the candidate statement needs."""

from __future__ import annotations

import math
import sqlite3

import pytest

from quotetrail.db.engine import provide_ln


class _WithoutMath(sqlite3.Connection):
    """A connection whose SQLite refuses ln(), as a build without math functions does."""

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if "ln(" in sql and not self.__dict__.get("provided"):
            raise sqlite3.OperationalError("no such function: ln")
        return super().execute(sql, *args)  # type: ignore[arg-type]

    def create_function(self, *args: object, **kwargs: object) -> None:
        self.__dict__["provided"] = True
        super().create_function(*args, **kwargs)  # type: ignore[arg-type]


def test_ln_is_provided_where_sqlite_lacks_it() -> None:
    connection = sqlite3.connect(":memory:", factory=_WithoutMath)
    with pytest.raises(sqlite3.OperationalError):
        connection.execute("SELECT ln(2)")
    provide_ln(connection)
    (value,) = connection.execute("SELECT ln(2)").fetchone()
    assert value == pytest.approx(math.log(2))
