"""Initial schema: articles, speakers and aliases, canonical quotes, appearances, index postings.

Revision ID: 0001
Revises:
Create Date: 2024-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("outlet", sa.Text(), nullable=True),
        sa.Column("published_at", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('news', 'primary')", name=op.f("ck_article_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_article_content_hash")),
    )
    op.create_index("ix_article_published_at", "article", ["published_at"])

    op.create_table(
        "speaker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('person', 'organisation', 'indefinite')", name=op.f("ck_speaker_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker")),
    )
    op.create_index("ix_speaker_name", "speaker", ["name"])

    op.create_table(
        "speaker_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speaker.id"],
            name=op.f("fk_speaker_alias_speaker_id_speaker"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speaker_alias")),
        sa.UniqueConstraint("speaker_id", "key", name=op.f("uq_speaker_alias_speaker_id_key")),
    )
    op.create_index("ix_speaker_alias_key", "speaker_alias", ["key"])

    op.create_table(
        "quote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("attribution_status", sa.String(length=32), nullable=False),
        sa.Column("status_evidence", sa.JSON(), nullable=True),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("appearance_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speaker.id"],
            name=op.f("fk_quote_speaker_id_speaker"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_quote_speaker_id", "quote", ["speaker_id"])
    op.create_index("ix_quote_attribution_status", "quote", ["attribution_status"])

    op.create_table(
        "appearance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("speaker_as_written", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("cue", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("competing_speakers", sa.JSON(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('direct', 'block', 'fragment')", name=op.f("ck_appearance_kind")
        ),
        sa.CheckConstraint('"start" >= 0 AND "end" >= "start"', name=op.f("ck_appearance_span")),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quote.id"],
            name=op.f("fk_appearance_quote_id_quote"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name=op.f("fk_appearance_article_id_article"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speaker.id"],
            name=op.f("fk_appearance_speaker_id_speaker"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appearance")),
        sa.UniqueConstraint(
            "article_id", "start", "end", name=op.f("uq_appearance_article_id_start_end")
        ),
    )
    op.create_index("ix_appearance_quote_id", "appearance", ["quote_id"])
    op.create_index("ix_appearance_speaker_id", "appearance", ["speaker_id"])

    # Postings of the candidate index: the primary key (key, quote_id) is the key lookup index.
    op.create_table(
        "quote_key",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quote.id"],
            name=op.f("fk_quote_key_quote_id_quote"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "quote_id", name=op.f("pk_quote_key")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_quote_key_quote_id", "quote_key", ["quote_id"])


def downgrade() -> None:
    op.drop_table("quote_key")
    op.drop_table("appearance")
    op.drop_table("quote")
    op.drop_table("speaker_alias")
    op.drop_table("speaker")
    op.drop_table("article")
