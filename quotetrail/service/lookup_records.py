"""Lookup straight to records (the shape of `quotetrail lookup`), reading only what they show.

The same ranking as service.lookup.lookup (its candidates, shortlist and scores; a test checks
that both answer alike), for the API's hot path: plain rows instead of ORM
objects, and no article texts loaded, so that a lookup costs a few small queries.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from quotetrail.db.browse import appearance_rows, quote_texts
from quotetrail.db.index import SqlQuoteIndex
from quotetrail.pipeline.match import Candidate, index_keys, lookup_scores
from quotetrail.service.lookup import LOOKUP_CANDIDATES, MAX_LIMIT, MIN_SCORED, shortlist


def lookup_records(*, session: Session, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """`{"score", "quote", "appearances"}` for the canonical quotes best matching `text`."""
    if limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    scored = SqlQuoteIndex(session).scored_candidates(
        index_keys(text), limit=max(LOOKUP_CANDIDATES, 2 * limit)
    )
    ids = shortlist(scored, keep=max(MIN_SCORED, 2 * limit))
    quotes = quote_texts(session=session, quote_ids=ids)
    ranked = lookup_scores(text, [Candidate(i, quotes[i].text) for i in ids if i in quotes])
    ranked = ranked[:limit]
    rows = appearance_rows(session=session, quote_ids=[i for i, _ in ranked])
    by_quote: dict[int, list[dict[str, Any]]] = {i: [] for i, _ in ranked}
    for row in rows:
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
                "competing_speakers": list(row.competing_speakers),
                "similarity": row.similarity,
            }
        )
    matches = []
    for quote_id, score in ranked:
        quote = quotes[quote_id]
        matches.append(
            {
                "score": score,
                "quote": {
                    "id": quote.id,
                    "text": quote.text,
                    "speaker": quote.speaker,
                    "attribution_status": quote.attribution_status,
                    "first_seen": quote.first_seen.isoformat() if quote.first_seen else None,
                },
                "appearances": by_quote[quote_id],
            }
        )
    return matches
