"""Lookup straight to records (the shape of `quotetrail lookup`), reading only what they show.

The API's hot path: one statement reads the candidates with their appearances
(db.lookups.candidates_with_appearances), then service.lookup's ranking (shared with the CLI
and the pages) orders them; plain rows, no ORM objects, no article texts.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from quotetrail.db.lookups import candidates_with_appearances
from quotetrail.service.lookup import ranked_offers


def lookup_records(*, session: Session, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """`{"score", "quote", "appearances"}` for the canonical quotes best matching `text`."""
    found, ranked = ranked_offers(
        session=session,
        text=text,
        limit=limit,
        offers=lambda keys, n, keep: candidates_with_appearances(
            session=session, keys=keys, limit=n, keep=keep
        ),
        candidate_of=lambda offer: offer[0],
    )
    appearances = {candidate.id: rows for candidate, rows in found}
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
            "appearances": [
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
                for row in appearances[quote.id]
            ],
        }
        for quote, score in ranked
    ]
