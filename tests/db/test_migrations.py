"""Alembic owns the schema: upgrade and downgrade on both databases, and models match it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from quotetrail.db import models  # noqa: F401  (registers the tables)
from quotetrail.db.engine import create_db_engine
from quotetrail.db.migrate import (
    MIGRATIONS_DIR,
    current_revision,
    downgrade_to_base,
    head_revision,
    upgrade_to_head,
)

TABLES = {
    "article",
    "speaker",
    "speaker_alias",
    "quote",
    "appearance",
    "quote_key",
    "key_frequency",
}


def _tables(database_url: str) -> set[str]:
    engine = create_db_engine(database_url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_head_then_downgrade_base(database_url: str) -> None:
    assert current_revision(database_url) is None
    upgrade_to_head(database_url)
    assert current_revision(database_url) == head_revision()
    assert _tables(database_url) == TABLES

    downgrade_to_base(database_url)
    assert current_revision(database_url) is None
    assert _tables(database_url) == set()

    upgrade_to_head(database_url)  # and back up again: downgrade left nothing behind
    assert _tables(database_url) == TABLES


def test_upgrade_is_idempotent(database_url: str) -> None:
    upgrade_to_head(database_url)
    upgrade_to_head(database_url)
    assert current_revision(database_url) == head_revision()


def test_migrations_match_the_models(database_url: str) -> None:
    upgrade_to_head(database_url)
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_migrations_ship_inside_the_package() -> None:
    # The installed package migrates without the repository's alembic.ini.
    assert MIGRATIONS_DIR.parent.name == "db"
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert list((MIGRATIONS_DIR / "versions").glob("0001_*.py"))
