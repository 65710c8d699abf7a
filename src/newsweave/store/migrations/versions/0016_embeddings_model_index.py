"""an index on the embeddings' model, so counting a model's vectors reads no vector

A worker's start-up counts the stored vectors before it reads them (the count chooses the
related index, exact or approximate, and its size). Without an index the count read every row
of `embeddings`, 1.5 GB of vectors at a million articles, and then the load read them again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_embeddings_model", "embeddings", ["model"])


def downgrade() -> None:
    op.drop_index("ix_embeddings_model", table_name="embeddings")
