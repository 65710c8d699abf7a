"""a tag's label and kind are the ones most of its articles give

A tag took its label and kind from the first article that named it: "Gun controls" for the tag
of 8 articles that write "Gun control", "SUPERDELEGATES" from a dateline, Facebook a topic and
Carly Fiorina an organisation for good. tag_forms counts how the articles write each tag under
its own slug, article_tags.form_id remembers which form a link counted (so an article stored
again takes its vote back), and tags.named marks a label the operator chose, which votes do not
move.

Each tag's present label and kind become one vote: the first article's, which is what it is.
A tag the operator renamed before this revision cannot be told from one named by its first
article, and is unmarked: renamed again, it stays.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 00:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tags", sa.Column("named", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("article_tags", sa.Column("form_id", sa.Integer(), nullable=True))
    op.create_table(
        "tag_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("display", sa.String(200), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name="fk_tag_forms_tag_id_tags", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tag_forms"),
        sa.UniqueConstraint("tag_id", "label", "kind", name="uq_tag_forms"),
    )
    op.execute(
        "INSERT INTO tag_forms (tag_id, label, kind, display, n) "
        "SELECT id, label, COALESCE(kind, ''), display, 1 FROM tags"
    )


def downgrade() -> None:
    op.drop_table("tag_forms")
    with op.batch_alter_table("article_tags", schema=None) as batch_op:
        batch_op.drop_column("form_id")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_column("named")
