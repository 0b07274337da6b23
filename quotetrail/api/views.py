"""Rows -> response models: the shapes shared by several routers, built in few queries."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from quotetrail.api.schemas import (
    AppearanceDetail,
    ArticleRef,
    Context,
    DiffOp,
    QuoteSummary,
    SpeakerRef,
)
from quotetrail.db.models import Appearance, Article, Quote, Speaker
from quotetrail.db.speakers import get_speakers
from quotetrail.pipeline.normalize import normalize

# Characters of article text shown on each side of an appearance.
CONTEXT_CHARS = 240


def speaker_ref(speakers: Mapping[int, Speaker], speaker_id: int | None) -> SpeakerRef | None:
    """A reference to a speaker loaded in `speakers`, or None."""
    speaker = speakers.get(speaker_id) if speaker_id is not None else None
    if speaker is None or speaker.id is None:
        return None
    return SpeakerRef(id=speaker.id, name=speaker.name)


def article_ref(article: Article) -> ArticleRef:
    """A reference to an article."""
    assert article.id is not None
    return ArticleRef(
        id=article.id,
        origin=article.origin,
        title=article.title,
        outlet=article.outlet,
        published=article.published_at,
        kind=article.kind,
    )


def load_speakers(
    session: Session, quotes: Sequence[Quote] = (), appearances: Sequence[Appearance] = ()
) -> dict[int, Speaker]:
    """The speakers credited by these quotes and appearances, in one query."""
    ids = {q.speaker_id for q in quotes} | {a.speaker_id for a in appearances}
    return get_speakers(session=session, speaker_ids={i for i in ids if i is not None})


def quote_summary(quote: Quote, speakers: Mapping[int, Speaker]) -> QuoteSummary:
    """A canonical quote without its appearances."""
    assert quote.id is not None
    return QuoteSummary(
        id=quote.id,
        text=quote.text,
        speaker=speaker_ref(speakers, quote.speaker_id),
        attribution_status=quote.attribution_status,
        first_seen=quote.first_seen,
        appearance_count=quote.appearance_count,
    )


def quote_summaries(session: Session, quotes: Sequence[Quote]) -> list[QuoteSummary]:
    """Summaries of these quotes, their speakers loaded in one query."""
    speakers = load_speakers(session, quotes)
    return [quote_summary(quote, speakers) for quote in quotes]


def evidence(quote: Quote) -> list[str]:
    """The quote's stored verdict evidence as a list of sentences."""
    stored = quote.status_evidence
    if isinstance(stored, list):
        return [str(item) for item in stored]
    return [str(stored)] if stored else []


def context(article: Article, start: int, end: int) -> Context:
    """The appearance's words with the article text around them, cut at word boundaries."""
    text = article.text
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    if start > CONTEXT_CHARS and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if end + CONTEXT_CHARS < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return Context(before=before, text=text[start:end], after=after)


def word_diff(canonical: str, appearance: str) -> list[DiffOp]:
    """Word-level differences turning the canonical text into the appearance's wording.

    Words compare by their normalised form (case, quotation marks, dashes), so only real
    changes show: dropped, added and replaced words.
    """
    ours, theirs = canonical.split(), appearance.split()
    matcher = difflib.SequenceMatcher(
        None, [normalize(w) for w in ours], [normalize(w) for w in theirs], autojunk=False
    )
    return [
        DiffOp(op=op, canonical=" ".join(ours[i1:i2]), appearance=" ".join(theirs[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def appearance_detail(
    appearance: Appearance, article: Article, quote: Quote, speakers: Mapping[int, Speaker]
) -> AppearanceDetail:
    """An appearance with its article, context and difference from the canonical text."""
    return AppearanceDetail(
        **appearance_fields(appearance, speakers),
        article=article_ref(article),
        context=context(article, appearance.start, appearance.end),
        diff=word_diff(quote.text, appearance.text),
    )


def appearance_fields(appearance: Appearance, speakers: Mapping[int, Speaker]) -> dict[str, Any]:
    """The schemas.AppearanceFields of a stored appearance, for the views that extend them."""
    assert appearance.id is not None
    return {
        "id": appearance.id,
        "start": appearance.start,
        "end": appearance.end,
        "text": appearance.text,
        "kind": appearance.kind,
        "speaker": speaker_ref(speakers, appearance.speaker_id),
        "speaker_as_written": appearance.speaker_as_written,
        "cue": appearance.cue,
        "confidence": appearance.confidence,
        "status": appearance.status,
        "competing_speakers": list(appearance.competing_speakers),
        "similarity": appearance.similarity,
    }
