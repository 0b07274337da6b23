"""Shared fixtures: every database test runs on SQLite and on a real, throwaway PostgreSQL.

The PostgreSQL cluster is started once per test session (initdb + pg_ctl in a temporary
directory, listening only on 127.0.0.1 at a free port, no Unix socket) and each test gets a fresh
database in it. Without PostgreSQL server binaries the "postgresql" variants are skipped, unless
QUOTETRAIL_REQUIRE_POSTGRES=1 (CI), where they fail instead.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.db.index import SqlQuoteIndex
from quotetrail.db.migrate import upgrade_to_head
from quotetrail.db.quotes import create_quote
from quotetrail.pipeline.match import index_keys
from quotetrail.pipeline.normalize import normalize

REQUIRE_POSTGRES = os.environ.get("QUOTETRAIL_REQUIRE_POSTGRES") == "1"
# Point at a directory holding initdb and pg_ctl when they live somewhere unusual.
PG_BIN_ENV = "QUOTETRAIL_PG_BIN"


def find_postgres_bin() -> Path | None:
    """The directory with initdb and pg_ctl: $QUOTETRAIL_PG_BIN, Debian's newest, or PATH."""
    candidates: list[Path] = []
    if os.environ.get(PG_BIN_ENV):
        candidates.append(Path(os.environ[PG_BIN_ENV]))
    debian = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(debian, key=lambda p: _version(p.parent.name), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    """A PostgreSQL server in a temporary directory, owned by this test session."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="quotetrail-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._names = itertools.count(1)
        # PostgreSQL refuses to run as root: run it as the `postgres` system user then.
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "running as root, PostgreSQL needs a non-root `postgres` user to run as"
                ) from None
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def start(self) -> None:
        """initdb, configure for tests (loopback only, no fsync), start on a free port."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            # Throwaway data: durability settings off for speed.
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        for attempt in range(3):  # another process may take the free port before we bind it
            self.port = _free_port()
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                          "-o", f"-p {self.port}", "start")  # fmt: skip
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        """Stop the server at once and delete its files."""
        try:
            if (self.data / "postmaster.pid").exists():  # also called after a failed start
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3) of a database in this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        name = f"quotetrail_test_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing connections a test left open."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(sql.encode())

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_user, str(self.bin_dir / program), *args]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{program} failed ({done.returncode}): {done.stderr or done.stdout}\n{log}"
            )


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL server for the whole session, started on first use."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        message = (
            "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin, "
            f"${PG_BIN_ENV} or PATH; install Debian's `postgresql` package to run the "
            "PostgreSQL variants of the database tests"
        )
        if REQUIRE_POSTGRES:
            pytest.fail(f"{message} (QUOTETRAIL_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(message)
    cluster = PostgresCluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database (no schema yet): a SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'quotetrail.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = cluster.create_database()
    try:
        yield cluster.url(name)
    finally:
        cluster.drop_database(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database migrated to head."""
    upgrade_to_head(database_url)
    engine = create_db_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on a fresh, migrated database; tests commit or roll back as they need."""
    with create_session_factory(engine)() as session:
        yield session


@pytest.fixture
def store_quotes(engine: Engine) -> Callable[[list[str]], list[int]]:
    """Stores canonical quotes of these texts (no appearances), indexed under their keys, in one
    transaction; returns their ids in order."""

    def store(texts: list[str]) -> list[int]:
        with session_scope(create_session_factory(engine, write=True)) as session:
            index = SqlQuoteIndex(session)
            ids = []
            for text in texts:
                quote_id = create_quote(session=session, text=text, normalized=normalize(text))
                index.add_new(quote_id, index_keys(text))
                ids.append(quote_id)
        return ids

    return store
