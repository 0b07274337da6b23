"""Lookup straight to records (the shape of `quotetrail lookup`), reading only what they show.

The API's hot path: one statement reads the candidates with their appearances
(db.lookups.candidates_with_appearances), then service.lookup's ranking (shared with the CLI
and the pages) orders them; plain rows, no ORM objects, no article texts.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from quotetrail.db.index import CandidateQuote
from quotetrail.db.lookups import AppearanceRow, candidates_with_appearances
from quotetrail.pipeline.match import index_keys
from quotetrail.service.lookup import (
    TIE_POOL,
    known_respellings,
    needs_untying,
    rank,
    settled,
    shortlist_bounds,
    untie,
)


def lookup_records(*, session: Session, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """`{"score", "quote", "appearances"}` for the canonical quotes best matching `text`."""
    limit, candidates, keep = shortlist_bounds(limit)
    if limit == 0:
        return []
    # As service.lookup.ranked_candidates does, with the candidates' appearances read at once.
    keys = index_keys(text)
    found = _offered(session, text, keys, candidates, keep)
    ranked = rank(text, [candidate for candidate, _ in found], limit)
    if not settled(ranked) and (respelt := known_respellings(session=session, text=text)):
        seen = {candidate.id for candidate, _ in found}
        more = _offered(session, text, respelt, candidates, keep)
        found += [(candidate, rows) for candidate, rows in more if candidate.id not in seen]
        ranked = rank(text, [candidate for candidate, _ in found], limit)
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


def _offered(
    session: Session, text: str, keys: frozenset[str], candidates: int, keep: int
) -> list[tuple[CandidateQuote, list[AppearanceRow]]]:
    found = candidates_with_appearances(session=session, keys=keys, limit=candidates, keep=keep)
    if needs_untying([candidate for candidate, _ in found], candidates):
        pool = candidates_with_appearances(
            session=session, keys=keys, limit=TIE_POOL, keep=TIE_POOL
        )
        chosen = {c.id for c in untie(text, [candidate for candidate, _ in pool], candidates)}
        found = [(candidate, rows) for candidate, rows in pool if candidate.id in chosen]
    return found
