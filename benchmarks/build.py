"""Build a database of N canonical quotes from the generated corpus, fast.

The rows are the truth the generator knows (each quote printed in full in one article, credited
to its speaker), written through quotetrail.db.bulk into the real tables; the index keys are the
real pipeline's (match.index_keys), so lookups go through the same index, tables and code as in
production. Generation and key computation run in worker processes while the main process loads.

Run: `python -m benchmarks.build --quotes 100000 --database-url sqlite:///bench.db`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from benchmarks import corpus
from quotetrail.cli import one_line
from quotetrail.db.articles import content_hash
from quotetrail.db.bulk import bulk_insert, loading
from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.db.migrate import upgrade_to_head
from quotetrail.db.quotes import count_quotes
from quotetrail.db.speakers import alias_key
from quotetrail.pipeline.identity import lookup_keys
from quotetrail.pipeline.match import index_keys
from quotetrail.pipeline.normalize import normalize

CHUNK_QUOTES = 20_000
LOADED_AT = datetime(2026, 1, 1, tzinfo=UTC)

COLUMNS = {
    "article": ["id", "origin", "title", "outlet", "published_at", "kind", "text",
                "content_hash", "ingested_at"],
    "quote": ["id", "text", "normalized", "speaker_id", "attribution_status", "status_evidence",
              "first_seen", "appearance_count"],
    "appearance": ["quote_id", "article_id", "start", "end", "text", "speaker_id",
                   "speaker_as_written", "kind", "cue", "confidence", "status",
                   "competing_speakers", "similarity"],
    "quote_key": ["key", "quote_id"],
}  # fmt: skip


@dataclass
class Chunk:
    """Rows for one slice of the corpus."""

    people: list[corpus.Person]
    rows: dict[str, list[tuple[Any, ...]]]


def chunk_rows(bounds: tuple[int, int]) -> Chunk:
    """The rows of quotes [start, end): their articles, quotes, appearances and postings."""
    start, end = bounds
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
    people: dict[int, corpus.Person] = {}
    for article in corpus.articles(start, end - start):
        article_id = article.index + 1
        rows["article"].append(
            (article_id, f"bench://article/{article_id}", article.title, article.outlet,
             article.published, article.kind, article.text, content_hash(article.text),
             LOADED_AT)
        )  # fmt: skip
        for q in article.quoted:
            quote_id = q.quote + 1
            speaker_id = q.credited.index + 1
            people[speaker_id] = q.credited
            evidence = json.dumps([f"Article {article_id} credits {q.credited.name}."])
            rows["quote"].append(
                (quote_id, q.text, normalize(q.text), speaker_id, "consistent", evidence,
                 article.published, 1)
            )  # fmt: skip
            rows["appearance"].append(
                (quote_id, article_id, q.start, q.end, q.text, speaker_id, q.credited.name,
                 "direct", "said", 0.9, "consistent", "[]", 1.0)
            )  # fmt: skip
            rows["quote_key"] += [(key, quote_id) for key in sorted(index_keys(q.text))]
    return Chunk(list(people.values()), rows)


def _chunks(n_quotes: int) -> list[tuple[int, int]]:
    return [(s, min(s + CHUNK_QUOTES, n_quotes)) for s in range(0, n_quotes, CHUNK_QUOTES)]


def _produce(n_quotes: int, workers: int) -> Iterator[Chunk]:
    if workers <= 1:
        yield from map(chunk_rows, _chunks(n_quotes))
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(chunk_rows, _chunks(n_quotes))


def build(database_url: str, n_quotes: int, *, workers: int = 2) -> dict[str, Any]:
    """Create the schema and load `n_quotes` canonical quotes; returns timings and counts.

    The database must hold no quote yet (ValueError): the generated rows carry their own ids,
    and loading them beside earlier ones would fail halfway through. A database that cannot be
    reached or migrated is a ValueError too, with the driver's first line.
    """
    started = time.perf_counter()
    try:
        upgrade_to_head(database_url)
        engine = create_db_engine(database_url)
    except Exception as error:  # any driver, URL or migration problem, as `quotetrail` says it
        raise ValueError(f"database: {one_line(error)}") from error
    known: set[int] = set()
    postings = 0
    try:
        with session_scope(create_session_factory(engine)) as session:
            stored = count_quotes(session=session)
        if stored:
            raise ValueError(
                f"the database already holds {stored:,} canonical quotes; "
                "build loads an empty one (remove it, or create a new one)"
            )
        with loading(engine) as connection:
            for chunk in _produce(n_quotes, workers):
                fresh = [p for p in chunk.people if p.index + 1 not in known]
                known.update(p.index + 1 for p in fresh)
                bulk_insert(
                    connection,
                    "speaker",
                    ["id", "name", "role", "kind"],
                    [(p.index + 1, p.name, p.role, "person") for p in fresh],
                )
                bulk_insert(
                    connection,
                    "speaker_alias",
                    ["speaker_id", "alias", "key"],
                    [
                        (p.index + 1, p.name, key)
                        for p in fresh
                        for key in dict.fromkeys((alias_key(p.name), *lookup_keys(p.name)))
                    ],
                )
                for table, columns in COLUMNS.items():
                    bulk_insert(connection, table, columns, chunk.rows[table])
                postings += len(chunk.rows["quote_key"])
    finally:
        engine.dispose()
    return {
        "quotes": n_quotes,
        "speakers": len(known),
        "postings": postings,
        "build_seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    """Build one database and print what was loaded as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quotes", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    try:
        built = build(args.database_url, args.quotes, workers=args.workers)
    except ValueError as error:
        raise SystemExit(f"benchmarks.build: {error}") from None
    print(json.dumps(built))


if __name__ == "__main__":
    main()
