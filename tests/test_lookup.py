"""service.lookup: which of the index's candidates are worth scoring."""

from __future__ import annotations

from quotetrail.service.lookup import CANDIDATE_SCORE_SHARE, shortlist


def test_shortlist_keeps_the_first_then_those_near_the_best() -> None:
    best = 1000
    near = int(best * CANDIDATE_SCORE_SHARE) + 1
    far = int(best * CANDIDATE_SCORE_SHARE) - 1
    scored = [(7, best), (3, 900), (9, near), (4, far), (5, far)]
    assert shortlist(scored, keep=1) == [7, 3, 9]
    assert shortlist(scored, keep=4) == [7, 3, 9, 4]  # the first `keep` whatever their score
    assert shortlist([], keep=3) == []
