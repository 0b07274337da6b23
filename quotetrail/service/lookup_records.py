"""Lookup straight to records (the shape of `quotetrail lookup`), reading only what they show.

The API's hot path: service.lookup's ranking (ranked_candidates, shared with the CLI and the
pages), whose candidate rows already carry what an answer shows of each quote, then one read of
the returned quotes' appearances; plain rows, no ORM objects, no article texts.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from quotetrail.db.lookups import lookup_appearances
from quotetrail.service.lookup import ranked_candidates


def lookup_records(*, session: Session, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """`{"score", "quote", "appearances"}` for the canonical quotes best matching `text`."""
    ranked = ranked_candidates(session=session, text=text, limit=limit)
    by_quote: dict[int, list[dict[str, Any]]] = {quote.id: [] for quote, _ in ranked}
    for row in lookup_appearances(session=session, quote_ids=list(by_quote)):
        by_quote[row.quote_id].append(
            {
                "origin": row.origin,
                "article_id": row.article_id,
                "start": row.start,
                "end": row.end,
                "text": row.text,
                "speaker": row.speaker,
                "speaker_as_written": row.speaker_as_written,
                "kind": row.kind,
                "status": row.status,
                "competing_speakers": row.competing_speakers,
                "similarity": row.similarity,
            }
        )
    return [
        {
            "score": score,
            "quote": {
                "id": quote.id,
                "text": quote.text,
                "speaker": quote.speaker,
                "attribution_status": quote.attribution_status,
                "first_seen": quote.first_seen.isoformat() if quote.first_seen else None,
            },
            "appearances": by_quote[quote.id],
        }
        for quote, score in ranked
    ]
