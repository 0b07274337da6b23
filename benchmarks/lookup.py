"""Lookup latency and recall@1 through the real index, tables and lookup code.

Run: `python -m benchmarks.lookup --database-url URL --quotes N [--queries 400]` on a database
built by benchmarks.build with N quotes. Each lookup opens its own session, as an API request
does, and runs the API's lookup (service.lookup_records, `--path api`, the default) or the CLI's
(service.lookup, `--path cli`); a lookup is right when its first result is the
canonical quote the perturbed query was made from. Prints one JSON line, with this process's
peak resident memory (the process serving the lookups holds nothing but its caches).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session

from benchmarks import corpus
from quotetrail.db.engine import create_db_engine, create_session_factory
from quotetrail.db.lookups import create_lookup_engine, prepare_for_lookup
from quotetrail.db.quotes import count_quotes
from quotetrail.service.lookup import lookup
from quotetrail.service.lookup_records import lookup_records


def warm_database(database_url: str) -> None:
    """Read the database's files once, into the machine's page cache.

    A serving machine keeps its database in memory once it has run a while; right after a build,
    another database's benchmark or a server restart, the first lookups would measure the disk
    instead (at 1M quotes the SQLite file is 2.2 GB, PostgreSQL's data 5.7 GB; the benchmark
    machine has 23 GB). PostgreSQL's tables and indexes are read with pg_prewarm (its contrib
    extension, part of Debian's package) into the operating system's cache.
    """
    engine = create_db_engine(database_url)
    try:
        if engine.dialect.name != "postgresql":
            path = engine.url.database
            if path and Path(path).is_file():
                with Path(path).open("rb") as database:
                    while database.read(1 << 20):
                        pass
            return
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            connection.exec_driver_sql(
                "SELECT pg_prewarm(c.oid, 'read') FROM pg_class AS c "
                "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
            )
            connection.commit()
    finally:
        engine.dispose()


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95, p99 and mean of latencies in seconds, as milliseconds."""
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "p50_ms": round(at(0.50) * 1000, 2),
        "p95_ms": round(at(0.95) * 1000, 2),
        "p99_ms": round(at(0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (VmHWM, which starts afresh at exec).

    Not getrusage's ru_maxrss: Linux carries that over an exec from the parent, so a lookup
    process started by the suite would report the suite's own peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _records_ids(session: Session, text: str) -> list[int]:
    prepare_for_lookup(session)  # as the API does
    return [m["quote"]["id"] for m in lookup_records(session=session, text=text, limit=5)]


def _service_ids(session: Session, text: str) -> list[int]:
    return [m.quote.id or 0 for m in lookup(session=session, text=text, limit=5)]


PATHS: dict[str, Callable[[Session, str], list[int]]] = {
    # What POST /v1/lookup runs (service.lookup_records: plain rows, no ORM objects).
    "api": _records_ids,
    # What `quotetrail lookup` runs (service.lookup: ORM objects for the CLI's records).
    "cli": _service_ids,
}


def measure(
    database_url: str, n_quotes: int, n_queries: int, *, warmup: int = 200, path: str = "api"
) -> dict[str, Any]:
    """Run perturbed lookups against a built database; latency percentiles and recall.

    The database's files are read first (warm_database), then `warmup` lookups of other texts
    run unmeasured: a serving process has its caches and the database's pages warm.
    """
    run = PATHS[path]
    queries = corpus.queries(n_queries, stored_quotes=n_quotes)
    warm_database(database_url)
    engine = create_db_engine(database_url)
    lookup_engine = create_lookup_engine(engine)  # as the API computes lookups
    factory = create_session_factory(lookup_engine)
    try:
        # A reused database holds more than it was built with: every suite run ingests into it.
        with factory() as session:
            stored = count_quotes(session=session)
        for q in corpus.queries(warmup, stored_quotes=n_quotes, seed="warmup"):
            with factory() as session:
                run(session, q.text)
        latencies: list[float] = []
        cpu: list[float] = []
        hits: dict[str, list[bool]] = defaultdict(list)
        top5 = 0
        for q in queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            with factory() as session:
                ids = run(session, q.text)
            latencies.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            hits[q.kind].append(bool(ids) and ids[0] == q.quote + 1)
            top5 += (q.quote + 1) in ids
    finally:
        lookup_engine.dispose()
        engine.dispose()
    right = sum(sum(h) for h in hits.values())
    return {
        "database": engine.dialect.name,
        "path": path,
        "n_quotes": n_quotes,
        "stored_quotes": stored,
        "queries": len(queries),
        **percentiles(latencies),
        # This process's CPU per lookup (SQLite's work included, PostgreSQL's server not):
        # what a lookup costs when the machine is not shared.
        "cpu_p50_ms": percentiles(cpu)["p50_ms"],
        "cpu_p95_ms": percentiles(cpu)["p95_ms"],
        "recall_at_1": round(right / len(queries), 4),
        "recall_at_5": round(top5 / len(queries), 4),
        "recall_at_1_by_kind": {k: round(sum(h) / len(h), 3) for k, h in sorted(hits.items())},
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    """Measure and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--quotes", type=int, required=True)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--path", choices=sorted(PATHS), default="api")
    args = parser.parse_args()
    print(json.dumps(measure(args.database_url, args.quotes, args.queries, path=args.path)))


if __name__ == "__main__":
    main()
