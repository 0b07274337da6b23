"""End-to-end ingestion speed into a database that already holds N canonical quotes.

Run: `python -m benchmarks.ingest --database-url URL --quotes N [--articles 300]`. The incoming
articles (benchmarks.corpus.new_articles) print variants of stored quotes (cuts, fragments,
rewordings, re-credits) and new quotes, some on the topic of stored ones; each is ingested as
`quotetrail ingest` does it: its own transaction, extraction, matching through the index,
speakers, verdicts. Prints one JSON line; the database keeps what was ingested.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from benchmarks import corpus
from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text
from quotetrail.service.ingest import ingest_article


def measure(
    database_url: str, n_quotes: int, n_articles: int, *, seed: str = "incoming"
) -> dict[str, Any]:
    """Ingest `n_articles` new articles one transaction each; throughput and cost per quote."""
    incoming = corpus.new_articles(n_articles, stored_quotes=n_quotes, seed=seed)
    engine = create_db_engine(database_url)
    factory = create_session_factory(engine, write=True)
    quotations = new_quotes = 0
    # Name data and caches load on first use; that is start-up, not ingestion.
    extract_quotations(document_from_text(incoming[0].text))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        for article in incoming:
            with session_scope(factory) as session:
                result = ingest_article(
                    session=session,
                    text=article.text,
                    origin=f"bench://incoming/{seed}/{article.index}",
                    title=article.title,
                    outlet=article.outlet,
                    published=article.published,
                    kind=article.kind,
                )
            quotations += result.quotations
            new_quotes += result.new_quotes
        elapsed = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
    finally:
        engine.dispose()
    return {
        "database": engine.dialect.name,
        "n_quotes": n_quotes,
        "articles": n_articles,
        "mean_article_bytes": round(sum(len(a.text.encode()) for a in incoming) / n_articles),
        "quotations": quotations,
        "new_quotes": new_quotes,
        "seconds": round(elapsed, 2),
        "articles_per_s": round(n_articles / elapsed, 1),
        "quotes_per_s": round(quotations / elapsed, 1),
        "ms_per_quote": round(1000 * elapsed / max(quotations, 1), 3),
        "cpu_ms_per_quote": round(1000 * cpu_seconds / max(quotations, 1), 3),
    }


def main() -> None:
    """Measure and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--quotes", type=int, required=True)
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(measure(args.database_url, args.quotes, args.articles)))


if __name__ == "__main__":
    main()
