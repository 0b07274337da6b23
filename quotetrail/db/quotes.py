"""Canonical quotes and their appearances in articles."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import case, delete, exists, func, insert, literal, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from quotetrail.db.errors import UNSET, NotFoundError, Unset
from quotetrail.db.models import (
    APPEARANCE_KINDS,
    Appearance,
    AppearanceKind,
    Article,
    KeyFrequency,
    Quote,
    QuoteKey,
)

# --- quotes -------------------------------------------------------------------------------------


def create_quote(
    *,
    session: Session,
    text: str,
    normalized: str,
    speaker_id: int | None = None,
    attribution_status: str = "consistent",
    status_evidence: Any = None,
) -> Quote:
    """Store a new canonical quote (no appearances yet; add_appearance keeps the counts)."""
    quote = Quote(
        text=text,
        normalized=normalized,
        speaker_id=speaker_id,
        attribution_status=attribution_status,
        status_evidence=status_evidence,
    )
    session.add(quote)
    session.flush()
    return quote


def get_quote(*, session: Session, quote_id: int) -> Quote | None:
    """The canonical quote with this id, or None."""
    return session.get(Quote, quote_id)


def get_quotes(*, session: Session, quote_ids: Sequence[int]) -> list[Quote]:
    """The quotes with these ids, in the order given; unknown ids are left out."""
    if not quote_ids:
        return []
    found = {
        quote.id: quote
        for quote in session.exec(select(Quote).where(col(Quote.id).in_(set(quote_ids))))
    }
    return [found[quote_id] for quote_id in quote_ids if quote_id in found]


def get_quote_texts(*, session: Session, quote_ids: Collection[int]) -> dict[int, str]:
    """The canonical text of each of these quotes, by id (unknown ids are left out)."""
    if not quote_ids:
        return {}
    query = select(Quote.id, Quote.text).where(col(Quote.id).in_(sorted(set(quote_ids))))
    rows = session.connection().execute(query)  # plain rows: lookups read many texts
    return {quote_id: text for quote_id, text in rows if quote_id is not None}


def list_quotes(
    *,
    session: Session,
    q: str | None = None,
    speaker_id: int | None = None,
    status: str | Collection[str] | None = None,
    outlet: str | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
    after_id: int | None = None,
    descending: bool = False,
    limit: int = 50,
) -> list[Quote]:
    """Canonical quotes in id order (newest first if `descending`), `limit` after `after_id`.

    `q` is a case-insensitive substring of the canonical text; `outlet` and the published
    range (inclusive) keep quotes with at least one appearance in such an article.
    """
    query = select(Quote).limit(limit)
    query = query.order_by(col(Quote.id).desc() if descending else col(Quote.id))
    if after_id is not None:
        query = query.where(col(Quote.id) < after_id if descending else col(Quote.id) > after_id)
    if q:
        query = query.where(col(Quote.text).icontains(q, autoescape=True))
    if speaker_id is not None:
        query = query.where(Quote.speaker_id == speaker_id)
    if isinstance(status, str):
        query = query.where(Quote.attribution_status == status)
    elif status is not None:
        query = query.where(col(Quote.attribution_status).in_(list(status)))
    if outlet is not None or published_from is not None or published_to is not None:
        source = (
            select(Appearance.id)
            .join(Article, col(Article.id) == col(Appearance.article_id))
            .where(col(Appearance.quote_id) == col(Quote.id))
        )
        if outlet is not None:
            source = source.where(Article.outlet == outlet)
        if published_from is not None:
            source = source.where(col(Article.published_at) >= published_from)
        if published_to is not None:
            source = source.where(col(Article.published_at) <= published_to)
        query = query.where(exists(source))
    return list(session.exec(query))


def count_quotes(*, session: Session) -> int:
    """How many canonical quotes are stored."""
    return session.exec(select(func.count()).select_from(Quote)).one()


def update_quote(
    *,
    session: Session,
    quote_id: int,
    text: str | Unset = UNSET,
    normalized: str | Unset = UNSET,
    speaker_id: int | Unset | None = UNSET,
    attribution_status: str | Unset = UNSET,
    status_evidence: Any = UNSET,
) -> Quote:
    """Change the given fields of a canonical quote (the index keys are the caller's to update)."""
    quote = _require_quote(session, quote_id)
    if text is not UNSET:
        quote.text = text
    if normalized is not UNSET:
        quote.normalized = normalized
    if speaker_id is not UNSET:
        quote.speaker_id = speaker_id
    if attribution_status is not UNSET:
        quote.attribution_status = attribution_status
    if status_evidence is not UNSET:
        quote.status_evidence = status_evidence
    session.flush()
    return quote


def merge_quotes(*, session: Session, keep_id: int, absorb_id: int) -> Quote:
    """Fold quote `absorb_id` into `keep_id`: appearances and index keys move, absorb is deleted.

    The kept quote's counts are recomputed; its text, speaker and verdict are left for the
    caller to update (update_quote), as are the moved appearances' similarities.
    """
    if keep_id == absorb_id:
        raise ValueError("cannot merge a quote into itself")
    # Lock both rows in id order (PostgreSQL) so two merges touching them cannot deadlock.
    locked = session.exec(
        select(Quote)
        .where(col(Quote.id).in_([keep_id, absorb_id]))
        .order_by(col(Quote.id))
        .with_for_update()
    ).all()
    by_id = {quote.id: quote for quote in locked}
    for quote_id in (keep_id, absorb_id):
        if quote_id not in by_id:
            raise NotFoundError("quote", quote_id)

    session.execute(
        update(Appearance).where(col(Appearance.quote_id) == absorb_id).values(quote_id=keep_id)
    )
    known = select(QuoteKey.key).where(QuoteKey.quote_id == keep_id)
    # A key both quotes hold now counts one quote fewer; the others just change hands.
    shared = select(QuoteKey.key).where(
        QuoteKey.quote_id == absorb_id, col(QuoteKey.key).in_(known)
    )
    session.execute(
        update(KeyFrequency)
        .where(col(KeyFrequency.key).in_(shared))
        .values(quotes=KeyFrequency.quotes - 1)
    )
    moved = select(col(QuoteKey.key), literal(keep_id)).where(
        QuoteKey.quote_id == absorb_id, col(QuoteKey.key).not_in(known)
    )
    session.execute(insert(QuoteKey).from_select(["key", "quote_id"], moved))
    session.execute(delete(QuoteKey).where(col(QuoteKey.quote_id) == absorb_id))
    session.delete(by_id[absorb_id])
    session.flush()
    return _refresh_counts(session, by_id[keep_id])


# --- appearances --------------------------------------------------------------------------------


def add_appearance(
    *,
    session: Session,
    quote_id: int,
    article_id: int,
    start: int,
    end: int,
    text: str,
    kind: AppearanceKind = "direct",
    speaker_id: int | None = None,
    speaker_as_written: str | None = None,
    cue: str | None = None,
    confidence: float = 0.0,
    status: str = "consistent",
    competing_speakers: Iterable[str] = (),
    similarity: float = 1.0,
) -> Appearance:
    """Record an article quoting a canonical quote at [start, end); keeps the quote's counts."""
    if kind not in APPEARANCE_KINDS:
        raise ValueError(f"appearance kind must be one of {APPEARANCE_KINDS}, not {kind!r}")
    quote = _require_quote(session, quote_id)
    published = session.exec(
        select(col(Article.published_at)).where(Article.id == article_id)
    ).one_or_none()
    if published is None and session.get(Article, article_id) is None:
        raise NotFoundError("article", article_id)
    appearance = Appearance(
        quote_id=quote_id,
        article_id=article_id,
        start=start,
        end=end,
        text=text,
        kind=kind,
        speaker_id=speaker_id,
        speaker_as_written=speaker_as_written,
        cue=cue,
        confidence=confidence,
        status=status,
        competing_speakers=list(competing_speakers),
        similarity=similarity,
    )
    session.add(appearance)
    # Incremented in SQL, not in Python, so concurrent writers cannot lose a count.
    quote.appearance_count = Quote.appearance_count + 1
    if published is not None and (quote.first_seen is None or published < quote.first_seen):
        quote.first_seen = published
    session.flush()
    return appearance


def add_appearances(
    *,
    session: Session,
    quote_id: int,
    article_id: int,
    published: date | None,
    appearances: Sequence[dict[str, Any]],
) -> None:
    """Record several spans of one article quoting one quote: one insert, one count update.

    Each dict holds Appearance fields (start, end, text, kind, speaker_id, ...); `published` is
    the article's publication date, which the caller already knows.
    """
    if not appearances:
        return
    for row in appearances:
        if row.get("kind", "direct") not in APPEARANCE_KINDS:
            raise ValueError(f"appearance kind must be one of {APPEARANCE_KINDS}")
    rows = [
        {
            "quote_id": quote_id,
            "article_id": article_id,
            "kind": "direct",
            "speaker_id": None,
            "speaker_as_written": None,
            "cue": None,
            "confidence": 0.0,
            "status": "consistent",
            "similarity": 1.0,
            **row,
            "competing_speakers": list(row.get("competing_speakers", ())),
        }
        for row in appearances
    ]
    session.execute(insert(Appearance), rows)
    # In SQL, not in Python, so concurrent writers cannot lose a count.
    values: dict[str, Any] = {"appearance_count": Quote.appearance_count + len(rows)}
    if published is not None:
        values["first_seen"] = case(
            (col(Quote.first_seen).is_(None), published),
            (col(Quote.first_seen) > published, published),
            else_=col(Quote.first_seen),
        )
    session.execute(
        update(Quote)
        .where(col(Quote.id) == quote_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    quote = session.identity_map.get(session.identity_key(Quote, quote_id))
    if quote is not None:
        session.expire(quote, ["appearance_count", "first_seen"])


def verdict_rows(*, session: Session, quote_ids: Collection[int]) -> list[dict[str, Any]]:
    """What verdicts need of every appearance of these quotes, as plain rows (no article texts).

    Keys: id, quote_id, speaker_id, status, competing_speakers, article_id, article_kind,
    published. Ordered by quote id, then publication date (undated last), then appearance id.
    """
    if not quote_ids:
        return []
    columns: list[Any] = [
        col(Appearance.id),
        col(Appearance.quote_id),
        col(Appearance.speaker_id),
        col(Appearance.status),
        col(Appearance.competing_speakers),
        col(Appearance.article_id),
        col(Article.kind).label("article_kind"),
        col(Article.published_at).label("published"),
    ]
    query = (
        sa_select(*columns)  # SQLModel's select is typed for at most four columns
        .join(Article, col(Article.id) == col(Appearance.article_id))
        .where(col(Appearance.quote_id).in_(sorted(set(quote_ids))))
        .order_by(
            col(Appearance.quote_id),
            col(Article.published_at).is_(None),
            col(Article.published_at),
            col(Appearance.id),
        )
    )
    return [dict(row._mapping) for row in session.connection().execute(query)]


def set_appearance_statuses(*, session: Session, statuses: dict[int, str]) -> None:
    """Store each appearance's verdict (appearance id -> status), one statement per status."""
    by_status: dict[str, list[int]] = {}
    for appearance_id, status in statuses.items():
        by_status.setdefault(status, []).append(appearance_id)
    for status, ids in sorted(by_status.items()):
        session.execute(
            update(Appearance)
            .where(col(Appearance.id).in_(sorted(ids)))
            .values(status=status)
            .execution_options(synchronize_session="evaluate")
        )


def get_appearance(*, session: Session, appearance_id: int) -> Appearance | None:
    """The appearance with this id, or None."""
    return session.get(Appearance, appearance_id)


def list_appearances(
    *, session: Session, quote_id: int | None = None, article_id: int | None = None
) -> list[Appearance]:
    """The appearances of a quote, or in an article (or both filters), in id order."""
    if quote_id is None and article_id is None:
        raise ValueError("list_appearances needs a quote_id or an article_id")
    query = select(Appearance).order_by(col(Appearance.id))
    if quote_id is not None:
        query = query.where(Appearance.quote_id == quote_id)
    if article_id is not None:
        query = query.where(Appearance.article_id == article_id)
    return list(session.exec(query))


def list_appearances_with_articles(
    *, session: Session, quote_ids: Collection[int]
) -> list[tuple[Appearance, Article]]:
    """Every appearance of these quotes with its article, in one query (no N+1).

    Ordered by quote id, then publication date (undated last), then appearance id.
    """
    if not quote_ids:
        return []
    query = (
        select(Appearance, Article)
        .join(Article, col(Article.id) == col(Appearance.article_id))
        .where(col(Appearance.quote_id).in_(set(quote_ids)))
        .order_by(
            col(Appearance.quote_id),
            col(Article.published_at).is_(None),  # same NULL placement on SQLite and PostgreSQL
            col(Article.published_at),
            col(Appearance.id),
        )
    )
    return [(appearance, article) for appearance, article in session.exec(query)]


def update_appearance(
    *,
    session: Session,
    appearance_id: int,
    speaker_id: int | Unset | None = UNSET,
    status: str | Unset = UNSET,
    competing_speakers: Iterable[str] | Unset = UNSET,
    similarity: float | Unset = UNSET,
) -> Appearance:
    """Change the given fields of an appearance (its verdict, credited speaker, similarity)."""
    appearance = session.get(Appearance, appearance_id)
    if appearance is None:
        raise NotFoundError("appearance", appearance_id)
    if speaker_id is not UNSET:
        appearance.speaker_id = speaker_id
    if status is not UNSET:
        appearance.status = status
    if competing_speakers is not UNSET:
        appearance.competing_speakers = list(competing_speakers)
    if similarity is not UNSET:
        appearance.similarity = similarity
    session.flush()
    return appearance


def primary_quote_ids(*, session: Session, quote_ids: Collection[int]) -> set[int]:
    """Those of these quotes that appear in at least one primary source."""
    if not quote_ids:
        return set()
    query = (
        select(Appearance.quote_id)
        .join(Article, col(Article.id) == col(Appearance.article_id))
        .where(col(Appearance.quote_id).in_(set(quote_ids)), Article.kind == "primary")
        .distinct()
    )
    return set(session.exec(query))


def count_appearances(*, session: Session, quote_id: int | None = None) -> int:
    """How many appearances are stored (of one quote, if given)."""
    query = select(func.count()).select_from(Appearance)
    if quote_id is not None:
        query = query.where(Appearance.quote_id == quote_id)
    return session.exec(query).one()


# --- helpers ------------------------------------------------------------------------------------


def _require_quote(session: Session, quote_id: int) -> Quote:
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFoundError("quote", quote_id)
    return quote


def _refresh_counts(session: Session, quote: Quote) -> Quote:
    """Recompute appearance_count and first_seen from the appearances themselves."""
    quote.appearance_count = count_appearances(session=session, quote_id=quote.id)
    quote.first_seen = session.exec(
        select(func.min(Article.published_at))
        .join(Appearance, col(Appearance.article_id) == col(Article.id))
        .where(Appearance.quote_id == quote.id)
    ).one()
    session.flush()
    return quote
