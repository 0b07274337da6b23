"""SQLite's WAL checkpoints run by a thread while a stream writes (db/checkpoints.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import Engine

from quotetrail.db.articles import insert_article
from quotetrail.db.checkpoints import SQLITE_AUTOCHECKPOINT_PAGES, BackgroundCheckpoints
from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.db.migrate import upgrade_to_head


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "quotetrail-checkpoints"]


def test_a_deferring_connection_gets_its_checkpoints_back(engine: Engine) -> None:
    factory = create_session_factory(engine, write=True)
    sqlite = engine.dialect.name == "sqlite"
    with BackgroundCheckpoints() as checkpoints:
        with session_scope(factory) as session:
            checkpoints.defer(session)
            insert_article(session=session, text="A deferred write.", origin="one")
            raw = session.connection().connection.driver_connection
            if sqlite:
                assert raw.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
            # PostgreSQL checkpoints by itself: no thread there.
            assert len(_checkpoint_threads()) == (1 if sqlite else 0)
        checkpoints.request()
        with session_scope(factory) as session:
            again = session.connection().connection.driver_connection
            assert again is raw  # the pool's one connection, handed out again
            if sqlite:
                setting = again.execute("PRAGMA wal_autocheckpoint").fetchone()
                assert setting == (SQLITE_AUTOCHECKPOINT_PAGES,)
    assert _checkpoint_threads() == []


def test_the_thread_copies_what_the_writer_committed(tmp_path: Path) -> None:
    # SQLite's log only: PostgreSQL's side (nothing to do) is the test above's.
    path = tmp_path / "checkpoints.db"
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    engine = create_db_engine(url)
    factory = create_session_factory(engine, write=True)
    with session_scope(factory):
        pass  # connect: WAL mode, and the migrations' log copied
    before = os.path.getsize(path)
    checkpoints = BackgroundCheckpoints()
    with session_scope(factory) as session:
        checkpoints.defer(session)
        for n in range(1500):  # about 6 MB: past the 1,000 pages that make SQLite checkpoint
            insert_article(session=session, text=f"{n} " + "words " * 700, origin=f"a{n}")
    # The commit left the pages in the log: the writer's connection did not copy them.
    assert os.path.getsize(path) == before
    checkpoints.request()
    checkpoints.close()
    assert os.path.getsize(path) > before + 4_000_000
    engine.dispose()
