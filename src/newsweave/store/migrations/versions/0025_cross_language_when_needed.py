"""the cross-language vector only where the site needs it: an index of the articles in other
languages, and how many of a story's members its cross-language sum holds

An English article's cross-language vector only lets a report in another language join its
story; a site that holds no such report is spared the model (pipeline.multilingual_site). The
question is asked before every batch of eight and must cost nothing at a million articles: on
this partial index of the articles not in English it reads a few entries on an English-only
site (pages whose language was misread) and stops at the first on any other.

Once a site turns multilingual, the stories opened before it hold the vectors of their later
members only; their average link is taken over those (stories.crosslingual_count), not over
every member. Stories from before this revision hold every member's vector where they hold
any (NULL here: read as their article count).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("crosslingual_count", sa.Integer(), nullable=True))
    op.execute(
        "CREATE INDEX ix_articles_other_language ON articles (language) WHERE language <> 'en'"
    )


def downgrade() -> None:
    op.drop_index("ix_articles_other_language", table_name="articles")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("crosslingual_count")
