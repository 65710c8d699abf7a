"""one slug for a name however its apostrophe is written

Outlets write "O'Malley" and "O’Malley"; the slug of the first was "o-malley" and of the
second "omalley" (the curly one is not ASCII and was dropped), so one man was two tags.
words.slugify now drops every apostrophe. Here the tags whose label holds a straight one take
the new slug: the tag that already has it absorbs them (articles, followers and muters), or
they are renamed; either way the old slug stays as an alias, so its URL redirects.

The rule is written out here rather than imported, so that this revision means what it meant
when a later slugify changes.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 21:00:00
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _slug(label: str) -> str:
    label = re.sub(r"['’‘ʼ]", "", label)
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug or re.sub(r"\W+", "-", label.lower()).strip("-")


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, slug, label FROM tags WHERE label LIKE :q"), {"q": "%'%"}
    ).all()
    for tag_id, old, label in rows:
        new = _slug(label)
        if not new or new == old:
            continue
        into = conn.execute(sa.text("SELECT id FROM tags WHERE slug = :s"), {"s": new}).scalar()
        if into is None:
            conn.execute(
                sa.text("UPDATE tags SET slug = :s WHERE id = :i"), {"s": new, "i": tag_id}
            )
        else:
            _merge(conn, tag_id, into)
        conn.execute(sa.text("DELETE FROM tag_aliases WHERE slug = :s"), {"s": old})
        conn.execute(
            sa.text("INSERT INTO tag_aliases (slug, tag_id) VALUES (:s, :i)"),
            {"s": old, "i": into if into is not None else tag_id},
        )


def _merge(conn: sa.Connection, gone: int, into: int) -> None:
    """store.tags.merge as it is at this revision, in SQL: the tag counts follow by trigger."""
    p = {"g": gone, "i": into}
    conn.execute(
        sa.text(
            "DELETE FROM article_tags WHERE tag_id = :g AND article_id IN "
            "(SELECT article_id FROM article_tags WHERE tag_id = :i)"
        ),
        p,
    )
    conn.execute(sa.text("UPDATE article_tags SET tag_id = :i WHERE tag_id = :g"), p)
    conn.execute(sa.text("UPDATE tag_aliases SET tag_id = :i WHERE tag_id = :g"), p)
    for table in ("follows", "mutes"):
        conn.execute(
            sa.text(
                f"DELETE FROM {table} WHERE kind = 'tag' AND target_id = :g AND user_id IN "
                f"(SELECT user_id FROM {table} WHERE kind = 'tag' AND target_id = :i)"
            ),
            p,
        )
        conn.execute(
            sa.text(f"UPDATE {table} SET target_id = :i WHERE kind = 'tag' AND target_id = :g"),
            p,
        )
    conn.execute(sa.text("DELETE FROM tags WHERE id = :g"), p)


def downgrade() -> None:
    """Nothing to undo: the old slugs are aliases of the tags they named."""
