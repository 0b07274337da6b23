"""Articles: stored once per text, readable back with their metadata."""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from quotetrail.db.articles import (
    content_hash,
    count_articles,
    get_article,
    get_article_by_hash,
    insert_article,
    list_articles,
    stored_article_ids,
)
from quotetrail.db.engine import create_session_factory
from quotetrail.db.models import Article, utc_now

TEXT = "“Is there nothing that can shame you?” Power asked."


def test_content_hash_is_sha256_of_the_text() -> None:
    assert content_hash(TEXT) == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


def test_insert_and_read_back(session: Session) -> None:
    article_id = insert_article(
        session=session,
        text=TEXT,
        origin="https://example.org/un",
        title="At the UN",
        outlet="Example",
        published_at=date(2016, 12, 13),
        kind="news",
    )
    session.commit()
    session.expunge_all()  # read from the database, not the identity map

    assert article_id is not None
    stored = get_article(session=session, article_id=article_id)
    assert stored is not None
    assert (stored.text, stored.origin, stored.title, stored.outlet) == (
        TEXT,
        "https://example.org/un",
        "At the UN",
        "Example",
    )
    assert stored.published_at == date(2016, 12, 13)
    assert stored.kind == "news"
    assert stored.content_hash == content_hash(TEXT)
    assert stored.ingested_at.tzinfo is not None
    assert stored.ingested_at.utcoffset() == UTC.utcoffset(None)
    assert get_article_by_hash(session=session, content_hash=content_hash(TEXT)) == stored
    assert get_article_by_hash(session=session, content_hash="0" * 64) is None
    assert get_article(session=session, article_id=article_id + 1) is None


def test_the_same_text_twice_is_one_article(session: Session) -> None:
    first = insert_article(session=session, text=TEXT, origin="a.txt")
    assert first is not None
    assert insert_article(session=session, text=TEXT, origin="b.txt", kind="primary") is None
    assert insert_article(session=session, text=TEXT, origin="c.txt") is None
    other = insert_article(
        session=session, text=TEXT + " ", origin="d.txt", published_at=date(2020, 2, 29)
    )
    assert other is not None and other != first
    session.commit()
    assert count_articles(session=session) == 2
    kept = get_article(session=session, article_id=first)
    assert kept is not None and (kept.origin, kept.kind) == ("a.txt", "news")  # the first stays
    assert stored_article_ids(
        session=session, content_hashes=[content_hash(TEXT + " "), content_hash("absent")]
    ) == {content_hash(TEXT + " "): other}
    stored = get_article(session=session, article_id=other)
    assert stored is not None
    assert (stored.origin, stored.published_at, stored.kind) == ("d.txt", date(2020, 2, 29), "news")
    assert stored.content_hash == content_hash(TEXT + " ")
    ingested = stored.ingested_at.replace(tzinfo=None)
    assert abs(ingested - utc_now().replace(tzinfo=None)) < timedelta(minutes=5)


def test_content_hash_is_unique_in_the_schema(session: Session) -> None:
    digest = content_hash(TEXT)
    session.add(Article(text=TEXT, origin="a", content_hash=digest))
    session.commit()
    session.add(Article(text="other text", origin="b", content_hash=digest))
    with pytest.raises(IntegrityError):
        session.commit()


def test_a_concurrent_writer_storing_the_same_text_first(engine: Engine, session: Session) -> None:
    # Another writer stores the text while our transaction is open: our insert waits for its
    # commit, stores nothing, and the rest of our transaction goes on and commits.
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        # Our own earlier write must survive the conflict. (On SQLite a write would hold the
        # database's lock until our commit, so the other writer could not come in between.)
        assert insert_article(session=session, text="before", origin="before.txt") is not None
    # The pool outlives the other session: should anything fail, its rollback frees our insert.
    with ThreadPoolExecutor(max_workers=1) as pool:
        with create_session_factory(engine, write=True)() as other:
            assert insert_article(session=other, text=TEXT, origin="winner.txt") is not None
            ours = pool.submit(insert_article, session=session, text=TEXT, origin="loser.txt")
            time.sleep(0.2)
            waited = not ours.done()  # for the other writer's row (SQLite: for its lock)
            other.commit()
        assert waited
        assert ours.result(timeout=10) is None
    assert insert_article(session=session, text="after", origin="after.txt") is not None
    session.commit()
    origins = {a.origin for a in list_articles(session=session)}
    assert origins == {"winner.txt", "after.txt"} | ({"before.txt"} if postgres else set())


def test_list_articles_pages_by_id(session: Session) -> None:
    made = [insert_article(session=session, text=f"text {i}", origin=f"{i}.txt") for i in range(5)]
    session.commit()
    first = list_articles(session=session, limit=2)
    assert [a.id for a in first] == made[:2]
    rest = list_articles(session=session, after_id=first[-1].id, limit=10)
    assert [a.id for a in rest] == made[2:]


def test_unknown_kind_is_refused(session: Session) -> None:
    for kind in ("blog", "op-ed"):
        with pytest.raises(ValueError):
            insert_article(session=session, text=TEXT, origin="a", kind=kind)  # type: ignore[arg-type]
    assert count_articles(session=session) == 0
