"""search ranks recent matches off an index of the latest articles (SQLite)

FTS5's bm25 counts, for every word of a query, how many articles hold it, by reading the
word's whole list, on every search: "government" in 950,000 of a million articles took 17 ms
of a 22 ms search, growing with the archive (bench/archive.py: search at a fresh URL 220
requests/s at 10,000, 79 at a million). A second FTS5 index, `articles_fts_recent`, holds the
articles of a sliding window, the latest `size` of them by id, so that a search whose pool
(store/search.py: the newest matches it ranks) lies inside the window ranks there and
counts its words among the window's articles only. Same columns, tokenizer and facets as
`articles_fts`; its content is a view of the window, so its integrity check holds.

The window is kept by triggers beside articles_fts's: an article stored above the boundary
is indexed, one edited or deleted above it is reindexed or removed, and when the newest id
passes the boundary by `size + slack` the articles that slid out are removed and the
boundary moves (every `slack` articles, ~1,000 at a time). `articles_fts_window` holds the
boundary, the size and the slack (an operator may change the last two; the triggers read
them). Every article above the boundary is indexed, none below it: the search relies on it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIZE = 50_000  # a window of ~50 days at 1,000 articles a day
SLACK = 1_000  # articles the newest id may pass the window's size by before it slides
_COLS = "title, text, facets"
_BOUNDARY = "(SELECT boundary FROM articles_fts_window)"


# articles_fts's tokenizer and facet tokens, as 0013 made them: the window indexes exactly what
# articles_fts does (a module whose name starts with a digit is imported by name).
_M0013 = import_module("newsweave.store.migrations.versions.0013_search_facets")
_TOKENIZE: str = _M0013._TOKENIZE


def _facets(row: str) -> str:
    return str(_M0013.facets(row))


def _statements() -> list[str]:
    new = f"new.id, new.title, new.text, {_facets('new.')}"
    old = f"'delete', old.id, old.title, old.text, {_facets('old.')}"
    return [
        "CREATE TABLE articles_fts_window (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "boundary INTEGER NOT NULL, size INTEGER NOT NULL CHECK (size > 0), "
        "slack INTEGER NOT NULL CHECK (slack > 0))",
        f"INSERT INTO articles_fts_window VALUES (1, "
        f"max(0, (SELECT coalesce(max(id), 0) FROM articles) - {SIZE}), {SIZE}, {SLACK})",
        f"CREATE VIEW articles_fts_recent_content AS SELECT id, {_COLS} "
        f"FROM articles_fts_content WHERE id > {_BOUNDARY}",
        f"CREATE VIRTUAL TABLE articles_fts_recent USING fts5({_COLS}, "
        f"content='articles_fts_recent_content', content_rowid='id', tokenize='{_TOKENIZE}')",
        "INSERT INTO articles_fts_recent(articles_fts_recent) VALUES ('rebuild')",
        f"CREATE TRIGGER articles_fts_recent_ai AFTER INSERT ON articles "
        f"WHEN new.id > {_BOUNDARY} BEGIN "
        f"INSERT INTO articles_fts_recent(rowid, {_COLS}) VALUES ({new}); END",
        f"CREATE TRIGGER articles_fts_recent_ad AFTER DELETE ON articles "
        f"WHEN old.id > {_BOUNDARY} BEGIN "
        f"INSERT INTO articles_fts_recent(articles_fts_recent, rowid, {_COLS}) VALUES ({old}); "
        "END",
        # The same columns and condition as articles_fts_au (0013).
        "CREATE TRIGGER articles_fts_recent_au AFTER UPDATE OF title, text, source_id, "
        f"language, published_at, first_seen_at ON articles WHEN old.id > {_BOUNDARY} AND "
        "(old.title IS NOT new.title OR old.text IS NOT new.text "
        f"OR ({_facets('old.')}) IS NOT ({_facets('new.')})) BEGIN "
        f"INSERT INTO articles_fts_recent(articles_fts_recent, rowid, {_COLS}) VALUES ({old}); "
        f"INSERT INTO articles_fts_recent(rowid, {_COLS}) VALUES ({new}); END",
        # Slide: what fell below the new boundary leaves, as it is indexed now (the triggers
        # above kept it so), then the boundary moves.
        "CREATE TRIGGER articles_fts_recent_slide AFTER INSERT ON articles "
        "WHEN new.id - (SELECT boundary + size + slack FROM articles_fts_window) > 0 BEGIN "
        f"INSERT INTO articles_fts_recent(articles_fts_recent, rowid, {_COLS}) "
        f"SELECT 'delete', id, {_COLS} FROM articles_fts_recent_content "
        "WHERE id <= new.id - (SELECT size FROM articles_fts_window); "
        "UPDATE articles_fts_window SET boundary = new.id - size; END",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _statements():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in (
            *(
                f"DROP TRIGGER IF EXISTS articles_fts_recent_{t}"
                for t in ("ai", "ad", "au", "slide")
            ),
            "DROP TABLE IF EXISTS articles_fts_recent",
            "DROP VIEW IF EXISTS articles_fts_recent_content",
            "DROP TABLE IF EXISTS articles_fts_window",
        ):
            op.execute(statement)
