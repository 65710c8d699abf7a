"""near-duplicate index: MinHash signatures and their LSH band keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "minhashes",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_minhashes_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_minhashes")),
    )
    op.create_table(
        "minhash_bands",
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_minhash_bands_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("band", "article_id", name=op.f("pk_minhash_bands")),
    )
    with op.batch_alter_table("minhash_bands", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minhash_bands_article_id"), ["article_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("minhash_bands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minhash_bands_article_id"))
    op.drop_table("minhash_bands")
    op.drop_table("minhashes")
