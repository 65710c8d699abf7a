"""lists read newest first off an index: the article's time (published, else first seen) and
id, alone, by source and by story

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.text("coalesce(published_at, first_seen_at)")


def upgrade() -> None:
    op.create_index("ix_articles_time", "articles", [_TIME, "id"])
    op.create_index("ix_articles_source_time", "articles", ["source_id", _TIME, "id"])
    op.create_index("ix_articles_story_time", "articles", ["story_id", _TIME, "id"])


def downgrade() -> None:
    for name in ("ix_articles_story_time", "ix_articles_source_time", "ix_articles_time"):
        op.drop_index(name, table_name="articles")
