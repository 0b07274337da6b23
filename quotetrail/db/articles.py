"""Articles: the stored documents, unique by the hash of their text."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from quotetrail.db.driver import Driver
from quotetrail.db.models import ARTICLE_KINDS, Article, ArticleKind, utc_now


def content_hash(text: str) -> str:
    """The sha256 hex digest of the text's UTF-8 bytes: an article's identity."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def get_article(*, session: Session, article_id: int) -> Article | None:
    """The article with this id, or None."""
    return session.get(Article, article_id)


def get_article_by_hash(*, session: Session, content_hash: str) -> Article | None:
    """The article whose text has this sha256, or None."""
    return session.exec(select(Article).where(Article.content_hash == content_hash)).first()


def stored_article_ids(*, session: Session, content_hashes: Collection[str]) -> dict[str, int]:
    """The id of each of these texts' articles that is stored, by content hash."""
    if not content_hashes:
        return {}
    driver = Driver(session)
    rows = driver.rows(
        *driver.in_list(
            "SELECT content_hash, id FROM article WHERE content_hash IN (...)", content_hashes
        )
    )
    return {digest: article_id for digest, article_id in rows}


def insert_article(
    *,
    session: Session,
    text: str,
    origin: str,
    title: str | None = None,
    outlet: str | None = None,
    published_at: date | None = None,
    kind: ArticleKind = "news",
    digest: str | None = None,
) -> int | None:
    """Store a new article in one statement: its id, or None if the same text is already stored.

    `digest` is the text's content_hash when the caller has computed it already. No ORM object
    is built: ingestion stores thousands of articles and needs only their ids.
    """
    if kind not in ARTICLE_KINDS:
        raise ValueError(f"article kind must be one of {ARTICLE_KINDS}, not {kind!r}")
    # ON CONFLICT: a text stored meanwhile by another writer is no error, only no new row.
    driver = Driver(session)
    article_id: int | None = driver.value(
        "INSERT INTO article (origin, title, outlet, published_at, kind, text, content_hash, "
        "ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (content_hash) DO NOTHING RETURNING id",
        (
            origin,
            title,
            outlet,
            driver.date(published_at),
            kind,
            text,
            digest or content_hash(text),
            driver.date(utc_now()),
        ),
    )
    return article_id


def list_articles(
    *, session: Session, after_id: int | None = None, limit: int = 100
) -> list[Article]:
    """Articles in id order, `limit` at a time after the cursor `after_id`."""
    query = select(Article).order_by(col(Article.id)).limit(limit)
    if after_id is not None:
        query = query.where(col(Article.id) > after_id)
    return list(session.exec(query))


def count_articles(*, session: Session) -> int:
    """How many articles are stored."""
    return session.exec(select(func.count()).select_from(Article)).one()
