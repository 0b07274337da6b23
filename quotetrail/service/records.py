"""Canonical quotes as plain records: the shape of `export`, `lookup` and their API twins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlmodel import Session

from quotetrail.db.models import Appearance, Article, Quote, Speaker
from quotetrail.db.quotes import list_appearances_with_articles, list_quotes
from quotetrail.db.speakers import get_speakers

EXPORT_BATCH = 500

# The flat columns of the CSV export: the quote's, then the appearance's.
CSV_COLUMNS = (
    "quote_id",
    "quote_text",
    "quote_speaker",
    "attribution_status",
    "first_seen",
    "origin",
    "article_id",
    "start",
    "end",
    "text",
    "speaker",
    "speaker_as_written",
    "kind",
    "status",
    "competing_speakers",
    "similarity",
)


def _name(speakers: Mapping[int, Speaker], speaker_id: int | None) -> str | None:
    speaker = speakers.get(speaker_id) if speaker_id is not None else None
    return speaker.name if speaker is not None else None


def appearance_record(
    appearance: Appearance, article: Article, speakers: Mapping[int, Speaker]
) -> dict[str, Any]:
    """One appearance: where (origin, offsets), the words as written, whom it credits."""
    return {
        "origin": article.origin,
        "article_id": appearance.article_id,
        "start": appearance.start,
        "end": appearance.end,
        "text": appearance.text,
        "speaker": _name(speakers, appearance.speaker_id),
        "speaker_as_written": appearance.speaker_as_written,
        "kind": appearance.kind,
        "status": appearance.status,
        "competing_speakers": list(appearance.competing_speakers),
        "similarity": appearance.similarity,
    }


def quote_record(quote: Quote, speakers: Mapping[int, Speaker]) -> dict[str, Any]:
    """A canonical quote without its appearances."""
    return {
        "id": quote.id,
        "text": quote.text,
        "speaker": _name(speakers, quote.speaker_id),
        "attribution_status": quote.attribution_status,
        "first_seen": quote.first_seen.isoformat() if quote.first_seen else None,
    }


def speakers_of(
    *, session: Session, quotes: Sequence[Quote], appearances: Sequence[Appearance]
) -> dict[int, Speaker]:
    """The speakers credited by these quotes and appearances, in one query."""
    ids = {q.speaker_id for q in quotes} | {a.speaker_id for a in appearances}
    return get_speakers(session=session, speaker_ids={i for i in ids if i is not None})


def quote_records(*, session: Session, quotes: Sequence[Quote]) -> list[dict[str, Any]]:
    """These quotes with their appearances, in three queries whatever their number."""
    ids = [q.id for q in quotes if q.id is not None]
    rows = list_appearances_with_articles(session=session, quote_ids=ids)
    speakers = speakers_of(session=session, quotes=quotes, appearances=[a for a, _ in rows])
    by_quote: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for appearance, article in rows:
        by_quote[appearance.quote_id].append(appearance_record(appearance, article, speakers))
    return [
        {**quote_record(quote, speakers), "appearances": by_quote.get(quote.id or 0, [])}
        for quote in quotes
    ]


def iter_quote_records(
    *, session: Session, batch_size: int = EXPORT_BATCH
) -> Iterator[dict[str, Any]]:
    """Every canonical quote with its appearances, in id order, a batch of quotes at a time."""
    after_id: int | None = None
    while True:
        batch = list_quotes(session=session, after_id=after_id, limit=batch_size)
        if not batch:
            return
        yield from quote_records(session=session, quotes=batch)
        after_id = batch[-1].id


def csv_rows(record: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """A quote record as CSV rows: one per appearance, the quote's columns repeated."""
    quote = {
        "quote_id": record["id"],
        "quote_text": record["text"],
        "quote_speaker": record["speaker"],
        "attribution_status": record["attribution_status"],
        "first_seen": record["first_seen"],
    }
    appearances = record["appearances"] or [{}]
    for appearance in appearances:
        row = {column: None for column in CSV_COLUMNS} | quote
        row.update({k: v for k, v in appearance.items() if k in CSV_COLUMNS})
        if isinstance(row["competing_speakers"], list):
            row["competing_speakers"] = "; ".join(row["competing_speakers"])
        yield row
