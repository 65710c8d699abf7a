"""the cross-article step's order: what each process catches up on, and what a copy follows

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("understood_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("first_understood_seq", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_articles_understood_seq", ["understood_seq"])
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_stories_seq", ["seq"])
    # Articles understood before: their order was their id's.
    op.execute(
        "UPDATE articles SET understood_seq = id, first_understood_seq = id "
        "WHERE state = 'enriched'"
    )


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index("ix_stories_seq")
        batch_op.drop_column("seq")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_understood_seq")
        batch_op.drop_column("first_understood_seq")
        batch_op.drop_column("understood_seq")
