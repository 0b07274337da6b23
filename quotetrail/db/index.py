"""The candidate index of canonical quotes (pipeline.index.QuoteIndex) over the quote_key table.

A lookup reads only the postings of the keys it is given, through the (key, quote_id) primary
key, and ranks quotes by how many keys they share: the same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, insert, text
from sqlmodel import Session, col, select

from quotetrail.db.models import QuoteKey

# Any constant works; it only has to be the same for every Quotetrail process.
_PG_MATCHING_LOCK = 0x51_54_4D_54  # "QTMT"


def lock_for_matching(*, session: Session) -> None:
    """Serialise match-then-create among writers until the transaction ends.

    Two ingestions matching the same new quotation at once would each find no canonical quote
    and each create one. On PostgreSQL a transaction-level advisory lock queues them; on SQLite
    write sessions (create_session_factory(write=True)) already hold the database's write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MATCHING_LOCK})


class SqlQuoteIndex:
    """QuoteIndex stored in the database; writes join the session's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def candidate_ids(self, keys: Collection[str], *, limit: int) -> list[int]:
        """Ids of canonical quotes sharing the most keys with `keys`, best first, ties by id."""
        wanted = set(keys)
        if not wanted or limit <= 0:
            return []
        shared = func.count()
        query = (
            select(QuoteKey.quote_id)
            .where(col(QuoteKey.key).in_(wanted))
            .group_by(col(QuoteKey.quote_id))
            .order_by(shared.desc(), col(QuoteKey.quote_id))
            .limit(limit)
        )
        return list(self.session.exec(query))

    def add(self, quote_id: int, keys: Collection[str]) -> None:
        """Index a canonical quote under `keys` (keys it already has are skipped)."""
        wanted = set(keys)
        if not wanted:
            return
        wanted -= self.keys_of(quote_id)
        if wanted:
            rows = [{"key": key, "quote_id": quote_id} for key in sorted(wanted)]
            self.session.execute(insert(QuoteKey), rows)

    def remove(self, quote_id: int) -> None:
        """Drop every posting of a canonical quote."""
        self.session.execute(delete(QuoteKey).where(col(QuoteKey.quote_id) == quote_id))

    def keys_of(self, quote_id: int) -> set[str]:
        """The keys a canonical quote is indexed under."""
        return set(self.session.exec(select(QuoteKey.key).where(QuoteKey.quote_id == quote_id)))


def count_quote_keys(*, session: Session, quote_id: int | None = None) -> int:
    """How many postings are stored (of one quote, if given)."""
    query = select(func.count()).select_from(QuoteKey)
    if quote_id is not None:
        query = query.where(QuoteKey.quote_id == quote_id)
    return session.exec(query).one()
