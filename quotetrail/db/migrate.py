"""Bring a database's schema to the current revision with Alembic, from the installed package."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from quotetrail.db.engine import create_db_engine

# Inside the package, so a wheel install migrates without the repository's alembic.ini.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Any constant works; it only has to be the same for every Quotetrail process.
_PG_MIGRATION_LOCK = 0x51_54_52_4C  # "QTRL"


class MigrationError(RuntimeError):
    """The schema could not be migrated consistently."""


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of Quotetrail."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migration scripts found"
    return head


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade_to_head(database_url: str) -> None:
    """Apply every pending migration in one transaction (a no-op when already at head)."""
    _run(database_url, lambda config: command.upgrade(config, "head"))


def downgrade_to_base(database_url: str) -> None:
    """Undo every migration, dropping all of Quotetrail's tables (tests and developers only)."""
    _run(database_url, lambda config: command.downgrade(config, "base"))


def _run(database_url: str, action: Callable[[Config], None]) -> None:
    engine = create_db_engine(database_url, for_migrations=True)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Several workers starting at once: one migrates, the others wait then no-op.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
            config = alembic_config()
            config.attributes["connection"] = connection
            action(config)
            if connection.dialect.name == "sqlite":
                # Foreign keys are off while migrating SQLite (table rebuilds); check them now,
                # before committing.
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise MigrationError(f"foreign key violations after migrating: {broken[:5]}")
    finally:
        engine.dispose()
