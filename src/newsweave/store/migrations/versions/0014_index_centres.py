"""the approximate vector index's list centres, learned once and shared by every process

k-means over a million articles' vectors (2,000 lists) took ~35 s of each worker's start-up,
and two processes that learned their own centres could miss different neighbours. The first
process to need them keeps them here; the others start from them (understanding.Memory).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "index_centres",
        sa.Column("model", sa.String(200), primary_key=True),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("lists", sa.Integer, nullable=False),
        sa.Column("centres", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("index_centres")
