"""Articles: stored once per text, readable back with their metadata."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from quotetrail.db import articles
from quotetrail.db.articles import (
    content_hash,
    count_articles,
    create_article,
    get_article,
    get_article_by_hash,
    insert_article,
    list_articles,
    stored_article_ids,
)
from quotetrail.db.errors import DuplicateArticleError
from quotetrail.db.models import Article, utc_now

TEXT = "“Is there nothing that can shame you?” Power asked."


def test_content_hash_is_sha256_of_the_text() -> None:
    assert content_hash(TEXT) == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


def test_create_and_read_back(session: Session) -> None:
    article = create_article(
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

    assert article.id is not None
    stored = get_article(session=session, article_id=article.id)
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
    assert get_article(session=session, article_id=article.id + 1) is None


def test_the_same_text_twice_is_one_article(session: Session) -> None:
    first = create_article(session=session, text=TEXT, origin="a.txt")
    with pytest.raises(DuplicateArticleError) as raised:
        create_article(session=session, text=TEXT, origin="b.txt", kind="primary")
    assert raised.value.article_id == first.id

    assert insert_article(session=session, text=TEXT, origin="c.txt") is None
    other = insert_article(
        session=session, text=TEXT + " ", origin="d.txt", published_at=date(2020, 2, 29)
    )
    assert other is not None and other != first.id
    session.commit()
    assert count_articles(session=session) == 2
    assert stored_article_ids(
        session=session, content_hashes=[content_hash(TEXT + " "), content_hash("absent")]
    ) == {content_hash(TEXT + " "): other}
    stored = get_article(session=session, article_id=other)
    assert stored is not None
    assert (stored.origin, stored.published_at, stored.kind) == ("d.txt", date(2020, 2, 29), "news")
    assert stored.content_hash == content_hash(TEXT + " ")
    ingested = stored.ingested_at.replace(tzinfo=None)
    assert abs(ingested - utc_now().replace(tzinfo=None)) < timedelta(minutes=5)
    with pytest.raises(ValueError):
        insert_article(session=session, text="x", origin="e.txt", kind="op-ed")  # type: ignore[arg-type]


def test_content_hash_is_unique_in_the_schema(session: Session) -> None:
    digest = content_hash(TEXT)
    session.add(Article(text=TEXT, origin="a", content_hash=digest))
    session.commit()
    session.add(Article(text="other text", origin="b", content_hash=digest))
    with pytest.raises(IntegrityError):
        session.commit()


def test_a_concurrent_duplicate_leaves_the_transaction_usable(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another writer stores the text between our check and our insert: the unique constraint
    # catches it, only the savepoint is undone, and the caller's other work survives.
    winner = create_article(session=session, text=TEXT, origin="winner.txt")
    keep = create_article(session=session, text="unrelated", origin="keep.txt")
    real_lookup = articles.get_article_by_hash
    calls = iter([None])
    monkeypatch.setattr(
        articles,
        "get_article_by_hash",
        lambda **kw: next(calls, None) or real_lookup(**kw),
    )
    with pytest.raises(DuplicateArticleError) as raised:
        create_article(session=session, text=TEXT, origin="loser.txt")
    assert raised.value.article_id == winner.id
    session.commit()
    assert {a.origin for a in list_articles(session=session)} == {"winner.txt", keep.origin}


def test_list_articles_pages_by_id(session: Session) -> None:
    made = [create_article(session=session, text=f"text {i}", origin=f"{i}.txt") for i in range(5)]
    session.commit()
    first = list_articles(session=session, limit=2)
    assert [a.id for a in first] == [made[0].id, made[1].id]
    rest = list_articles(session=session, after_id=first[-1].id, limit=10)
    assert [a.id for a in rest] == [a.id for a in made[2:]]


def test_unknown_kind_is_refused(session: Session) -> None:
    with pytest.raises(ValueError):
        create_article(session=session, text=TEXT, origin="a", kind="blog")  # type: ignore[arg-type]
