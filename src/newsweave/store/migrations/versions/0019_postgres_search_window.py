"""search ranks recent matches off a narrow table of the latest articles (PostgreSQL)

A best-first search on PostgreSQL gathered its matches among the latest 50,000 articles off the
articles' own word index and read each match's row off the articles' heap, wide rows of text
(~20 ms at 200,000 articles), before ranking its pool (bench/archive.py: ~40 ms a new query in
process, 27 requests/s at 16 connections). `articles_search_recent` holds, for the readable
originals (state extracted or enriched, no duplicate_of) of a sliding window of the latest ids,
the id and the search vector only, with a word index of its own: a match there is a narrow row
(a TOAST pointer), and a query that finds its pool there reads no article but those shown.

`articles_search_window` holds the boundary, the size and the slack, as SQLite's
`articles_fts_window` (migration 0018) does for its window. Every readable original above the
boundary is in the table, kept by triggers on articles: a row stored, edited (its words, state,
copy or language) above the boundary is added, replaced or removed, and a deleted article's
row goes with it (a foreign key, ON DELETE CASCADE). When the newest
id passes the boundary by `size + slack` the boundary moves up to `newest - size` (never down:
two inserters may slide at once) and the rows below it are removed, those another transaction
holds left for the next slide (SKIP LOCKED: a slide never waits, so it cannot deadlock with a
worker storing old articles). A row below the boundary may so linger a while; searches read
the window above the boundary only (store/search.py).

The states are the model's VISIBLE_STATES as of this revision, written out: a migration keeps
what it made.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIZE = 50_000  # as SQLite's window (0018): ~50 days at 1,000 articles a day
SLACK = 1_000


def _readable(row: str = "") -> str:
    """Whether an article (`row`: "", "NEW." or "OLD.") is a readable original."""
    return f"{row}state IN ('extracted', 'enriched') AND {row}duplicate_of IS NULL"


_KEEP = f"""
CREATE FUNCTION articles_search_recent_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    w articles_search_window%ROWTYPE;
BEGIN
    SELECT * INTO w FROM articles_search_window;
    IF NEW.id > w.boundary THEN
        IF {_readable("NEW.")} THEN
            INSERT INTO articles_search_recent (id, search_vector)
            VALUES (NEW.id, NEW.search_vector)
            ON CONFLICT (id) DO UPDATE SET search_vector = EXCLUDED.search_vector;
        ELSE
            DELETE FROM articles_search_recent WHERE id = NEW.id;
        END IF;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.id > w.boundary + w.size + w.slack THEN
        UPDATE articles_search_window SET boundary = greatest(boundary, NEW.id - size);
        DELETE FROM articles_search_recent WHERE id IN (
            SELECT id FROM articles_search_recent
            WHERE id <= (SELECT boundary FROM articles_search_window)
            FOR UPDATE SKIP LOCKED);
    END IF;
    RETURN NULL;
END
$$
"""
# What changes an article's row in the window: whether it is readable (extracted -> enriched,
# every article's last step, does not), and its words.
_CHANGED = " OR ".join(
    [
        f"({_readable('OLD.')}) IS DISTINCT FROM ({_readable('NEW.')})",
        *(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ("title", "text", "language")),
    ]
)


def _statements() -> list[str]:
    return [
        "CREATE TABLE articles_search_window (id integer PRIMARY KEY CHECK (id = 1), "
        "boundary integer NOT NULL, size integer NOT NULL CHECK (size > 0), "
        "slack integer NOT NULL CHECK (slack > 0))",
        f"INSERT INTO articles_search_window VALUES (1, "
        f"greatest(0, (SELECT coalesce(max(id), 0) FROM articles) - {SIZE}), {SIZE}, {SLACK})",
        "CREATE TABLE articles_search_recent (id integer PRIMARY KEY "
        "REFERENCES articles (id) ON DELETE CASCADE, search_vector tsvector NOT NULL)",
        "INSERT INTO articles_search_recent SELECT id, search_vector FROM articles "
        f"WHERE id > (SELECT boundary FROM articles_search_window) AND {_readable()}",
        "CREATE INDEX ix_articles_search_recent ON articles_search_recent "
        "USING gin (search_vector)",
        _KEEP,
        "CREATE TRIGGER articles_search_recent_ai AFTER INSERT ON articles "
        "FOR EACH ROW EXECUTE FUNCTION articles_search_recent_keep()",
        "CREATE TRIGGER articles_search_recent_au AFTER UPDATE ON articles "
        f"FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION articles_search_recent_keep()",
        "ANALYZE articles_search_recent",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _statements():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in (
            "DROP TRIGGER IF EXISTS articles_search_recent_ai ON articles",
            "DROP TRIGGER IF EXISTS articles_search_recent_au ON articles",
            "DROP FUNCTION IF EXISTS articles_search_recent_keep()",
            "DROP TABLE IF EXISTS articles_search_recent",
            "DROP TABLE IF EXISTS articles_search_window",
        ):
            op.execute(statement)
