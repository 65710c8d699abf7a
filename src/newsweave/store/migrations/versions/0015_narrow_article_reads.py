"""the few columns the cross-article step reads of other articles, off indexes

On SQLite an article's row holds its text (~4 KB) before the columns added after it: reading
an article's time, duplicate group or understanding order walks the text's overflow pages,
~2.4 pages an article read cold against ~1.2 for a column before the text (bench/archive.py
at 100,000 articles). Past the page cache (a million articles) every page is a disk read, and
the step reads ~60 candidate articles and a story's latest 20 members for each article it
understands. The candidates' columns now come off one narrow covering index (1 page each,
~130 rows a page), and the story index carries `duplicate_of`, so a story's copies are left
out before their rows are read.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.text("coalesce(published_at, first_seen_at)")


def upgrade() -> None:
    op.create_index(
        "ix_articles_neighbour",
        "articles",
        ["id", "published_at", "first_seen_at", "duplicate_of", "first_understood_seq"],
    )
    op.drop_index("ix_articles_story_time", table_name="articles")
    op.create_index("ix_articles_story_time", "articles", ["story_id", _TIME, "id", "duplicate_of"])


def downgrade() -> None:
    op.drop_index("ix_articles_story_time", table_name="articles")
    op.create_index("ix_articles_story_time", "articles", ["story_id", _TIME, "id"])
    op.drop_index("ix_articles_neighbour", table_name="articles")
