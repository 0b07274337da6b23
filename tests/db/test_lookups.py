"""db.lookups: the lookup's reads answer as the index and the ORM reads do, on both databases;
the change marker moves at every commit."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, delete, select

from quotetrail.db.driver import Driver
from quotetrail.db.engine import create_session_factory, session_scope
from quotetrail.db.index import SqlQuoteIndex
from quotetrail.db.lookups import (
    AppearanceRow,
    ChangeMarker,
    candidates_with_appearances,
    prepare_for_lookup,
)
from quotetrail.db.models import Appearance, Article
from quotetrail.db.quotes import get_quotes, list_appearances_with_articles
from quotetrail.pipeline.match import index_keys
from quotetrail.service.ingest import ingest_article
from quotetrail.service.records import speakers_of

ROOT = Path(__file__).resolve().parents[2]
PRIMARY = ROOT / "tests" / "fixtures" / "primary" / "ohchr_zeid_aleppo_2016-12-14.txt"
ARTICLES = [*sorted((ROOT / "seeds").glob("*.txt")), PRIMARY]
PROBES = [
    "Is there nothing that can shame you?",
    "almost certainly a violation of international law",
    "what they consider to be a massacre",
    "Aleppo",
    "words that match nothing at all",
]


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """The seeds (the first one dated) and a primary source: speakers, dates, competitors."""
    for number, path in enumerate(ARTICLES):
        with session_scope(create_session_factory(engine, write=True)) as session:
            ingest_article(
                session=session,
                text=path.read_text(encoding="utf-8"),
                origin=path.name,
                published=date(2016, 12, 14) if number == 0 else None,
                kind="primary" if path == PRIMARY else "news",
            )
    return engine


def test_candidates_carry_their_quote_and_speaker(seeded: Engine) -> None:
    for text in PROBES:
        with session_scope(create_session_factory(seeded)) as session:
            found = SqlQuoteIndex(session).candidates(index_keys(text), limit=16)
            quotes = get_quotes(session=session, quote_ids=[c.id for c in found])
            speakers = speakers_of(session=session, quotes=quotes, appearances=[])
            for candidate, quote in zip(found, quotes, strict=True):
                assert candidate.id == quote.id
                assert candidate.text == quote.text
                assert candidate.attribution_status == quote.attribution_status
                assert candidate.first_seen == quote.first_seen
                named = speakers.get(quote.speaker_id) if quote.speaker_id else None
                assert candidate.speaker == (named.name if named else None)
    with session_scope(create_session_factory(seeded)) as session:
        assert any(c.speaker for c in SqlQuoteIndex(session).candidates(["aleppo"], limit=16))
        assert SqlQuoteIndex(session).candidates([], limit=16) == []
        assert SqlQuoteIndex(session).candidates(["no such key"], limit=16) == []


def test_candidates_come_with_their_appearances_in_the_orm_order(seeded: Engine) -> None:
    read: list[AppearanceRow] = []
    for text in PROBES:
        for limit, keep in ((16, 5), (50, 50)):
            with session_scope(create_session_factory(seeded)) as session:
                keys = index_keys(text)
                found = candidates_with_appearances(
                    session=session, keys=keys, limit=limit, keep=keep
                )
                # The same candidates as the index's statement alone, in the same order.
                expected = SqlQuoteIndex(session).candidates(keys, limit=limit, keep=keep)
                assert [candidate for candidate, _ in found] == expected
                for candidate, rows in found:
                    _assert_orm_appearances(session, candidate.id, rows)
                    read += rows
    # The fixture exercises competing speakers, and quotes with several appearances to order.
    assert any(row.competing_speakers for row in read)
    distinct = {(row.quote_id, row.article_id, row.start) for row in read}
    assert len({quote_id for quote_id, _, _ in distinct}) < len(distinct)
    with session_scope(create_session_factory(seeded)) as session:
        assert candidates_with_appearances(session=session, keys=[], limit=16, keep=5) == []
        assert (
            candidates_with_appearances(session=session, keys=["no such key"], limit=16, keep=5)
            == []
        )


def test_a_candidate_without_appearances_comes_with_none(seeded: Engine) -> None:
    with session_scope(create_session_factory(seeded, write=True)) as session:
        (quote_id,) = [c.id for c in SqlQuoteIndex(session).candidates(["aleppo"], limit=1)]
        session.execute(delete(Appearance).where(col(Appearance.quote_id) == quote_id))
    with session_scope(create_session_factory(seeded)) as session:
        found = {
            candidate.id: rows
            for candidate, rows in candidates_with_appearances(
                session=session, keys=["aleppo"], limit=50, keep=50
            )
        }
        assert found[quote_id] == []
        assert any(found.values())


def _assert_orm_appearances(session: Session, quote_id: int, rows: list[AppearanceRow]) -> None:
    """`rows` are the quote's appearances as the ORM reads them, fields and order."""
    expected = list_appearances_with_articles(session=session, quote_ids=[quote_id])
    speakers = speakers_of(session=session, quotes=[], appearances=[a for a, _ in expected])
    assert [
        (
            row.quote_id, row.origin, row.article_id, row.start, row.end, row.text,
            row.speaker_as_written, row.kind, row.status, row.competing_speakers,
            row.similarity,
        )
        for row in rows
    ] == [
        (
            a.quote_id, article.origin, a.article_id, a.start, a.end, a.text,
            a.speaker_as_written, a.kind, a.status, a.competing_speakers, a.similarity,
        )
        for a, article in expected
    ]  # fmt: skip
    for row, (appearance, _) in zip(rows, expected, strict=True):
        named = speakers.get(appearance.speaker_id) if appearance.speaker_id else None
        assert row.speaker == (named.name if named else None)


def test_reading_without_a_transaction_leaves_later_sessions_transactional(
    seeded: Engine,
) -> None:
    factory = create_session_factory(seeded)
    for _ in range(3):  # the pooled connection comes back as it was lent
        with factory() as session:
            prepare_for_lookup(session)
            assert SqlQuoteIndex(session).candidates(index_keys(PROBES[0]), limit=5)
    with factory() as session:
        session.add(Article(origin="rolled back", text="x", content_hash="0" * 64))
        session.flush()
        session.rollback()
    with factory() as session:
        count = select(func.count()).select_from(Article).where(Article.origin == "rolled back")
        assert session.exec(count).one() == 0


def test_lookup_connections_reuse_generic_plans_on_postgresql(seeded: Engine) -> None:
    for _ in range(2):  # the second session gets the pooled connection, already set up
        with create_session_factory(seeded)() as session:
            prepare_for_lookup(session)
            if seeded.dialect.name != "postgresql":
                return  # SQLite plans nothing ahead
            driver = Driver(session)
            assert driver.value("SHOW plan_cache_mode") == "force_generic_plan"
            assert driver.value("SHOW transaction_isolation") == "read committed"


def _ingest(engine: Engine, text: str) -> None:
    with session_scope(create_session_factory(engine, write=True)) as session:
        ingest_article(session=session, text=text, origin=f"marker-{len(text)}")


def test_the_change_marker_moves_at_every_commit_and_only_then(engine: Engine) -> None:
    marker = ChangeMarker(engine)
    try:
        first = asyncio.run(marker.read())
        assert asyncio.run(marker.read()) == first  # another event loop: its own connection
        with session_scope(create_session_factory(engine)) as session:
            SqlQuoteIndex(session).candidates(index_keys(PROBES[0]), limit=16)  # reads only
        assert asyncio.run(marker.read()) == first
        # A commit through the engine's pool (this process) moves it, as one by another would.
        _ingest(engine, '"The tide tables were simply wrong that morning," said Ingrid Halvorsen.')
        second = asyncio.run(marker.read())
        assert second != first

        async def twice() -> tuple[str, str]:
            return await marker.read(), await marker.read()

        assert asyncio.run(twice()) == (second, second)
    finally:
        marker.close()
    marker.close()  # closing twice is harmless


def test_an_unreachable_database_is_sqlalchemys_operational_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    marker = ChangeMarker(create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/none"))
    with pytest.raises(OperationalError):
        asyncio.run(marker.read())


def test_lookups_read_the_marker_together(engine: Engine) -> None:
    marker = ChangeMarker(engine)

    async def scenario() -> tuple[list[str], str, str]:
        # Reads together share one; a lookup cancelled while reading harms no other.
        together = await asyncio.gather(*(marker.read() for _ in range(20)))
        cancelled, waiting = (asyncio.ensure_future(marker.read()) for _ in range(2))
        await asyncio.sleep(0)
        cancelled.cancel()
        return together, await waiting, await marker.read()

    try:
        together, after_cancel, later = asyncio.run(scenario())
        assert together == [together[0]] * 20 and after_cancel == later == together[0]
    finally:
        marker.close()


class _ScriptedMarker(ChangeMarker):
    """PostgreSQL's marker whose reads answer what the test says, when it says."""

    def __init__(self) -> None:
        super().__init__(create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none"))
        self.reads: list[asyncio.Future[str]] = []

    async def _query(self) -> str:
        self.reads.append(asyncio.get_running_loop().create_future())
        return await self.reads[-1]


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


def test_a_read_under_way_serves_no_lookup_that_arrived_after_it_began() -> None:
    marker = _ScriptedMarker()

    async def scenario() -> None:
        first = asyncio.ensure_future(marker.read())
        await _until(lambda: len(marker.reads) == 1)
        # A commit may land between the first read's snapshot and these lookups' arrival.
        later = [asyncio.ensure_future(marker.read()) for _ in range(3)]
        await asyncio.sleep(0)
        assert len(marker.reads) == 1  # they wait for the next read, not a read each
        marker.reads[0].set_result("before")
        assert await first == "before"
        await _until(lambda: len(marker.reads) == 2)
        marker.reads[1].set_result("after")
        assert await asyncio.gather(*later) == ["after"] * 3
        assert len(marker.reads) == 2

    asyncio.run(scenario())


def test_a_failed_shared_read_fails_its_lookups_and_the_next_reads_anew() -> None:
    marker = _ScriptedMarker()

    async def scenario() -> None:
        together = [asyncio.ensure_future(marker.read()) for _ in range(3)]
        await _until(lambda: len(marker.reads) == 1)
        marker.reads[0].set_exception(psycopg.OperationalError("the server went away"))
        outcomes = await asyncio.gather(*together, return_exceptions=True)
        assert all(isinstance(outcome, OperationalError) for outcome in outcomes)
        again = asyncio.ensure_future(marker.read())
        await _until(lambda: len(marker.reads) == 2)
        marker.reads[1].set_result("back")
        assert await again == "back"

    asyncio.run(scenario())
