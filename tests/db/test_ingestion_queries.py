"""The db functions ingestion relies on: alias-key lookups, speakers by id, primary-backed
quotes, and the matching lock (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine
from sqlmodel import Session

from quotetrail.db.articles import insert_article
from quotetrail.db.engine import create_session_factory, session_scope
from quotetrail.db.index import lock_for_matching
from quotetrail.db.quotes import add_appearance, create_quote, primary_quote_ids
from quotetrail.db.speakers import (
    add_alias,
    find_speakers_by_aliases,
    get_or_create_speaker,
    get_speakers,
    list_aliases,
)


def test_get_or_create_speaker_with_a_key(session: Session) -> None:
    speaker, created = get_or_create_speaker(
        session=session, name="Zeid Ra\u2019ad Al Hussein", key="zeid raad al hussein"
    )
    assert created and speaker.id is not None
    assert [a.key for a in list_aliases(session=session, speaker_id=speaker.id)] == [
        "zeid raad al hussein"
    ]


def test_find_speakers_by_aliases_and_get_speakers(session: Session) -> None:
    power, _ = get_or_create_speaker(session=session, name="Samantha Power")
    other, _ = get_or_create_speaker(session=session, name="Jonathan Power")
    walsh, _ = get_or_create_speaker(session=session, name="Nick Paton Walsh")
    assert power.id and other.id and walsh.id
    add_alias(session=session, speaker_id=power.id, alias="Samantha Power", key="power")
    add_alias(session=session, speaker_id=other.id, alias="Jonathan Power", key="power")
    found = find_speakers_by_aliases(session=session, keys=["power", "samantha power", "nobody"])
    assert [s.id for s in found] == [power.id, other.id]  # oldest first, each once
    assert find_speakers_by_aliases(session=session, keys=[]) == []
    by_id = get_speakers(session=session, speaker_ids=[walsh.id, power.id, 999])
    assert sorted(by_id) == sorted([walsh.id, power.id])
    assert by_id[walsh.id].name == "Nick Paton Walsh"
    assert get_speakers(session=session, speaker_ids=[]) == {}


def test_primary_quote_ids(session: Session) -> None:
    news = insert_article(session=session, text="news", origin="n")
    primary = insert_article(session=session, text="statement", origin="p", kind="primary")
    quoted_in_both = create_quote(session=session, text="a b c d", normalized="a b c d")
    news_only = create_quote(session=session, text="e f g h", normalized="e f g h")
    assert news and primary
    for quote_id, article_id in (
        (quoted_in_both, news),
        (quoted_in_both, primary),
        (news_only, news),
    ):
        add_appearance(
            session=session,
            quote_id=quote_id,
            article_id=article_id,
            start=0 if quote_id == quoted_in_both else 10,
            end=4 if quote_id == quoted_in_both else 14,
            text="x",
        )
    ids = [quoted_in_both, news_only]
    assert primary_quote_ids(session=session, quote_ids=ids) == {quoted_in_both}
    assert primary_quote_ids(session=session, quote_ids=[]) == set()


def test_lock_for_matching_serialises_writers(engine: Engine) -> None:
    factory = create_session_factory(engine, write=True)
    held = threading.Event()
    order: list[str] = []

    def first() -> None:
        with session_scope(factory) as session:
            lock_for_matching(session=session)
            insert_article(session=session, text="one", origin="1")  # SQLite: take the lock
            held.set()
            time.sleep(0.3)
            order.append("first done")

    def second() -> None:
        held.wait()
        with session_scope(factory) as session:
            lock_for_matching(session=session)
            insert_article(session=session, text="two", origin="2")
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order == ["first done", "second in"]
