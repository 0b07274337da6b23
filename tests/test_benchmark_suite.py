"""The benchmark suite's building blocks on a tiny corpus: behaviour, never timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from benchmarks import baselines, build, corpus, ingest, lookup
from benchmarks.__main__ import QUICK_KEYS, _quotes_cell, quick_summary
from quotetrail.db.articles import count_articles
from quotetrail.db.engine import create_db_engine
from quotetrail.db.models import Appearance, Article, KeyFrequency, Quote
from quotetrail.pipeline.match import Candidate, find_matches

TINY = 400


def test_the_corpus_is_deterministic_and_prefix_stable() -> None:
    assert corpus.canonical_quote(123) == corpus.canonical_quote(123)
    assert [a.text for a in corpus.articles(0, 8)] == [a.text for a in corpus.articles(0, 8)]
    # The 10k corpus is the beginning of the 1M one: a quote is a function of its index.
    assert corpus.articles(0, 8)[1].quoted[0].quote == 4
    assert corpus.queries(5, stored_quotes=TINY) == corpus.queries(5, stored_quotes=TINY)


def test_offsets_point_at_the_printed_words() -> None:
    for article in corpus.new_articles(20, stored_quotes=TINY):
        assert article.quoted
        for q in article.quoted:
            assert article.text[q.start : q.end] == q.text


def test_variants_still_match_their_quote_and_near_topic_quotes_do_not() -> None:
    import random

    rng = random.Random(5)
    matched = tried = 0
    for index in range(60):
        quote = corpus.canonical_quote(index)
        for kind in ("cut", "reworded", "fragment", "ellipsis"):
            printed = corpus.variant(quote, kind, rng)  # type: ignore[arg-type]
            tried += 1
            matched += bool(find_matches(printed.text, [Candidate(1, quote.text)]))
        other = corpus.near_topic_quote(quote, 10**9 + index)
        assert other.text != quote.text
        assert not find_matches(other.text, [Candidate(1, quote.text)])
    # Nearly all: the matcher may miss a cut whose first word also occurs earlier in the quote.
    assert matched / tried >= 0.95


def test_quick_building_blocks_on_a_tiny_corpus(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tiny.db'}"
    built = build.build(url, TINY, workers=1)
    assert built["quotes"] == TINY

    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            assert len(session.exec(select(Quote.id)).all()) == TINY
            assert len(session.exec(select(Appearance.id)).all()) == TINY
            assert session.exec(select(Article.id)).first() is not None
            assert session.exec(select(KeyFrequency.key)).first() is not None
    finally:
        engine.dispose()

    lookups = lookup.measure(url, TINY, 40, warmup=2)
    assert lookups["recall_at_1"] == 1.0
    assert lookups["queries"] == 40
    assert lookups["stored_quotes"] == TINY

    queries = corpus.queries(4, stored_quotes=TINY, seed="baseline")
    ids, texts = baselines.load_texts(url)
    brute = baselines.bruteforce(ids, texts, queries, max_seconds=0, min_queries=2)
    assert brute["queries"] == 2
    fts = baselines.sqlite_fts5(url, queries, max_seconds=0, min_queries=2)
    assert fts["queries"] == 2

    articles_before = _stored_articles(url)
    ingested = ingest.measure(url, TINY, 5)
    assert ingested["articles"] == 5 and ingested["quotations"] > 0
    # The writer's cost is measured on articles of its own, stored as the stream's are.
    assert ingested["writer_articles"] == ingest.WRITER_ARTICLES
    assert ingested["cpu_ms_per_quote"] > 0
    assert _stored_articles(url) == articles_before + 5 + ingest.WRITER_ARTICLES

    line = json.dumps(quick_summary(TINY, lookups, brute, ingested))
    assert tuple(json.loads(line)) == QUICK_KEYS


def _stored_articles(url: str) -> int:
    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            return count_articles(session=session)
    finally:
        engine.dispose()


def test_http_texts_are_fresh_per_run_and_fit_wrk_scripts() -> None:
    from benchmarks import http_lookup

    first = http_lookup.fresh_texts(TINY, "run-a", 50)
    second = http_lookup.fresh_texts(TINY, "run-b", 50)
    assert len(set(first)) > 40 and not set(first) & set(second)  # no answer cached in advance
    seeds = http_lookup.fresh_texts(None, "run-a", 16)
    assert len(set(seeds)) == 16 and not set(seeds) & set(http_lookup.SEED_LOOKUPS)
    # Quotes, backslashes and non-ASCII survive as JSON escapes inside Lua long strings.
    text = 'He said "no" \\ to café ]] and more'
    literal = http_lookup.lua_strings([text])
    assert literal.startswith("[==[") and literal.endswith("]==]")
    assert json.loads('"' + literal[4:-4] + '"') == text


def test_the_suite_reports_http_figures_as_a_table() -> None:
    from benchmarks.__main__ import render_http

    phase: dict[str, object] = {"non_2xx": 0.0, "load_average_before": 0.5}
    for figure in ("lookups_per_s", "p50_ms", "p90_ms", "p99_ms"):
        phase[figure] = 1.0
    phase |= {"server_cpu_ms_per_lookup": 1.0, "database_cpu_ms_per_lookup": 0.5}
    runs = [{"connections": count, "mix": phase, "unique": phase} for count in (4, 16)]
    http: dict[str, object] = {"runs": runs, "n_quotes": 1000, "cores": 2, "seconds": 20}
    http |= {"server_workers": 2, "access_log": False, "wrk_threads": 2}
    http["texts"] = {"mix": "m", "unique": "u"}
    lines = render_http(http)
    rows = [line for line in lines if line.startswith(("| 4 |", "| 16 |"))]
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| 4", "m"],
        ["| 4", "u"],
        ["| 16", "m"],
        ["| 16", "u"],
    ]
    assert render_http(None) == []


def test_http_connection_counts_are_checked() -> None:
    import argparse

    from benchmarks.http_lookup import connection_counts

    assert connection_counts("4,8,16") == [4, 8, 16]
    for wrong in ("", "4,x", "0", "8,-1"):
        with pytest.raises(argparse.ArgumentTypeError):
            connection_counts(wrong)


def test_a_grown_database_says_how_many_quotes_it_holds() -> None:
    assert _quotes_cell(10_000, 10_000) == "10,000"
    assert _quotes_cell(10_000, 22_723) == "10,000 (22,723 stored)"


def test_build_refuses_a_database_that_holds_quotes(database_url: str) -> None:
    build.build(database_url, 20, workers=1)
    with pytest.raises(ValueError, match="already holds 20 canonical quotes"):
        build.build(database_url, 20, workers=1)
    engine = create_db_engine(database_url)
    try:
        with Session(engine) as session:
            assert len(session.exec(select(Quote.id)).all()) == 20  # nothing added, nothing lost
    finally:
        engine.dispose()


def _run_the_build_command(url: str) -> subprocess.CompletedProcess[str]:
    """`python -m benchmarks.build` loading 20 quotes into `url`, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.build", "--quotes", "20", "--database-url", url],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )


def test_the_build_command_says_why_it_refuses_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'built.db'}"
    build.build(url, 20, workers=1)
    done = _run_the_build_command(url)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "benchmarks.build: the database already holds 20 canonical quotes; "
        "build loads an empty one (remove it, or create a new one)"
    ]


def test_the_build_command_says_in_one_line_that_it_cannot_open_the_database(
    tmp_path: Path,
) -> None:
    done = _run_the_build_command(f"sqlite:///{tmp_path / 'no such folder' / 'built.db'}")
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("benchmarks.build: database: ")
    assert "unable to open database file" in line
