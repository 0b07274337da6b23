"""The fixture articles' gold annotation is well-formed and matches the article texts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ARTICLES_DIR = Path(__file__).parent / "fixtures" / "articles"
GOLD_PATH = ARTICLES_DIR / "fixtures.gold.json"
KINDS = {"direct", "block", "fragment"}
QUOTE_MARKS = "\"'“”‘’„‚«»"
# Length-preserving folding so names and mentions can be looked up whatever the typography.
FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})

GOLD: dict[str, Any] = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
ARTICLES: list[dict[str, Any]] = GOLD["articles"]
SPEAKERS: dict[str, dict[str, Any]] = GOLD["speakers"]


def _fold(text: str) -> str:
    return text.translate(FOLD).casefold()


def _text_of(item: str | dict[str, Any]) -> str:
    """not_quotes may be plain strings (as in the seeds) or objects with a 'text'."""
    return item if isinstance(item, str) else item["text"]


def _document(article: dict[str, Any]) -> str:
    return (ARTICLES_DIR / article["file"]).read_text(encoding="utf-8")


@pytest.fixture(params=ARTICLES, ids=lambda article: article["file"])
def article(request: pytest.FixtureRequest) -> dict[str, Any]:
    return request.param


def test_top_level_schema() -> None:
    assert set(GOLD) >= {"about", "articles", "speakers", "clusters", "misattributions"}
    assert len(ARTICLES) >= 28
    assert sum(len(article["quotes"]) for article in ARTICLES) >= 150


def test_every_txt_is_listed_once_and_every_listed_file_exists() -> None:
    listed = [article["file"] for article in ARTICLES]
    assert len(listed) == len(set(listed))
    on_disk = sorted(path.name for path in ARTICLES_DIR.glob("*.txt"))
    assert sorted(listed) == on_disk


def test_article_shape(article: dict[str, Any]) -> None:
    text = _document(article)
    assert 150 <= len(text.split()) <= 600
    assert set(article) >= {"file", "quotes", "not_quotes"}
    for quote in article["quotes"] + article.get("optional", []):
        assert set(quote) >= {"text", "speaker", "kind"}, quote
        assert set(quote) <= {"text", "speaker", "kind", "cluster", "note", "speaker_as_written"}


def test_texts_are_exact_substrings(article: dict[str, Any]) -> None:
    text = _document(article)
    items = article["quotes"] + article.get("optional", []) + article["not_quotes"]
    for item in items:
        assert _text_of(item) in text, (article["file"], _text_of(item))


def test_quote_texts_are_unique_and_exclude_marks(article: dict[str, Any]) -> None:
    text = _document(article)
    for quote in article["quotes"]:
        snippet = quote["text"]
        assert text.count(snippet) == 1, (article["file"], snippet)
        assert snippet == snippet.strip(), snippet
        assert snippet[0] not in QUOTE_MARKS and snippet[-1] not in QUOTE_MARKS, snippet


def test_kinds(article: dict[str, Any]) -> None:
    for quote in article["quotes"] + article.get("optional", []):
        assert quote["kind"] in KINDS, quote


def test_speakers_are_known_and_named_in_the_article(article: dict[str, Any]) -> None:
    folded = _fold(_document(article))
    for quote in article["quotes"] + article.get("optional", []):
        speaker = quote["speaker"]
        assert speaker in SPEAKERS, (article["file"], speaker)
        names = [speaker, *SPEAKERS[speaker]["aliases"]]
        assert any(_fold(name) in folded for name in names), (article["file"], speaker)
        as_written = quote.get("speaker_as_written")
        if as_written:
            assert _fold(as_written) in folded, (article["file"], as_written)


def test_speaker_entries() -> None:
    for name, entry in SPEAKERS.items():
        assert set(entry) == {"aliases", "role"}, name
        assert isinstance(entry["aliases"], list), name
        assert entry["aliases"], name
        if entry["role"] is None:  # an indefinite source is kept as written
            assert entry["aliases"] == [name]


def test_clusters_and_misattributions() -> None:
    used: dict[str, set[str]] = {}
    for article in ARTICLES:
        for quote in article["quotes"] + article.get("optional", []):
            if "cluster" in quote:
                used.setdefault(quote["cluster"], set()).add(article["file"])
    assert set(GOLD["clusters"]) <= set(used)
    files = {article["file"] for article in ARTICLES}
    for entry in GOLD["misattributions"]:
        assert entry["cluster"] in used
        assert entry["file"] in files
        assert entry["file"] in used[entry["cluster"]]
        assert entry["attributed_to"] in SPEAKERS
        assert entry["actual_speaker"] in SPEAKERS
        assert entry["attributed_to"] != entry["actual_speaker"]


def test_corpus_covers_every_kind_and_has_quote_free_articles() -> None:
    kinds = {quote["kind"] for article in ARTICLES for quote in article["quotes"]}
    assert kinds == KINDS
    assert sum(1 for article in ARTICLES if not article["quotes"]) >= 2
