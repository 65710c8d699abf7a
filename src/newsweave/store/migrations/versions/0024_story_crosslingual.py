"""stories keep the sum of their members' cross-language vectors and their first language

An article that no story of its own language takes is compared to the stories begun in other
languages by a multilingual embedding (enrich/crosslingual.py, enrich/stories.py); the story
keeps that embedding's sum beside the MiniLM one, so that any process reads it back. Stories
from before hold neither: English articles join them as before, articles in other languages
begin stories beside them. A week on (the clusterer's window) every open story holds both;
`newsweave reindex --all` rebuilds the older ones at once.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("crosslingual", sa.LargeBinary(), nullable=True))
    op.add_column("stories", sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("crosslingual")
