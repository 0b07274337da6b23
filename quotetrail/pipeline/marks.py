"""Quotation-mark pairing: which marks open and close which spans, paragraph by paragraph.

Pairing never crosses a paragraph boundary except for the newspaper convention of a quotation
running over several paragraphs (opening mark on each, closing mark on the last), so one stray
mark can cost at most its own paragraph. Every step is a single left-to-right pass: linear time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import regex

from quotetrail.pipeline.types import Span

MarkType = Literal["double", "single"]

_DOUBLE_OPENERS = "“„‟«"
_DOUBLE_CLOSERS = "”»"
_SINGLE_OPENERS = "‘‚‛‹"
_SINGLE_CLOSERS = "’›"
_STRAIGHT = {'"': "double", "'": "single"}
_MARK = regex.compile(r"[\"'“”„‟«»‘’‚‛‹›]")
# Characters after which a mark starts a quotation (besides whitespace and paragraph start).
_BEFORE_OPENER = "([{—–-―:;/…" + _DOUBLE_OPENERS + _SINGLE_OPENERS + "\"'"
# Characters after which a mark ends a quotation (besides whitespace and paragraph end).
_AFTER_CLOSER = ".,;:!?)]}—–-―…/" + _DOUBLE_CLOSERS + _SINGLE_CLOSERS + "\"'"


@dataclass(frozen=True, slots=True)
class MarkedSpan:
    """The inside of a pair of quotation marks (or of one paragraph of a running quotation)."""

    inner: Span  # without the marks, whitespace-trimmed
    outer: Span  # including the marks present
    mark: MarkType
    depth: int  # 0 for an outermost quotation, 1 for a quotation inside a quotation
    paragraph: int
    chain: int | None  # shared by the paragraphs of one quotation running over several
    closed: bool  # False for a running quotation's paragraph that ends without a closing mark


@dataclass(slots=True)
class _Open:
    pos: int
    mark: MarkType
    straight: bool  # a typewriter mark; curly and straight marks nest inside each other


def _mark_type(ch: str) -> MarkType:
    if ch in _DOUBLE_OPENERS or ch in _DOUBLE_CLOSERS or ch == '"':
        return "double"
    return "single"


def _role(text: str, i: int, start: int, end: int) -> tuple[bool, bool]:
    """Whether the mark at i can open and can close a quotation, from its neighbours."""
    prev = text[i - 1] if i > start else " "
    nxt = text[i + 1] if i + 1 < end else " "
    ch = text[i]
    can_open = not nxt.isspace() and (prev.isspace() or prev in _BEFORE_OPENER)
    can_close = not prev.isspace() and (nxt.isspace() or nxt in _AFTER_CLOSER)
    if ch in "’'" and prev.isalnum() and nxt.isalnum():
        return False, False  # an apostrophe inside a word: don't, Ra’ad
    if ch in "’'" and nxt.isdigit() and prev.isspace():
        return False, False  # an elided year: the ’90s
    if can_open and can_close:
        # Both neighbours are punctuation or marks: the glyph decides; a straight mark is resolved
        # by the pairing state.
        if ch in _DOUBLE_OPENERS or ch in _SINGLE_OPENERS:
            return True, False
        if ch in _DOUBLE_CLOSERS or ch in _SINGLE_CLOSERS:
            return False, True
    if not can_open and not can_close:
        # Spaces on both sides or letters on both sides: only a typographic glyph tells.
        if ch in _DOUBLE_OPENERS or ch in _SINGLE_OPENERS:
            return not nxt.isspace(), False
        if ch in _DOUBLE_CLOSERS:
            return False, not prev.isspace()
        if ch == '"':
            return True, True
    return can_open, can_close


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _starts_with_opener(text: str, paragraph: Span) -> MarkType | None:
    if paragraph.end <= paragraph.start:
        return None
    ch = text[paragraph.start]
    if not _MARK.match(ch):
        return None
    can_open, _ = _role(text, paragraph.start, paragraph.start, paragraph.end)
    return _mark_type(ch) if can_open else None


def _is_plural_possessive(text: str, i: int, end: int) -> bool:
    """`the players’ union`: a closing-looking mark after -s followed by a lowercase word."""
    return (
        i > 0
        and text[i - 1] in "sS"
        and i + 2 < end
        and text[i + 1] == " "
        and text[i + 2].islower()
    )


def pair_marks(text: str, paragraphs: tuple[Span, ...]) -> list[MarkedSpan]:
    """Every quoted span of the document, outermost and nested, in document order."""
    spans: list[MarkedSpan] = []
    chain_of_open: int | None = None  # chain id carried into the next paragraph
    next_chain = 0
    for index, paragraph in enumerate(paragraphs):
        stack: list[_Open] = []
        marks = [m.start() for m in _MARK.finditer(text, paragraph.start, paragraph.end)]
        last_single_closer = max(
            (
                i
                for i in marks
                if text[i] in "’'" and _role(text, i, paragraph.start, paragraph.end)[1]
            ),
            default=-1,
        )
        carried_chain = chain_of_open
        chain_of_open = None
        for i in marks:
            ch = text[i]
            kind = _mark_type(ch)
            straight = ch in _STRAIGHT
            can_open, can_close = _role(text, i, paragraph.start, paragraph.end)
            target = _closes(stack, kind, straight) if can_close else None
            if target is not None:
                if (
                    kind == "single"
                    and _is_plural_possessive(text, i, paragraph.end)
                    and i < last_single_closer
                ):
                    continue
                if can_open and straight and not stack[target].straight:
                    stack.append(_Open(i, kind, straight))  # `“He said "no" twice”`
                    continue
                del stack[target + 1 :]  # unclosed inner marks were apostrophes or strays
                opened = stack.pop()
                chain = carried_chain if not stack and opened.pos == paragraph.start else None
                spans.append(
                    MarkedSpan(
                        inner=_trimmed(text, opened.pos + 1, i),
                        outer=Span(opened.pos, i + 1),
                        mark=kind,
                        depth=len(stack),
                        paragraph=index,
                        chain=chain,
                        closed=True,
                    )
                )
            elif can_open:
                if stack and stack[-1].mark == kind and stack[-1].straight == straight:
                    # Same-glyph nesting is unheard of in edited text: the earlier mark was stray.
                    stack.pop()
                stack.append(_Open(i, kind, straight))
        if not stack:
            continue
        outer = stack[0]
        continues = _continues(text, paragraphs, index, outer.mark)
        if not continues:
            continue
        chain = (
            carried_chain if outer.pos == paragraph.start and carried_chain is not None else None
        )
        if chain is None:
            chain = next_chain
            next_chain += 1
        spans.append(
            MarkedSpan(
                inner=_trimmed(text, outer.pos + 1, paragraph.end),
                outer=Span(outer.pos, paragraph.end),
                mark=outer.mark,
                depth=0,
                paragraph=index,
                chain=chain,
                closed=False,
            )
        )
        chain_of_open = chain
    spans.sort(key=lambda s: (s.outer.start, -s.outer.end))
    return spans


def _closes(stack: list[_Open], kind: MarkType, straight: bool) -> int | None:
    """Index of the open mark a closing mark closes: same glyph family first, then same type."""
    fallback = None
    for k in range(len(stack) - 1, -1, -1):
        if stack[k].mark != kind:
            continue
        if stack[k].straight == straight:
            return k
        if fallback is None:
            fallback = k
    return fallback


def _continues(text: str, paragraphs: tuple[Span, ...], index: int, mark: MarkType) -> bool:
    """Whether an unclosed quotation goes on into the next paragraph (which opens with a mark)."""
    if index + 1 >= len(paragraphs):
        return False
    return _starts_with_opener(text, paragraphs[index + 1]) == mark
