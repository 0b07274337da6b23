"""Plain data passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

QuoteKind = Literal["direct", "block", "fragment"]


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open [start, end) range of the document text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """Clean article text plus its paragraph spans; all offsets refer to `text`."""

    text: str
    paragraphs: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Quotation:
    """One attributable quotation found in a document.

    `text == document.text[start:end]`, without the quotation marks.
    `speaker` is the fullest name of the credited person or organisation in the
    document; `speaker_as_written` is the mention next to the quote.
    """

    text: str
    start: int
    end: int
    kind: QuoteKind
    speaker: str | None = None
    speaker_as_written: str | None = None
    role: str | None = None
    cue: str | None = None
    confidence: float = 0.0
    competing_speakers: tuple[str, ...] = field(default_factory=tuple)

    def __reduce__(self) -> tuple[type[Quotation], tuple[object, ...]]:
        # Worker processes hand quotations to the writer pickled (service.ingest.ingest_stream).
        # Compiled with mypyc (setup.py), the class would be unpickled by setting its fields one
        # by one, which a frozen dataclass refuses: rebuilt from its fields instead (all of them,
        # in order, so that a field added later is not lost on the way).
        return (Quotation, tuple(getattr(self, f.name) for f in fields(self)))
