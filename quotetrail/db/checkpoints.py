"""SQLite checkpoints on a thread of their own while a stream of articles is ingested.

In WAL mode a commit appends the pages it changed to the WAL; a checkpoint copies them into the
database file and syncs both files. SQLite runs one in the committing connection whenever the
WAL has grown past 1,000 pages (wal_autocheckpoint), which during a stream was at almost every
batch: the writer waited for it, about 0.5 ms of an article's 7 at 10k quotes and 1.7 ms of 11
at 1M (mostly the sync). Here a thread checkpoints on a connection of its own (PASSIVE: it never
waits for the writer, and sqlite3 lets go of the GIL while SQLite works), so the writer goes on;
the writer's own checkpoints are put off to WRITER_CHECKPOINT_PAGES, a bound on the WAL should
the thread fall behind (a reader holding an old snapshot keeps any checkpoint from finishing).
Nothing changes on PostgreSQL, whose server does its own checkpoints.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from types import TracebackType
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from quotetrail.db.driver import Driver

# The writer checkpoints itself past this many WAL pages (64 MB of 4 KB pages), in case the
# thread cannot keep up; SQLite's default is 1,000.
WRITER_CHECKPOINT_PAGES = 16_384
# How often the thread checkpoints: a batch of articles takes longer, so each batch's pages are
# copied while the next one is matched.
INTERVAL_SECONDS = 0.1


class BackgroundCheckpoints:
    """While open, checkpoints the WAL of the factory's SQLite database in a thread.

    Call `defer(session)` at the start of each write transaction of the stream.
    """

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._engine: Any = factory.kw["bind"]
        self._sqlite = self._engine.dialect.name == "sqlite"
        self._stop = threading.Event()
        self._connection: Any = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> BackgroundCheckpoints:
        if self._sqlite:
            self._connection = self._engine.raw_connection()
            self._thread = threading.Thread(
                target=self._run, name="quotetrail-checkpoints", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        try:
            self._checkpoint()  # the last batch's pages, before the stream counts as done
        finally:
            self._connection.close()

    def defer(self, session: Session) -> None:
        """Put off the checkpoints of this write transaction's connection (see the module doc)."""
        if self._sqlite:
            Driver(session).execute(f"PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}")

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL_SECONDS):
            # A failed checkpoint is tried again at the next tick; the writer's bound caps the
            # WAL meanwhile.
            with contextlib.suppress(sqlite3.Error):
                self._checkpoint()

    def _checkpoint(self) -> None:
        cursor = self._connection.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            cursor.close()
