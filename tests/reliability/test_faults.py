"""Faults during ingestion, against a real server: PostgreSQL stopped mid-ingest (503 problem+json
at once, nothing partial, recovery without a restart once it is back) and the server SIGKILLed
mid-ingest (nothing partial after a restart), on a dedicated PostgreSQL cluster or a SQLite file.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from reltools import snapshot, workload  # first: it puts tests/api (apitools) on the path
from sqlalchemy import text

from apitools import (  # isort: skip
    AUTH,
    Server,
    assert_problem,
    free_port,
    server_env,
    start_server,
    stop_server,
)
from quotetrail.db.engine import create_db_engine
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text

QUICK = 5.0  # seconds within which a request must be answered while the database is away


def long_article(paragraphs: int = 1500) -> str:
    """An article quoting `paragraphs` distinct utterances: seconds of database work."""
    utterances, _ = workload()
    names = ["Ada Quill", "Bertram Vance", "Carla Mendes"]
    body = [
        f'"{utterances[i % len(utterances)]} number {i} again," {names[i % 3]} said.'
        for i in range(paragraphs)
    ]
    return "A very long dispatch\n\n" + "\n\n".join(body) + "\n"


def serve(url: str, folder: Path) -> Server:
    port = free_port()
    (folder / "no-seeds").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "quotetrail.cli", "serve", "--port", str(port)]
    command += ["--seeds", str(folder / "no-seeds"), "--no-access-log"]
    return start_server(
        command, cwd=folder, env=server_env(url), log=folder / f"server-{port}.log", port=port
    )


def post_in_background(server: Server, body: dict[str, Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def post() -> None:
        try:
            outcome.append(
                httpx.post(f"{server.base_url}/v1/articles", json=body, headers=AUTH, timeout=120)
            )
        except httpx.HTTPError as error:
            outcome.append(error)

    thread = threading.Thread(target=post)
    thread.start()
    return thread, outcome


def assert_complete(url: str) -> dict[str, int]:
    """Every stored article has every appearance its text holds; returns the row counts."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            articles = connection.execute(text("SELECT id, text FROM article")).all()
            stored = dict(
                connection.execute(
                    text("SELECT article_id, count(*) FROM appearance GROUP BY article_id")
                ).all()
            )
        for article_id, body in articles:
            quotations = extract_quotations(document_from_text(body))
            assert stored.get(article_id, 0) == len({(q.start, q.end) for q in quotations})
        return snapshot(engine).counts()
    finally:
        engine.dispose()


@pytest.fixture
def own_cluster(postgres_cluster: Any) -> Iterator[Any]:
    """A PostgreSQL cluster of this test's own, to stop and start without disturbing others."""
    cluster = type(postgres_cluster)(postgres_cluster.bin_dir)
    try:
        cluster.start()
        # The shared test cluster commits asynchronously for speed; a crash then loses the last
        # commits, which is not what a stopped server does to a durable database.
        cluster._admin("ALTER SYSTEM SET synchronous_commit = on")
        cluster._admin("SELECT pg_reload_conf()")
        yield cluster
    finally:
        cluster.stop()


def _matching_lock_held(port: int) -> bool:
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        ).fetchone()
    return bool(row and row[0])


def _writer_inside_transaction(url: str) -> bool:
    """Whether an ingestion holds the write lock (SQLite) or the matching lock (PostgreSQL)."""
    if url.startswith("sqlite"):
        probe = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # database is locked: a writer is in its transaction
            return True
        finally:
            probe.close()
    port = int(url.split("@127.0.0.1:", 1)[1].split("/", 1)[0])
    return _matching_lock_held(port)


def _wait_for(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.slow
def test_postgresql_stopped_mid_ingest_then_back(own_cluster: Any, tmp_path: Path) -> None:
    cluster = own_cluster
    url = cluster.url(cluster.create_database())
    server = serve(url, tmp_path)
    http = httpx.Client(base_url=server.base_url, timeout=30)
    try:
        assert http.post("/v1/articles", json={"text": long_article(3)}, headers=AUTH).is_success
        thread, outcome = post_in_background(server, {"text": long_article()})
        # The writer holds the matching lock: it is inside its transaction, writing.
        _wait_for(lambda: _matching_lock_held(cluster.port))
        cluster._run("pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop")
        thread.join(timeout=60)
        (interrupted,) = outcome
        assert isinstance(interrupted, httpx.Response)
        assert_problem(interrupted, 503)
        assert interrupted.headers["Retry-After"]

        # While it is away: every database request is a quick 503, liveness stays up.
        for method, path, body in [
            ("POST", "/v1/articles", {"text": long_article(2)}),
            ("GET", "/v1/quotes", None),
            ("POST", "/v1/lookup", {"text": "anything at all to look up"}),
            ("GET", "/v1/articles/1", None),
            ("GET", "/v1/export", None),
            ("GET", "/readyz", None),
        ]:
            started = time.monotonic()
            response = http.request(method, path, json=body, headers=AUTH)
            assert time.monotonic() - started < QUICK, path
            assert_problem(response, 503)
        assert http.get("/healthz").status_code == 200

        cluster._run("pg_ctl", "-D", str(cluster.data), "-l", str(cluster.log), "-w",
                     "-t", "60", "-o", f"-p {cluster.port}", "start")  # fmt: skip
        # Back: the same server process serves again (its pool drops dead connections).
        assert server.process.poll() is None
        recovered = http.post("/v1/articles", json={"text": long_article(30)}, headers=AUTH)
        assert recovered.status_code == 201, recovered.text[:500]
        assert http.get("/v1/quotes").status_code == 200
        assert http.get("/readyz").status_code == 200
        counts = assert_complete(url)
        assert counts["article"] == 2  # the interrupted article left nothing
        again = http.post("/v1/articles", json={"text": long_article()}, headers=AUTH)
        assert again.status_code == 201
        assert assert_complete(url)["article"] == 3
        assert "Traceback" not in server.log.read_text(errors="replace")
    finally:
        http.close()
        stop_server(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def fault_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'faults.db'}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = cluster.create_database()
    try:
        yield cluster.url(name)
    finally:
        cluster.drop_database(name)


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_no_partial_article(fault_url: str, tmp_path: Path) -> None:
    server = serve(fault_url, tmp_path)
    try:
        first = httpx.post(
            f"{server.base_url}/v1/articles", json={"text": long_article(3)}, headers=AUTH
        )
        assert first.status_code == 201
        thread, outcome = post_in_background(server, {"text": long_article()})
        # Extraction done, matching and writing under way.
        _wait_for(lambda: _writer_inside_transaction(fault_url))
        time.sleep(0.3)
        assert not outcome, "the article was ingested before the kill: make it longer"
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
        thread.join(timeout=60)
        assert isinstance(outcome[0], httpx.HTTPError)
    finally:
        stop_server(server)
    assert assert_complete(fault_url)["article"] == 1

    restarted = serve(fault_url, tmp_path)
    try:
        response = httpx.get(f"{restarted.base_url}/v1/articles/2")
        assert_problem(response, 404)
        again = httpx.post(
            f"{restarted.base_url}/v1/articles",
            json={"text": long_article()},
            headers=AUTH,
            timeout=120,
        )
        assert again.status_code == 201
    finally:
        stop_server(restarted)
    assert assert_complete(fault_url)["article"] == 2
