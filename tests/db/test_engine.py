"""Engines: SQLite is configured for safety, PostgreSQL URLs use psycopg 3."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from quotetrail.db.articles import count_articles, insert_article
from quotetrail.db.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    create_db_engine,
    create_session_factory,
    normalize_database_url,
    session_scope,
)
from quotetrail.db.models import Appearance
from quotetrail.settings import get_settings


@pytest.fixture
def sqlite_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pragmas.db'}"


def _pragmas(engine: Engine) -> tuple[object, ...]:
    with engine.connect() as connection:
        return tuple(
            connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout")
        )


def test_sqlite_pragmas(sqlite_file: str) -> None:
    engine = create_db_engine(sqlite_file)
    assert _pragmas(engine) == (1, "wal", SQLITE_BUSY_TIMEOUT_MS)
    engine.dispose()
    migrating = create_db_engine(sqlite_file, for_migrations=True)
    assert _pragmas(migrating)[0] == 0  # table rebuilds need foreign keys off
    migrating.dispose()


def test_sqlite_rolls_back_ddl(sqlite_file: str) -> None:
    # pysqlite would commit before DDL on its own; our BEGIN makes DDL transactional.
    engine = create_db_engine(sqlite_file)
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE scratch (x INTEGER)"))
        connection.rollback()
        tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
    assert "scratch" not in tables
    engine.dispose()


def test_postgresql_urls_use_psycopg3() -> None:
    assert normalize_database_url("postgresql://u:p%40ss@db:5432/qt") == (
        "postgresql+psycopg://u:p%40ss@db:5432/qt"
    )
    assert normalize_database_url("postgres://u@db/qt") == "postgresql+psycopg://u@db/qt"
    assert normalize_database_url("postgresql+psycopg://u@db/qt") == "postgresql+psycopg://u@db/qt"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.fixture
def env_database(monkeypatch: pytest.MonkeyPatch, sqlite_file: str) -> Iterator[str]:
    monkeypatch.setenv("QUOTETRAIL_DATABASE_URL", sqlite_file)
    get_settings.cache_clear()
    yield sqlite_file
    get_settings.cache_clear()


def test_the_default_database_comes_from_settings(env_database: str) -> None:
    engine = create_db_engine()
    assert str(engine.url) == env_database
    engine.dispose()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            Appearance.__table__.insert().values(  # type: ignore[attr-defined]
                quote_id=1,
                article_id=1,
                start=0,
                end=1,
                text="x",
                kind="direct",
                confidence=0.0,
                status="consistent",
                competing_speakers=[],
                similarity=1.0,
            )
        )


def test_writers_queue_instead_of_failing(engine: Engine) -> None:
    # Two ingestions that each read, pause, then write: with plain deferred BEGIN on SQLite the
    # second would fail with "database is locked"; write sessions serialise on both databases.
    factory = create_session_factory(engine, write=True)
    both_read = threading.Barrier(2, timeout=0.5)
    errors: list[BaseException] = []

    def ingest(name: str) -> None:
        try:
            with session_scope(factory) as session:
                count_articles(session=session)
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait()  # a queued writer never gets here before the first commits
                time.sleep(0.1)
                insert_article(session=session, text=name, origin=name)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=ingest, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with create_session_factory(engine)() as session:
        assert count_articles(session=session) == 2
