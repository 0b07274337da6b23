"""SqlQuoteIndex: candidates ranked by shared keys, read through the key index only."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest
from sqlmodel import Session

from quotetrail.db import index as db_index
from quotetrail.db.driver import Driver
from quotetrail.db.index import SqlQuoteIndex, count_quote_keys, key_frequencies
from quotetrail.db.quotes import create_quote, get_quote, merge_quotes
from quotetrail.pipeline.index import QuoteIndex


def _quotes(session: Session, n: int) -> list[int]:
    return [
        create_quote(session=session, text=f"quote {i}", normalized=f"quote {i}") for i in range(n)
    ]


def test_it_implements_the_pipeline_protocol(session: Session) -> None:
    index: QuoteIndex = SqlQuoteIndex(session)  # checked by mypy, exercised below
    assert index.candidate_ids(["anything"], limit=3) == []


def test_candidates_are_ranked_by_shared_keys(session: Session) -> None:
    a, b, c, d = _quotes(session, 4)
    index = SqlQuoteIndex(session)
    index.add(a, ["k1", "k2", "k3"])
    index.add(b, ["k1", "k2"])
    index.add(c, ["k1"])
    index.add(d, ["k9"])
    session.commit()

    assert index.candidate_ids(["k1", "k2", "k3"], limit=10) == [a, b, c]
    assert index.candidate_ids(["k1", "k2", "k3"], limit=2) == [a, b]
    assert index.candidate_ids(["k1"], limit=10) == [a, b, c]  # ties: lowest id first
    assert index.candidate_ids(["k3", "k3", "k9"], limit=10) == [a, d]  # duplicates count once
    assert index.candidate_ids(["nope"], limit=10) == []
    assert index.candidate_ids([], limit=10) == []
    assert index.candidate_ids(["k1"], limit=0) == []


def test_add_is_idempotent_and_remove_drops_every_posting(session: Session) -> None:
    a, b = _quotes(session, 2)
    index = SqlQuoteIndex(session)
    index.add(a, ["x", "y"])
    index.add(a, ["y", "z"])  # "y" already there: skipped, not an error
    index.add(b, ["x"])
    index.add(b, [])
    assert index.keys_of(a) == {"x", "y", "z"}
    assert count_quote_keys(session=session) == 4

    index.remove(a)
    session.commit()
    assert index.keys_of(a) == set()
    assert index.candidate_ids(["x", "y", "z"], limit=10) == [b]
    index.remove(a)  # nothing left: no error


def test_keys_are_case_and_unicode_exact(session: Session) -> None:
    # The pipeline normalises keys; the index compares them byte for byte.
    (a,) = _quotes(session, 1)
    index = SqlQuoteIndex(session)
    index.add(a, ["erdoğan said", "Aleppo"])
    assert index.candidate_ids(["erdoğan said"], limit=1) == [a]
    assert index.candidate_ids(["aleppo", "erdogan said"], limit=1) == []


def test_deleting_a_quote_cascades_to_its_postings(session: Session) -> None:
    a, b = _quotes(session, 2)
    index = SqlQuoteIndex(session)
    index.add(a, ["x"])
    index.add(b, ["x"])
    session.commit()
    quote = get_quote(session=session, quote_id=a)
    session.delete(quote)
    session.commit()
    assert index.candidate_ids(["x"], limit=10) == [b]


def test_lookups_search_the_key_index_instead_of_scanning(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    (a,) = _quotes(session, 1)
    SqlQuoteIndex(session).add(a, ["x"])
    session.commit()
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's planner rightly scans tables this small; SQLite's plan is fixed
    connection = session.connection()
    captured: list[tuple[str, Any]] = []
    run = Driver.rows

    def capture(driver: Driver, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        captured.append((sql, tuple(parameters)))
        return run(driver, sql, parameters)

    # The index runs its statements on the DBAPI connection (db/driver.py), past SQLAlchemy's
    # events: they are captured where the driver runs them.
    monkeypatch.setattr(Driver, "rows", capture)
    SqlQuoteIndex(session).candidate_ids(["x", "y"], limit=5)
    monkeypatch.undo()

    # One statement: the keys' frequencies, then the postings of the keys worth reading.
    ((statement, parameters),) = captured
    assert "key_frequency" in statement and "JOIN quote_key AS p " in statement
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    plan = " | ".join(str(row[-1]) for row in rows)
    assert "SEARCH key_frequency USING PRIMARY KEY (key=?)" in plan, plan
    assert "SEARCH p USING PRIMARY KEY (key=?)" in plan, plan
    assert "SCAN p" not in plan and "SCAN key_frequency" not in plan, plan


def test_frequencies_follow_adds_removes_and_merges(session: Session) -> None:
    a, b, c = _quotes(session, 3)
    index = SqlQuoteIndex(session)
    index.add(a, ["x", "y"])
    index.add(b, ["x", "z"])
    index.add(a, ["x", "w"])  # "x" already held: not counted twice
    assert key_frequencies(session=session, keys=["x", "y", "z", "w", "v"]) == {
        "x": 2,
        "y": 1,
        "z": 1,
        "w": 1,
    }
    merge_quotes(session=session, keep_id=a, absorb_id=b)  # "x" held by both: one quote now
    assert key_frequencies(session=session, keys=["x", "z"]) == {"x": 1, "z": 1}
    index.add(c, ["x"])
    index.remove(a)
    assert key_frequencies(session=session, keys=["x", "y", "z", "w"]) == {
        "x": 1,
        "y": 0,
        "z": 0,
        "w": 0,
    }
    assert index.candidate_ids(["x", "y", "z", "w"], limit=5) == [c]


def test_rare_keys_outweigh_common_ones(session: Session) -> None:
    ids = _quotes(session, 6)
    index = SqlQuoteIndex(session)
    for quote_id in ids[:5]:
        index.add(quote_id, ["common", "also common"])
    index.add(ids[5], ["rare"])
    # One rare key beats two common ones.
    assert index.candidate_ids(["common", "also common", "rare"], limit=1) == [ids[5]]
    # A key's weight: round(100 * ln(1 + total / quotes)), total the highest quote id.
    (rare,) = index.candidates(["rare"], limit=1)
    assert rare.score == round(100 * math.log1p(max(ids) / 1))
    scores = [c.score for c in index.candidates(["common", "also common"], limit=5)]
    assert scores == [2 * round(100 * math.log1p(max(ids) / 5))] * 5


def test_the_shortlist_keeps_the_first_then_those_near_the_best(session: Session) -> None:
    a, b, c, d, *_ = _quotes(session, 10)  # the others raise the total the weights divide
    index = SqlQuoteIndex(session)
    index.add(a, ["x", "y", "z"])
    index.add(b, ["x", "y"])
    index.add(c, ["x"])
    index.add(d, ["z", "other"])
    every = index.candidates(["x", "y", "z"], limit=10)
    assert [q.id for q in every] == [a, b, d, c]
    floor = every[0].score * db_index.CANDIDATE_SCORE_SHARE
    assert every[1].score >= floor > every[2].score  # b is near the best, d and c are not

    def shortlisted(keep: int) -> list[int]:
        return [q.id for q in index.candidates(["x", "y", "z"], limit=10, keep=keep)]

    assert shortlisted(1) == [a, b]
    assert shortlisted(3) == [a, b, d]  # the first `keep` whatever their score
    assert index.candidates(["x", "y", "z"], limit=10, keep=4) == every
    assert index.candidates(["x", "y", "z"], limit=2, keep=4) == every[:2]


def test_sqlite_without_materialized_ctes_ranks_the_same(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite before 3.35 does not read MATERIALIZED: the statement without it must agree.
    if Driver(session).postgres:
        pytest.skip("PostgreSQL always reads MATERIALIZED")
    ids = _quotes(session, 6)
    index = SqlQuoteIndex(session)
    for n, quote_id in enumerate(ids):
        index.add(quote_id, ["common", f"k{n % 3}", "rare" if n == 4 else "other"])
    keys = ["common", "k0", "k1", "rare", "other"]
    expected = index.candidates(keys, limit=6)
    assert len(expected) == 6 and expected[0].id == ids[4]
    monkeypatch.setattr(db_index, "_MATERIALIZED_SQLITE", "")
    assert index.candidates(keys, limit=6) == expected


def test_keys_beyond_the_postings_budget_are_not_read(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _quotes(session, 5)
    index = SqlQuoteIndex(session)
    for quote_id in ids[:4]:
        index.add(quote_id, ["common"])
    index.add(ids[4], ["rare", "common"])
    monkeypatch.setattr(db_index, "POSTINGS_BUDGET", 3)
    monkeypatch.setattr(db_index, "SECOND_KEY_BUDGET", 3)
    # "rare" (1 posting) is read; "common" (5) would exceed the budget of 3.
    assert index.candidate_ids(["common", "rare"], limit=5) == [ids[4]]
    # The rarest key is always read, even alone beyond the budget.
    assert index.candidate_ids(["common"], limit=2) == ids[:2]


def test_a_second_key_beyond_the_budget_breaks_the_rarest_keys_ties(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = SqlQuoteIndex(session)
    # Three quotes share the rarest key; the last of them (the highest id) also holds "second",
    # whose postings take the two keys beyond the budget.
    held = _held(index, session, {"rare": 3, "second": 4})
    wanted = held["rare"][-1]
    index.add(wanted, ["second"])
    monkeypatch.setattr(db_index, "POSTINGS_BUDGET", 3)
    monkeypatch.setattr(db_index, "SECOND_KEY_BUDGET", 8)
    assert index.candidate_ids(["rare", "second"], limit=2) == [wanted, held["rare"][0]]
    # Beyond the second key's budget too (3 + 5 postings), the rarest key alone: ties by id.
    monkeypatch.setattr(db_index, "SECOND_KEY_BUDGET", 7)
    assert index.candidate_ids(["rare", "second"], limit=2) == held["rare"][:2]
    # A caller reading one key reads no second one.
    monkeypatch.setattr(db_index, "SECOND_KEY_BUDGET", 8)
    found = index.candidates(["rare", "second"], limit=2, max_keys=1)
    assert [c.id for c in found] == held["rare"][:2]


def _held(
    index: SqlQuoteIndex, session: Session, frequencies: dict[str, int]
) -> dict[str, list[int]]:
    """Quotes holding each key, as many as its frequency says: the holders by key."""
    holders = {key: _quotes(session, count) for key, count in frequencies.items()}
    for key, ids in holders.items():
        for quote_id in ids:
            index.add(quote_id, [key])
    return holders


def test_the_rarest_keys_within_the_budget_are_read(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = SqlQuoteIndex(session)
    held = _held(index, session, {"a": 5, "b": 1, "c": 2, "e": 9})
    (gone,) = _quotes(session, 1)
    index.add(gone, ["d"])
    index.remove(gone)  # "d" is held by no quote now: nothing to read, no budget spent
    monkeypatch.setattr(db_index, "POSTINGS_BUDGET", 10)
    # b (1 posting), c (2), a (5): 8 within the budget; e (9 more) is left out.
    found = index.candidate_ids(["a", "b", "c", "d", "e"], limit=50)
    assert found == held["b"] + held["c"] + held["a"]
    assert index.candidate_ids(["d"], limit=50) == []


def test_at_most_max_keys_of_the_rarest_are_read(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = SqlQuoteIndex(session)
    held = _held(index, session, {"a": 5, "b": 1, "c": 2, "d": 3})
    monkeypatch.setattr(db_index, "MAX_KEYS", 2)
    assert index.candidate_ids(["a", "b", "c", "d"], limit=50) == held["b"] + held["c"]
    monkeypatch.setattr(db_index, "MAX_KEYS", 10)
    found = index.candidate_ids(["a", "b", "c", "d"], limit=50)
    assert found == held["b"] + held["c"] + held["d"] + held["a"]
    monkeypatch.setattr(db_index, "POSTINGS_BUDGET", 3)
    assert index.candidate_ids(["a", "b", "c", "d"], limit=50) == held["b"] + held["c"]


def test_a_caller_may_read_fewer_of_the_rarest_keys(session: Session) -> None:
    index = SqlQuoteIndex(session)
    held = _held(index, session, {"a": 5, "b": 1, "c": 2, "d": 3})
    keys = ["a", "b", "c", "d"]
    fewer = index.candidates(keys, limit=50, max_keys=2)
    assert [c.id for c in fewer] == held["b"] + held["c"]
    assert index.candidate_ids(keys, limit=50) == held["b"] + held["c"] + held["d"] + held["a"]


def test_equally_rare_keys_are_taken_in_character_order(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = SqlQuoteIndex(session)
    held = _held(index, session, {"été": 1, "fête": 1})
    monkeypatch.setattr(db_index, "MAX_KEYS", 1)
    # "f" (U+0066) before "é" (U+00E9), whatever the database's collation would say.
    assert index.candidate_ids(["été", "fête"], limit=5) == held["fête"]
