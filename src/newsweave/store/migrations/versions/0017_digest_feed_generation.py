"""a reader's private digest feed address can be replaced (the old one then stops working)

The address carries a token made from the site's key and the reader's id: once shared or
leaked it could never be taken back. The token now also carries a generation the reader
moves on from the digest page; generation 0 makes the addresses already handed out.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("feed_generation", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("feed_generation")
