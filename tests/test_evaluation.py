"""Scoring rules of quotetrail.evaluation, on hand-made predictions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotetrail.evaluation import GoldError, load_gold, name_key, score, speaker_matches
from quotetrail.pipeline.extract import extract_quotations
from quotetrail.pipeline.text import document_from_text
from quotetrail.pipeline.types import Quotation

ROOT = Path(__file__).resolve().parent.parent
A = "Alpha beta gamma delta epsilon zeta eta theta iota kappa,"
B = "Lambda mu nu xi omicron pi rho sigma tau upsilon phi chi."
TEXT = f'Intro. "{A}" Jo Ames said. "{B}"'


def gold_for(tmp_path: Path, quotes: list[dict[str, str]]) -> Path:
    path = tmp_path / "gold.json"
    data = {
        "articles": [{"file": "doc.txt", "quotes": quotes}],
        "speakers": {"Jo Ames": {"aliases": ["Ames", "Jo Ames"]}},
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def quote(text: str, speaker: str | None) -> Quotation:
    start = TEXT.index(text)
    return Quotation(text=text, start=start, end=start + len(text), kind="direct", speaker=speaker)


def test_a_whole_prediction_covering_two_gold_parts_counts_once(tmp_path: Path) -> None:
    gold = load_gold(
        gold_for(
            tmp_path,
            [
                {"text": A, "speaker": "Jo Ames"},
                {"text": B, "speaker": "Jo Ames"},
            ],
        ),
        {"doc.txt": TEXT},
    )
    whole = quote(f'{A}" Jo Ames said. "{B}', "Ames")
    report = score(gold, {"doc.txt": [whole]}, {"doc.txt": TEXT})
    # 80% of the prediction lies inside gold quotes and both gold quotes are covered.
    assert report.recall == 1.0
    assert report.precision == 1.0
    assert report.speaker_accuracy == 1.0


def test_extra_and_wrong_speaker_are_counted(tmp_path: Path) -> None:
    gold = load_gold(
        gold_for(tmp_path, [{"text": A, "speaker": "Jo Ames"}]),
        {"doc.txt": TEXT},
    )
    predictions = [quote(A, "Someone"), quote("Intro.", None)]
    report = score(gold, {"doc.txt": predictions}, {"doc.txt": TEXT})
    assert report.precision == 0.5
    assert report.speaker_accuracy == 0.0
    assert len(report.extras) == 1 and len(report.wrong_speakers) == 1


def test_gold_text_missing_from_the_document_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GoldError):
        load_gold(gold_for(tmp_path, [{"text": "not there", "speaker": "X"}]), {"doc.txt": TEXT})


def test_names_compare_without_case_accents_or_apostrophes() -> None:
    assert name_key("Zeid Ra’ad Al Hussein") == name_key("zeid raad al hussein")
    assert speaker_matches(
        "Recep Erdogan",
        "Recep Tayyip Erdogan",
        {"Recep Tayyip Erdogan": frozenset({name_key("Recep Erdogan")})},
    )
    assert not speaker_matches(None, "X", {})


def test_fixture_corpus_stays_above_its_recorded_floor() -> None:
    """A regression guard over our own 31 articles (the figures are in benchmarks/RESULTS.md)."""
    folder = ROOT / "tests" / "fixtures" / "articles"
    names = [a["file"] for a in json.loads((folder / "fixtures.gold.json").read_text())["articles"]]
    documents = {n: (folder / n).read_text(encoding="utf-8") for n in names}
    gold = load_gold(folder / "fixtures.gold.json", documents)
    predictions = {n: extract_quotations(document_from_text(t)) for n, t in documents.items()}
    report = score(gold, predictions, documents)
    assert report.f1 >= 0.95
    assert report.speaker_accuracy >= 0.90
