"""Reads for free-text lookups: what a lookup shows, in as few statements as possible.

A lookup runs for every sentence a fact-checker checks: ONE statement reads the index's
candidates with their quote rows, speaker names and appearances (candidates_with_appearances:
db.index's candidate statement, which ingestion uses too, with the appearances joined); the
matcher then ranks them. It runs on the driver (db/driver.py): through SQLAlchemy it would cost
more than the database's work.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from typing import Any, NamedTuple, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, StatementError
from sqlmodel import Session

from quotetrail.db.driver import Driver
from quotetrail.db.engine import create_db_engine
from quotetrail.db.index import CandidateQuote, candidate_from_row, candidate_statement

# Marks a pooled PostgreSQL connection whose plan_cache_mode was set (prepare_for_lookup).
_GENERIC_PLANS = "quotetrail_generic_plans"


class AppearanceRow(NamedTuple):
    """An appearance as a lookup answer shows it (no article text)."""

    quote_id: int
    origin: str
    article_id: int
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_as_written: str | None
    kind: str
    status: str
    competing_speakers: list[str]
    similarity: float


def prepare_for_lookup(session: Session) -> None:
    """Set up a session that will only run lookups; call it before any statement.

    On PostgreSQL, two things. The session runs without BEGIN and COMMIT: under READ COMMITTED
    every statement sees a snapshot of its own whether it runs inside a transaction or not, so
    the answers are the same, without two round trips. And its connection reuses the generic
    plans of prepared statements (plan_cache_mode, once per pooled connection, kept with it):
    left to choose, PostgreSQL plans the candidate statement anew at every run, because its
    estimates for a lookup's rare keys always look cheaper than the generic plan's, although
    the plan is the same, and planning costs about as much as running it (p95 of a lookup at
    1M quotes: 6.5-7.7 ms re-planned, 4.5-5.4 ms generic). The setting stays with the pooled
    connection, so statements of other sessions later run on it reuse generic plans too (the
    API computes lookups on a pool of their own, create_lookup_engine); a setting of the engine
    (db/engine.py) would say so in one place.
    SQLite keeps its transaction (one snapshot for the statements; BEGIN costs no round trip)
    and plans nothing ahead.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    info = connection.connection.info  # the pooled connection's, kept across checkouts
    if not info.get(_GENERIC_PLANS):
        Driver(session).execute("SET plan_cache_mode = force_generic_plan")
        info[_GENERIC_PLANS] = True


def create_lookup_engine(engine: Engine) -> Engine:
    """The engine lookups are computed on: on PostgreSQL, a pool of their own, without pre-ping.

    The pre-ping of `engine`'s pool is a round trip at every checkout (about 0.13 ms of a computed
    lookup's 3.3 ms of CPU, and PostgreSQL's work for it); a lookup that finds its connection
    dead runs once more on another instead (api.lookup), as the pre-ping would have. Its
    connections keep prepare_for_lookup's generic plans to lookups. SQLite pings nothing:
    `engine` itself.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return create_db_engine(engine.url.render_as_string(hide_password=False), pre_ping=False)


_SNAPSHOT = "SELECT pg_current_snapshot()::text"
_DATA_VERSION = "PRAGMA data_version"


class ChangeMarker:
    """A value that moves whenever the database may have changed, read from the event loop.

    A lookup answered from the cache costs only this read, so it runs on a connection of its own
    instead of a pooled session in a thread: the thread hop, the checkout with its pre-ping and
    the session cost several times the statement (about 0.6 of 1.1 ms of CPU per cached answer).

    - PostgreSQL, on an async psycopg connection: the snapshot (`pg_current_snapshot()`), the
      same for two statements exactly when they see the same committed transactions.
    - SQLite, on a sqlite3 connection that never writes: `PRAGMA data_version`, which moves when
      any other connection commits, so here at every commit, this process's own included. The
      read takes microseconds (no round trip), so it blocks the loop no longer than a thread
      hop would.

    The marker is read before the lookup's statements run, so an answer computed after reading
    it reflects at least the state it names.

    On PostgreSQL, lookups arriving together share one read, exactly: a read serves only those
    that arrived before it began (one under way may have begun before a commit they must see),
    so they wait for the next, which begins as soon as the one under way ends. Under wrk at
    1M quotes with every answer cached (benchmarks.http_lookup's server, 16 connections), a
    read then served about 3 lookups: 2,400 -> 3,200-3,550 lookups/s, server CPU 0.69 ->
    0.48-0.53 ms a lookup.
    """

    def __init__(self, engine: Engine) -> None:
        self._dialect = engine.dialect
        self._postgres = engine.dialect.name == "postgresql"
        self._args, self._kwargs = engine.dialect.create_connect_args(engine.url)
        self._connection: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None  # PostgreSQL: the connection's
        # PostgreSQL: the read not begun yet, which lookups arriving now join, and the one under
        # way, which they must not.
        self._next: asyncio.Task[str] | None = None
        self._current: asyncio.Task[str] | None = None

    async def read(self) -> str:
        """The marker now; the database's errors are raised as SQLAlchemy's (the API's 503)."""
        if not self._postgres:
            try:
                return str(self._sqlite_connection().execute(_DATA_VERSION).fetchone()[0])
            except self._dialect.loaded_dbapi.Error as error:
                raise self._failed(error) from error
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a connection serves the event loop it was made on
            self.close()
            self._loop = loop
            self._next = self._current = None
        if self._next is None:
            self._next = loop.create_task(self._read_after(self._current))
            self._next.add_done_callback(_retrieve_error)
        # Shielded: a lookup cancelled while waiting must not cancel the others' read.
        return await asyncio.shield(self._next)

    async def _read_after(self, previous: asyncio.Task[str] | None) -> str:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is its own lookups'
        # Begun: lookups arriving from now on wait for the next read.
        self._next, self._current = None, cast("asyncio.Task[str]", asyncio.current_task())
        try:
            return await self._read_now()
        finally:
            self._current = None  # the next read need not wait for this one

    async def _read_now(self) -> str:
        # A connection that served before may have been closed since (a server restart): one
        # more try on a new one, as a pool's pre-ping would.
        retry = self._connection is not None
        while True:
            try:
                return await self._query()
            except self._dialect.loaded_dbapi.Error as error:
                if not retry:
                    raise self._failed(error) from error
                self.close()
                retry = False

    async def _query(self) -> str:
        if self._connection is None:
            from psycopg import AsyncConnection  # only installed with PostgreSQL support

            # Reads never overlap (read()), so no other one connects meanwhile.
            self._connection = await AsyncConnection.connect(
                *self._args, **self._kwargs, autocommit=True
            )
        cursor = await self._connection.execute(_SNAPSHOT)
        row = await cursor.fetchone()
        return str(row[0])

    def _failed(self, error: Exception) -> StatementError:
        self.close()  # connect again at the next read
        sql = _SNAPSHOT if self._postgres else _DATA_VERSION
        dbapi_error = self._dialect.loaded_dbapi.Error
        return DBAPIError.instance(
            sql, (), error, dbapi_error, connection_invalidated=True, dialect=self._dialect
        )

    def _sqlite_connection(self) -> Any:
        if self._connection is None:
            options = {**self._kwargs, "check_same_thread": False}  # test clients' loop threads
            self._connection = self._dialect.loaded_dbapi.connect(
                *self._args, **options, isolation_level=None
            )
        return self._connection

    def close(self) -> None:
        """Close the connection, if any (the next read opens another)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._postgres:
            connection.pgconn.finish()  # synchronous: callable when its loop is gone
        else:
            connection.close()


def _retrieve_error(read: asyncio.Task[str]) -> None:
    # Every lookup waiting for a failed read may have been cancelled (its client went away):
    # the error is theirs, and not worth asyncio's "never retrieved" warning.
    if not read.cancelled():
        read.exception()


def candidates_with_appearances(
    *, session: Session, keys: Collection[str], limit: int, keep: int
) -> list[tuple[CandidateQuote, list[AppearanceRow]]]:
    """The index's candidates for `keys` (SqlQuoteIndex.candidates with `keep`), best first,
    each with its appearances in the order of db.quotes.list_appearances_with_articles
    (publication date, undated last, then id). No article text is read.

    One statement: db.index's candidate statement with the appearances joined. The ranking
    returns some of these candidates, nearly all of them at the default limit: reading the
    appearances of the few it drops costs less than a second statement after it. At 1M
    quotes on PostgreSQL, 600 lookups each way in turn: 0.99 -> 0.54 ms of the reading
    thread's CPU, p50 2.80 -> 2.12 ms and p95 4.51 -> 3.32 ms of wall time for the reads.
    Each appearance's row repeats its candidate's columns, so a quote printed many times sends
    its text that many times.
    """
    driver = Driver(session)
    statement = candidate_statement(driver, keys, limit=limit, keep=keep)
    if statement is None:
        return []
    sql, parameters = statement
    rows = driver.rows(
        "SELECT c.quote_id, c.score, c.text, c.attribution_status, c.first_seen, c.name, "
        'a.id, r.origin, a.article_id, a.start, a."end", a.text, s.name, a.speaker_as_written, '
        "a.kind, a.status, CAST(a.competing_speakers AS TEXT), a.similarity "
        f"FROM ({sql}) AS c LEFT JOIN appearance AS a ON a.quote_id = c.quote_id "
        "LEFT JOIN article AS r ON r.id = a.article_id "
        "LEFT JOIN speaker AS s ON s.id = a.speaker_id "
        "ORDER BY c.score DESC, c.quote_id, r.published_at IS NULL, r.published_at, a.id",
        parameters,
    )
    found: dict[int, tuple[CandidateQuote, list[AppearanceRow]]] = {}
    for row in rows:
        quote_id = row[0]
        entry = found.get(quote_id)
        if entry is None:
            entry = found[quote_id] = (candidate_from_row(driver, row), [])
        if row[6] is None:
            continue  # a candidate without appearances (its one row has none joined)
        (
            _, origin, article_id, start, end, text, speaker, as_written, kind, status,
            competing, similarity,
        ) = row[6:]  # fmt: skip
        # Competing speakers are read as text and parsed here: most lists are empty, and
        # psycopg's JSON loader cost a fifth of the appearances' CPU.
        competitors = [] if competing == "[]" else list(json.loads(competing))
        appearance = AppearanceRow(
            quote_id, origin, article_id, start, end, text, speaker, as_written, kind, status,
            competitors, similarity,
        )  # fmt: skip
        entry[1].append(appearance)
    return list(found.values())
