"""Utterances: the quotations of one document that are parts of one thing said (stage 4 input).

A quotation split by its attribution ('"...," Walsh said. "..."') and a quotation running over
several paragraphs (an opening mark on each, a closing mark only on the last) are one utterance:
they become one canonical quote, each part an appearance of it. Separate paragraphs each closed
by their own mark are separate quotations, even from the same speaker.

One utterance has one speaker in one article: its parts take the attribution of the part
attributed with most confidence (a multi-paragraph quotation is usually attributed once, in its
first or last paragraph).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from quotetrail.pipeline.text import sentence_spans
from quotetrail.pipeline.types import Document, Quotation, Span

QUOTE_MARKS = "\"'“”‘’„‚«»‹›"
# An attribution between two parts is one short clause: "said Teodora Blaskovic, a sheep farmer
# who has leased 200 acres to the project." has 15 words; a longer gap is narration.
MAX_ATTRIBUTION_WORDS = 20


def _is_continuation(gap: str) -> bool:
    """A paragraph break and the next paragraph's opening mark, with no closing mark before."""
    if "\n" not in gap or any(c.isalnum() for c in gap):
        return False
    marks = [c for c in gap if c in QUOTE_MARKS]
    return len(marks) == 1 and gap.rstrip()[-1] in QUOTE_MARKS


def _is_attribution_split(gap: str) -> bool:
    """A closing mark, one short attribution clause in the same paragraph, an opening mark."""
    stripped = gap.strip()
    if "\n" in gap or len(stripped) < 3:
        return False
    if stripped[0] not in QUOTE_MARKS or stripped[-1] not in QUOTE_MARKS:
        return False
    clause = stripped[1:-1].strip()
    if not clause or any(c in QUOTE_MARKS and c not in "'’" for c in clause):
        return False
    if not any(c.isalpha() for c in clause) or len(clause.split()) > MAX_ATTRIBUTION_WORDS:
        return False
    # "Gov. Celeste Arnaud said at a briefing." is one sentence; "the company said. The cost..."
    # is two, and the second is the writer's own.
    return len(sentence_spans(clause, Span(0, len(clause)))) == 1


def _joins(document: Document, a: Quotation, b: Quotation) -> bool:
    if a.kind != "direct" or b.kind != "direct" or b.start < a.end:
        return False
    gap = document.text[a.end : b.start]
    if _is_continuation(gap):
        # The missing closing mark says it all, whoever the parts were attributed to.
        return True
    return a.speaker is not None and b.speaker in (a.speaker, None) and _is_attribution_split(gap)


def _one_speaker(parts: list[Quotation]) -> tuple[Quotation, ...]:
    attributed = [p for p in parts if p.speaker]
    if len(parts) == 1 or not attributed:
        return tuple(parts)
    best = max(attributed, key=lambda p: p.confidence)  # the earliest among equals
    return tuple(
        replace(
            part,
            speaker=best.speaker,
            speaker_as_written=best.speaker_as_written,
            role=best.role,
            cue=best.cue,
            confidence=best.confidence,
            competing_speakers=best.competing_speakers,
        )
        for part in parts
    )


def group_utterances(
    document: Document, quotations: Sequence[Quotation]
) -> list[tuple[Quotation, ...]]:
    """Group a document's quotations (in text order) into utterances, each a tuple of parts.

    The parts of an utterance share its attribution (speaker, role, cue, confidence).
    """
    groups: list[list[Quotation]] = []
    for quote in sorted(quotations, key=lambda q: (q.start, q.end)):
        if groups and _joins(document, groups[-1][-1], quote):
            groups[-1].append(quote)
        else:
            groups.append([quote])
    return [_one_speaker(group) for group in groups]


def utterance_text(parts: Sequence[Quotation]) -> str:
    """The words of an utterance: its parts in order, joined by a space."""
    return " ".join(part.text.strip() for part in parts)
