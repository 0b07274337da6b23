"""/v1/export: every canonical quote with its appearances, streamed as JSONL, CSV or JSON-LD."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import Session

from quotetrail.api.deps import StateDep, rate_limited
from quotetrail.api.openapi import problems
from quotetrail.db.engine import create_session_factory, session_scope
from quotetrail.db.models import Appearance, Article, Quote, Speaker
from quotetrail.db.quotes import list_appearances_with_articles, list_quotes
from quotetrail.db.speakers import get_speakers
from quotetrail.service.records import CSV_COLUMNS, csv_rows, iter_quote_records

ExportFormat = Literal["jsonl", "csv", "jsonld"]
MEDIA_TYPES: dict[str, str] = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "jsonld": "application/ld+json",
}
JSONLD_BATCH = 200
# Records per chunk written to the client: fewer, larger writes.
CHUNK_RECORDS = 50

router = APIRouter(prefix="/v1", tags=["export"])


def _snapshot(engine: Engine) -> Engine:
    # One consistent snapshot for the whole export, however many batches it reads.
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def _chunks(lines: Iterator[str]) -> Iterator[str]:
    while chunk := "".join(itertools.islice(lines, CHUNK_RECORDS)):
        yield chunk


def _jsonl(session: Session) -> Iterator[str]:
    for record in iter_quote_records(session=session):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def _csv(session: Session) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in iter_quote_records(session=session):
        writer.writerows(csv_rows(record))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def _agent(speaker: Speaker | None) -> dict[str, Any] | None:
    if speaker is None:
        return None
    kind = "Organization" if speaker.kind == "organisation" else "Person"
    agent: dict[str, Any] = {"@type": kind, "name": speaker.name}
    if speaker.role:
        agent["description"] = speaker.role
    return agent


def _claim_review(
    appearance: Appearance,
    article: Article,
    quote: Quote,
    speakers: Mapping[int, Speaker],
    base: str,
) -> dict[str, Any]:
    credited = speakers.get(appearance.speaker_id) if appearance.speaker_id else None
    best = speakers.get(quote.speaker_id) if quote.speaker_id else None
    credited_name = credited.name if credited else appearance.speaker_as_written or "someone"
    body = f"{article.origin} credits these words to {credited_name}"
    body += f"; the evidence supports {best.name}." if best else "."
    return {
        "@type": "ClaimReview",
        "url": f"{base}/v1/quotes/{quote.id}",
        "claimReviewed": f"{credited_name} said: “{appearance.text}”",
        "itemReviewed": {
            "@type": "Claim",
            "author": _agent(credited),
            "appearance": {"@type": "CreativeWork", "url": article.origin},
        },
        "reviewRating": {
            "@type": "Rating",
            "alternateName": appearance.status.capitalize(),
            "ratingExplanation": " ".join(str(e) for e in (quote.status_evidence or [])),
        },
        "reviewBody": body,
        "author": {"@type": "Organization", "name": "Quotetrail"},
    }


def _quotation(
    quote: Quote,
    rows: list[tuple[Appearance, Article]],
    speakers: Mapping[int, Speaker],
    base: str,
) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "Quotation",
        "@id": f"{base}/v1/quotes/{quote.id}",
        "identifier": quote.id,
        "text": quote.text,
        "creator": _agent(speakers.get(quote.speaker_id) if quote.speaker_id else None),
        "dateCreated": quote.first_seen.isoformat() if quote.first_seen else None,
        "additionalProperty": {
            "@type": "PropertyValue",
            "name": "attributionStatus",
            "value": quote.attribution_status,
        },
        "workExample": [
            {
                "@type": "Quotation",
                "text": appearance.text,
                "creator": _agent(
                    speakers.get(appearance.speaker_id) if appearance.speaker_id else None
                ),
                "isPartOf": {
                    "@type": "NewsArticle" if article.kind == "news" else "CreativeWork",
                    "url": article.origin,
                    "headline": article.title,
                    "publisher": {"@type": "Organization", "name": article.outlet}
                    if article.outlet
                    else None,
                    "datePublished": article.published_at.isoformat()
                    if article.published_at
                    else None,
                },
                "position": {"start": appearance.start, "end": appearance.end},
            }
            for appearance, article in rows
        ],
    }
    reviews = [
        _claim_review(appearance, article, quote, speakers, base)
        for appearance, article in rows
        if appearance.status in ("misattributed", "disputed")
    ]
    if reviews:
        node["review"] = reviews
    cleaned: dict[str, Any] = _without_nulls(node)
    return cleaned


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _jsonld(session: Session, base: str) -> Iterator[str]:
    yield '{"@context": "https://schema.org", "@graph": ['
    first = True
    after_id: int | None = None
    while batch := list_quotes(session=session, after_id=after_id, limit=JSONLD_BATCH):
        rows = list_appearances_with_articles(
            session=session, quote_ids=[q.id for q in batch if q.id is not None]
        )
        ids = {q.speaker_id for q in batch} | {a.speaker_id for a, _ in rows}
        speakers = get_speakers(session=session, speaker_ids={i for i in ids if i is not None})
        by_quote: dict[int, list[tuple[Appearance, Article]]] = {}
        for appearance, article in rows:
            by_quote.setdefault(appearance.quote_id, []).append((appearance, article))
        for quote in batch:
            node = _quotation(quote, by_quote.get(quote.id or 0, []), speakers, base)
            yield ("\n" if first else ",\n") + json.dumps(node, ensure_ascii=False)
            first = False
        after_id = batch[-1].id
    yield "\n]}\n"


@router.get(
    "/export",
    summary="Export every canonical quote",
    response_class=StreamingResponse,
    dependencies=[Depends(rate_limited("export"))],
    responses={
        200: {
            "description": "The whole database, streamed.",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/ld+json": {"schema": {"type": "object"}},
            },
        },
        **problems(422, 429, 503),
    },
)
def export(
    request: Request,
    state: StateDep,
    format: Annotated[
        ExportFormat,
        Query(
            description="jsonl: a quote per line with its appearances; csv: a row per "
            "appearance; jsonld: schema.org Quotations with ClaimReview notes on misattributions."
        ),
    ] = "jsonl",
) -> StreamingResponse:
    """Stream every canonical quote in id order, from one consistent snapshot."""
    base = str(request.base_url).rstrip("/")

    def body() -> Iterator[str]:
        with session_scope(create_session_factory(_snapshot(state.engine))) as session:
            if format == "jsonl":
                yield from _chunks(_jsonl(session))
            elif format == "csv":
                yield from _chunks(_csv(session))
            else:
                yield from _chunks(_jsonld(session, base))

    stream = body()
    # The first chunk is read here, so that an unavailable database is a 503, not a cut stream.
    first = next(stream, "")
    extension = {"jsonl": "jsonl", "csv": "csv", "jsonld": "jsonld"}[format]
    return StreamingResponse(
        itertools.chain([first], stream),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="quotetrail.{extension}"'},
    )
