"""Articles to ingest, read from files and folders (.txt, .html/.htm, .jsonl)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

from quotetrail.db.models import ARTICLE_KINDS, ArticleKind
from quotetrail.pipeline.text import text_from_html

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
# A plain-text file's first line is its title when it is at most this long (a headline).
MAX_TITLE_LENGTH = 200
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_JSONL_FIELDS = frozenset({"text", "html", "title", "url", "outlet", "published", "kind"})


class SourceError(ValueError):
    """An input file or line cannot be read as an article."""


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """One article to ingest: its text and metadata; `label` names it in messages."""

    label: str
    text: str
    origin: str
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    kind: ArticleKind = "news"


@dataclass(frozen=True, slots=True)
class Defaults:
    """Metadata given on the command line, for articles that do not carry their own."""

    kind: ArticleKind = "news"
    outlet: str | None = None
    published: date | None = None
    url: str | None = None


def parse_date(value: str) -> date:
    """A YYYY-MM-DD date; raises SourceError otherwise."""
    if not _ISO_DATE.fullmatch(value.strip()):
        raise SourceError(f"not a YYYY-MM-DD date: {value!r}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise SourceError(f"not a valid date: {value!r} ({error})") from None


def parse_kind(value: str) -> ArticleKind:
    """`news` or `primary`; raises SourceError otherwise."""
    if value not in ARTICLE_KINDS:
        raise SourceError(f"kind must be one of {', '.join(ARTICLE_KINDS)}, not {value!r}")
    return cast(ArticleKind, value)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the supported files under folders named (recursively, sorted).

    Paths that do not exist are kept, so that reading them reports the error in order.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
            )
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def _first_line_title(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            title = line.strip()
            return title if len(title) <= MAX_TITLE_LENGTH else None
    return None


def read_file(path: Path, defaults: Defaults) -> Iterator[ArticleInput | SourceError]:
    """The articles of one file; a bad file or line yields a SourceError naming it."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield SourceError(f"{path}: not a .txt, .html, .htm or .jsonl file")
        return
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        yield SourceError(f"{path}: not UTF-8 text")
        return
    except OSError as error:
        yield SourceError(f"{path}: {error.strerror or error}")
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, raw, defaults)
        return
    text = text_from_html(raw) if suffix in HTML_SUFFIXES else raw
    if not text.strip():
        yield SourceError(f"{path}: no text")
        return
    yield ArticleInput(
        label=str(path),
        text=text,
        origin=defaults.url or str(path),
        title=None if suffix in HTML_SUFFIXES else _first_line_title(text),
        outlet=defaults.outlet,
        published=defaults.published,
        kind=defaults.kind,
    )


def _read_jsonl(path: Path, raw: str, defaults: Defaults) -> Iterator[ArticleInput | SourceError]:
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        label = f"{path}:{number}"
        try:
            article = _article_from_json(json.loads(line), defaults)
            yield replace(article, label=label, origin=article.origin or label)
        except (ValueError, SourceError) as error:
            message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            yield SourceError(f"{label}: {message}")


def _optional_str(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceError(f'"{key}" must be a string')
    return value.strip() or None


def _article_from_json(record: Any, defaults: Defaults) -> ArticleInput:
    if not isinstance(record, dict):
        raise SourceError("each line must be a JSON object")
    unknown = set(record) - _JSONL_FIELDS
    if unknown:
        raise SourceError(f"unknown field(s) {', '.join(sorted(unknown))}")
    text, html = record.get("text"), record.get("html")
    if (text is None) == (html is None):
        raise SourceError('each line needs "text" or "html" (one of them)')
    if not isinstance(text if html is None else html, str):
        raise SourceError('"text" and "html" must be strings')
    if html is not None:
        text = text_from_html(html)
    if not isinstance(text, str) or not text.strip():
        raise SourceError("no text")
    published = _optional_str(record, "published")
    kind = _optional_str(record, "kind")
    url = _optional_str(record, "url")
    return ArticleInput(
        label="",
        text=text,
        origin=url or defaults.url or "",
        title=_optional_str(record, "title"),
        outlet=_optional_str(record, "outlet") or defaults.outlet,
        published=parse_date(published) if published else defaults.published,
        kind=parse_kind(kind) if kind else defaults.kind,
    )
