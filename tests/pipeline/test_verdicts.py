"""Tests for quotetrail.pipeline.verdicts."""

from __future__ import annotations

from datetime import date

from quotetrail.pipeline.verdicts import AppearanceFacts, ArticleKind, Verdict, decide

NAMES = {1: "Ada Quill", 2: "Bo Reyes", 3: "Cy Moss"}


def fact(
    appearance_id: int,
    speaker_id: int | None,
    *,
    article_id: int | None = None,
    kind: ArticleKind = "news",
    published: date | None = None,
    competing: tuple[int, ...] = (),
) -> AppearanceFacts:
    return AppearanceFacts(
        appearance_id=appearance_id,
        speaker_id=speaker_id,
        article_kind=kind,
        published=published,
        article_id=appearance_id if article_id is None else article_id,
        competing_speaker_ids=competing,
    )


def test_one_speaker_is_consistent() -> None:
    verdict = decide([fact(10, 1), fact(11, 1), fact(12, 1)], names=NAMES)
    assert verdict == Verdict(
        status="consistent",
        speaker_id=1,
        evidence=("Articles 10, 11 and 12 credit Ada Quill.",),
        appearance_status={10: "consistent", 11: "consistent", 12: "consistent"},
    )


def test_competing_speaker_equal_to_the_credited_one_is_no_rival() -> None:
    verdict = decide([fact(10, 1, competing=(1,))], names=NAMES)
    assert verdict.status == "consistent"


def test_one_speaker_but_a_rival_in_the_context_is_uncertain() -> None:
    verdict = decide([fact(10, 1), fact(11, 1, competing=(2,))], names=NAMES)
    assert verdict.status == "uncertain"
    assert verdict.speaker_id == 1
    assert verdict.appearance_status == {10: "consistent", 11: "uncertain"}
    assert "Article 11's context also credits Bo Reyes." in verdict.evidence


def test_primary_source_settles_a_rival_in_a_news_context() -> None:
    verdict = decide(
        [fact(10, 1, competing=(2,)), fact(11, 1, kind="primary")],
        names=NAMES,
    )
    assert verdict.status == "consistent"
    assert verdict.appearance_status == {10: "consistent", 11: "consistent"}
    assert verdict.evidence[0] == "Primary source (article 11) and article 10 credit Ada Quill."


def test_news_contradicting_a_primary_source_is_misattributed() -> None:
    # A news article credits Bo Reyes, its context names Ada Quill; then Ada Quill's own
    # statement is published with the same words.
    news = fact(20, 2, article_id=2, published=date(2020, 5, 2), competing=(1,))
    before = decide([news], names=NAMES)
    assert before.status == "uncertain"
    assert before.speaker_id == 2
    assert before.appearance_status == {20: "uncertain"}

    primary = fact(70, 1, article_id=7, kind="primary", published=date(2020, 5, 3))
    after = decide([news, primary], names=NAMES)
    assert after.status == "disputed"
    assert after.speaker_id == 1
    assert after.appearance_status == {20: "misattributed", 70: "consistent"}
    assert after.evidence[:2] == (
        "Primary source (article 7) credits Ada Quill.",
        "Article 2 credits Bo Reyes.",
    )
    assert "Ada Quill is best supported: a primary source credits them." in after.evidence
    assert "Article 2 credits Bo Reyes, contradicting the primary source." in after.evidence


def test_primary_source_outranks_more_news_articles() -> None:
    appearances = [fact(i, 2) for i in range(10, 15)] + [fact(20, 1, kind="primary")]
    verdict = decide(appearances, names=NAMES)
    assert verdict.speaker_id == 1
    assert all(verdict.appearance_status[i] == "misattributed" for i in range(10, 15))


def test_without_a_primary_source_most_independent_articles_win() -> None:
    appearances = [
        # three appearances in one article are one source
        fact(1, 1, article_id=1),
        fact(2, 1, article_id=1),
        fact(3, 1, article_id=1),
        fact(4, 2, article_id=2),
        fact(5, 2, article_id=3),
    ]
    verdict = decide(appearances, names=NAMES)
    assert verdict.status == "disputed"
    assert verdict.speaker_id == 2
    assert verdict.appearance_status == {
        1: "disputed",
        2: "disputed",
        3: "disputed",
        4: "consistent",
        5: "consistent",
    }
    assert "Bo Reyes is best supported: 2 independent articles against 1." in verdict.evidence


def test_then_the_earliest_wins() -> None:
    appearances = [
        fact(1, 1, published=date(2020, 5, 3)),
        fact(2, 2, published=date(2020, 5, 1)),
        fact(3, 3, published=None),
    ]
    verdict = decide(appearances, names=NAMES)
    assert verdict.speaker_id == 2
    assert "Bo Reyes is best supported: credited earliest (2020-05-01)." in verdict.evidence
    # An undated appearance never counts as earliest.
    assert (
        decide(
            [fact(1, 1, published=None), fact(2, 2, published=date(2020, 1, 1))], names=NAMES
        ).speaker_id
        == 2
    )


def test_full_tie_is_resolved_stably_and_said_so() -> None:
    verdict = decide([fact(1, 2), fact(2, 1)], names=NAMES)
    assert verdict.speaker_id == 1
    assert verdict.evidence[-1].endswith("the support is tied, so this choice is arbitrary.")


def test_two_primary_sources_disagreeing_are_disputed_not_misattributed() -> None:
    appearances = [
        fact(1, 1, kind="primary"),
        fact(2, 1),
        fact(3, 2, kind="primary"),
        fact(4, 2),
    ]
    verdict = decide(appearances, names=NAMES)
    assert verdict.status == "disputed"
    assert verdict.speaker_id == 1
    assert verdict.appearance_status == {
        1: "consistent",
        2: "consistent",
        3: "disputed",
        4: "disputed",
    }


def test_appearances_without_a_speaker_do_not_dispute() -> None:
    verdict = decide([fact(1, 1), fact(2, None)], names=NAMES)
    assert verdict.status == "consistent"
    assert verdict.speaker_id == 1
    assert verdict.appearance_status == {1: "consistent", 2: "uncertain"}


def test_nobody_credited() -> None:
    verdict = decide([fact(1, None), fact(2, None)], names=NAMES)
    assert verdict.status == "uncertain"
    assert verdict.speaker_id is None
    assert verdict.appearance_status == {1: "uncertain", 2: "uncertain"}
    assert decide([], names=NAMES).status == "uncertain"


def test_evidence_names_unknown_speakers_by_id() -> None:
    verdict = decide([fact(1, 9)], names=NAMES)
    assert verdict.evidence == ("Article 1 credits speaker 9.",)


def test_evidence_is_not_repeated_for_appearances_in_one_article() -> None:
    appearances = [
        fact(1, 1, article_id=7, kind="primary"),
        fact(2, 2, article_id=3),
        fact(3, 2, article_id=3),
    ]
    verdict = decide(appearances, names=NAMES)
    assert (
        verdict.evidence.count("Article 3 credits Bo Reyes, contradicting the primary source.") == 1
    )
    assert verdict.appearance_status == {1: "consistent", 2: "misattributed", 3: "misattributed"}


def test_siding_with_the_best_supported_speaker_against_its_own_context_is_uncertain() -> None:
    # Two articles credit Bo Reyes (one of them naming Ada Quill nearby), one credits Ada Quill.
    contested = fact(20, 2, competing=(1,))
    verdict = decide([contested, fact(21, 2), fact(22, 1)], names=NAMES)
    assert verdict.status == "disputed"
    assert verdict.speaker_id == 2
    assert verdict.appearance_status == {20: "uncertain", 21: "consistent", 22: "disputed"}
    assert "Article 20's context also credits Ada Quill." in verdict.evidence

    # A primary source for the best-supported speaker settles it.
    primary = fact(23, 2, kind="primary")
    settled = decide([contested, fact(21, 2), fact(22, 1), primary], names=NAMES)
    assert settled.appearance_status[20] == "consistent"
    assert settled.appearance_status[22] == "misattributed"
