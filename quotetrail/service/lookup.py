"""Free-text lookup: which canonical quotes are these words, best first."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from quotetrail.db.index import SqlQuoteIndex
from quotetrail.db.models import Appearance, Article, Quote
from quotetrail.db.quotes import get_quotes, list_appearances_with_articles
from quotetrail.pipeline.match import Candidate, index_keys, lookup_scores

# Candidates scored per lookup (at least; more when more results are asked for). Scoring is
# pure Python, so this bounds a lookup's cost whatever the size of the database.
LOOKUP_CANDIDATES = 50
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class LookupMatch:
    """A canonical quote matching a lookup, its score in [0, 1] and its appearances."""

    score: float
    quote: Quote
    appearances: list[tuple[Appearance, Article]] = field(default_factory=list)


def lookup(*, session: Session, text: str, limit: int = 10) -> list[LookupMatch]:
    """The canonical quotes best matching `text`, best first, each with its appearances."""
    if limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    keys = index_keys(text)
    ids = SqlQuoteIndex(session).candidate_ids(keys, limit=max(LOOKUP_CANDIDATES, 2 * limit))
    quotes = {q.id: q for q in get_quotes(session=session, quote_ids=ids)}
    ranked = lookup_scores(text, [Candidate(i, q.text) for i, q in quotes.items() if i is not None])
    ranked = ranked[:limit]
    rows = list_appearances_with_articles(session=session, quote_ids=[i for i, _ in ranked])
    found: dict[int, list[tuple[Appearance, Article]]] = {i: [] for i, _ in ranked}
    for appearance, article in rows:
        found[appearance.quote_id].append((appearance, article))
    return [LookupMatch(score, quotes[i], found[i]) for i, score in ranked]
