"""how many readable articles each source has, kept as articles are written

The sources index (/sources) lists every source with its readable originals. It grouped the
archive's articles off ix_articles_brief: 325-404 ms at a million on SQLite, once a minute in
every web process (bench/README.md, sessions 32-33), growing with the archive.

Why a log of moves and not a counter row per source, as tag_counts (0022) is: an article's
visibility changes in collecting (a feed item inserted extracted), in extraction (fetched ->
extracted) and in the cross-article step (a copy found), which run concurrently for the same
source across processes on PostgreSQL. A counter row updated by each would be a row lock every
writer of that source waits on until it commits, and two transactions taking two sources' rows
in opposite orders would deadlock. Each change instead appends a row (+1 or -1) to
`source_count_moves`, which no writer ever updates; `store.sources.fold_counts` (the periodic
upkeep, and after a bulk load) adds them into `source_counts` and deletes them in one
statement, and a reader adds the few moves not yet folded to the counts.

The moves name no source by foreign key: deleting a source deletes its articles by cascade, and
their moves would name a row going in the same statement. A fold drops the moves of a source
that no longer exists.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _readable(row: str) -> str:
    """Whether the row is a readable original (VISIBLE_STATES as of this revision, written
    out: a migration keeps what it made)."""
    return f"({row}.state IN ('extracted', 'enriched') AND {row}.duplicate_of IS NULL)"


def _moved(distinct: str) -> str:
    """Whether an update moved an article in or out of a source's count."""
    readable = f"{_readable('old')} {distinct} {_readable('new')}"
    return f"{readable} OR old.source_id {distinct} new.source_id"


def _move(row: str, d: int) -> str:
    return f"INSERT INTO source_count_moves (source_id, d) VALUES ({row}.source_id, {d});"


def _move_if(row: str, d: int) -> str:
    return (
        f"INSERT INTO source_count_moves (source_id, d) "
        f"SELECT {row}.source_id, {d} WHERE {_readable(row)};"
    )


def _sqlite() -> list[str]:
    out, into = _move_if("old", -1), _move_if("new", 1)
    return [
        f"CREATE TRIGGER source_counts_ai AFTER INSERT ON articles WHEN {_readable('new')} "
        f"BEGIN {_move('new', 1)} END",
        f"CREATE TRIGGER source_counts_ad AFTER DELETE ON articles WHEN {_readable('old')} "
        f"BEGIN {_move('old', -1)} END",
        "CREATE TRIGGER source_counts_au AFTER UPDATE OF state, duplicate_of, source_id "
        f"ON articles WHEN {_moved('IS NOT')} BEGIN {out} {into} END",
    ]


# One function for the three events, each trigger firing only where the count moves (its WHEN).
_PG_FUNCTION = f"""
CREATE FUNCTION source_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF {_readable("OLD")} THEN
            INSERT INTO source_count_moves (source_id, d) VALUES (OLD.source_id, -1);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF {_readable("NEW")} THEN
            INSERT INTO source_count_moves (source_id, d) VALUES (NEW.source_id, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$
"""


def _postgresql() -> list[str]:
    run = "FOR EACH ROW"
    then = "EXECUTE FUNCTION source_counts_move()"
    return [
        _PG_FUNCTION,
        f"CREATE TRIGGER source_counts_ai AFTER INSERT ON articles {run} "
        f"WHEN {_readable('NEW')} {then}",
        f"CREATE TRIGGER source_counts_ad AFTER DELETE ON articles {run} "
        f"WHEN {_readable('OLD')} {then}",
        "CREATE TRIGGER source_counts_au AFTER UPDATE OF state, duplicate_of, source_id "
        f"ON articles {run} WHEN ({_moved('IS DISTINCT FROM')}) {then}",
    ]


# What ix_articles_brief (0015) holds lets SQLite count without reading an article's row.
_SQLITE_COUNT = (
    "SELECT source_id, count(*) FROM articles INDEXED BY ix_articles_brief "
    "WHERE state IN ('extracted', 'enriched') AND duplicate_of IS NULL GROUP BY source_id"
)
_PG_COUNT = (
    "SELECT source_id, count(*) FROM articles "
    "WHERE state IN ('extracted', 'enriched') AND duplicate_of IS NULL GROUP BY source_id"
)


def upgrade() -> None:
    op.create_table(
        "source_counts",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_counts_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_counts")),
    )
    op.create_table(
        "source_count_moves",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("d", sa.Integer(), nullable=False),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.execute(f"INSERT INTO source_counts (source_id, n) {_SQLITE_COUNT if sqlite else _PG_COUNT}")
    for statement in _sqlite() if sqlite else _postgresql():
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for t in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS source_counts_{t}" + ("" if sqlite else " ON articles"))
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS source_counts_move()")
    op.drop_table("source_count_moves")
    op.drop_table("source_counts")
