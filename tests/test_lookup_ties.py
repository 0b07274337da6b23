"""Lookups whose index candidates all tie: the quotes closest in characters are scored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from quotetrail.db.engine import create_session_factory, session_scope
from quotetrail.db.index import CandidateQuote, SqlQuoteIndex
from quotetrail.pipeline.match import index_keys
from quotetrail.service import lookup as lookup_module
from quotetrail.service.lookup import (
    LOOKUP_CANDIDATES,
    TIE_POOL,
    lookup,
    needs_untying,
    untie,
)
from quotetrail.service.lookup_records import lookup_records

# One sentence, one word apart: every quote holds the same shared keys, and the word that tells
# them apart is the one the lookup misspells, so the index scores them all alike.
PLACES = [
    "bridge", "railway", "school", "hospital", "museum", "stadium", "library", "airport",
    "tunnel", "market", "factory", "garden", "theatre", "prison", "canal", "highway",
    "castle", "chapel", "college",
]  # fmt: skip
WANTED = "We will never approve the harbour plan"
QUERY = "We will never approve the harbor plan"


@pytest.fixture
def tied(store_quotes: Callable[[list[str]], list[int]]) -> int:
    """More look-alike quotes than a lookup's candidates, the one meant stored last."""
    assert len(PLACES) >= LOOKUP_CANDIDATES
    return store_quotes([f"We will never approve the {p} plan" for p in PLACES] + [WANTED])[-1]


def test_the_index_alone_ties_them_and_leaves_the_last_out(engine: Engine, tied: int) -> None:
    with session_scope(create_session_factory(engine)) as session:
        found = SqlQuoteIndex(session).candidates(
            index_keys(QUERY), limit=LOOKUP_CANDIDATES, keep=5
        )
    assert needs_untying(found, LOOKUP_CANDIDATES)
    assert tied not in {c.id for c in found}


@pytest.mark.parametrize("path", ["cli", "api"])
def test_a_lookup_unties_them_by_characters(engine: Engine, tied: int, path: str) -> None:
    with session_scope(create_session_factory(engine)) as session:
        if path == "cli":
            first = lookup(session=session, text=QUERY, limit=5)[0].quote.id
        else:
            first = lookup_records(session=session, text=QUERY, limit=5)[0]["quote"]["id"]
    assert first == tied


def test_without_untying_the_quote_meant_is_not_found(
    engine: Engine, tied: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the lookup did before: the lowest ids among the tied quotes. Respelling the lookup
    # would find the quote too ("harbor" is one edit from "harbour"): it is off here.
    monkeypatch.setattr(lookup_module, "needs_untying", lambda found, candidates: False)
    monkeypatch.setattr(lookup_module, "respelling_probes", lambda text, words: {})
    with session_scope(create_session_factory(engine)) as session:
        assert tied not in [m.quote.id for m in lookup(session=session, text=QUERY, limit=5)]


def _candidate(quote_id: int, score: int, text: str) -> CandidateQuote:
    return CandidateQuote(quote_id, score, text, "unattributed", None, None)


def test_untie_takes_the_closest_on_the_best_score_in_the_pools_order() -> None:
    pool = [
        _candidate(1, 90, "A plan for the harbour"),
        _candidate(2, 90, "The harbour plan is dead"),
        _candidate(3, 90, "The harbour plan"),
        _candidate(4, 40, "The harbour plan, exactly"),  # closest, but not on the best score
    ]
    assert [c.id for c in untie("harbour plan", pool, 2)] == [2, 3]
    assert [c.id for c in untie("harbour plan", pool, 5)] == [1, 2, 3]
    assert untie("anything", [], 2) == []


def test_only_a_full_tie_below_the_pool_size_needs_untying() -> None:
    same = [_candidate(n, 90, f"quote {n}") for n in range(3)]
    assert needs_untying(same, 3)
    assert not needs_untying(same, 4)  # fewer than asked: every quote on the score is there
    assert not needs_untying([*same[:2], _candidate(9, 40, "other")], 3)
    assert not needs_untying([], 0)
    many = [_candidate(n, 90, f"quote {n}") for n in range(TIE_POOL)]
    assert not needs_untying(many, TIE_POOL)  # the pool would hold no other quote
