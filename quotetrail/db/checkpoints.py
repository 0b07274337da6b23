"""SQLite's WAL checkpoints in a thread of their own while a stream of batches is written.

A checkpoint copies the pages committed to the write-ahead log back into the database file.
SQLite runs one inside the commit that takes the log past 1,000 pages (`wal_autocheckpoint`):
in a stream that is every batch (about 1,400 pages for 64 articles at 10k quotes), and it took
0.46-0.80 ms an article of the writer's 5-7 (benchmarks/RESULTS.md). In a thread on a connection
of its own the copy runs beside the writer, on the core the worker processes leave free:
Python's sqlite3 lets go of the GIL while a statement runs, and a PASSIVE checkpoint neither
waits for the writer nor blocks it. PostgreSQL checkpoints by itself: nothing to do there.
"""

from __future__ import annotations

import contextlib
import threading
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session

from quotetrail.db.driver import Driver

# SQLite's own default, restored when a deferring connection goes back to the pool.
SQLITE_AUTOCHECKPOINT_PAGES = 1000
# Marks a pooled connection whose checkpoints are left to the thread while it is checked out.
_DEFERRED = "quotetrail_checkpoints_deferred"


def restore_checkpoints_on_checkin(engine: Engine) -> None:
    """Give a connection its own checkpoints back when it returns to `engine`'s pool.

    Without this, a connection that deferred its checkpoints would keep the WAL growing for
    whoever is handed it next.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_DEFERRED, False) and dbapi_connection is not None:
            dbapi_connection.execute(
                f"PRAGMA wal_autocheckpoint = {SQLITE_AUTOCHECKPOINT_PAGES}"
            ).close()


class BackgroundCheckpoints:
    """Checkpoints of the connections passed to `defer`, run by a thread after each `request`.

    Use: `defer(session)` in each transaction of the stream, `request()` after its commit,
    `close()` (or the end of a `with` block) at the end: it waits for the last checkpoint.
    """

    def __init__(self) -> None:
        self._engine: Engine | None = None
        self._wanted = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def defer(self, session: Session) -> None:
        """Leave the checkpoints of this session's connection to the thread until it is
        checked in (SQLite databases in a file; nothing elsewhere)."""
        engine = session.get_bind().engine
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return
        pooled = session.connection().connection
        if not pooled.info.get(_DEFERRED):
            Driver(session).execute("PRAGMA wal_autocheckpoint = 0")
            pooled.info[_DEFERRED] = True
        if self._thread is None:
            self._engine = engine
            self._thread = threading.Thread(
                target=self._run, name="quotetrail-checkpoints", daemon=True
            )
            self._thread.start()

    def __enter__(self) -> BackgroundCheckpoints:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def request(self) -> None:
        """A transaction of a deferring connection committed: checkpoint when it can."""
        self._wanted.set()

    def close(self) -> None:
        """Run the last checkpoint and stop the thread."""
        if self._thread is None:
            return
        self._stopping = True
        self._wanted.set()
        self._thread.join()
        self._thread, self._stopping = None, False  # a later defer starts a new thread

    def _run(self) -> None:
        assert self._engine is not None
        dialect = self._engine.dialect
        args, kwargs = dialect.create_connect_args(self._engine.url)
        connection = dialect.loaded_dbapi.connect(*args, **kwargs, isolation_level=None)
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                stopping = self._stopping  # read first: a request made meanwhile is served
                # A failed checkpoint only loses the copy: the pages stay in the log, where
                # every reader finds them, until a later checkpoint (this thread's, or SQLite's
                # own once the connection is checked in) copies them.
                with contextlib.suppress(dialect.loaded_dbapi.Error):
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
                if stopping:
                    return
        finally:
            connection.close()
