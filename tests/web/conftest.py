"""Page fixtures: a database (SQLite and PostgreSQL) holding the seeds and a hostile article."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from webtools import Hostile, seed_database  # first: it puts tests/api (apitools) on the path

from apitools import make_settings  # isort: skip
from quotetrail.api.app import create_app


@dataclass
class Pages:
    """An in-process client on a seeded database, and the ids of the hostile article's rows."""

    client: TestClient
    hostile: Hostile


def _seeded(url: str) -> Hostile:
    hostile = seed_database(url, hostile=True)
    assert hostile is not None
    return hostile


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pages(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pages]:
    """The app in-process (httpx) over a seeded database that the module's tests only read."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'pages.db'}"
        hostile = _seeded(url)
        with TestClient(create_app(make_settings(url))) as client:
            yield Pages(client, hostile)
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = cluster.create_database()
    try:
        url = cluster.url(name)
        hostile = _seeded(url)
        with TestClient(create_app(make_settings(url))) as client:
            yield Pages(client, hostile)
    finally:
        cluster.drop_database(name)
