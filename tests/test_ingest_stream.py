"""Streams of articles ingested a batch per transaction (what `quotetrail ingest` runs).

A batch must store exactly what ingesting its articles one transaction each stores, whatever the
batch size and whether worker processes prepare the articles; a failing article costs only
itself. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from quotetrail.db.checkpoints import SQLITE_AUTOCHECKPOINT_PAGES
from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.db.migrate import upgrade_to_head
from quotetrail.db.models import Appearance, Article, Quote, Speaker, SpeakerAlias
from quotetrail.service import ingest as ingest_module
from quotetrail.service.ingest import IngestResult, ingest_article, ingest_stream
from quotetrail.sources import ArticleInput

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
PRIMARY = ROOT / "tests" / "fixtures" / "primary" / "ohchr_zeid_aleppo_2016-12-14.txt"


def _inputs() -> list[ArticleInput]:
    """The seeds, the fixture articles and a primary source, dated, some repeated."""
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted(FIXTURES.glob("*.txt"))
    items = [
        ArticleInput(
            label=path.name,
            text=path.read_text(encoding="utf-8"),
            origin=path.name,
            outlet=f"outlet {number % 3}",
            published=date(2016, 12, 10 + number % 7) if number % 4 else None,
        )
        for number, path in enumerate(paths)
    ]
    primary = ArticleInput(
        label=PRIMARY.name,
        text=PRIMARY.read_text(encoding="utf-8"),
        origin=PRIMARY.name,
        published=date(2016, 12, 14),
        kind="primary",
    )
    # The same text again inside the stream: stored once, the second one reports it.
    return [*items[:9], primary, *items[9:], items[3]]


def _one_by_one(engine: Engine, items: Iterable[ArticleInput]) -> list[IngestResult]:
    factory = create_session_factory(engine, write=True)
    results = []
    for item in items:
        with session_scope(factory) as session:
            results.append(
                ingest_article(
                    session=session,
                    text=item.text,
                    origin=item.origin,
                    title=item.title,
                    outlet=item.outlet,
                    published=item.published,
                    kind=item.kind,
                )
            )
    return results


def _state(engine: Engine) -> dict[str, Any]:
    """Everything ingestion stores, by content (ids only where they name a stored row)."""
    with session_scope(create_session_factory(engine)) as session:
        speakers = {s.id: (s.name, s.role, s.kind) for s in session.exec(select(Speaker))}
        quotes = {
            q.id: (
                q.text,
                q.normalized,
                speakers.get(q.speaker_id),
                q.attribution_status,
                q.status_evidence,
                q.first_seen,
                q.appearance_count,
            )
            for q in session.exec(select(Quote))
        }
        articles = {a.id: a.origin for a in session.exec(select(Article))}
        appearances = sorted(
            (
                articles[a.article_id],
                a.start,
                a.end,
                a.text,
                quotes[a.quote_id][0],
                speakers.get(a.speaker_id),
                a.speaker_as_written,
                a.kind,
                a.cue,
                a.confidence,
                a.status,
                a.competing_speakers,
                a.similarity,
            )
            for a in session.exec(select(Appearance))
        )
        aliases = sorted(
            (speakers[a.speaker_id][0], a.alias, a.key) for a in session.exec(select(SpeakerAlias))
        )
        postings = _rows(session, "SELECT key, quote_id FROM quote_key")
        frequencies = _rows(session, "SELECT key, quotes FROM key_frequency WHERE quotes > 0")
        return {
            "quotes": sorted(quotes.values(), key=repr),
            "appearances": appearances,
            "speakers": sorted(speakers.values(), key=repr),
            "aliases": aliases,
            "postings": sorted((key, quotes[quote_id][0]) for key, quote_id in postings),
            "frequencies": sorted(frequencies),
        }


def _rows(session: Session, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.connection().execute(text(sql))]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The articles ingested one transaction each, on SQLite: what every stream must store."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'one-by-one.db'}"
    upgrade_to_head(url)
    engine = create_db_engine(url)
    try:
        _one_by_one(engine, _inputs())
        return _state(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("batch_articles", [1, 5, 64])
def test_a_stream_stores_what_one_by_one_ingestion_stores(
    engine: Engine, reference: dict[str, Any], batch_articles: int
) -> None:
    factory = create_session_factory(engine, write=True)
    items = _inputs()
    results = list(ingest_stream(factory, items, batch_articles=batch_articles))
    assert [item for item, _ in results] == items  # in order, each once
    outcomes = [result for _, result in results]
    assert all(isinstance(r, IngestResult) for r in outcomes)
    created = [r.created for r in outcomes if isinstance(r, IngestResult)]
    assert created == [True] * (len(items) - 1) + [False]
    first, repeat = outcomes[3], outcomes[-1]  # the stream repeats its fourth article last
    assert isinstance(first, IngestResult) and isinstance(repeat, IngestResult)
    assert repeat.article_id == first.article_id and repeat.appearances == 0
    assert _state(engine) == reference
    # The quote counts, the reference's check that the batch is not a no-op.
    assert sum(r.new_quotes for r in outcomes if isinstance(r, IngestResult)) == len(
        reference["quotes"]
    )


def test_worker_processes_store_the_same(engine: Engine, reference: dict[str, Any]) -> None:
    factory = create_session_factory(engine, write=True)
    results = list(ingest_stream(factory, _inputs(), processes=1, batch_articles=8))
    assert all(isinstance(result, IngestResult) for _, result in results)
    assert _state(engine) == reference


def test_a_failing_article_costs_only_itself(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _inputs()[:8]
    doomed = items[5]
    real_insert = ingest_module.insert_article

    def insert_or_fail(**fields: Any) -> Any:
        if fields["text"] == doomed.text:
            raise RuntimeError("disk on fire")
        return real_insert(**fields)

    monkeypatch.setattr(ingest_module, "insert_article", insert_or_fail)
    factory = create_session_factory(engine, write=True)
    results = dict((item.label, result) for item, result in ingest_stream(factory, items))
    failure = results.pop(doomed.label)
    assert isinstance(failure, RuntimeError) and "disk on fire" in str(failure)
    assert all(isinstance(r, IngestResult) and r.created for r in results.values())

    monkeypatch.undo()
    expected_url = f"sqlite:///{Path(str(engine.url.database)).parent / 'expected.db'}"
    if engine.dialect.name == "sqlite":
        upgrade_to_head(expected_url)
        expected = create_db_engine(expected_url)
        try:
            _one_by_one(expected, [i for i in items if i is not doomed])
            assert _state(engine) == _state(expected)
        finally:
            expected.dispose()
    with session_scope(create_session_factory(engine)) as session:
        origins = {a.origin for a in session.exec(select(Article))}
        assert origins == {i.origin for i in items if i is not doomed}
        orphans = _rows(
            session,
            "SELECT count(*) FROM quote WHERE id NOT IN (SELECT quote_id FROM appearance)",
        )
        assert orphans == [(0,)]


def test_an_article_failing_extraction_is_reported_and_the_others_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _inputs()[:4]
    real_prepare = ingest_module.prepare_article

    def prepare_or_fail(text: str) -> Any:
        if text == items[1].text:
            raise ValueError("unreadable")
        return real_prepare(text)

    monkeypatch.setattr(ingest_module, "prepare_article", prepare_or_fail)
    factory = create_session_factory(engine, write=True)
    results = list(ingest_stream(factory, items))
    assert isinstance(results[1][1], ValueError)
    assert [isinstance(r, IngestResult) for _, r in results] == [True, False, True, True]


def test_an_invalid_kind_is_refused_before_anything_is_written(engine: Engine) -> None:
    factory = create_session_factory(engine, write=True)
    good, bad = _inputs()[:2]
    bad = ArticleInput(label="bad", text=bad.text, origin="bad", kind="op-ed")  # type: ignore[arg-type]
    results = list(ingest_stream(factory, [good, bad]))
    assert isinstance(results[0][1], IngestResult) and isinstance(results[1][1], ValueError)
    with session_scope(create_session_factory(engine)) as session:
        assert [a.origin for a in session.exec(select(Article))] == [good.origin]


class _Task:
    """A worker task of the stand-in pool: its articles' texts, marked as the workers'."""

    def __init__(self, texts: list[str], done: bool) -> None:
        self.texts, self.done = texts, done

    def ready(self) -> bool:
        return self.done

    def get(self) -> list[str]:
        return [f"from a worker: {text}" for text in self.texts]


class _Pool:
    """multiprocessing's pool as the stream uses it; only the tasks numbered in `done` say they
    are done (a real one's workers take a second or two to start)."""

    def __init__(self, done: set[int]) -> None:
        self.done = done
        self.tasks: list[_Task] = []

    def map_async(self, function: Any, texts: list[str], chunksize: int) -> _Task:
        assert chunksize == len(texts)  # one task, one worker's turn
        self.tasks.append(_Task(texts, done=len(self.tasks) in self.done))
        return self.tasks[-1]


def test_the_writer_prepares_articles_itself_until_the_workers_have_started() -> None:
    items = _inputs()
    size = ingest_module.TASK_ARTICLES
    assert len(items) > 4 * size
    # The workers' third task is the first done; their fourth is not yet when it is read.
    pool = _Pool(done={2})
    prepared = list(ingest_module._prepared_in(pool, items))
    assert [item for item, _ in prepared] == items  # in order, each once
    by_writer = [isinstance(p, ingest_module.PreparedArticle) for _, p in prepared]
    assert by_writer == [True] * (2 * size) + [False] * (len(items) - 2 * size)
    assert prepared[0][1] == ingest_module.prepare_article(items[0].text)
    assert prepared[-1][1] == f"from a worker: {items[-1].text}"
    # Every article was handed to the workers once.
    assert [t for task in pool.tasks for t in task.texts] == [item.text for item in items]


def test_the_workers_prepare_every_article_once_they_have_started() -> None:
    items = _inputs()
    prepared = list(ingest_module._prepared_in(_Pool(done={0}), items))
    assert [p for _, p in prepared] == [f"from a worker: {item.text}" for item in items]


def test_a_stream_leaves_no_checkpointing_behind(engine: Engine) -> None:
    # On SQLite a thread checkpoints while the stream writes (db/checkpoints.py); finished or
    # abandoned, the stream stops it and its connections checkpoint as usual again.
    factory = create_session_factory(engine, write=True)
    finished = list(ingest_stream(factory, _inputs()[:6], batch_articles=2))
    assert all(isinstance(result, IngestResult) for _, result in finished)
    abandoned = ingest_stream(factory, _inputs()[6:12], batch_articles=2)
    next(abandoned)
    abandoned.close()
    assert not [t for t in threading.enumerate() if t.name == "quotetrail-checkpoints"]
    if engine.dialect.name == "sqlite":
        with session_scope(factory) as session:
            raw = session.connection().connection.driver_connection
            setting = raw.execute("PRAGMA wal_autocheckpoint").fetchone()
            assert setting == (SQLITE_AUTOCHECKPOINT_PAGES,)


def test_a_stream_collects_garbage_less_often_only_while_it_runs(engine: Engine) -> None:
    factory = create_session_factory(engine, write=True)
    before = gc.get_threshold()
    assert before[0] != ingest_module.STREAM_GC_THRESHOLD
    finished = ingest_stream(factory, _inputs()[:4], batch_articles=2)
    next(finished)
    assert gc.get_threshold() == (ingest_module.STREAM_GC_THRESHOLD, *before[1:])
    assert all(isinstance(result, IngestResult) for _, result in finished)
    assert gc.get_threshold() == before
    abandoned = ingest_stream(factory, _inputs()[4:8], batch_articles=2)
    next(abandoned)
    abandoned.close()
    assert gc.get_threshold() == before
