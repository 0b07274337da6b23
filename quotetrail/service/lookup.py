"""Free-text lookup: which canonical quotes are these words, best first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from quotetrail.db.index import CandidateQuote, SqlQuoteIndex
from quotetrail.db.models import Appearance, Article, Quote
from quotetrail.db.quotes import get_quotes, list_appearances_with_articles
from quotetrail.pipeline.match import Candidate, index_keys, lookup_scores

# Candidates taken from the index per lookup (at least; more when more results are asked for).
# Scoring is pure Python, so this bounds a lookup's cost whatever the size of the database. The
# index ranks by the informativeness of shared keys (db/index.py), so the quote meant is almost
# always first: on the benchmark corpus (benchmarks/RESULTS.md) recall@1 is the same with 16
# candidates as with 50, at two thirds of the cost.
LOOKUP_CANDIDATES = 16
# Of those, the first MIN_SCORED (or as many as the results asked for) are scored, and any
# further one whose index score is near the best's (db.index.CANDIDATE_SCORE_SHARE). Scoring
# twice as many, as before, cost 60% more CPU per lookup and, over 1,000 lookups at 1M quotes
# at limits 5 and 10, changed no confirmed match and no first result: only which weak topical
# neighbours (scores near 0.1) fill the places after them (benchmarks/RESULTS.md).
MIN_SCORED = 5
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class LookupMatch:
    """A canonical quote matching a lookup, its score in [0, 1] and its appearances."""

    score: float
    quote: Quote
    appearances: list[tuple[Appearance, Article]] = field(default_factory=list)


def shortlist_bounds(limit: int) -> tuple[int, int, int]:
    """For a lookup asking for `limit` results: the results it may return (at most MAX_LIMIT),
    the candidates the index returns, and how many of them are scored at least."""
    limit = max(0, min(limit, MAX_LIMIT))
    return limit, max(LOOKUP_CANDIDATES, 2 * limit), max(MIN_SCORED, limit)


def rank(
    text: str, found: Sequence[CandidateQuote], limit: int
) -> list[tuple[CandidateQuote, float]]:
    """The first `limit` of the index's candidates by the matcher's scores, in [0, 1]."""
    by_id = {candidate.id: candidate for candidate in found}
    ranked = lookup_scores(text, [Candidate(c.id, c.text) for c in found])
    return [(by_id[i], score) for i, score in ranked[:limit]]


def ranked_candidates(
    *, session: Session, text: str, limit: int
) -> list[tuple[CandidateQuote, float]]:
    """The canonical quotes best matching `text`, best first, with their scores in [0, 1].

    The one ranking of every lookup (API, CLI, pages): the index's candidates, the shortlist
    worth scoring (shortlist_bounds), the matcher's scores (rank). The API reads the same
    candidates with their appearances (service.lookup_records).
    """
    limit, candidates, keep = shortlist_bounds(limit)
    if limit == 0:
        return []
    found = SqlQuoteIndex(session).candidates(index_keys(text), limit=candidates, keep=keep)
    return rank(text, found, limit)


def lookup(*, session: Session, text: str, limit: int = 10) -> list[LookupMatch]:
    """The canonical quotes best matching `text`, best first, each with its appearances."""
    ranked = ranked_candidates(session=session, text=text, limit=limit)
    ids = [candidate.id for candidate, _ in ranked]
    quotes = {q.id: q for q in get_quotes(session=session, quote_ids=ids)}
    rows = list_appearances_with_articles(session=session, quote_ids=ids)
    appearances: dict[int, list[tuple[Appearance, Article]]] = {i: [] for i in ids}
    for appearance, article in rows:
        appearances[appearance.quote_id].append((appearance, article))
    return [LookupMatch(score, quotes[c.id], appearances[c.id]) for c, score in ranked]
