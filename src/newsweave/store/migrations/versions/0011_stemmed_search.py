"""search that stems: "boosters" finds "booster"

SQLite: the FTS5 index is rebuilt with the porter tokenizer over unicode61 (every token stemmed
with English rules, in the index and in the query alike, so other languages still match
themselves). PostgreSQL: the search vector keeps the 'simple' words of every article and adds
the 'english' stems of the English ones; a query matches either (store/search.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = ("articles_fts_ai", "articles_fts_ad", "articles_fts_au")


def _sqlite_fts(tokenize: str) -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS {t}" for t in _TRIGGERS),
        "DROP TABLE IF EXISTS articles_fts",
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', "
        f"content_rowid='id', tokenize='{tokenize}')",
        "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
        "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END",
        "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
        "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    ]


def _pg_vector(with_stems: bool) -> list[str]:
    stems = (
        " || CASE WHEN language = 'en' THEN "
        "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(text, '')), 'B') "
        "ELSE ''::tsvector END"
        if with_stems
        else ""
    )
    return [
        "DROP INDEX IF EXISTS ix_articles_search_vector",
        "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
        "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('simple', coalesce(text, '')), 'B'){stems}) STORED",
        "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    ]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_sqlite_fts("porter unicode61 remove_diacritics 2"))
    elif dialect == "postgresql":
        _run(_pg_vector(with_stems=True))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_sqlite_fts("unicode61 remove_diacritics 2"))
    elif dialect == "postgresql":
        _run(_pg_vector(with_stems=False))
