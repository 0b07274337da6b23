"""The candidate index of canonical quotes (pipeline.index.QuoteIndex) over the quote_key table.

A lookup is one statement: it reads the document frequency of its keys (key_frequency), keeps
the rarest, reads their postings only, through the (key, quote_id) primary key, and ranks
quotes by the summed informativeness (inverse document frequency) of the keys they share: the
same SQL on SQLite and PostgreSQL. Reading at most about POSTINGS_BUDGET postings keeps a
lookup's cost bounded however large the database grows: a key in a hundred thousand quotes
("minister") would cost a hundred thousand rows and tell almost nothing, while the rare word
pairs of a quotation find it alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from quotetrail.db.driver import Driver
from quotetrail.db.models import QuoteKey

# Any constant works; it only has to be the same for every Quotetrail process.
_PG_MATCHING_LOCK = 0x51_54_4D_54  # "QTMT"

# Postings read per lookup, at most (beyond the rarest key's, which is always read). The keys
# are taken rarest first; once the next key would exceed the budget, it and every more common
# key are left out. Word-pair keys are almost always rare enough; common single words are what
# the budget drops.
POSTINGS_BUDGET = 1000
# The second-rarest key is read too when the two keys' postings together stay within this, even
# beyond POSTINGS_BUDGET. With the rarest key alone, every quote holding it scores the same and
# ties break by id: a text whose other rare words are misspelt or cut away then finds its quote
# only if that quote's id happens to be low among them. On the benchmark corpus at 1M quotes
# (5,000 perturbed lookups of five query seeds), 19 lookups have their two rarest keys past
# POSTINGS_BUDGET and 14 of those read the second now; of the 19, 14 rank their quote first
# instead of 10: recall@1 0.9948 -> 0.9956 on SQLite, 0.9958 on PostgreSQL. The 19 took about
# 1.5 ms more on PostgreSQL (median 1.6-3.0 -> 3.8-4.1 ms); the others read the same keys.
# Ingestion stored the same rows (1,000 articles into copies of the 10k and 1M databases): a
# printed quotation's two rarest keys are almost always within POSTINGS_BUDGET (none of 2,185
# utterances at 1M read a second key beyond it).
SECOND_KEY_BUDGET = 5000
# Keys read per lookup, at most, the rarest first: the candidate statement's cost grows with
# their number, and a quotation's 16 rarest keys find it. On the benchmark corpus
# (benchmarks/RESULTS.md) recall@1 is the same as with every key within the budget (0.999 at
# 100k and 1M), and lookups at 1M are faster (p95 4.9 -> 2.8 ms on SQLite, 5.2 -> 4.3 ms on
# PostgreSQL). Ingestion reads fewer (service.ingest.MATCH_KEYS): a printed quotation keeps
# more of its quote's words than a pasted lookup does.
MAX_KEYS = 16
# A key's weight is round(WEIGHT_SCALE * ln(1 + total / quotes)), its inverse document frequency
# (total: the highest quote id, an upper bound of the number of quotes, read from the end of the
# primary key: counting rows would read them all). Whole numbers, so that equal sums are
# exactly equal and ties break by id. SQLite's ln() is one of its math functions; db/engine.py
# provides it where SQLite was built without them.
WEIGHT_SCALE = 100
# The chosen keys' weights are computed once each (a MATERIALIZED CTE), not again for every
# posting joined to them. Candidate statements at 1M quotes, each run both ways in turn, the same
# rows every time: on SQLite 0.85 -> 0.60 ms on a reading connection, 0.94 -> 0.83 ms in the
# writer's transaction; on PostgreSQL 1.08 -> 0.99 ms. SQLite reads the keyword from 3.35 on
# (older versions get the same results, slower); PostgreSQL from 12 (the lookup cache's change
# marker needs 13 anyway).
_MATERIALIZED_SQLITE = "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""
# The shortlist of candidates worth scoring (`candidates(..., keep=)`): beyond the first `keep`,
# those whose score is at least this share of the best one's. The others share only a few keys
# with the text where the best shares many, so they cannot rank first, and analysing their
# texts is most of the cost of scoring. Their rows are not read either: a lookup's candidate
# statement at 1M quotes, shortlisting about 5 of 16, took 1.61 -> 1.43 ms on PostgreSQL and
# 0.63 -> 0.53 ms on SQLite (both ways in turn, 800 lookups).
CANDIDATE_SCORE_SHARE = 0.5


def lock_for_matching(*, session: Session) -> None:
    """Serialise match-then-create among writers until the transaction ends.

    Two ingestions matching the same new quotation at once would each find no canonical quote
    and each create one. On PostgreSQL a transaction-level advisory lock queues them; on SQLite
    write sessions (create_session_factory(write=True)) already hold the database's write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MATCHING_LOCK})


@dataclass(frozen=True, slots=True)
class CandidateQuote:
    """A canonical quote the index offers, with the fields lookups and ingestion read of it."""

    id: int
    score: int  # summed weights of the keys it shares with the lookup (key_weight)
    text: str
    attribution_status: str
    first_seen: date | None
    speaker: str | None  # the best-supported speaker's name


class SqlQuoteIndex:
    """QuoteIndex stored in the database; writes join the session's transaction.

    Its statements run on the driver (db/driver.py): they run for every lookup and every
    quotation ingested, and through SQLAlchemy they cost more than the database's work.
    """

    def __init__(self, session: Session) -> None:
        self.driver = Driver(session)

    def candidate_ids(self, keys: Collection[str], *, limit: int) -> list[int]:
        """Ids of canonical quotes sharing the most informative keys with `keys`, best first.

        Ranked by the summed weights of the shared keys (key_weight), ties by id.
        """
        return [candidate.id for candidate in self.candidates(keys, limit=limit)]

    def candidates(
        self,
        keys: Collection[str],
        *,
        limit: int,
        keep: int | None = None,
        max_keys: int | None = None,
    ) -> list[CandidateQuote]:
        """The `limit` quotes sharing the most informative keys with `keys`, best first, with
        their stored fields and speaker names: the one statement of lookups and ingestion
        (candidate_statement).

        With `keep`, only the shortlist of them worth scoring: the first `keep`, then any whose
        score is at least CANDIDATE_SCORE_SHARE of the best one's. `max_keys`: of `keys`, the
        rarest read at most (default MAX_KEYS).
        """
        statement = candidate_statement(
            self.driver, keys, limit=limit, keep=keep, max_keys=max_keys
        )
        if statement is None:
            return []
        sql, parameters = statement
        rows = self.driver.rows(f"{sql} ORDER BY k.score DESC, k.quote_id", parameters)
        return [candidate_from_row(self.driver, row) for row in rows]

    def add(self, quote_id: int, keys: Collection[str]) -> None:
        """Index a canonical quote under `keys` (keys it already has are skipped)."""
        wanted = sorted(set(keys))
        if not wanted:
            return
        # One statement: keys the quote already has are skipped by the primary key, and only
        # the postings actually added come back to be counted.
        values = ", ".join(["(?, ?)"] * len(wanted))
        added = self.driver.rows(
            f"INSERT INTO quote_key (key, quote_id) VALUES {values} "
            "ON CONFLICT (key, quote_id) DO NOTHING RETURNING key",
            [value for key in wanted for value in (key, quote_id)],
        )
        self._count(sorted(row[0] for row in added), change=1)

    def add_new(self, quote_id: int, keys: Collection[str]) -> None:
        """Index a quote under keys it does not have yet (a new quote: no query needed)."""
        ordered = sorted(set(keys))
        self.driver.execute_many(
            "INSERT INTO quote_key (key, quote_id) VALUES (?, ?)",
            [(key, quote_id) for key in ordered],
        )
        self._count(ordered, change=1)

    def remove(self, quote_id: int) -> None:
        """Drop every posting of a canonical quote."""
        self.driver.execute(
            "UPDATE key_frequency SET quotes = quotes - 1 "
            "WHERE key IN (SELECT key FROM quote_key WHERE quote_id = ?)",
            (quote_id,),
        )
        self.driver.execute("DELETE FROM quote_key WHERE quote_id = ?", (quote_id,))

    def keys_of(self, quote_id: int) -> set[str]:
        """The keys a canonical quote is indexed under."""
        rows = self.driver.rows("SELECT key FROM quote_key WHERE quote_id = ?", (quote_id,))
        return {row[0] for row in rows}

    def _count(self, keys: Sequence[str], *, change: int) -> None:
        """Add `change` to the document frequency of each key (created at `change` if new)."""
        self.driver.execute_many(
            "INSERT INTO key_frequency (key, quotes) VALUES (?, ?) ON CONFLICT (key) "
            "DO UPDATE SET quotes = key_frequency.quotes + excluded.quotes",
            [(key, change) for key in keys],
        )


def candidate_statement(
    driver: Driver,
    keys: Collection[str],
    *,
    limit: int,
    keep: int | None = None,
    max_keys: int | None = None,
) -> tuple[str, list[str]] | None:
    """The candidate statement for `keys` (None when it cannot find anything), unordered.

    Its rows: quote_id, score, text, attribution_status, first_seen and name (the speaker's),
    one per candidate (candidate_from_row); callers order them by score descending, then
    quote_id. db.lookups joins the candidates' appearances to it.

    The statement chooses the keys worth reading from their frequencies itself (the rarest
    first, within POSTINGS_BUDGET postings and `max_keys` keys, default MAX_KEYS; the rarest
    always, the second within SECOND_KEY_BUDGET) and weighs them (key weights, above), so a
    lookup costs one statement, not two: one round trip less on PostgreSQL for every lookup and
    every quotation ingested.
    """
    wanted = sorted(set(keys))
    if not wanted or limit <= 0:
        return None
    padded = _padded(wanted)
    max_keys = MAX_KEYS if max_keys is None else max_keys
    # Equally rare keys are taken in the order of their characters (code points) on both
    # databases; PostgreSQL's default collation would order them by locale.
    key = 'key COLLATE "C"' if driver.postgres else "key"
    second = f" OR (f.n = 2 AND f.postings <= {int(SECOND_KEY_BUDGET)})" if max_keys >= 2 else ""
    sql = (
        "WITH f AS ("
        "SELECT key, quotes, "
        f"row_number() OVER (ORDER BY quotes, {key}) AS n, "
        f"sum(quotes) OVER (ORDER BY quotes, {key} ROWS UNBOUNDED PRECEDING) AS postings "
        f"FROM key_frequency WHERE key IN ({driver.marks(len(padded))}) AND quotes > 0"
        f"), w AS {'MATERIALIZED ' if driver.postgres else _MATERIALIZED_SQLITE}("
        f"SELECT f.key, round({WEIGHT_SCALE} * "
        "ln(1 + CAST(t.total AS DOUBLE PRECISION) / f.quotes)) AS weight "
        "FROM f, (SELECT coalesce(max(id), 1) AS total FROM quote) AS t "
        f"WHERE f.n = 1{second} "
        f"OR (f.postings <= {int(POSTINGS_BUDGET)} AND f.n <= {int(max_keys)})) "
        "SELECT k.quote_id, k.score, q.text, q.attribution_status, q.first_seen, s.name FROM ("
        "SELECT c.quote_id, c.score, "
        "row_number() OVER (ORDER BY c.score DESC, c.quote_id) AS n, "
        "max(c.score) OVER () AS best FROM ("
        "SELECT p.quote_id, sum(w.weight) AS score "
        "FROM w JOIN quote_key AS p ON p.key = w.key GROUP BY p.quote_id "
        # The limits are written out, not parameters: a generic plan (PostgreSQL, see
        # db.lookups.prepare_for_lookup) then still knows them. Few values occur.
        f"ORDER BY score DESC, p.quote_id LIMIT {int(limit)}"
        ") AS c) AS k JOIN quote AS q ON q.id = k.quote_id "
        "LEFT JOIN speaker AS s ON s.id = q.speaker_id "
        # Filtered before the join: the rows of candidates left out are never read.
        f"WHERE k.n <= {int(limit if keep is None else keep)} "
        f"OR k.score >= k.best * {float(CANDIDATE_SCORE_SHARE)!r}"
    )
    return sql, padded


def candidate_from_row(driver: Driver, row: Sequence[Any]) -> CandidateQuote:
    """A candidate from the first six columns of a row of candidate_statement's."""
    quote_id, score, text, status, seen, speaker = row[:6]
    return CandidateQuote(quote_id, int(score), text, status, driver.read_date(seen), speaker)


def _padded(keys: list[str]) -> list[str]:
    """`keys` lengthened to the next of a few sizes by repeating the last one.

    A repeated key changes no result (IN and CASE take its first occurrence), and the SQL text
    then takes only a few shapes, so the drivers reuse prepared statements (psycopg prepares a
    statement it has run five times; sqlite3 caches them by text) instead of parsing and
    planning every lookup anew.
    """
    size = next((b for b in (4, 8, 16, 32, 64, 128) if b >= len(keys)), len(keys))
    return keys + keys[-1:] * (size - len(keys))


def count_quote_keys(*, session: Session, quote_id: int | None = None) -> int:
    """How many postings are stored (of one quote, if given)."""
    query = select(func.count()).select_from(QuoteKey)
    if quote_id is not None:
        query = query.where(QuoteKey.quote_id == quote_id)
    return session.exec(query).one()


def key_frequencies(*, session: Session, keys: Collection[str]) -> dict[str, int]:
    """The stored document frequency of each of these keys (absent keys are left out)."""
    if not keys:
        return {}
    driver = Driver(session)
    padded = _padded(sorted(set(keys)))
    sql = f"SELECT key, quotes FROM key_frequency WHERE key IN ({driver.marks(len(padded))})"
    return dict(driver.rows(sql, padded))
