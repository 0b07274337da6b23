"""Request and response models of the HTTP API (what /openapi.json declares)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# A str in responses (pipeline.verdicts owns the vocabulary); the filters accept these four.
AttributionStatus = Annotated[
    str, Field(description="consistent | disputed | misattributed | uncertain")
]
StatusFilter = Literal["consistent", "disputed", "misattributed", "uncertain"]
CONFLICT_STATUSES: tuple[str, ...] = ("disputed", "misattributed", "uncertain")
MAX_LOOKUP_CHARS = 5_000
MAX_LOOKUP_LIMIT = 100
MAX_FIELD_CHARS = 2_000  # titles, outlets, URLs
# An article's text: a long transcript is a few hundred thousand characters; the pipeline's time
# grows with the text, so one request cannot hold a worker for minutes.
MAX_ARTICLE_CHARS = 1_000_000


def clean_text(value: str) -> str:
    """Refuse strings no database can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no unpaired surrogates)") from None
    return value


CleanStr = Annotated[str, AfterValidator(clean_text)]
ShortStr = Annotated[str, Field(max_length=MAX_FIELD_CHARS), AfterValidator(clean_text)]


class Problem(BaseModel):
    """An RFC 9457 problem document; validation problems list their `errors`."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ValidationIssue] | None = None


class ValidationIssue(BaseModel):
    """One invalid value: where it is (`loc`), what is wrong (`msg`, `type`)."""

    loc: list[str]
    msg: str
    type: str


# --- shared references --------------------------------------------------------------------------


class SpeakerRef(BaseModel):
    """A speaker named in another resource; its page is /v1/speakers/{id}."""

    id: int
    name: str


class ArticleRef(BaseModel):
    """An article named in another resource; its page is /v1/articles/{id}."""

    id: int
    origin: str
    title: str | None
    outlet: str | None
    published: date | None
    kind: Literal["news", "primary"]


class QuoteSummary(BaseModel):
    """A canonical quote without its appearances."""

    id: int
    text: str
    speaker: SpeakerRef | None
    attribution_status: AttributionStatus
    first_seen: date | None
    appearance_count: int


# --- articles -----------------------------------------------------------------------------------


class ArticleCreate(BaseModel):
    """An article to ingest: `text`, `html`, or only a `url` to fetch; plus its metadata."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [{"required": ["text"]}, {"required": ["html"]}, {"required": ["url"]}],
            "not": {"required": ["text", "html"]},
        },
    )

    text: CleanStr | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_ARTICLE_CHARS,
        description="Plain text; offsets refer to it.",
    )
    html: CleanStr | None = Field(
        default=None, min_length=1, description="An HTML page; its article text is read."
    )
    url: ShortStr | None = Field(
        default=None,
        description="The article's URL: its origin; fetched when neither text nor html is given.",
    )
    title: ShortStr | None = None
    outlet: ShortStr | None = None
    published: date | None = Field(default=None, description="Publication date, YYYY-MM-DD.")
    kind: Literal["news", "primary"] = Field(
        default="news", description="primary: the speaker's own statement or transcript."
    )

    @model_validator(mode="after")
    def _one_source(self) -> ArticleCreate:
        if self.text is not None and self.html is not None:
            raise ValueError("give text or html, not both")
        if self.text is None and self.html is None and self.url is None:
            raise ValueError("give text, html or a url to fetch")
        return self


class AppearanceFields(BaseModel):
    """What every view of an appearance shows: the span, its words and how it was credited."""

    id: int
    start: int = Field(description="Offset into the article's text (Python str index).")
    end: int
    text: str
    kind: Literal["direct", "block", "fragment"]
    speaker: SpeakerRef | None
    speaker_as_written: str | None
    cue: str | None
    confidence: float
    status: AttributionStatus
    competing_speakers: list[str]
    similarity: float


class ArticleAppearance(AppearanceFields):
    """A quotation found in the article, and the canonical quote it joined."""

    quote_id: int


class ArticleDetail(ArticleRef):
    """A stored article, its quotations and the canonical quotes they belong to."""

    content_hash: str
    ingested_at: datetime
    text: str
    quotes: list[ArticleAppearance]
    canonical_quotes: list[QuoteSummary]


# --- quotes -------------------------------------------------------------------------------------


class Context(BaseModel):
    """The appearance in its article: the text just before it, its words, the text after."""

    before: str
    text: str
    after: str


class DiffOp(BaseModel):
    """One step of the word-level difference from the canonical text to an appearance."""

    op: Literal["equal", "replace", "delete", "insert"]
    canonical: str
    appearance: str


class AppearanceDetail(AppearanceFields):
    """One article quoting a canonical quote: where, in which words, credited to whom."""

    article: ArticleRef
    context: Context
    diff: list[DiffOp]


class QuoteDetail(QuoteSummary):
    """A canonical quote: who said it and how sure we are, and every appearance."""

    status_evidence: list[str]
    first_appearance: AppearanceDetail | None
    appearances: list[AppearanceDetail]


class QuotePage(BaseModel):
    """A page of canonical quotes; `next_cursor` fetches the next page (null: last page)."""

    items: list[QuoteSummary]
    next_cursor: str | None


# --- speakers -----------------------------------------------------------------------------------


class SpeakerSummary(BaseModel):
    """A person, organisation or indefinite source quotes are credited to."""

    id: int
    name: str
    role: str | None
    kind: Literal["person", "organisation", "indefinite"]
    quote_count: int = Field(description="Canonical quotes this speaker is best supported for.")


class SpeakerPage(BaseModel):
    """A page of speakers."""

    items: list[SpeakerSummary]
    next_cursor: str | None


class SpeakerDetail(SpeakerSummary):
    """A speaker, the names the sources use, and their quotes."""

    aliases: list[str]
    quotes: list[QuoteSummary] = Field(
        description="Quotes this speaker is best supported for (the first ones; see quotes_url)."
    )
    also_credited: list[QuoteSummary] = Field(
        description="Quotes some source credits to this speaker although the evidence favours "
        "someone else."
    )
    quotes_url: str


# --- lookup (the shapes of `quotetrail lookup` and the export) ----------------------------------


class LookupRequest(BaseModel):
    """Words to look up: who said this?"""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[
        str, Field(min_length=1, max_length=MAX_LOOKUP_CHARS), AfterValidator(clean_text)
    ]
    limit: int = Field(default=10, ge=1, le=MAX_LOOKUP_LIMIT)

    @model_validator(mode="after")
    def _not_blank(self) -> LookupRequest:
        if not self.text.strip():
            raise ValueError("text must not be blank")
        return self


class RecordQuote(BaseModel):
    """A canonical quote as the export and the CLI spell it."""

    id: int
    text: str
    speaker: str | None
    attribution_status: AttributionStatus
    first_seen: date | None


class RecordAppearance(BaseModel):
    """An appearance as the export and the CLI spell it."""

    origin: str
    article_id: int
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_as_written: str | None
    kind: Literal["direct", "block", "fragment"]
    status: AttributionStatus
    competing_speakers: list[str]
    similarity: float


class LookupMatch(BaseModel):
    """A canonical quote matching the words looked up; `score` in [0, 1]."""

    score: float
    quote: RecordQuote
    appearances: list[RecordAppearance]


class LookupResponse(BaseModel):
    """The best matching canonical quotes, best first (empty when nothing matches)."""

    matches: list[LookupMatch]


# --- conflicts ----------------------------------------------------------------------------------


class CreditAppearance(BaseModel):
    """An appearance in a conflict: which article credits whom, and its verdict."""

    id: int
    article: ArticleRef
    text: str
    speaker_as_written: str | None
    status: AttributionStatus
    competing_speakers: list[str]


class Credit(BaseModel):
    """The appearances crediting one speaker (null: crediting nobody identified)."""

    speaker: SpeakerRef | None
    appearances: list[CreditAppearance]


class Conflict(BaseModel):
    """A disputed, misattributed or uncertain quote, with the evidence and who credits whom."""

    quote: QuoteSummary
    status_evidence: list[str]
    credits: list[Credit]


class ConflictPage(BaseModel):
    """A page of conflicts."""

    items: list[Conflict]
    next_cursor: str | None


# --- health -------------------------------------------------------------------------------------


class Health(BaseModel):
    """Liveness or readiness."""

    status: Literal["ok"]
    details: dict[str, Any] = Field(default_factory=dict)


Problem.model_rebuild()
