"""The seed articles loaded into an empty database on first start (`quotetrail serve`)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from quotetrail.db.articles import count_articles
from quotetrail.db.engine import session_scope
from quotetrail.service.ingest import ingest_article
from quotetrail.sources import (
    MAX_TITLE_LENGTH,
    ArticleInput,
    Defaults,
    SourceError,
    parse_date,
    parse_kind,
    read_file,
)

GOLD_FILE = "seeds.gold.json"


def find_seeds_folder(given: Path | None = None) -> Path | None:
    """`given`, else ./seeds, else the seeds of the source checkout Quotetrail runs from."""
    if given is not None:
        return given
    for candidate in (Path("seeds"), Path(__file__).resolve().parents[2] / "seeds"):
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    return None


def seed_defaults(folder: Path) -> dict[str, Defaults]:
    """Per seed file, the publication date and kind its gold file gives, if any."""
    gold = folder / GOLD_FILE
    if not gold.is_file():
        return {}
    try:
        articles = json.loads(gold.read_text(encoding="utf-8")).get("articles", [])
        return {
            entry["file"]: Defaults(
                kind=parse_kind(entry.get("kind") or "news"),
                published=parse_date(entry["published"]) if entry.get("published") else None,
            )
            for entry in articles
        }
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise SourceError(f"{gold}: not a gold file ({error})") from None


def seed_articles(folder: Path) -> list[ArticleInput]:
    """The seed folder's .txt articles in name order, with their gold metadata."""
    defaults = seed_defaults(folder)
    found: list[ArticleInput] = []
    for path in sorted(folder.glob("*.txt")):
        for item in read_file(path, defaults.get(path.name, Defaults())):
            if isinstance(item, SourceError):
                raise item
            # A stable origin wherever the service runs from; a title that is not page furniture.
            found.append(replace(item, origin=f"seeds/{path.name}", title=_headline(item.text)))
    return found


def _headline(text: str) -> str | None:
    """The first line that reads as a headline: not "ADVERTISEMENT" and the like."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.isupper() and len(line) <= MAX_TITLE_LENGTH:
            return line
    return None


def load_seeds_if_empty(factory: sessionmaker[Session], folder: Path) -> int | None:
    """Ingest the seeds when the database holds no article; how many, or None if not empty."""
    with session_scope(factory) as session:
        if count_articles(session=session) > 0:
            return None
    articles = seed_articles(folder)
    for item in articles:
        with session_scope(factory) as session:  # one transaction per article
            ingest_article(
                session=session,
                text=item.text,
                origin=item.origin,
                title=item.title,
                outlet=item.outlet,
                published=item.published,
                kind=item.kind,
            )
    return len(articles)
