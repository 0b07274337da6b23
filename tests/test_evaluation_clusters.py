"""Clustering scores (quotetrail.evaluation.bcubed, score_clusters): pure, no database."""

from __future__ import annotations

import pytest

from quotetrail.evaluation import (
    Gold,
    GoldArticle,
    GoldMisattribution,
    GoldQuote,
    PredictedAppearance,
    bcubed,
    score_clusters,
)


def test_bcubed_perfect_and_degenerate_clusterings() -> None:
    assert bcubed(["a", "a", "b"], [1, 1, 2]) == (1.0, 1.0, 1.0)
    assert bcubed([], []) == (1.0, 1.0, 1.0)
    # Everything in one predicted cluster: recall perfect, precision not.
    p, r, f = bcubed(["a", "a", "b", "b"], [1, 1, 1, 1])
    assert (p, r) == (0.5, 1.0)
    assert f == pytest.approx(2 / 3)
    # Everything apart: precision perfect.
    p, r, _ = bcubed(["a", "a", "b"], [1, 2, 3])
    assert p == 1.0 and r == pytest.approx((0.5 + 0.5 + 1) / 3)


def test_bcubed_needs_equal_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        bcubed(["a"], [])


def _quote(start: int, cluster: str | None, speaker: str = "Ada Quill") -> GoldQuote:
    return GoldQuote("x" * 10, start, start + 10, speaker, "direct", cluster)


def _appearance(start: int, quote_id: int, status: str = "consistent") -> PredictedAppearance:
    return PredictedAppearance(start, start + 10, quote_id, status, status)


def test_score_clusters_maps_gold_quotes_to_canonical_quotes() -> None:
    gold = Gold(
        articles=(
            GoldArticle("a.txt", (_quote(0, "c1"), _quote(20, "c1"), _quote(40, None)), (), ()),
            GoldArticle("b.txt", (_quote(0, "c1"), _quote(20, "c2")), (), ()),
        ),
        aliases={},
    )
    perfect = {
        "a.txt": [_appearance(0, 1), _appearance(20, 1), _appearance(40, 2)],
        "b.txt": [_appearance(0, 1), _appearance(20, 3)],
    }
    report = score_clusters(gold, perfect)
    assert (report.precision, report.recall, report.f1) == (1.0, 1.0, 1.0)
    assert report.found == report.gold_quotes == 5
    assert report.consistent_clusters == 3 and report.consistent_disputed == 0

    # b.txt's cut of c1 became its own quote, and the unclustered quote was missed.
    split = {"a.txt": [_appearance(0, 1), _appearance(20, 1)], "b.txt": perfect["b.txt"][1:]}
    split["b.txt"].append(_appearance(0, 9))
    report = score_clusters(gold, split)
    assert report.precision == 1.0 and report.recall < 1.0
    assert report.found == 4
    assert any(e.startswith("SPLIT cluster c1") for e in report.errors)


def test_misattributions_flagged_and_consistent_quotes_disputed() -> None:
    gold = Gold(
        articles=(
            GoldArticle("a.txt", (_quote(0, "said"), _quote(20, "other")), (), ()),
            GoldArticle("b.txt", (_quote(0, "said", speaker="Bo Reyes"),), (), ()),
        ),
        aliases={},
        misattributions=(GoldMisattribution("said", "b.txt", "Bo Reyes", "Ada Quill"),),
    )
    flagged = {
        "a.txt": [_appearance(0, 1), _appearance(20, 2, "disputed")],
        "b.txt": [_appearance(0, 1, "misattributed")],
    }
    report = score_clusters(gold, flagged)
    assert (report.misattributions, report.misattributions_flagged) == (1, 1)
    # "other" has one speaker in the gold: disputing it is an error.
    assert report.consistent_clusters == 1 and report.consistent_disputed == 1

    missed = {"a.txt": [_appearance(0, 1)], "b.txt": [_appearance(0, 1)]}
    report = score_clusters(gold, missed)
    assert report.misattributions_flagged == 0
    assert any(e.startswith("UNFLAGGED") for e in report.errors)
