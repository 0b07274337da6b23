"""Background checkpoints during a stream: the writer's connection defers its own, a thread
does them, and the last batch's pages are in the database file when the stream ends."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from quotetrail.db import checkpoints as checkpoints_module
from quotetrail.db.articles import insert_article
from quotetrail.db.checkpoints import WRITER_CHECKPOINT_PAGES, BackgroundCheckpoints
from quotetrail.db.driver import Driver
from quotetrail.db.engine import create_session_factory, session_scope


def test_a_thread_checkpoints_while_the_writer_defers(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite = engine.dialect.name == "sqlite"
    factory = create_session_factory(engine, write=True)
    runs: list[float] = []
    checkpoint = BackgroundCheckpoints._checkpoint

    def counted(self: BackgroundCheckpoints) -> None:
        runs.append(time.monotonic())
        checkpoint(self)

    monkeypatch.setattr(BackgroundCheckpoints, "_checkpoint", counted)
    monkeypatch.setattr(checkpoints_module, "INTERVAL_SECONDS", 0.01)
    with BackgroundCheckpoints(factory) as checkpoints:
        with session_scope(factory) as session:
            checkpoints.defer(session)
            limit = Driver(session).value("PRAGMA wal_autocheckpoint") if sqlite else None
            insert_article(session=session, text="Words. " * 500, origin="a.txt")
        deadline = time.monotonic() + 5
        while sqlite and len(runs) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    if not sqlite:
        assert runs == []  # PostgreSQL checkpoints by itself
        return
    assert limit == WRITER_CHECKPOINT_PAGES
    assert len(runs) >= 3  # at least twice in the thread, and once more at the end


def test_the_last_batch_is_in_the_database_file_when_the_stream_ends(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's WAL only")
    monkeypatch.setattr(checkpoints_module, "INTERVAL_SECONDS", 3600)  # only the last one
    factory = create_session_factory(engine, write=True)
    with BackgroundCheckpoints(factory) as checkpoints, session_scope(factory) as session:
        checkpoints.defer(session)
        insert_article(session=session, text="Other words. " * 500, origin="b.txt")
    # The database file alone, without its WAL (the engine's pooled connections keep the WAL
    # from being folded in on close): what a checkpoint copied is there, nothing else.
    copy = tmp_path / "file-only.db"
    shutil.copyfile(str(engine.url.database), copy)
    with sqlite3.connect(copy) as connection:
        (count,) = connection.execute("SELECT count(*) FROM article").fetchone()
    assert count == 1
