"""an index of the articles that are not readable originals, for search's unfiltered pool

A best-first search on SQLite walks a word's newest matches in the index of words and keeps
the readable originals among them: each match was looked up in the articles' brief index
(0015) for its state and copy, 1,000 lookups a search (~1.1 of the pool's ~2.4 ms in the
window at 100,000 articles, bench/archive.py). An unfiltered search asks nothing else of the
article, and the others (copies, pages not extracted: ~3 % of an archive) are few: checked
against this partial index of them instead, the pool takes 1.75 ms, the same rows.

Made on PostgreSQL too, where no search needs it yet, so that both databases hold one schema.
The states are the model's VISIBLE_STATES as of this revision, written out (as 0019's).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNREADABLE = "state NOT IN ('extracted', 'enriched') OR duplicate_of IS NOT NULL"


def upgrade() -> None:
    op.execute(f"CREATE INDEX ix_articles_unreadable ON articles (id) WHERE {UNREADABLE}")


def downgrade() -> None:
    op.drop_index("ix_articles_unreadable", table_name="articles")
