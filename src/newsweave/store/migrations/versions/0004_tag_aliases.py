"""tag aliases: the slugs of merged, folded or renamed tags, and the tag each now names

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 15:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tag_aliases",
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_tag_aliases_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_tag_aliases")),
    )
    with op.batch_alter_table("tag_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_aliases_tag_id"), ["tag_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tag_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tag_aliases_tag_id"))
    op.drop_table("tag_aliases")
