"""Eight parallel writers post articles that share quotations to a real server (uvicorn, several
worker processes): one article per distinct text, one canonical quote per utterance, every
appearance stored, and never a 5xx (no deadlock, no unique violation leaking out).

PostgreSQL serialises matching with an advisory lock; SQLite with its database write lock
(BEGIN IMMEDIATE, busy_timeout). Both get the same 500 posts.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from reltools import POSTS, WRITERS, snapshot, workload  # first: puts tests/api on the path
from sqlalchemy import text

from apitools import AUTH, free_port, server_env, start_server, stop_server  # isort: skip
from quotetrail.db.engine import create_db_engine
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text


def _utterance_of(appearance: str, utterances: list[str]) -> int:
    matches = [i for i, u in enumerate(utterances) if u.rstrip(",") == appearance.rstrip(",")]
    assert len(matches) == 1, appearance
    return matches[0]


def _run(url: str, folder: Path) -> None:
    utterances, posts = workload()
    port = free_port()
    (folder / "no-seeds").mkdir()
    command = [sys.executable, "-m", "quotetrail.cli", "serve", "--port", str(port)]
    command += ["--workers", "4", "--seeds", str(folder / "no-seeds"), "--no-access-log"]
    server = start_server(
        command, cwd=folder, env=server_env(url), log=folder / "server.log", port=port
    )
    results: list[tuple[str, int, int]] = []
    started = time.monotonic()
    try:

        def writer(share: list[str]) -> list[tuple[str, int, int]]:
            done = []
            with httpx.Client(base_url=server.base_url, headers=AUTH, timeout=120) as client:
                for body in share:
                    response = client.post("/v1/articles", json={"text": body})
                    done.append((body, response.status_code, response.json().get("id", -1)))
            return done

        shares = [posts[i::WRITERS] for i in range(WRITERS)]
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            for done in pool.map(writer, shares):
                results.extend(done)
    finally:
        stop_server(server)
    elapsed = time.monotonic() - started
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]

    statuses = Counter(status for _, status, _ in results)
    assert set(statuses) <= {200, 201}, statuses
    distinct = set(posts)
    assert statuses[201] == len(distinct)
    assert statuses[200] == POSTS - len(distinct)
    ids: dict[str, set[int]] = defaultdict(set)
    for body, _, article_id in results:
        ids[body].add(article_id)
    assert all(len(found) == 1 for found in ids.values())  # one article per distinct text

    engine = create_db_engine(url)
    try:
        counts = snapshot(engine).counts()
        with engine.connect() as connection:
            appearances = connection.execute(
                text("SELECT article_id, quote_id, text FROM appearance")
            ).all()
    finally:
        engine.dispose()
    assert counts["article"] == len(distinct)
    expected = sum(
        len({(q.start, q.end) for q in extract_quotations(document_from_text(body))})
        for body in distinct
    )
    assert expected == sum(body.count('"') // 2 for body in distinct)  # the workload is sane
    assert len(appearances) == expected  # every appearance stored, once
    quote_of: dict[int, set[int]] = defaultdict(set)
    for _, quote_id, written in appearances:
        quote_of[_utterance_of(written, utterances)].add(quote_id)
    assert all(len(quotes) == 1 for quotes in quote_of.values())  # one quote per utterance
    assert counts["quote"] == len(quote_of)
    print(f"{POSTS} posts by {WRITERS} writers in {elapsed:.1f}s: {dict(statuses)}")


@pytest.mark.slow
def test_parallel_writers_on_postgresql(postgres_cluster: object, tmp_path: Path) -> None:
    cluster = postgres_cluster
    name = cluster.create_database()  # type: ignore[attr-defined]
    try:
        _run(cluster.url(name), tmp_path)  # type: ignore[attr-defined]
    finally:
        cluster.drop_database(name)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_parallel_writers_on_sqlite(tmp_path: Path) -> None:
    _run(f"sqlite:///{tmp_path / 'concurrency.db'}", tmp_path)
