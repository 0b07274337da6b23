"""What a user would otherwise reach for, measured on the same database and queries.

- rapidfuzz brute force: every canonical text scored against the query (token_set_ratio on
  normalised text, the texts normalised once beforehand and not timed);
- SQLite FTS5: an OR of the query's words over a full-text index of the quotes, ranked by bm25;
- PostgreSQL pg_trgm: trigram word similarity (`<%`) over a GIN index of the quotes.

These are baselines, not Quotetrail: they speak SQL here, on indexes created only for them.
Each runs for at most `max_seconds` (and at least `min_queries` queries), since at a million
quotes a single brute-force or FTS5 lookup takes seconds.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from rapidfuzz import fuzz, process
from sqlalchemy.engine import make_url

from benchmarks import corpus
from benchmarks.lookup import percentiles
from quotetrail.pipeline.normalize import normalize, tokens


def _run(
    name: str,
    queries: Sequence[corpus.Query],
    search: Callable[[str], list[int]],
    *,
    max_seconds: float,
    min_queries: int,
) -> dict[str, Any]:
    latencies: list[float] = []
    right = 0
    deadline = time.perf_counter() + max_seconds
    for i, q in enumerate(queries):
        if i >= min_queries and time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        ids = search(q.text)
        latencies.append(time.perf_counter() - started)
        right += bool(ids) and ids[0] == q.quote + 1
    return {
        "baseline": name,
        "queries": len(latencies),
        **percentiles(latencies),
        "recall_at_1": round(right / len(latencies), 4),
    }


def _sqlite_path(database_url: str) -> str:
    database = make_url(database_url).database
    assert database, database_url
    return database


def _pg_dsn(database_url: str) -> str:
    url = make_url(database_url)
    return f"host={url.host} port={url.port} user={url.username} dbname={url.database}"


def load_texts(database_url: str) -> tuple[list[int], list[str]]:
    """Every canonical quote's id and normalised text (what brute force scans)."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_path(database_url)) as db:
            rows = db.execute("SELECT id, text FROM quote ORDER BY id").fetchall()
    else:
        with psycopg.connect(_pg_dsn(database_url)) as db:
            rows = db.execute("SELECT id, text FROM quote ORDER BY id").fetchall()
    return [r[0] for r in rows], [normalize(r[1]) for r in rows]


def bruteforce(
    ids: list[int],
    texts: list[str],
    queries: Sequence[corpus.Query],
    *,
    max_seconds: float = 60,
    min_queries: int = 3,
) -> dict[str, Any]:
    """rapidfuzz over every canonical text."""

    def search(text: str) -> list[int]:
        found = process.extract(normalize(text), texts, scorer=fuzz.token_set_ratio, limit=5)
        return [ids[index] for _, _, index in found]

    return _run("rapidfuzz", queries, search, max_seconds=max_seconds, min_queries=min_queries)


def sqlite_fts5(
    database_url: str,
    queries: Sequence[corpus.Query],
    *,
    max_seconds: float = 60,
    min_queries: int = 3,
) -> dict[str, Any]:
    """An FTS5 index over quote.text (built here once, not timed), OR of words, bm25 order."""
    db = sqlite3.connect(_sqlite_path(database_url))
    built = time.perf_counter()
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'bench_fts'").fetchone()
    if not exists:
        db.execute(
            "CREATE VIRTUAL TABLE bench_fts USING fts5(text, content='quote', content_rowid='id')"
        )
        db.execute("INSERT INTO bench_fts(bench_fts) VALUES ('rebuild')")
        db.commit()
    build_seconds = time.perf_counter() - built

    def search(text: str) -> list[int]:
        words = dict.fromkeys(tokens(text))
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute(
            "SELECT rowid FROM bench_fts WHERE bench_fts MATCH ? ORDER BY rank LIMIT 5", (match,)
        ).fetchall()
        return [r[0] for r in rows]

    try:
        result = _run("sqlite_fts5", queries, search, max_seconds=max_seconds,
                      min_queries=min_queries)  # fmt: skip
    finally:
        db.close()
    return {**result, "index_build_seconds": round(build_seconds, 1)}


def pg_trgm(
    database_url: str,
    queries: Sequence[corpus.Query],
    *,
    max_seconds: float = 60,
    min_queries: int = 3,
) -> dict[str, Any]:
    """A pg_trgm GIN index over quote.text (built here once, not timed), word similarity."""
    db = psycopg.connect(_pg_dsn(database_url), autocommit=True)
    built = time.perf_counter()
    db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    db.execute("CREATE INDEX IF NOT EXISTS bench_quote_trgm ON quote USING gin (text gin_trgm_ops)")
    build_seconds = time.perf_counter() - built
    db.execute("SET statement_timeout = '60s'")

    def search(text: str) -> list[int]:
        rows = db.execute(
            "SELECT id FROM quote WHERE %(q)s <%% text "
            "ORDER BY word_similarity(%(q)s, text) DESC, id LIMIT 5",
            {"q": text},
        ).fetchall()
        return [r[0] for r in rows]

    try:
        result = _run("pg_trgm", queries, search, max_seconds=max_seconds,
                      min_queries=min_queries)  # fmt: skip
    finally:
        db.close()
    return {**result, "index_build_seconds": round(build_seconds, 1)}
