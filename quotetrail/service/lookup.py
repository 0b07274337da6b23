"""Free-text lookup: which canonical quotes are these words, best first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process
from sqlmodel import Session

from quotetrail.db.index import CandidateQuote, SqlQuoteIndex, key_frequencies
from quotetrail.db.models import Appearance, Article, Quote
from quotetrail.db.quotes import get_quotes, list_appearances_with_articles
from quotetrail.pipeline.match import (
    LOOKUP_UNCONFIRMED_CAP,
    Candidate,
    index_keys,
    lookup_scores,
    respellable_words,
    respelling_probes,
    respelt_keys,
)

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
# When the index's candidates all share one score (one key read, held by more quotes than the
# candidates taken: a misspelt rare word, a cut to common words), the index cannot rank them and
# they are simply the lowest ids. Up to TIE_POOL quotes on that score are read instead, and the
# candidates are the ones whose texts are closest in characters (untie). At 1M quotes, over
# 5,000 perturbed lookups of five seeds, 18 tied on SQLite and 21 on PostgreSQL; recall@1 went
# 0.9956 -> 0.9976 on SQLite (22 -> 12 misses) and 0.9958 -> 0.9984 on PostgreSQL (21 -> 8; a
# pool of 100: 11, of 400: 8). Those lookups cost more: on PostgreSQL their median took 13-23
# ms against 3-7 (the pool's statement with its appearances about 8 ms of it). Being 0.4% of
# lookups, they did not move the p95 (4.13 and 5.56 ms before, 5.01 and 5.38 after, in turn).
TIE_POOL = 200
# When the first result is not settled (no candidate scores as a confirmed version of the text
# does), a misspelt word may have hidden the quote ("goverment" shares no key with "government").
# The text's words whose keys the index holds least often are respelt, one edit each
# (pipeline.match.respelling_probes), and the candidates for the spellings it holds are scored
# too. A misspelling's keys are rare but not always absent: other articles print the same typo.
# At most this many words: each costs about a thousand keys to look up.
RESPELL_MAX_WORDS = 2
# Only words the index holds in at most this many quotes are respelt: a typo is rare (at 1M
# quotes, the misspelt words of the benchmark's missed lookups were held by 0 to 7), while most
# words of a text that is simply not stored (most sentences a fact-checking tool sends) are
# not, and respelling them would make such lookups cost two to four times as much.
RESPELL_MAX_HELD = 10
# Texts with more words that may hide a typo are not respelt: their other words find their quote
# if it is stored, and the keys of all their words (looked up to find the rarest) would be
# thousands (the CLI takes texts of any length).
RESPELL_MAX_TEXT_WORDS = 64

# What a lookup reads per candidate: the candidate alone, or with its appearances.
Offer = TypeVar("Offer")


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


def needs_untying(found: Sequence[CandidateQuote], candidates: int) -> bool:
    """Whether the index could not rank its candidates and a larger pool could hold others:
    as many as asked for (fewer than TIE_POOL), all on one score."""
    full = 0 < candidates < TIE_POOL and len(found) == candidates
    return full and found[0].score == found[-1].score


def untie(text: str, pool: Sequence[CandidateQuote], candidates: int) -> list[CandidateQuote]:
    """Of `pool`'s quotes on its best score, the `candidates` whose texts hold the run of
    characters closest to `text` (rapidfuzz's partial ratio), in `pool`'s order."""
    tied = [c for c in pool if c.score == pool[0].score] if pool else []
    query = default_process(text)
    closeness = [-fuzz.partial_ratio(query, default_process(c.text)) for c in tied]
    closest = sorted(range(len(tied)), key=closeness.__getitem__)[:candidates]  # stable
    chosen = {tied[i].id for i in closest}
    return [c for c in tied if c.id in chosen]


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
    """The canonical quotes best matching `text`, best first, with their scores in [0, 1]
    (ranked_offers over the index's candidates)."""
    index = SqlQuoteIndex(session)
    _, ranked = ranked_offers(
        session=session,
        text=text,
        limit=limit,
        offers=lambda keys, n, keep: index.candidates(keys, limit=n, keep=keep),
        candidate_of=lambda candidate: candidate,
    )
    return ranked


def ranked_offers(
    *,
    session: Session,
    text: str,
    limit: int,
    offers: Callable[[frozenset[str], int, int], list[Offer]],
    candidate_of: Callable[[Offer], CandidateQuote],
) -> tuple[list[Offer], list[tuple[CandidateQuote, float]]]:
    """The one ranking of every lookup (API, CLI, pages): the offers read, and the canonical
    quotes best matching `text` among them, best first, with their scores in [0, 1].

    `offers(keys, limit, keep)` reads the index's candidates for `keys` (SqlQuoteIndex.candidates,
    or with their appearances: service.lookup_records), `candidate_of` finds the candidate in an
    offer. The shortlist worth scoring (shortlist_bounds), untied by characters when the index
    could not rank it (TIE_POOL), the matcher's scores (rank), and when that does not settle
    it, the candidates for the text respelt as well (RESPELL_MAX_WORDS).
    """
    limit, candidates, keep = shortlist_bounds(limit)
    if limit == 0:
        return [], []
    keys = index_keys(text)
    found = _untied(text, keys, candidates, keep, offers, candidate_of)
    ranked = rank(text, [candidate_of(offer) for offer in found], limit)
    if not settled(ranked) and (respelt := known_respellings(session=session, text=text)):
        seen = {candidate_of(offer).id for offer in found}
        more = _untied(text, respelt, candidates, keep, offers, candidate_of)
        found += [offer for offer in more if candidate_of(offer).id not in seen]
        ranked = rank(text, [candidate_of(offer) for offer in found], limit)
    return found, ranked


def _untied(
    text: str,
    keys: frozenset[str],
    candidates: int,
    keep: int,
    offers: Callable[[frozenset[str], int, int], list[Offer]],
    candidate_of: Callable[[Offer], CandidateQuote],
) -> list[Offer]:
    found = offers(keys, candidates, keep)
    if needs_untying([candidate_of(offer) for offer in found], candidates):
        pool = offers(keys, TIE_POOL, TIE_POOL)
        chosen = {c.id for c in untie(text, [candidate_of(offer) for offer in pool], candidates)}
        found = [offer for offer in pool if candidate_of(offer).id in chosen]
    return found


def settled(ranked: Sequence[tuple[CandidateQuote, float]]) -> bool:
    """Whether the first result scores above LOOKUP_UNCONFIRMED_CAP: only a version of the text
    the matcher confirmed does (though some confirmed rewordings score less)."""
    return bool(ranked) and ranked[0][1] > LOOKUP_UNCONFIRMED_CAP


def known_respellings(*, session: Session, text: str) -> frozenset[str]:
    """The keys the index holds of `text` with a word respelt: of its words that may hide a
    typo and that no key of is held by more than RESPELL_MAX_HELD quotes, the RESPELL_MAX_WORDS
    whose keys it holds least often (first in the text on a tie). No keys for a text with more
    than RESPELL_MAX_TEXT_WORDS such words."""
    words = respellable_words(text)
    if not words or len(words) > RESPELL_MAX_TEXT_WORDS:
        return frozenset()
    held = key_frequencies(session=session, keys=set().union(*words.values()))
    rarity = {word: max(held.get(key, 0) for key in keys) for word, keys in words.items()}
    rare = [word for word in words if rarity[word] <= RESPELL_MAX_HELD]
    rarest = sorted(rare, key=rarity.__getitem__)[:RESPELL_MAX_WORDS]
    if not rarest:
        return frozenset()
    probes = respelling_probes(text, rarest)
    found = key_frequencies(session=session, keys=probes)
    return respelt_keys(text, [probes[key] for key, quotes in found.items() if quotes > 0])


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
