"""SQLModel tables for Quotetrail's data model (see DESIGN.md) and their public read models.

Alembic owns the schema (quotetrail/db/migrations): these classes describe it for the ORM and for
autogenerate, and a test checks that the migrations and these models agree.
"""

from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import JSON, CheckConstraint, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Named constraints make later SQLite "batch" migrations (copy-and-rename) able to refer to them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ArticleKind = Literal["news", "primary"]
SpeakerKind = Literal["person", "organisation", "indefinite"]
AppearanceKind = Literal["direct", "block", "fragment"]

ARTICLE_KINDS: tuple[str, ...] = ("news", "primary")
SPEAKER_KINDS: tuple[str, ...] = ("person", "organisation", "indefinite")
APPEARANCE_KINDS: tuple[str, ...] = ("direct", "block", "fragment")


def _one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


# --- Article ------------------------------------------------------------------------------------


class ArticleBase(SQLModel):
    origin: str = Field(sa_type=Text)  # the URL, or the file path as given
    title: str | None = Field(default=None, sa_type=Text)
    outlet: str | None = Field(default=None, sa_type=Text)
    published_at: date | None = None
    kind: ArticleKind = Field(default="news", sa_type=String(16))


class Article(ArticleBase, table=True):
    __table_args__ = (
        _one_of("kind", ARTICLE_KINDS, "kind"),
        Index("ix_article_published_at", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=Text)
    # sha256 of `text`: the same text ingested twice is one article.
    content_hash: str = Field(sa_type=String(64), unique=True)
    ingested_at: datetime = Field(default_factory=utc_now)


class ArticlePublic(ArticleBase):
    id: int
    content_hash: str
    ingested_at: datetime


# --- Speaker ------------------------------------------------------------------------------------


class SpeakerBase(SQLModel):
    name: str = Field(sa_type=Text)
    role: str | None = Field(default=None, sa_type=Text)
    kind: SpeakerKind = Field(default="person", sa_type=String(16))


class Speaker(SpeakerBase, table=True):
    # Names are not unique: two people may share one; identity resolution decides.
    __table_args__ = (
        _one_of("kind", SPEAKER_KINDS, "kind"),
        Index("ix_speaker_name", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)


class SpeakerPublic(SpeakerBase):
    id: int


class SpeakerAliasBase(SQLModel):
    alias: str = Field(sa_type=Text)  # as written, e.g. "US Ambassador to the UN Samantha Power"
    key: str = Field(sa_type=Text)  # normalised form used for lookups


class SpeakerAlias(SpeakerAliasBase, table=True):
    __tablename__ = "speaker_alias"
    # One key per speaker; the same key ("power") may belong to several speakers.
    __table_args__ = (
        UniqueConstraint("speaker_id", "key"),
        Index("ix_speaker_alias_key", "key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    speaker_id: int = Field(foreign_key="speaker.id", ondelete="CASCADE")


class SpeakerAliasPublic(SpeakerAliasBase):
    id: int
    speaker_id: int


# --- Quote (canonical) --------------------------------------------------------------------------


class QuoteBase(SQLModel):
    text: str = Field(sa_type=Text)  # the most complete wording; a primary source's wins
    normalized: str = Field(sa_type=Text)
    # Best-supported speaker; kept (as NULL) if the speaker row is ever deleted.
    speaker_id: int | None = Field(default=None, foreign_key="speaker.id", ondelete="SET NULL")
    # consistent | disputed | misattributed | uncertain (pipeline.verdicts owns the vocabulary).
    attribution_status: str = Field(default="consistent", sa_type=String(32))
    status_evidence: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Earliest known publication date among its appearances; maintained by db.quotes.
    first_seen: date | None = None
    appearance_count: int = 0


class Quote(QuoteBase, table=True):
    # AUTOINCREMENT on SQLite: an id freed by a merge is never reused for a different quote.
    __table_args__ = (
        Index("ix_quote_speaker_id", "speaker_id"),
        Index("ix_quote_attribution_status", "attribution_status"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)


class QuotePublic(QuoteBase):
    id: int


# --- Appearance: one quotation span in one article, credited as that article credits it ---------


class AppearanceBase(SQLModel):
    # A quote keeps its evidence: it cannot be deleted while appearances point to it
    # (merge_quotes moves them first). An article's deletion takes its spans with it.
    quote_id: int = Field(foreign_key="quote.id", ondelete="RESTRICT")
    article_id: int = Field(foreign_key="article.id", ondelete="CASCADE")
    start: int
    end: int
    text: str = Field(sa_type=Text)
    speaker_id: int | None = Field(default=None, foreign_key="speaker.id", ondelete="SET NULL")
    speaker_as_written: str | None = Field(default=None, sa_type=Text)
    kind: AppearanceKind = Field(default="direct", sa_type=String(16))
    cue: str | None = Field(default=None, sa_type=Text)
    confidence: float = 0.0
    # The appearance's own verdict, e.g. consistent | misattributed | uncertain.
    status: str = Field(default="consistent", sa_type=String(32))
    competing_speakers: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    similarity: float = 1.0  # to the canonical text, 0..1


class Appearance(AppearanceBase, table=True):
    __table_args__ = (
        _one_of("kind", APPEARANCE_KINDS, "kind"),
        CheckConstraint('"start" >= 0 AND "end" >= "start"', name="span"),
        # A span of an article is one appearance (also covers lookups by article_id).
        UniqueConstraint("article_id", "start", "end"),
        Index("ix_appearance_quote_id", "quote_id"),
        Index("ix_appearance_speaker_id", "speaker_id"),
    )

    id: int | None = Field(default=None, primary_key=True)


class AppearancePublic(AppearanceBase):
    id: int


# --- QuoteKey: postings of the candidate index (pipeline.index.QuoteIndex) ----------------------


class QuoteKey(SQLModel, table=True):
    __tablename__ = "quote_key"
    # The primary key (key, quote_id) is the index on key that candidate lookups range-scan;
    # WITHOUT ROWID on SQLite stores the rows in that index itself. The quote_id index serves
    # QuoteIndex.remove and the cascade.
    __table_args__ = (
        Index("ix_quote_key_quote_id", "quote_id"),
        {"sqlite_with_rowid": False},
    )

    key: str = Field(sa_type=Text, primary_key=True)
    quote_id: int = Field(foreign_key="quote.id", ondelete="CASCADE", primary_key=True)


class KeyFrequency(SQLModel, table=True):
    """How many canonical quotes each index key has postings for (its document frequency).

    Maintained with the postings by SqlQuoteIndex and merge_quotes, so that a lookup can read
    only its informative keys' postings: a key shared by a hundred thousand quotes costs a
    hundred thousand rows to read and says almost nothing about which quote is meant.
    """

    __tablename__ = "key_frequency"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key: str = Field(sa_type=Text, primary_key=True)
    quotes: int = 0
