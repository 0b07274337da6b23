"""Helpers shared by the page tests and scripts/screenshots.py: seeded databases, a real server,
Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from apitools import ROOT, SEEDS, Server, free_port, server_env, start_server

from quotetrail.db.engine import create_db_engine, create_session_factory, session_scope
from quotetrail.db.migrate import upgrade_to_head
from quotetrail.db.quotes import get_quote
from quotetrail.db.speakers import add_alias, update_speaker
from quotetrail.service.ingest import ingest_article
from quotetrail.service.seeding import load_seeds_if_empty

PRIMARY = ROOT / "tests" / "fixtures" / "primary" / "ohchr_zeid_aleppo_2016-12-14.txt"
PRIMARY_URL = "https://example.org/ohchr/zeid-aleppo-2016-12-13"

CHROMIUM = Path(os.environ.get("QUOTETRAIL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("QUOTETRAIL_REQUIRE_BROWSER") == "1"

# An article whose every user-supplied field tries to inject markup into the pages.
XSS = "<script>alert(1)</script>"
HOSTILE_TEXT = (
    "Parish council meets\n\n"
    f'"The minutes say {XSS} and nothing more, and we stand by every word of them," said '
    "Councillor Hester Vane, the clerk.\n"
)
HOSTILE_WORDS = "The minutes say"
HOSTILE_TITLE = f"Parish {XSS} council"
HOSTILE_OUTLET = '<img src=x onerror="alert(2)">Gazette'
HOSTILE_ORIGIN = "javascript:alert(3)"
HOSTILE_NAME = '<b onmouseover="alert(4)">Hester</b> Vane'
HOSTILE_ROLE = "<i>clerk</i> & <u>scribe</u>"
HOSTILE_ALIAS = "<svg onload=alert(5)>"


@dataclass(frozen=True)
class Hostile:
    """Ids of the hostile article's quote and speaker."""

    quote_id: int
    speaker_id: int


def seed_database(url: str, *, primary: bool = False, hostile: bool = False) -> Hostile | None:
    """Migrate, load the seeds; optionally the OHCHR primary source and the hostile article."""
    upgrade_to_head(url)
    engine = create_db_engine(url)
    try:
        factory = create_session_factory(engine, write=True)
        assert load_seeds_if_empty(factory, SEEDS) == 5
        if primary:
            with session_scope(factory) as session:
                ingest_article(
                    session=session,
                    text=PRIMARY.read_text(encoding="utf-8"),
                    origin=PRIMARY_URL,
                    title="Aleppo: Zeid on the resumption of bombardment",
                    outlet="OHCHR",
                    published=date(2016, 12, 13),
                    kind="primary",
                )
        if not hostile:
            return None
        with session_scope(factory) as session:
            result = ingest_article(
                session=session,
                text=HOSTILE_TEXT,
                origin=HOSTILE_ORIGIN,
                title=HOSTILE_TITLE,
                outlet=HOSTILE_OUTLET,
                published=date(2024, 5, 1),
            )
            (quote_id,) = result.quote_ids
            quote = get_quote(session=session, quote_id=quote_id)
            assert quote is not None and quote.speaker_id is not None
            speaker_id = quote.speaker_id
            update_speaker(
                session=session, speaker_id=speaker_id, name=HOSTILE_NAME, role=HOSTILE_ROLE
            )
            add_alias(session=session, speaker_id=speaker_id, alias=HOSTILE_ALIAS)
        return Hostile(quote_id=quote_id, speaker_id=speaker_id)
    finally:
        engine.dispose()


def serve(database_url: str, folder: Path) -> Server:
    """`quotetrail serve` (uvicorn) on a free 127.0.0.1 port over an already seeded database."""
    port = free_port()
    command = [sys.executable, "-m", "quotetrail.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--seeds", str(SEEDS)]
    return start_server(
        command,
        cwd=folder,
        env=server_env(database_url),
        log=folder / f"server-{port}.log",
        port=port,
    )


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the `playwright` Python package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.is_file():
        return (
            f"no Chromium at {CHROMIUM}: install Debian's `chromium` package (scripts/test.sh "
            "does) or point QUOTETRAIL_CHROMIUM at one"
        )
    return None
