"""Canonical quotes and their appearances in articles."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from quotetrail.db.driver import Driver
from quotetrail.db.errors import UNSET, NotFoundError, Unset
from quotetrail.db.models import (
    APPEARANCE_KINDS,
    Appearance,
    AppearanceKind,
    Article,
    Quote,
)


class QuoteRow(NamedTuple):
    """A canonical quote's stored fields, read as a plain row (ingestion keeps no ORM objects)."""

    id: int
    text: str
    speaker_id: int | None
    attribution_status: str
    status_evidence: Any
    first_seen: date | None
    appearance_count: int


# --- quotes -------------------------------------------------------------------------------------


def create_quote(
    *,
    session: Session,
    text: str,
    normalized: str,
    speaker_id: int | None = None,
    attribution_status: str = "consistent",
    status_evidence: Any = None,
) -> int:
    """Store a new canonical quote (no appearances yet: add_appearances counts them); its id."""
    driver = Driver(session)
    quote_id = driver.value(
        "INSERT INTO quote (text, normalized, speaker_id, attribution_status, status_evidence, "
        "first_seen, appearance_count) VALUES (?, ?, ?, ?, ?, NULL, 0) RETURNING id",
        (text, normalized, speaker_id, attribution_status, _json_or_null(driver, status_evidence)),
    )
    return int(quote_id)


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
) -> None:
    """Change the given fields of a canonical quote (the index keys are the caller's to update)."""
    driver = Driver(session)
    changes: dict[str, Any] = {
        "text": text,
        "normalized": normalized,
        "speaker_id": speaker_id,
        "attribution_status": attribution_status,
    }
    if status_evidence is not UNSET:
        changes["status_evidence"] = _json_or_null(driver, status_evidence)
    changes = {column: value for column, value in changes.items() if value is not UNSET}
    if not changes:
        _require_quotes(driver, [quote_id])
        return
    assignments = ", ".join(f"{column} = ?" for column in changes)
    updated = driver.rows(
        f"UPDATE quote SET {assignments} WHERE id = ? RETURNING id", (*changes.values(), quote_id)
    )
    if not updated:
        raise NotFoundError("quote", quote_id)


def quote_rows(*, session: Session, quote_ids: Collection[int]) -> dict[int, QuoteRow]:
    """The stored fields of these quotes as plain rows, by id (unknown ids are left out)."""
    if not quote_ids:
        return {}
    driver = Driver(session)
    sql = (
        "SELECT id, text, speaker_id, attribution_status, status_evidence, first_seen, "
        "appearance_count FROM quote WHERE id IN (...)"
    )
    found = driver.rows(*driver.in_list(sql, quote_ids))
    return {
        row[0]: QuoteRow(
            id=row[0],
            text=row[1],
            speaker_id=row[2],
            attribution_status=row[3],
            status_evidence=driver.read_json(row[4]),
            first_seen=driver.read_date(row[5]),
            appearance_count=row[6],
        )
        for row in found
    }


def merge_quotes(*, session: Session, keep_id: int, absorb_id: int) -> None:
    """Fold quote `absorb_id` into `keep_id`: appearances and index keys move, absorb is deleted.

    The kept quote's counts are recomputed; its text, speaker and verdict are left for the
    caller to update (update_quote), as are the moved appearances' similarities.
    """
    if keep_id == absorb_id:
        raise ValueError("cannot merge a quote into itself")
    driver = Driver(session)
    # Lock both rows in id order (PostgreSQL) so two merges touching them cannot deadlock.
    _require_quotes(driver, [keep_id, absorb_id], lock=True)
    driver.execute("UPDATE appearance SET quote_id = ? WHERE quote_id = ?", (keep_id, absorb_id))
    held = "SELECT key FROM quote_key WHERE quote_id = ?"
    # A key both quotes hold now counts one quote fewer; the others just change hands.
    driver.execute(
        f"UPDATE key_frequency SET quotes = quotes - 1 WHERE key IN ({held}) AND key IN ({held})",
        (absorb_id, keep_id),
    )
    driver.execute(
        f"INSERT INTO quote_key (key, quote_id) SELECT key, ? FROM quote_key "
        f"WHERE quote_id = ? AND key NOT IN ({held})",
        (keep_id, absorb_id, keep_id),
    )
    driver.execute("DELETE FROM quote_key WHERE quote_id = ?", (absorb_id,))
    driver.execute("DELETE FROM quote WHERE id = ?", (absorb_id,))
    _refresh_counts(driver, keep_id)


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
    driver = Driver(session)
    driver.execute_many(
        'INSERT INTO appearance (quote_id, article_id, "start", "end", text, speaker_id, '
        "speaker_as_written, kind, cue, confidence, status, competing_speakers, similarity) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                quote_id,
                article_id,
                row["start"],
                row["end"],
                row["text"],
                row.get("speaker_id"),
                row.get("speaker_as_written"),
                row.get("kind", "direct"),
                row.get("cue"),
                row.get("confidence", 0.0),
                row.get("status", "consistent"),
                driver.json(list(row.get("competing_speakers", ()))),
                row.get("similarity", 1.0),
            )
            for row in appearances
        ],
    )
    # In SQL, not in Python, so concurrent writers cannot lose a count.
    if published is None:
        driver.execute(
            "UPDATE quote SET appearance_count = appearance_count + ? WHERE id = ?",
            (len(appearances), quote_id),
        )
        return
    driver.execute(
        "UPDATE quote SET appearance_count = appearance_count + ?, first_seen = CASE "
        "WHEN first_seen IS NULL OR first_seen > ? THEN ? ELSE first_seen END WHERE id = ?",
        (len(appearances), driver.date(published), driver.date(published), quote_id),
    )


def verdict_rows(*, session: Session, quote_ids: Collection[int]) -> list[dict[str, Any]]:
    """What verdicts need of every appearance of these quotes, as plain rows (no article texts).

    Keys: id, quote_id, speaker_id, status, competing_speakers, article_id, article_kind,
    published. Ordered by quote id, then publication date (undated last), then appearance id.
    """
    if not quote_ids:
        return []
    driver = Driver(session)
    sql = (
        "SELECT a.id, a.quote_id, a.speaker_id, a.status, a.competing_speakers, a.article_id, "
        "r.kind, r.published_at FROM appearance AS a JOIN article AS r ON r.id = a.article_id "
        "WHERE a.quote_id IN (...) "
        "ORDER BY a.quote_id, r.published_at IS NULL, r.published_at, a.id"
    )
    found = driver.rows(*driver.in_list(sql, quote_ids))
    return [
        {
            "id": row[0],
            "quote_id": row[1],
            "speaker_id": row[2],
            "status": row[3],
            "competing_speakers": driver.read_json(row[4]),
            "article_id": row[5],
            "article_kind": row[6],
            "published": driver.read_date(row[7]),
        }
        for row in found
    ]


def set_verdicts(
    *, session: Session, verdicts: Mapping[int, tuple[int | None, str, list[str]]]
) -> None:
    """Store several quotes' verdicts (quote id -> speaker id, status, evidence) in one
    statement: ingestion decides those of a whole batch's quotes together, and one statement
    per quote was a round trip each on PostgreSQL. The quotes must exist (read in the caller's
    transaction); an unknown id changes nothing."""
    driver = Driver(session)
    driver.execute_many(
        "UPDATE quote SET speaker_id = ?, attribution_status = ?, status_evidence = ? WHERE id = ?",
        [
            (speaker_id, status, _json_or_null(driver, evidence), quote_id)
            for quote_id, (speaker_id, status, evidence) in sorted(verdicts.items())
        ],
    )


def set_appearance_statuses(*, session: Session, statuses: dict[int, str]) -> None:
    """Store each appearance's verdict (appearance id -> status), one statement per status."""
    by_status: dict[str, list[int]] = {}
    for appearance_id, status in statuses.items():
        by_status.setdefault(status, []).append(appearance_id)
    driver = Driver(session)
    for status, ids in sorted(by_status.items()):
        sql, wanted = driver.in_list("UPDATE appearance SET status = ? WHERE id IN (...)", ids)
        driver.execute(sql, (status, *wanted))


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


def appearance_similarities(*, session: Session, quote_id: int) -> list[tuple[int, str, float]]:
    """(id, text, similarity) of every appearance of a quote, in id order."""
    return [
        (row[0], row[1], row[2])
        for row in Driver(session).rows(
            "SELECT id, text, similarity FROM appearance WHERE quote_id = ? ORDER BY id",
            (quote_id,),
        )
    ]


def set_similarities(*, session: Session, similarities: dict[int, float]) -> None:
    """Store each appearance's similarity to its canonical text (appearance id -> score)."""
    Driver(session).execute_many(
        "UPDATE appearance SET similarity = ? WHERE id = ?",
        [(score, appearance_id) for appearance_id, score in sorted(similarities.items())],
    )


def primary_quote_ids(*, session: Session, quote_ids: Collection[int]) -> set[int]:
    """Those of these quotes that appear in at least one primary source."""
    if not quote_ids:
        return set()
    driver = Driver(session)
    sql = (
        "SELECT DISTINCT a.quote_id FROM appearance AS a JOIN article AS r ON r.id = a.article_id "
        "WHERE a.quote_id IN (...) AND r.kind = 'primary'"
    )
    found = driver.rows(*driver.in_list(sql, quote_ids))
    return {row[0] for row in found}


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


def _require_quotes(driver: Driver, quote_ids: list[int], *, lock: bool = False) -> None:
    sql, ordered = driver.in_list("SELECT id FROM quote WHERE id IN (...) ORDER BY id", quote_ids)
    if lock and driver.postgres:
        sql += " FOR UPDATE"
    found = {row[0] for row in driver.rows(sql, ordered)}
    for quote_id in quote_ids:
        if quote_id not in found:
            raise NotFoundError("quote", quote_id)


def _refresh_counts(driver: Driver, quote_id: int) -> None:
    """Recompute appearance_count and first_seen from the appearances themselves."""
    driver.execute(
        "UPDATE quote SET appearance_count = "
        "(SELECT count(*) FROM appearance WHERE quote_id = ?), first_seen = "
        "(SELECT min(r.published_at) FROM appearance AS a JOIN article AS r "
        "ON r.id = a.article_id WHERE a.quote_id = ?) WHERE id = ?",
        (quote_id, quote_id, quote_id),
    )


def _json_or_null(driver: Driver, value: Any) -> Any:
    return None if value is None else driver.json(value)
