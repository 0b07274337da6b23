"""Attribution verdicts (stage 6): is a canonical quote credited consistently?

Appearances are grouped by the speaker each credits. A primary source (the speaker's own
statement or transcript) outranks any number of news articles; among equals, more independent
articles win, then the earliest. An appearance whose own context also credits someone else is
uncertain, unless a primary source settles who spoke.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

Status = Literal["consistent", "disputed", "misattributed", "uncertain"]
ArticleKind = Literal["news", "primary"]


@dataclass(frozen=True, slots=True)
class AppearanceFacts:
    """What one appearance of a canonical quote says about who spoke it."""

    appearance_id: int
    speaker_id: int | None
    article_kind: ArticleKind
    published: date | None
    article_id: int
    competing_speaker_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The attribution status of a canonical quote, its best-supported speaker and why."""

    status: Status
    speaker_id: int | None
    evidence: tuple[str, ...]
    appearance_status: dict[int, Status]


@dataclass(frozen=True, slots=True)
class _Support:
    speaker_id: int
    primary_articles: tuple[int, ...]
    news_articles: tuple[int, ...]
    earliest: date | None

    @property
    def articles(self) -> int:
        return len(self.primary_articles) + len(self.news_articles)

    def rank(self) -> tuple[bool, int, bool, date, int]:
        # Primary source first, then most independent articles, then earliest, then a stable id.
        return (
            not self.primary_articles,
            -self.articles,
            self.earliest is None,
            self.earliest or date.max,
            self.speaker_id,
        )


def _support(speaker_id: int, appearances: Sequence[AppearanceFacts]) -> _Support:
    mine = [a for a in appearances if a.speaker_id == speaker_id]
    primary = sorted({a.article_id for a in mine if a.article_kind == "primary"})
    news = sorted({a.article_id for a in mine if a.article_kind == "news"} - set(primary))
    dates = [a.published for a in mine if a.published is not None]
    return _Support(speaker_id, tuple(primary), tuple(news), min(dates) if dates else None)


def _articles(ids: Sequence[int], *, capital: bool) -> str:
    word = "Article" if len(ids) == 1 else "Articles"
    if not capital:
        word = word.lower()
    listed = ", ".join(str(i) for i in ids[:-1]) + (" and " if len(ids) > 1 else "") + str(ids[-1])
    return f"{word} {listed}"


def _credits(support: _Support, name: str) -> str:
    """A sentence such as "Primary source (article 7) and article 3 credit X."."""
    subjects: list[str] = []
    if support.primary_articles:
        noun = "Primary source" if len(support.primary_articles) == 1 else "Primary sources"
        subjects.append(f"{noun} ({_articles(support.primary_articles, capital=False)})")
    if support.news_articles:
        subjects.append(_articles(support.news_articles, capital=not subjects))
    plural = support.articles > 1
    return f"{' and '.join(subjects)} {'credit' if plural else 'credits'} {name}."


def _why_best(best: _Support, runner_up: _Support, name: str) -> str:
    if best.primary_articles and not runner_up.primary_articles:
        reason = "a primary source credits them"
    elif best.articles != runner_up.articles:
        reason = f"{best.articles} independent articles against {runner_up.articles}"
    elif best.earliest is not None and best.earliest != runner_up.earliest:
        reason = f"credited earliest ({best.earliest.isoformat()})"
    else:
        reason = "the support is tied, so this choice is arbitrary"
    return f"{name} is best supported: {reason}."


def _add(evidence: list[str], sentence: str) -> None:
    # Several appearances in one article make one piece of evidence, not several.
    if sentence not in evidence:
        evidence.append(sentence)


def decide(appearances: Sequence[AppearanceFacts], *, names: Mapping[int, str]) -> Verdict:
    """Decide a canonical quote's attribution status from its appearances."""

    def name(speaker_id: int) -> str:
        return names.get(speaker_id) or f"speaker {speaker_id}"

    credited = sorted({a.speaker_id for a in appearances if a.speaker_id is not None})
    # An appearance that credits nobody says nothing about who spoke; it stays uncertain
    # without making the quote so.
    statuses: dict[int, Status] = {
        a.appearance_id: "uncertain" for a in appearances if a.speaker_id is None
    }
    if not credited:
        nobody = ("No appearance credits an identified speaker.",)
        return Verdict("uncertain", None, nobody, statuses)

    supports = sorted((_support(s, appearances) for s in credited), key=_Support.rank)
    best = supports[0]
    evidence = [_credits(s, name(s.speaker_id)) for s in supports]

    if len(supports) == 1:
        rivals = [
            a
            for a in appearances
            if a.speaker_id is not None and set(a.competing_speaker_ids) - {best.speaker_id}
        ]
        for a in appearances:
            if a.speaker_id is not None:
                statuses[a.appearance_id] = "consistent"
        if not rivals:
            return Verdict("consistent", best.speaker_id, tuple(evidence), statuses)
        for a in rivals:
            others = sorted(set(a.competing_speaker_ids) - {best.speaker_id})
            listed = ", ".join(name(o) for o in others)
            _add(evidence, f"Article {a.article_id}'s context also credits {listed}.")
        if best.primary_articles:
            # The speaker's own statement settles what a news article's context left open.
            evidence.append(f"The primary source confirms {name(best.speaker_id)}.")
            return Verdict("consistent", best.speaker_id, tuple(evidence), statuses)
        for a in rivals:
            statuses[a.appearance_id] = "uncertain"
        return Verdict("uncertain", best.speaker_id, tuple(evidence), statuses)

    evidence.append(_why_best(best, supports[1], name(best.speaker_id)))
    primary_backed = {s.speaker_id for s in supports if s.primary_articles}
    for a in appearances:
        if a.speaker_id is None:
            continue
        if a.speaker_id == best.speaker_id:
            # Siding with the best-supported speaker settles nothing while the appearance's own
            # context names someone else, unless a primary source backs that speaker.
            contested = set(a.competing_speaker_ids) - {best.speaker_id}
            if contested and not best.primary_articles:
                statuses[a.appearance_id] = "uncertain"
                listed = ", ".join(name(o) for o in sorted(contested))
                _add(evidence, f"Article {a.article_id}'s context also credits {listed}.")
            else:
                statuses[a.appearance_id] = "consistent"
        elif (
            best.primary_articles
            and a.article_kind == "news"
            and a.speaker_id not in primary_backed
        ):
            # A news article contradicting the speaker's own published words.
            statuses[a.appearance_id] = "misattributed"
            _add(
                evidence,
                f"Article {a.article_id} credits {name(a.speaker_id)}, contradicting the "
                "primary source.",
            )
        else:
            statuses[a.appearance_id] = "disputed"
    return Verdict("disputed", best.speaker_id, tuple(evidence), statuses)
