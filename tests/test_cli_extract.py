"""The `quotetrail extract` and `quotetrail eval` commands, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from quotetrail.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_extract_jsonl_has_one_line_per_file_with_exact_offsets(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text('"We will appeal," said Dana Whitlock.\n', encoding="utf-8")
    second = tmp_path / "b.txt"
    second.write_text("No quotations here.\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(first), str(second), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(first), str(second)]
    (quote,) = lines[0]["quotes"]
    text = first.read_text(encoding="utf-8")
    assert text[quote["start"] : quote["end"]] == quote["text"] == "We will appeal,"
    assert quote["speaker"] == "Dana Whitlock"
    assert set(quote) >= {
        "text",
        "start",
        "end",
        "speaker",
        "speaker_as_written",
        "kind",
        "cue",
        "confidence",
        "competing_speakers",
    }
    assert lines[1]["quotes"] == []


def test_extract_seeds_match_their_files() -> None:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    result = runner.invoke(app, ["extract", *map(str, seeds)])
    assert result.exit_code == 0, result.output
    for line in result.stdout.splitlines():
        record = json.loads(line)
        text = Path(record["file"]).read_text(encoding="utf-8")
        for quote in record["quotes"]:
            assert text[quote["start"] : quote["end"]] == quote["text"]


def test_extract_html_reads_the_article_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><nav>Home | News</nav><article><h1>Flood</h1>"
        "<p>“The river rose faster than anyone expected,” said Mayor Ines Okoro.</p>"
        "<p>Crews worked through the night.</p></article></body></html>",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    (quote,) = record["quotes"]
    assert quote["speaker"] == "Ines Okoro"
    assert record["text"][quote["start"] : quote["end"]] == quote["text"]


def test_extract_table_is_for_people(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text('"Not today," the coach said of Leo Park, who was injured.', encoding="utf-8")
    result = runner.invoke(app, ["extract", str(path), "--format", "table"])
    assert result.exit_code == 0
    assert "Not today" in result.stdout


def test_extract_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr
    assert "Traceback" not in result.output


def test_extract_rejects_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(path), "--format", "xml"])
    assert result.exit_code == 2


def test_eval_on_seeds_reports_every_figure() -> None:
    result = runner.invoke(app, ["eval", str(ROOT / "seeds" / "seeds.gold.json")])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.splitlines()[-1])
    assert figures["documents"] == 5
    assert figures["gold_quotes"] == 17
    # The bar of issue 2: every seed quotation found, nothing else, every speaker right.
    assert figures["f1"] == 1.0
    assert figures["speaker_accuracy"] == 1.0
    assert figures["not_quotes_extracted"] == 0


def test_eval_verbose_lists_misses(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("Nothing is quoted here at all.", encoding="utf-8")
    gold = {
        "articles": [
            {"file": "doc.txt", "quotes": [{"text": "Nothing is quoted", "speaker": "X"}]}
        ],
        "speakers": {},
    }
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    result = runner.invoke(app, ["eval", str(tmp_path / "gold.json"), "--verbose"])
    assert result.exit_code == 0, result.output
    assert "MISS" in result.stdout
    assert json.loads(result.stdout.splitlines()[-1])["recall"] == 0.0


def test_eval_with_a_bad_gold_file_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "gold.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(tmp_path / "gold.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("quotetrail:")
    missing = runner.invoke(app, ["eval", str(tmp_path / "absent.json")])
    assert missing.exit_code == 2
