"""Seeds load into an empty database only, with the publication dates their gold file gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from quotetrail.db.articles import count_articles
from quotetrail.db.engine import create_session_factory, session_scope
from quotetrail.db.models import Article
from quotetrail.service.seeding import find_seeds_folder, load_seeds_if_empty, seed_articles
from quotetrail.sources import SourceError

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_seeds_load_once(engine: Engine) -> None:
    factory = create_session_factory(engine, write=True)
    assert load_seeds_if_empty(factory, SEEDS) == 5
    assert load_seeds_if_empty(factory, SEEDS) is None  # not empty any more: nothing reloaded
    with session_scope(factory) as session:
        assert count_articles(session=session) == 5
        articles = {a.origin: a for a in session.exec(select(Article))}
    first = articles["seeds/000_d4111ec8a8a58c8f.txt"]
    assert first.published_at is not None and first.published_at.isoformat() == "2016-12-14"
    assert first.title and "Taliban" in first.title
    assert all(a.kind == "news" for a in articles.values())


def test_seed_metadata_errors(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    (folder / "seeds.gold.json").write_text(
        json.dumps({"articles": [{"file": "x", "published": "14 Dec"}]})
    )
    with pytest.raises(SourceError):
        seed_articles(folder)
    (folder / "seeds.gold.json").unlink()
    assert [a.published for a in seed_articles(folder)] == [None] * 5


def test_find_seeds_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_seeds_folder(tmp_path) == tmp_path
    monkeypatch.chdir(tmp_path)
    assert find_seeds_folder() == SEEDS  # the source checkout's, when ./seeds is absent
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("text")
    assert find_seeds_folder() == Path("seeds")
