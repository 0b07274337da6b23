"""Upgrading from every earlier revision to head keeps the data in place, on both databases.

The seeds are ingested at head, the schema is taken down to each earlier revision (keeping the
rows its tables hold), then upgraded again: every row is as it was, and the tables the later
revisions add are rebuilt from the data (e.g. 0002's key frequencies from the index postings).
The app then still ingests and finds quotes on the upgraded database.
"""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from reltools import seed_database, snapshot  # first: it puts tests/api (apitools) on the path

from apitools import AUTH, POWER_LINE, make_settings  # isort: skip
from quotetrail.api.app import create_app
from quotetrail.db import migrate
from quotetrail.db.engine import create_db_engine


def earlier_revisions() -> list[str]:
    """Every revision before head, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [r.revision for r in script.walk_revisions()]  # newest first
    return list(reversed(revisions))[:-1]


def _to(database_url: str, revision: str) -> None:
    migrate._run(database_url, lambda config: command.downgrade(config, revision))


def test_there_are_earlier_revisions_to_upgrade_from() -> None:
    assert earlier_revisions()[0] == "0001"
    assert migrate.head_revision() not in earlier_revisions()


def test_upgrade_from_every_earlier_revision_keeps_the_data(database_url: str) -> None:
    seed_database(database_url)
    engine = create_db_engine(database_url)
    try:
        at_head = snapshot(engine)
        assert at_head.counts()["appearance"] > 0
        for revision in earlier_revisions():
            _to(database_url, revision)
            assert migrate.current_revision(database_url) == revision
            kept = snapshot(engine)
            for table, rows in kept.rows.items():
                if table != "alembic_version":
                    assert rows == at_head.rows[table], (revision, table)
            migrate.upgrade_to_head(database_url)
            assert migrate.current_revision(database_url) == migrate.head_revision()
            upgraded = snapshot(engine)
            assert upgraded.checksums() == at_head.checksums(), revision
    finally:
        engine.dispose()
    with TestClient(create_app(make_settings(database_url))) as client:
        found = client.post("/v1/lookup", json={"text": POWER_LINE}).json()["matches"]
        assert found and len(found[0]["appearances"]) == 3
        article = '"The harbour will reopen on Monday at dawn," said Port Director Lena Moss.'
        assert client.post("/v1/articles", json={"text": article}, headers=AUTH).status_code == 201
