"""Reliability fixtures: a seeded database per backend and an in-process client over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from reltools import Target, seeded_url  # first: it puts tests/api (apitools) on the path

from apitools import make_settings  # isort: skip
from quotetrail.api.app import create_app
from quotetrail.db.engine import create_db_engine


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """A seeded database shared by a module's tests, each of which must leave it as it was."""
    cluster = request.getfixturevalue("postgres_cluster") if request.param != "sqlite" else None
    with seeded_url(request.param, tmp_path_factory.mktemp("hostile"), cluster) as url:
        engine = create_db_engine(url)
        try:
            with TestClient(create_app(make_settings(url))) as client:
                yield Target(client, engine, request.param)
        finally:
            engine.dispose()
