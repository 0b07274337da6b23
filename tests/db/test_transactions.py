"""One transaction per article: a failure part-way leaves nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from quotetrail.db.articles import count_articles, insert_article
from quotetrail.db.engine import create_session_factory, session_scope
from quotetrail.db.index import SqlQuoteIndex, count_quote_keys
from quotetrail.db.quotes import add_appearances, count_appearances, count_quotes, create_quote
from quotetrail.db.speakers import count_speakers, get_or_create_speaker


class Boom(Exception):
    pass


def _ingest(
    session: Session, text: str, *, fail_with: Exception | None = None, repeat_span: bool = False
) -> None:
    """What ingestion writes for one article; optionally fails once everything is flushed,
    or stores the same span twice (a constraint violation part-way)."""
    article_id = insert_article(session=session, text=text, origin="a.txt")
    assert article_id is not None
    speaker, _ = get_or_create_speaker(session=session, name="Samantha Power")
    quote_id = create_quote(
        session=session, text=text, normalized=text.lower(), speaker_id=speaker.id
    )
    SqlQuoteIndex(session).add(quote_id, ["shame you", "nothing that"])
    span = {"start": 0, "end": len(text), "text": text, "speaker_id": speaker.id}
    add_appearances(
        session=session,
        quote_id=quote_id,
        article_id=article_id,
        published=None,
        appearances=[span] * (2 if repeat_span else 1),
    )
    if fail_with is not None:
        raise fail_with


def _counts(engine: Engine) -> tuple[int, ...]:
    with create_session_factory(engine)() as session:
        return (
            count_articles(session=session),
            count_speakers(session=session),
            count_quotes(session=session),
            count_appearances(session=session),
            count_quote_keys(session=session),
        )


def test_an_exception_rolls_back_every_row(engine: Engine) -> None:
    factory = create_session_factory(engine)
    with pytest.raises(Boom), session_scope(factory) as session:
        _ingest(session, "Is there nothing that can shame you?", fail_with=Boom())
    assert _counts(engine) == (0, 0, 0, 0, 0)


def test_a_database_error_rolls_back_every_row(engine: Engine) -> None:
    factory = create_session_factory(engine)
    with pytest.raises(IntegrityError), session_scope(factory) as session:
        _ingest(
            session,
            "Is there nothing that can shame you?",
            fail_with=IntegrityError("", {}, Exception()),
        )
    assert _counts(engine) == (0, 0, 0, 0, 0)


def test_a_failed_article_does_not_undo_the_previous_one(engine: Engine) -> None:
    factory = create_session_factory(engine)
    with session_scope(factory) as session:
        _ingest(session, "Is there nothing that can shame you?")
    with pytest.raises(Boom), session_scope(factory) as session:
        _ingest(session, "Aleppo will join the ranks", fail_with=Boom())
    assert _counts(engine) == (1, 1, 1, 1, 2)


def test_a_constraint_violation_on_the_driver_rolls_back_every_row(engine: Engine) -> None:
    # The same span twice: the appearance insert (on the DBAPI connection) fails after the
    # other rows were written, and raises SQLAlchemy's IntegrityError as an ORM statement would.
    factory = create_session_factory(engine)
    with pytest.raises(IntegrityError) as raised, session_scope(factory) as session:
        _ingest(session, "Is there nothing that can shame you?", repeat_span=True)
    assert isinstance(raised.value.orig, engine.dialect.loaded_dbapi.IntegrityError)
    assert _counts(engine) == (0, 0, 0, 0, 0)
