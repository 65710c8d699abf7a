"""the few columns read of many articles at once come off an index: an article in brief

On SQLite an article's row holds its text (~4 KB) before most of the columns: reading an
article's state, time, duplicate group or source walks the text's overflow pages, ~2.4 pages
an article read cold against ~1 for what precedes the text (bench/archive.py at 100,000
articles). Past the page cache (a million articles) every page is a disk read, and two paths
read such columns of many articles at once: the cross-article step (~60 candidates and a
story's latest 20 members for each article it understands) and a search (the 1,000 newest
matches it ranks, each checked for its state, copy and filters). Both now read them off one
narrow covering index (~70 articles a page), and look up the rows of the 20 shown only; the
story index carries `duplicate_of`, so a story's copies are left out before their rows are read.

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
_BRIEF = [
    "id",
    "state",
    "duplicate_of",
    "source_id",
    "language",
    "published_at",
    "first_seen_at",
    "story_id",
    "first_understood_seq",
]


def upgrade() -> None:
    op.create_index("ix_articles_brief", "articles", _BRIEF)
    op.drop_index("ix_articles_story_time", table_name="articles")
    op.create_index("ix_articles_story_time", "articles", ["story_id", _TIME, "id", "duplicate_of"])


def downgrade() -> None:
    op.drop_index("ix_articles_story_time", table_name="articles")
    op.create_index("ix_articles_story_time", "articles", ["story_id", _TIME, "id"])
    op.drop_index("ix_articles_brief", table_name="articles")
