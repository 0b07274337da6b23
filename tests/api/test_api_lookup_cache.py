"""Lookup answers are reused only while the database is unchanged, whoever changes it."""

from __future__ import annotations

import psycopg
import pytest
from apitools import AUTH, POWER_LINE
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from quotetrail.api.lookup_cache import LookupCache
from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.service.ingest import ingest_article

ARTICLE = '"The tide tables were simply wrong that morning," said Ingrid Halvorsen.\n'
WORDS = "tide tables were simply wrong"


def _speakers(client: TestClient, text: str) -> list[str | None]:
    matches = client.post("/v1/lookup", json={"text": text}).json()["matches"]
    return [m["quote"]["speaker"] for m in matches]


def test_answers_are_reused(client: TestClient) -> None:
    cache = client.app.state.quotetrail.lookup_cache  # type: ignore[attr-defined]
    first = client.post("/v1/lookup", json={"text": POWER_LINE})
    size = len(cache)
    assert size >= 1
    second = client.post("/v1/lookup", json={"text": POWER_LINE})
    assert second.content == first.content
    assert len(cache) == size
    # Another limit is another answer.
    client.post("/v1/lookup", json={"text": POWER_LINE, "limit": 1})
    assert len(cache) == size + 1


def test_a_write_through_the_api_is_seen_at_once(client: TestClient) -> None:
    assert "Ingrid Halvorsen" not in _speakers(client, WORDS)
    assert client.post("/v1/articles", json={"text": ARTICLE}, headers=AUTH).status_code == 201
    assert _speakers(client, WORDS)[0] == "Ingrid Halvorsen"


def test_a_write_by_another_connection_is_seen_at_once(client: TestClient, seeded_url: str) -> None:
    for _ in range(3):  # cached, from more than one pooled connection if the pool has them
        assert "Ingrid Halvorsen" not in _speakers(client, WORDS)
    engine = create_db_engine(seeded_url)  # another engine: another connection, as another process
    try:
        with session_scope(create_session_factory(engine, write=True)) as session:
            ingest_article(session=session, text=ARTICLE, origin="elsewhere")
    finally:
        engine.dispose()
    assert _speakers(client, WORDS)[0] == "Ingrid Halvorsen"


def test_an_answer_computed_before_a_drop_is_not_stored() -> None:
    cache = LookupCache()
    epoch = cache.epoch
    cache.clear()  # a write was noticed while the answer was being computed
    cache.put(("v", "text", 10), b"stale", epoch)
    assert cache.get(("v", "text", 10)) is None
    cache.put(("v", "text", 10), b"fresh", cache.epoch)
    assert cache.get(("v", "text", 10)) == b"fresh"


def test_the_cache_is_bounded_in_bytes() -> None:
    cache = LookupCache(max_bytes=16_000)
    for index in range(100):
        cache.put(("v", f"text {index}", 10), b"x" * 500, cache.epoch)
    assert len(cache) == 32
    assert cache.get(("v", "text 99", 10)) is not None
    assert cache.get(("v", "text 0", 10)) is None
    cache.put(("v", "huge", 10), b"x" * 2000, cache.epoch)  # over a sixteenth: not kept
    assert cache.get(("v", "huge", 10)) is None


def test_the_api_answers_as_the_service_on_a_larger_database(
    client: TestClient, seeded_url: str
) -> None:
    from apitools import ROOT

    from quotetrail.service.lookup import lookup
    from quotetrail.service.records import appearance_record, quote_record, speakers_of

    fixtures = sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt"))
    engine = create_db_engine(seeded_url)
    try:
        for path in fixtures:
            with session_scope(create_session_factory(engine, write=True)) as session:
                ingest_article(
                    session=session, text=path.read_text(encoding="utf-8"), origin=path.name
                )
        probes = [POWER_LINE, "the ferry", "we will", "said the minister", "rates"]
        probes += [" ".join(p.read_text(encoding="utf-8").split()[40:52]) for p in fixtures[:8]]
        for text in probes:
            with session_scope(create_session_factory(engine)) as session:
                found = lookup(session=session, text=text, limit=5)
                speakers = speakers_of(
                    session=session,
                    quotes=[m.quote for m in found],
                    appearances=[a for m in found for a, _ in m.appearances],
                )
                expected = [
                    {
                        "score": m.score,
                        "quote": quote_record(m.quote, speakers),
                        "appearances": [
                            appearance_record(a, art, speakers) for a, art in m.appearances
                        ],
                    }
                    for m in found
                ]
            answer = client.post("/v1/lookup", json={"text": text, "limit": 5}).json()
            assert answer["matches"] == expected, text
    finally:
        engine.dispose()


def test_lookups_survive_connections_the_server_closed(client: TestClient, seeded_url: str) -> None:
    if not seeded_url.startswith("postgresql"):
        pytest.skip("PostgreSQL closes connections on its side (a restart, an idle timeout)")
    first = client.post("/v1/lookup", json={"text": POWER_LINE})
    assert first.status_code == 200
    # Every connection the app holds (the change marker's, the lookup pool's) is closed.
    url = make_url(seeded_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as admin:
        closed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert closed is not None and closed[0] >= 2
    again = client.post("/v1/lookup", json={"text": POWER_LINE})  # the marker reconnects
    assert again.status_code == 200 and again.content == first.content
    computed = client.post("/v1/lookup", json={"text": WORDS})  # the lookup pool reconnects
    assert computed.status_code == 200, computed.text
