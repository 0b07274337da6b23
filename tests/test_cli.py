"""The database commands (`ingest`, `export`, `lookup`) and eval's clustering, through the CLI.

Each database test runs on SQLite and on PostgreSQL (the `database_url` fixture hands out an
empty database: the commands must migrate it themselves).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quotetrail.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PRIMARY = ROOT / "tests" / "fixtures" / "primary" / "ohchr_zeid_aleppo_2016-12-14.txt"
runner = CliRunner()

QUOTE_KEYS = {"id", "text", "speaker", "attribution_status", "first_seen"}
APPEARANCE_KEYS = {
    "origin",
    "article_id",
    "start",
    "end",
    "text",
    "speaker",
    "speaker_as_written",
    "kind",
    "status",
    "competing_speakers",
    "similarity",
}


def _run(*args: str, database_url: str | None = None) -> tuple[int, str, str]:
    argv = list(args) + (["--database-url", database_url] if database_url else [])
    result = runner.invoke(app, argv)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def seeded_url(database_url: str) -> str:
    code, out, err = _run("ingest", str(SEEDS), database_url=database_url)
    assert code == 0, err
    assert out.strip() == (
        "5 articles (5 new, 0 already stored), 11 new quotes, 17 appearances, 0 quotes merged"
    )
    return database_url


def _export(database_url: str) -> list[dict[str, object]]:
    code, out, err = _run("export", "--format", "jsonl", database_url=database_url)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_ingest_twice_stores_nothing_new(seeded_url: str) -> None:
    before = _export(seeded_url)
    code, out, _ = _run("ingest", str(SEEDS), database_url=seeded_url)
    assert code == 0
    assert out.startswith("5 articles (0 new, 5 already stored), 0 new quotes, 0 appearances")
    assert _export(seeded_url) == before


def test_ingest_a_folder_with_a_bad_file_keeps_the_others(
    database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEEDS / "001_1e5dc2ca748e8106.txt", folder / "a.txt")
    shutil.copy(SEEDS / "003_ea9d5e32708d1a33.txt", folder / "sub" / "c.txt")
    (folder / "broken.txt").write_bytes(b"\xff\xfe not utf-8 \xff")
    (folder / "notes.md").write_text("ignored: not an article format", encoding="utf-8")
    code, out, err = _run("ingest", str(folder), database_url=database_url)
    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith("quotetrail: ") and "broken.txt" in line
    assert "Traceback" not in err
    assert out.strip().startswith("2 articles (2 new, 0 already stored)")
    assert out.strip().endswith("1 failed")
    origins = {a["origin"] for q in _export(database_url) for a in q["appearances"]}  # type: ignore[attr-defined]
    assert origins == {str(folder / "a.txt"), str(folder / "sub" / "c.txt")}


def test_ingest_jsonl_html_and_metadata(database_url: str, tmp_path: Path) -> None:
    lines = [
        {
            "text": '"We will rebuild every house on this street," said Ada Quill, the mayor.',
            "title": "Mayor vows to rebuild",
            "url": "https://example.org/rebuild",
            "outlet": "Example Post",
            "published": "2021-03-04",
        },
        {
            "html": "<html><body><article><p>\u201cWe will rebuild every house on this "
            "street,\u201d Ada Quill said on Friday.</p></article></body></html>",
            "kind": "primary",
        },
        {"title": "no text at all"},
        {"text": "x", "published": "04/03/2021"},
    ]
    source = tmp_path / "batch.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken\n", encoding="utf-8")
    code, out, err = _run("ingest", str(source), "--outlet", "Default", database_url=database_url)
    assert code == 1
    failures = err.strip().splitlines()
    assert [f.split(": ")[1] for f in failures] == [f"{source}:3", f"{source}:4", f"{source}:5"]
    assert out.startswith("2 articles (2 new, 0 already stored), 1 new quotes, 2 appearances")
    (quote,) = _export(database_url)
    appearances = quote["appearances"]
    assert isinstance(appearances, list)
    assert [a["origin"] for a in appearances] == ["https://example.org/rebuild", f"{source}:2"]
    assert quote["first_seen"] == "2021-03-04"
    assert quote["speaker"] == "Ada Quill"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--published", "2016-02-30"], "--published"),
        (["--published", "14 Dec 2016"], "--published"),
        (["--url", "https://example.org/a"], "--url"),
    ],
)
def test_ingest_bad_options_fail_cleanly(database_url: str, args: list[str], message: str) -> None:
    code, out, err = _run("ingest", str(SEEDS), *args, database_url=database_url)
    assert code == 2
    assert out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith(f"quotetrail: {message}")


def test_bad_kind_is_refused() -> None:
    code, _, err = _run("ingest", str(SEEDS), "--kind", "rumour")
    assert code == 2
    assert "Traceback" not in err


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    for url in ("postgresql://nobody@127.0.0.1:1/none", "nosuchdb://x"):
        code, _, err = _run("export", database_url=url)
        assert code == 2
        (line,) = err.strip().splitlines()
        assert line.startswith("quotetrail: database: ")


def test_primary_source_through_the_cli(seeded_url: str) -> None:
    code, _, err = _run(
        "ingest",
        str(PRIMARY),
        "--kind",
        "primary",
        "--published",
        "2016-12-14",
        "--url",
        "https://www.ohchr.org/en/statements/2016/12/aleppo",
        database_url=seeded_url,
    )
    assert code == 0, err
    (quote,) = [q for q in _export(seeded_url) if "war crimes" in str(q["text"])]
    assert quote["attribution_status"] == "disputed"
    assert str(quote["speaker"]).startswith("Zeid Ra")
    assert quote["first_seen"] == "2016-12-14"
    statuses = {str(a["origin"])[-30:]: a["status"] for a in quote["appearances"]}  # type: ignore[attr-defined]
    assert statuses == {
        "seeds/002_3f25034ae387d3ff.txt": "misattributed",
        "www.ohchr.org/en/statements/2016/12/aleppo"[-30:]: "consistent",
    }


def test_export_jsonl_shape(seeded_url: str) -> None:
    records = _export(seeded_url)
    assert len(records) == 11
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)  # type: ignore[type-var]
    for record in records:
        assert set(record) == QUOTE_KEYS | {"appearances"}
        appearances = record["appearances"]
        assert isinstance(appearances, list) and appearances
        for appearance in appearances:
            assert set(appearance) == APPEARANCE_KEYS
            text = Path(appearance["origin"]).read_text(encoding="utf-8")
            assert text[appearance["start"] : appearance["end"]] == appearance["text"]
    assert sum(len(r["appearances"]) for r in records) == 17  # type: ignore[arg-type]


def test_export_csv_has_a_row_per_appearance(seeded_url: str, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    code, out, err = _run(
        "export", "--format", "csv", "--output", str(target), database_url=seeded_url
    )
    assert code == 0, err
    assert out == ""
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 17
    assert set(rows[0]) == {
        "quote_id",
        "quote_text",
        "quote_speaker",
        "attribution_status",
        "first_seen",
    } | APPEARANCE_KEYS - {"id"}
    by_quote: dict[str, set[str]] = {}
    for row in rows:
        by_quote.setdefault(row["quote_id"], set()).add(row["quote_text"])
    assert len(by_quote) == 11
    assert all(len(texts) == 1 for texts in by_quote.values())  # quote columns repeated


def test_export_of_an_empty_database(database_url: str) -> None:
    assert _export(database_url) == []


def test_lookup_prints_power_first(seeded_url: str) -> None:
    code, out, err = _run(
        "lookup", "Is there nothing that can shame you?", "--limit", "3", database_url=seeded_url
    )
    assert code == 0, err
    matches = json.loads(out)["matches"]
    assert 1 <= len(matches) <= 3
    best = matches[0]
    assert set(best) == {"score", "quote", "appearances"}
    assert set(best["quote"]) == QUOTE_KEYS
    assert best["quote"]["speaker"] == "Samantha Power"
    assert sorted(Path(a["origin"]).name[:3] for a in best["appearances"]) == [
        "001",
        "002",
        "003",
    ]
    assert all(set(a) == APPEARANCE_KEYS for a in best["appearances"])
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)


def test_lookup_of_nothing_is_refused() -> None:
    code, _, err = _run("lookup", "   ")
    assert code == 2
    assert err.startswith("quotetrail: ")


def test_eval_on_seeds_clusters_perfectly() -> None:
    code, out, err = _run("eval", str(SEEDS / "seeds.gold.json"))
    assert code == 0, err
    figures = json.loads(out.splitlines()[-1])
    assert figures["cluster_f1"] == 1.0
    assert figures["cluster_precision"] == figures["cluster_recall"] == 1.0
    assert figures["misattributions"] == figures["misattributions_flagged"] == 1
    assert figures["consistent_disputed"] == 0


def test_eval_with_a_bad_article_kind_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text('"We will appeal," said Dana Whitlock.', encoding="utf-8")
    gold = {"articles": [{"file": "doc.txt", "kind": "rumour", "quotes": []}], "speakers": {}}
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    code, _, err = _run("eval", str(tmp_path / "gold.json"))
    assert code == 2
    assert err.startswith("quotetrail: ") and "kind" in err
