"""Engines and sessions for SQLite and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from quotetrail.db.checkpoints import restore_checkpoints_on_checkin
from quotetrail.settings import get_settings

# Writers queue for SQLite's single write lock. Its busy handler polls rather than queues, so
# under 8 parallel writers one can wait several ingestions' time: 5 s let some fail with 503.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_database_url(database_url: str) -> str:
    """Point bare PostgreSQL URLs at psycopg 3, the driver we install (not psycopg2)."""
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def create_db_engine(
    database_url: str | None = None, *, for_migrations: bool = False, pre_ping: bool = True
) -> Engine:
    """An engine for `database_url` (default: the settings'), with SQLite configured for safety.

    `for_migrations` (SQLite only) leaves foreign keys off so Alembic's batch table rebuilds
    work, and takes the write lock at BEGIN so concurrent migrators queue instead of failing.
    `pre_ping=False` (PostgreSQL) skips the round trip that checks a pooled connection at each
    checkout, for callers that retry on a dead connection themselves (db.lookups).
    """
    url = make_url(normalize_database_url(database_url or get_settings().database_url))
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=pre_ping)
    # The API runs sync endpoints in a thread pool; connections come from the pool, never shared.
    engine = create_engine(url, connect_args={"check_same_thread": False})
    _configure_sqlite(engine, foreign_keys=not for_migrations, immediate=for_migrations)
    return engine


def _configure_sqlite(engine: Engine, *, foreign_keys: bool, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Python's sqlite3 would BEGIN lazily and COMMIT before DDL; we emit BEGIN ourselves
        # (below) so that DDL, savepoints and rollbacks are truly transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        # WAL: readers do not block the writer; busy_timeout: writers wait instead of failing.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL, much faster
        cursor.close()
        provide_ln(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = immediate or connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    restore_checkpoints_on_checkin(engine)


def provide_ln(dbapi_connection: sqlite3.Connection) -> None:
    """Give SQLite the natural logarithm if it was built without its math functions
    (SQLITE_ENABLE_MATH_FUNCTIONS): the candidate statement (db/index.py) weighs keys with it."""
    try:
        dbapi_connection.execute("SELECT ln(1)").close()
    except sqlite3.OperationalError:
        dbapi_connection.create_function("ln", 1, math.log, deterministic=True)


# Execution option marking a writer's connections (see create_session_factory).
_WRITE_OPTION = "quotetrail_write"


def create_session_factory(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit (API responses use them).

    `write=True` is for transactions that read then write (ingestion): on SQLite they take the
    write lock at BEGIN, waiting up to busy_timeout for other writers, because a read
    transaction that later tries to write fails at once ("database is locked") if another
    writer committed in between. PostgreSQL needs nothing of the kind.
    """
    bind = engine.execution_options(**{_WRITE_OPTION: True}) if write else engine
    return sessionmaker(bind=bind, class_=Session, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit if the block succeeds, roll everything back if it raises."""
    with factory() as session, session.begin():
        yield session
