"""a log of the articles whose search entry changed, for a search engine kept beside the database

A search index outside the database (store/searchindex.py: one per machine, in its data folder)
must learn of every change that decides what it finds: an article stored, its words, source,
language or time edited, it becoming readable (extracted) or not (a copy found, a page no longer
extracted), it deleted. Triggers on articles append the article's id to `search_changes`; the
index reads the log past its mark, looks each article up again and replaces its entry.

`xid` (PostgreSQL) is the writing transaction's id: `seq` is handed out as rows are written,
not as transactions commit, so a transaction that wrote seq 10 may commit after one that wrote
11, and a reader that stopped at 11 would never see 10. The index reads instead every change of
the transactions that may not have been complete when it last read (xid >= the oldest then
running: pg_snapshot_xmin), which by then are. SQLite has one writer at a time: seq is commit
order there. `at` (seconds since the epoch) lets the log be pruned: an index that has not read it
for longer than the log keeps is built again.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns whose change changes an article's entry, and whether it is a readable original
# (VISIBLE_STATES as of this revision, written out: a migration keeps what it made).
_COLUMNS = ("title", "text", "source_id", "language", "published_at", "first_seen_at")


def _readable(row: str) -> str:
    return f"({row}state IN ('extracted', 'enriched') AND {row}duplicate_of IS NULL)"


def _changed(distinct: str) -> str:
    """Whether an update changed the entry; `distinct` is the dialect's null-safe inequality."""
    return " OR ".join(
        [
            f"{_readable('OLD.')} {distinct} {_readable('NEW.')}",
            *(f"OLD.{c} {distinct} NEW.{c}" for c in _COLUMNS),
        ]
    )


def _sqlite() -> list[str]:
    now = "CAST(strftime('%s', 'now') AS INTEGER)"
    log = f"INSERT INTO search_changes (article_id, at) VALUES ({{row}}.id, {now}); END"
    return [
        "CREATE TABLE search_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "article_id INTEGER NOT NULL, at INTEGER NOT NULL)",
        "CREATE INDEX ix_search_changes_at ON search_changes (at)",
        "CREATE TRIGGER search_changes_ai AFTER INSERT ON articles BEGIN " + log.format(row="new"),
        "CREATE TRIGGER search_changes_ad AFTER DELETE ON articles BEGIN " + log.format(row="old"),
        f"CREATE TRIGGER search_changes_au AFTER UPDATE ON articles "
        f"WHEN {_changed('IS NOT')} BEGIN " + log.format(row="new"),
    ]


_PG_LOG = """
CREATE FUNCTION search_changes_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_changes (article_id)
    VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END
$$
"""


def _postgresql() -> list[str]:
    return [
        "CREATE TABLE search_changes (seq bigserial PRIMARY KEY, article_id integer NOT NULL, "
        "xid xid8 NOT NULL DEFAULT pg_current_xact_id(), "
        "at bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint)",
        "CREATE INDEX ix_search_changes_xid ON search_changes (xid)",
        "CREATE INDEX ix_search_changes_at ON search_changes (at)",
        _PG_LOG,
        "CREATE TRIGGER search_changes_ai AFTER INSERT OR DELETE ON articles "
        "FOR EACH ROW EXECUTE FUNCTION search_changes_log()",
        "CREATE TRIGGER search_changes_au AFTER UPDATE ON articles "
        f"FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION search_changes_log()",
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite() if sqlite else _postgresql():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS search_changes_{t}" for t in ("ai", "ad", "au")]
    else:
        statements = [
            "DROP TRIGGER IF EXISTS search_changes_ai ON articles",
            "DROP TRIGGER IF EXISTS search_changes_au ON articles",
            "DROP FUNCTION IF EXISTS search_changes_log()",
        ]
    for statement in [*statements, "DROP TABLE IF EXISTS search_changes"]:
        op.execute(statement)
