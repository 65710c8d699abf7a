"""how many articles each hashtag is on, kept as the tags are written

The hashtags index (/tags, /api/tags) lists the most used tags. It counted them by grouping
every article_tags row: 616 ms at a million articles (2.8 million rows) on PostgreSQL, once a
minute in every web process, and with two web processes the second one's first count stood in
its readers' way (the tags index as served at p99 734 ms, bench/archive.py, session 31). Kept by
triggers, the count is read in a few milliseconds, is the same in every process, and grows with
the number of tags instead of the archive.

Triggers, not counts written by the code that writes the tags: article_tags changes in several
places (an article's analysis saved, tags merged or folded, an article or a tag deleted and its
rows going with it by cascade), and a trigger sees every one. Contention on popular tags' rows
is not a concern here: analyses are stored one article at a time across every process (the
pipeline's understanding lock), and the other writers are an operator's acts. PostgreSQL counts
once per statement off its transition tables, in tag order, so a bulk load costs one grouped
update and two statements never take the same tags' rows in opposite orders.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ADD_ONE = (
    "INSERT INTO tag_counts (tag_id, n) VALUES (new.tag_id, 1) "
    "ON CONFLICT (tag_id) DO UPDATE SET n = n + 1;"
)
_TAKE_ONE = "UPDATE tag_counts SET n = n - 1 WHERE tag_id = old.tag_id;"


def _sqlite() -> list[str]:
    return [
        f"CREATE TRIGGER tag_counts_ai AFTER INSERT ON article_tags BEGIN {_ADD_ONE} END",
        f"CREATE TRIGGER tag_counts_ad AFTER DELETE ON article_tags BEGIN {_TAKE_ONE} END",
        "CREATE TRIGGER tag_counts_au AFTER UPDATE OF tag_id ON article_tags "
        f"WHEN old.tag_id <> new.tag_id BEGIN {_TAKE_ONE} {_ADD_ONE} END",
    ]


# One function for the three events: each passes what it has (`added`, `removed`, or both for
# an update, which nets out where only the score changed).
_PG_FUNCTION = """
CREATE FUNCTION tag_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tag_counts (tag_id, n)
        SELECT tag_id, count(*) FROM added GROUP BY tag_id ORDER BY tag_id
        ON CONFLICT (tag_id) DO UPDATE SET n = tag_counts.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE tag_counts c SET n = c.n - g.k
        FROM (SELECT tag_id, count(*) AS k FROM removed GROUP BY tag_id) g
        WHERE c.tag_id = g.tag_id;
    ELSE
        INSERT INTO tag_counts (tag_id, n)
        SELECT tag_id, sum(d) FROM (
            SELECT tag_id, -1 AS d FROM removed UNION ALL SELECT tag_id, 1 FROM added
        ) moved GROUP BY tag_id HAVING sum(d) <> 0 ORDER BY tag_id
        ON CONFLICT (tag_id) DO UPDATE SET n = tag_counts.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$
"""


def _postgresql() -> list[str]:
    each = "FOR EACH STATEMENT EXECUTE FUNCTION tag_counts_keep()"
    return [
        _PG_FUNCTION,
        f"CREATE TRIGGER tag_counts_ai AFTER INSERT ON article_tags "
        f"REFERENCING NEW TABLE AS added {each}",
        f"CREATE TRIGGER tag_counts_ad AFTER DELETE ON article_tags "
        f"REFERENCING OLD TABLE AS removed {each}",
        f"CREATE TRIGGER tag_counts_au AFTER UPDATE ON article_tags "
        f"REFERENCING OLD TABLE AS removed NEW TABLE AS added {each}",
    ]


def upgrade() -> None:
    op.create_table(
        "tag_counts",
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_tag_counts_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tag_id", name=op.f("pk_tag_counts")),
    )
    op.create_index("ix_tag_counts_n", "tag_counts", ["n"])
    op.execute(
        "INSERT INTO tag_counts (tag_id, n) "
        "SELECT tag_id, count(*) FROM article_tags GROUP BY tag_id"
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite() if sqlite else _postgresql():
        op.execute(statement)


def downgrade() -> None:
    for t in ("ai", "ad", "au"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS tag_counts_{t}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS tag_counts_{t} ON article_tags")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS tag_counts_keep()")
    op.drop_index("ix_tag_counts_n", table_name="tag_counts")
    op.drop_table("tag_counts")
