"""the multilingual vectors of articles in languages MiniLM does not read

MiniLM (English word pieces) scores any two Russian texts ~0.52 alike and any two Chinese
~0.59, so the related articles of such an article were near-random others in its script. Its
multilingual vector (enrich/crosslingual.py) is kept here and those articles' related lists
are found by it (understanding.Memory.xindex). Articles analysed before keep their lists until
they are enriched again (`newsweave reindex --all`).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crosslingual_embeddings",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_crosslingual_embeddings_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_crosslingual_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("crosslingual_embeddings")
