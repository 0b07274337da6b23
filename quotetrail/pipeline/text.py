"""Stage 1: HTML or plain text in, clean text with paragraph and sentence boundaries out."""

from __future__ import annotations

import contextlib
import re

import trafilatura
from lxml import etree

from quotetrail.pipeline.types import Document, Span

# A paragraph break is a blank line; text without any blank line is one paragraph per line
# (HTML extraction and some feeds put each paragraph on its own line).
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v\u00a0\u2028\u2029]*\n")
_LINE = re.compile(r"[^\n]+")


def paragraph_spans(text: str) -> tuple[Span, ...]:
    """Spans of the non-blank paragraphs of `text`, trimmed of surrounding whitespace."""
    if _BLANK_LINE.search(text):
        spans: list[Span] = []
        start = 0
        for brk in _BLANK_LINE.finditer(text):
            spans.append(Span(start, brk.start()))
            start = brk.end()
        spans.append(Span(start, len(text)))
    else:
        spans = [Span(m.start(), m.end()) for m in _LINE.finditer(text)]
    return tuple(trimmed for span in spans if (trimmed := _trim(text, span)) is not None)


def _trim(text: str, span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def document_from_text(text: str) -> Document:
    """A Document over plain text, offsets into `text` exactly as given."""
    return Document(text=text, paragraphs=paragraph_spans(text))


def html_element_count(html: str, *, stop_after: int) -> int:
    """How many elements `html` parses into, counting no further than `stop_after` + 1.

    Cheap next to `text_from_html`, whose cost grows with the elements (a flood of small tags
    takes it seconds per hundred kilobytes): callers refuse pages over a budget first.
    """
    parser = etree.HTMLPullParser(events=("start",), recover=True, no_network=True)
    count = 0
    chunk = 64 * 1024
    for offset in range(0, len(html), chunk):
        parser.feed(html[offset : offset + chunk])
        count += sum(1 for _ in parser.read_events())
        if count > stop_after:
            return count
    with contextlib.suppress(etree.LxmlError):  # nothing parsable at all: no elements
        parser.close()
    count += sum(1 for _ in parser.read_events())
    return count


def text_from_html(html: str) -> str:
    """The article text of an HTML page, one blank line between paragraphs."""
    extracted = trafilatura.extract(
        html, output_format="txt", include_comments=False, include_tables=False, favor_recall=True
    )
    if not extracted:
        # Pages too small or unusual for article detection still have text worth reading.
        extracted = trafilatura.html2txt(html) or ""
    lines = (line.strip() for line in extracted.splitlines())
    return "\n\n".join(line for line in lines if line)


# Sentence ends: terminal punctuation, optionally closed by quote marks or brackets, then space
# and something that can start a sentence. Abbreviations are filtered in `sentence_spans`.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[\dA-Z\u00c0-\u024f])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Capt|Sgt|Cpl|Adm|Maj|Cmdr|Rev|Fr|Sr|Jr|"
    r"St|Mt|Ft|Hon|Pres|Supt|Insp|Det|Atty|Gen|Sec|Amb|Cllr|No|Nos|vs|v|etc|Inc|Corp|Ltd|Co|Bros|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Ave|Blvd|Rd|approx|est|dept|Dept|Univ)"
    r"|\b[A-Z]|\b(?:[A-Za-z]\.){1,4}[A-Za-z])\.$"
)


def sentence_spans(text: str, span: Span) -> list[Span]:
    """Sentence spans inside `span` of `text` (a rule-based splitter, abbreviation-aware)."""
    sentences: list[Span] = []
    start = span.start
    for end_match in _SENTENCE_END.finditer(text, span.start, span.end):
        end = end_match.end()
        head = text[max(start, end_match.start() - 12) : end_match.start() + 1]
        if _ABBREVIATION.search(head):
            continue
        sentences.append(Span(start, end))
        start = end
        while start < span.end and text[start].isspace():
            start += 1
    if start < span.end:
        sentences.append(Span(start, span.end))
    return sentences
