"""End-to-end ingestion speed into a database that already holds N canonical quotes.

Run: `python -m benchmarks.ingest --database-url URL --quotes N [--articles 300]`. The incoming
articles (benchmarks.corpus.new_articles) print variants of stored quotes (cuts, fragments,
rewordings, re-credits) and new quotes, some on the topic of stored ones; each is ingested as
`quotetrail ingest` does it (service.ingest.ingest_stream: extraction in worker processes when
there are cores to spare, matching through the index, speakers, verdicts, a transaction per
batch of articles). Then the writer's CPU a quotation, on more new articles prepared before
the clock starts (writer_cost). The database's files are read into the page cache first, as
for lookups (benchmarks.lookup.warm_database). Prints one JSON line; the database keeps what was
ingested.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from benchmarks import corpus
from benchmarks.lookup import warm_database
from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.db.quotes import list_appearances
from quotetrail.service.ingest import (
    ingest_prepared,
    ingest_stream,
    prepare_article,
    stream_processes,
)
from quotetrail.sources import ArticleInput

# New articles the writer's cost is measured on (writer_cost), beyond the stream's.
WRITER_ARTICLES = 300


def measure(
    database_url: str,
    n_quotes: int,
    n_articles: int,
    *,
    seed: str = "incoming",
    processes: int | None = None,
) -> dict[str, Any]:
    """Ingest `n_articles` new articles as `quotetrail ingest` does; throughput, cost per quote.

    `processes`: worker processes preparing articles (default: as `quotetrail ingest` picks).
    """
    incoming = corpus.new_articles(n_articles, stored_quotes=n_quotes, seed=seed)
    engine = create_db_engine(database_url)
    factory = create_session_factory(engine, write=True)
    items = article_inputs(incoming, seed)
    processes = stream_processes(len(items)) if processes is None else processes
    quotations = new_quotes = 0
    article_ids: list[int] = []
    # Name data and caches load on first use; that is start-up, not ingestion.
    prepare_article(incoming[0].text)
    try:
        # The database's files in the machine's page cache, as on a server that has been
        # storing articles for a while; what an earlier step of the suite read may have been
        # paged out since. At 1M quotes on SQLite, the same 1,000 articles from a cold cache:
        # 67.0 articles/s and 1.803 ms of writer CPU a quotation, against 141.9 and 1.241
        # (benchmarks/RESULTS.md).
        warm_database(database_url)
        started = time.perf_counter()
        # Steady: over the second half of the articles, long after the workers started. A
        # batch's results come together, after its commit.
        half_at, half_done = 0.0, 0
        for item, result in ingest_stream(factory, items, processes=processes):
            if isinstance(result, Exception):
                raise RuntimeError(f"article {item.label}: {result}") from result
            quotations += result.quotations
            new_quotes += result.new_quotes
            article_ids.append(result.article_id)
            if not half_at and len(article_ids) >= n_articles // 2:
                half_at, half_done = time.perf_counter(), len(article_ids)
        elapsed = time.perf_counter() - started
        with session_scope(create_session_factory(engine)) as session:
            accuracy = matching_accuracy(session, incoming, n_quotes, article_ids)
        writer = writer_cost(factory, n_quotes, seed=seed)
    finally:
        engine.dispose()
    return {
        "database": engine.dialect.name,
        "n_quotes": n_quotes,
        "articles": n_articles,
        "mean_article_bytes": round(sum(len(a.text.encode()) for a in incoming) / n_articles),
        "quotations": quotations,
        "new_quotes": new_quotes,
        "processes": processes,
        "seconds": round(elapsed, 2),
        "articles_per_s": round(n_articles / elapsed, 1),
        "steady_articles_per_s": round(
            (n_articles - half_done) / max(started + elapsed - half_at, 1e-9), 1
        ),
        "quotes_per_s": round(quotations / elapsed, 1),
        "ms_per_quote": round(1000 * elapsed / max(quotations, 1), 3),
        **writer,
        **accuracy,
    }


def writer_cost(
    factory: sessionmaker[Session], n_quotes: int, *, seed: str, n_articles: int = WRITER_ARTICLES
) -> dict[str, Any]:
    """The writer's CPU a quotation: more new articles, prepared before the clock starts, then
    stored as a stream stores them (service.ingest.ingest_prepared).

    Apart from the stream: while its worker processes start, its writer prepares articles
    itself, so its CPU would count some extraction too, and more of it the faster it stores.
    """
    incoming = corpus.new_articles(n_articles, stored_quotes=n_quotes, seed=f"{seed}-writer")
    prepared = [
        (item, prepare_article(item.text)) for item in article_inputs(incoming, f"{seed}-writer")
    ]
    quotations = sum(p.quotations for _, p in prepared)
    cpu = time.process_time()  # the writing process's: its checkpointing thread's included
    for item, result in ingest_prepared(factory, prepared):
        if isinstance(result, Exception):
            raise RuntimeError(f"article {item.label}: {result}") from result
    cpu_seconds = time.process_time() - cpu
    return {
        "writer_articles": n_articles,
        "cpu_ms_per_quote": round(1000 * cpu_seconds / max(quotations, 1), 3),
    }


def article_inputs(incoming: list[corpus.Article], seed: str) -> list[ArticleInput]:
    """The generated articles as `quotetrail ingest` reads them, each with an origin of its own."""
    return [
        ArticleInput(
            label=str(article.index),
            text=article.text,
            origin=f"bench://incoming/{seed}/{article.index}",
            title=article.title,
            outlet=article.outlet,
            published=article.published,
            kind=article.kind,
        )
        for article in incoming
    ]


def matching_accuracy(
    session: Session, incoming: list[corpus.Article], n_quotes: int, article_ids: list[int]
) -> dict[str, float]:
    """How often ingestion attached a printed quotation to the right canonical quote.

    The generator knows the truth: a variant of stored quote i belongs to quote id i + 1 (the
    bulk load's ids), and a quote never stored before must become a new canonical quote (an id
    above the loaded ones), not join a stored one on the same topic.
    """
    right = wrong = unseen = 0
    for article, article_id in zip(incoming, article_ids, strict=True):
        found = [
            (a.start, a.end, a.quote_id)
            for a in list_appearances(session=session, article_id=article_id)
        ]
        for quoted in article.quoted:
            ids = [q for start, end, q in found if start < quoted.end and quoted.start < end]
            if not ids:
                unseen += 1
                continue
            stored = quoted.quote < n_quotes
            if all((q == quoted.quote + 1) if stored else (q > n_quotes) for q in ids):
                right += 1
            else:
                wrong += 1
    return {
        "printed_quotations": right + wrong + unseen,
        "matched_right": round(right / max(right + wrong, 1), 4),
        "not_extracted": unseen,
    }


def main() -> None:
    """Measure and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--quotes", type=int, required=True)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument(
        "--processes", type=int, default=None, help="worker processes (default: as the CLI)"
    )
    parser.add_argument(
        "--seed", default="incoming", help="a new seed makes new articles for a reused database"
    )
    args = parser.parse_args()
    measured = measure(
        args.database_url, args.quotes, args.articles, seed=args.seed, processes=args.processes
    )
    print(json.dumps(measured))


if __name__ == "__main__":
    main()
