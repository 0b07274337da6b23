"""Read queries for browsing: keyset pages in several orders, per-speaker counts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from quotetrail.db.models import Appearance, Article, Quote

QuoteSort = Literal["id", "-id", "first_seen", "-first_seen", "-appearance_count"]
QUOTE_SORTS: tuple[str, ...] = ("id", "-id", "first_seen", "-first_seen", "-appearance_count")

# Undated quotes come last in both date orders: they sort as if dated at the far end.
_LAST_DATE = date(9999, 12, 31)
_FIRST_DATE = date(1, 1, 1)


def quote_sort_key(sort: QuoteSort) -> Any:
    """The column a quote order sorts by before the id (the id itself for the id orders)."""
    if sort in ("id", "-id"):
        return col(Quote.id)
    if sort == "first_seen":
        return func.coalesce(col(Quote.first_seen), _LAST_DATE)
    if sort == "-first_seen":
        return func.coalesce(col(Quote.first_seen), _FIRST_DATE)
    return col(Quote.appearance_count)


def quote_position(quote: Quote, sort: QuoteSort) -> tuple[Any, int]:
    """Where `quote` stands in `sort`: the cursor of the page that ends with it."""
    assert quote.id is not None
    if sort in ("id", "-id"):
        return (quote.id, quote.id)
    if sort == "first_seen":
        return (quote.first_seen or _LAST_DATE, quote.id)
    if sort == "-first_seen":
        return (quote.first_seen or _FIRST_DATE, quote.id)
    return (quote.appearance_count, quote.id)


def list_quotes_page(
    *,
    session: Session,
    q: str | None = None,
    speaker_ids: Collection[int] | None = None,
    statuses: Collection[str] | None = None,
    outlet: str | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
    sort: QuoteSort = "id",
    after: tuple[Any, int] | None = None,
    limit: int = 50,
) -> list[Quote]:
    """Canonical quotes in `sort` order (ties by id), `limit` after the position `after`.

    `q` is a case-insensitive substring of the canonical text; `speaker_ids` the best-supported
    speaker (an empty collection matches nothing); `outlet` and the published range (inclusive)
    keep quotes with at least one appearance in such an article.
    """
    if sort not in QUOTE_SORTS:
        raise ValueError(f"sort must be one of {QUOTE_SORTS}, not {sort!r}")
    descending = sort.startswith("-")
    key = quote_sort_key(sort)
    quote_id = col(Quote.id)
    query = select(Quote)
    if sort in ("id", "-id"):
        query = query.order_by(quote_id.desc() if descending else quote_id)
    elif descending:
        query = query.order_by(key.desc(), quote_id.desc())
    else:
        query = query.order_by(key, quote_id)
    if after is not None:
        value, last_id = after
        if sort in ("id", "-id"):
            query = query.where(quote_id < last_id if descending else quote_id > last_id)
        elif descending:
            query = query.where(or_(key < value, and_(key == value, quote_id < last_id)))
        else:
            query = query.where(or_(key > value, and_(key == value, quote_id > last_id)))
    if q:
        query = query.where(col(Quote.text).icontains(q, autoescape=True))
    if speaker_ids is not None:
        query = query.where(col(Quote.speaker_id).in_(set(speaker_ids)))
    if statuses is not None:
        query = query.where(col(Quote.attribution_status).in_(set(statuses)))
    if outlet is not None or published_from is not None or published_to is not None:
        source = (
            select(Appearance.id)
            .join(Article, col(Article.id) == col(Appearance.article_id))
            .where(col(Appearance.quote_id) == quote_id)
        )
        if outlet is not None:
            source = source.where(func.lower(col(Article.outlet)) == outlet.lower())
        if published_from is not None:
            source = source.where(col(Article.published_at) >= published_from)
        if published_to is not None:
            source = source.where(col(Article.published_at) <= published_to)
        query = query.where(exists(source))
    return list(session.exec(query.limit(limit)))


def count_quotes_by_speaker(*, session: Session, speaker_ids: Collection[int]) -> dict[int, int]:
    """How many canonical quotes each of these speakers is best supported for."""
    if not speaker_ids:
        return {}
    query = (
        select(col(Quote.speaker_id), func.count())
        .where(col(Quote.speaker_id).in_(set(speaker_ids)))
        .group_by(col(Quote.speaker_id))
    )
    counts = {speaker_id: 0 for speaker_id in speaker_ids}
    for speaker_id, count in session.exec(query):
        if speaker_id is not None:
            counts[speaker_id] = count
    return counts


def list_quotes_credited_elsewhere(
    *, session: Session, speaker_id: int, limit: int = 100
) -> list[Quote]:
    """Quotes some appearance credits to this speaker while another is best supported."""
    credited = select(Appearance.quote_id).where(Appearance.speaker_id == speaker_id)
    query = (
        select(Quote)
        .where(col(Quote.id).in_(credited))
        .where(or_(col(Quote.speaker_id).is_(None), col(Quote.speaker_id) != speaker_id))
        .order_by(col(Quote.id))
        .limit(limit)
    )
    return list(session.exec(query))


def list_appearance_rows(*, session: Session, article_id: int) -> Sequence[Appearance]:
    """The appearances in one article in text order."""
    query = (
        select(Appearance)
        .where(Appearance.article_id == article_id)
        .order_by(col(Appearance.start), col(Appearance.id))
    )
    return list(session.exec(query))
