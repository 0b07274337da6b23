"""Helpers of the reliability tests: seeded databases and a fingerprint of every table."""

from __future__ import annotations

import hashlib
import random
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from apitools import ROOT, SEEDS
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text

from quotetrail.db.engine import create_db_engine, create_session_factory
from quotetrail.db.migrate import upgrade_to_head
from quotetrail.service.seeding import load_seeds_if_empty


def seed_database(url: str) -> None:
    """Migrate a database and load the five seeds into it."""
    upgrade_to_head(url)
    engine = create_db_engine(url)
    try:
        assert load_seeds_if_empty(create_session_factory(engine, write=True), SEEDS) == 5
    finally:
        engine.dispose()


@dataclass
class Target:
    """An app in-process over a seeded database, and an engine to inspect that database."""

    client: TestClient
    engine: Engine
    backend: str


@dataclass(frozen=True)
class Snapshot:
    """Every table's rows by primary key (as text), with a count and a checksum per table."""

    rows: dict[str, dict[str, str]]

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.rows.items()}

    def checksums(self) -> dict[str, str]:
        return {
            table: hashlib.sha256(
                "\n".join(f"{k}={v}" for k, v in sorted(rows.items())).encode()
            ).hexdigest()
            for table, rows in self.rows.items()
        }

    def changes(self, after: Snapshot) -> dict[str, dict[str, set[str]]]:
        """Per table: keys of rows added, removed and changed between self and `after`."""
        found: dict[str, dict[str, set[str]]] = {}
        for table in sorted(set(self.rows) | set(after.rows)):
            old, new = self.rows.get(table, {}), after.rows.get(table, {})
            diff = {
                "added": set(new) - set(old),
                "removed": set(old) - set(new),
                "changed": {k for k in set(old) & set(new) if old[k] != new[k]},
            }
            if any(diff.values()):
                found[table] = diff
        return found


def snapshot(engine: Engine) -> Snapshot:
    """Read every table (alembic_version too) in one transaction."""
    inspector = inspect(engine)
    rows: dict[str, dict[str, str]] = {}
    with engine.connect() as connection:
        for table in sorted(inspector.get_table_names()):
            if table.startswith("sqlite_") or "_fts" in table:
                continue
            columns = [c["name"] for c in inspector.get_columns(table)]
            key = inspector.get_pk_constraint(table)["constrained_columns"] or columns
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            names = list(result.keys())
            table_rows: dict[str, str] = {}
            for row in result:
                values: dict[str, Any] = dict(zip(names, row, strict=True))
                table_rows[repr(tuple(values[k] for k in key))] = repr(sorted(values.items()))
            rows[table] = table_rows
    return Snapshot(rows)


@contextmanager
def seeded_url(backend: str, folder: Path, cluster: Any) -> Iterator[str]:
    """A fresh seeded database on `backend` (sqlite: a file in `folder`; postgresql: `cluster`)."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'seeded.db'}"
        seed_database(url)
        yield url
        return
    name = cluster.create_database()
    try:
        url = cluster.url(name)
        seed_database(url)
        yield url
    finally:
        cluster.drop_database(name)


# --- a workload of articles sharing quotations --------------------------------------------------

WRITERS = 8
POSTS = 500
DUPLICATES = 100  # posts repeating a text another writer posts at about the same moment
UTTERANCES = 40
WORDS_PER_UTTERANCE = 12
NAMES = ["Ada Quill", "Bertram Vance", "Carla Mendes", "Dmitri Orlov", "Esther Nkemelu"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _vocabulary() -> list[str]:
    """Distinct lowercase words of the fixture articles: utterances never share a word."""
    seen: dict[str, None] = {}
    for path in sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt")):
        for word in re.findall(r"\b[a-z]{6,12}\b", path.read_text(encoding="utf-8")):
            seen.setdefault(word, None)
    words = list(seen)
    assert len(words) >= UTTERANCES * WORDS_PER_UTTERANCE
    return words


def workload() -> tuple[list[str], list[str]]:
    """(utterances, texts to post in order): distinct articles each quoting 1-3 utterances."""
    rng = random.Random(7)
    words = _vocabulary()
    rng.shuffle(words)
    utterances = [
        " ".join(words[i * WORDS_PER_UTTERANCE : (i + 1) * WORDS_PER_UTTERANCE]).capitalize()
        for i in range(UTTERANCES)
    ]
    distinct = POSTS - DUPLICATES
    texts: list[str] = []
    for number in range(distinct):
        chosen = rng.sample(range(UTTERANCES), rng.randint(1, 3))
        paragraphs = [f"Dispatch number {number} from the wire"]
        for index in chosen:
            name, day = rng.choice(NAMES), rng.choice(DAYS)
            paragraphs.append(f'"{utterances[index]}," {name} said on {day}.')
        texts.append("\n\n".join(paragraphs) + "\n")
    posts = list(texts)
    for _ in range(DUPLICATES):  # the same text again, somewhere near its first post
        original = rng.randrange(distinct)
        posts.insert(min(len(posts), original + rng.randint(0, WRITERS)), texts[original])
    return utterances, posts
