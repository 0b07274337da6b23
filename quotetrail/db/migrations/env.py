"""Alembic environment: SQLModel.metadata is the target; the URL comes from the caller or settings.

quotetrail.db.migrate passes an open connection in `config.attributes["connection"]`; the
`alembic` command line (alembic.ini at the repo root) falls back to QUOTETRAIL_DATABASE_URL.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from quotetrail.db import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from quotetrail.db.engine import create_db_engine, normalize_database_url
from quotetrail.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata
if config.config_file_name is not None:  # the alembic command line: log what runs
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    return normalize_database_url(
        config.get_main_option("sqlalchemy.url") or get_settings().database_url
    )


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: future migrations rebuild tables in batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # Our SQLite connections emit a real BEGIN, so its DDL rolls back too.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit the SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(_database_url(), for_migrations=True)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
