"""Document frequency of each index key: lookups read only the postings of informative keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_frequency",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("quotes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_key_frequency")),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO key_frequency (key, quotes) SELECT key, count(*) FROM quote_key GROUP BY key"
    )


def downgrade() -> None:
    op.drop_table("key_frequency")
