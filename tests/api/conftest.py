"""API fixtures: seeded databases (SQLite and PostgreSQL), in-process clients, a real server.

The five seeds are ingested once per backend into a template (a SQLite file, a PostgreSQL
template database); each test that writes gets its own copy, so tests stay independent and fast.
"""

from __future__ import annotations

import itertools
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from apitools import SEEDS, Server, free_port, make_settings, server_env, start_server, stop_server
from fastapi.testclient import TestClient

from quotetrail.api.app import create_app
from quotetrail.db.engine import create_db_engine, create_session_factory
from quotetrail.db.migrate import upgrade_to_head
from quotetrail.service.seeding import load_seeds_if_empty

_copies = itertools.count(1)


def seed_database(url: str) -> None:
    """Migrate a database and load the seeds into it."""
    upgrade_to_head(url)
    engine = create_db_engine(url)
    try:
        loaded = load_seeds_if_empty(create_session_factory(engine, write=True), SEEDS)
        assert loaded == 5
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the seeds, to copy."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    seed_database(f"sqlite:///{path}")
    return path


@dataclass
class PgTemplate:
    port: int
    name: str

    def admin(self, sql: str) -> None:
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(sql.encode())

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def pg_template(postgres_cluster: object) -> PgTemplate:
    """A PostgreSQL template database holding the seeds."""
    port = postgres_cluster.port  # type: ignore[attr-defined]
    template = PgTemplate(port=port, name="quotetrail_api_template")
    template.admin(f'CREATE DATABASE "{template.name}"')
    seed_database(template.url(template.name))
    return template


def _seeded_url(request: pytest.FixtureRequest, directory: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = directory / f"api-{next(_copies)}.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template: PgTemplate = request.getfixturevalue("pg_template")
    name = f"quotetrail_api_{next(_copies)}"
    template.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"')
    try:
        yield template.url(name)
    finally:
        template.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database holding the seeds, for tests that write."""
    yield from _seeded_url(request, tmp_path)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_seeded_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database holding the seeds, shared by a module's read-only tests."""
    yield from _seeded_url(request, tmp_path_factory.mktemp("shared"))


@pytest.fixture
def client(seeded_url: str) -> Iterator[TestClient]:
    """An in-process client (httpx) on a fresh seeded database."""
    with TestClient(create_app(make_settings(seeded_url))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def reader(shared_seeded_url: str) -> Iterator[TestClient]:
    """An in-process client on a seeded database that the module's tests only read."""
    with TestClient(create_app(make_settings(shared_seeded_url))) as test_client:
        yield test_client


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`quotetrail serve` on a fresh, empty database (it migrates and loads the seeds itself)."""
    folder = tmp_path_factory.mktemp("live")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'live.db'}"
    else:
        template: PgTemplate = request.getfixturevalue("pg_template")
        name = f"quotetrail_live_{next(_copies)}"
        template.admin(f'CREATE DATABASE "{name}"')
        url = template.url(name)
    port = free_port()
    command = [sys.executable, "-m", "quotetrail.cli", "serve", "--port", str(port)]
    command += ["--workers", "2", "--seeds", str(SEEDS)]
    server = start_server(
        command, cwd=folder, env=server_env(url), log=folder / "server.log", port=port
    )
    try:
        yield server
    finally:
        stop_server(server)
        if request.param == "postgresql":
            template.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
