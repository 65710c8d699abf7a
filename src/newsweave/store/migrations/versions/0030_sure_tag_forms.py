"""an article that shows a tag's kind outweighs the model's readings

spaCy's small model reads a bare "Pfizer" as a person in 17 of its 19 articles of allsides-dev;
the articles that write "Pfizer Inc" or "Pfizer (PFE.N)" show a company. tag_forms counts such
votes apart (`sure`), and they decide the tag's kind (store.tagforms). Every vote counted before
this revision was the model's reading, so all stay unsure; the next reindex counts the sure ones.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tag_forms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sure", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_constraint("uq_tag_forms", type_="unique")
        batch_op.create_unique_constraint("uq_tag_forms", ["tag_id", "label", "kind", "sure"])


def downgrade() -> None:
    # Two rows of one form, sure and not, become one: their votes add up, and the links that
    # counted the sure one count the other.
    twin = (
        "(SELECT p.id FROM tag_forms AS p JOIN tag_forms AS s ON p.tag_id = s.tag_id "
        "AND p.label = s.label AND p.kind = s.kind AND NOT p.sure WHERE s.sure "
        "AND s.id = article_tags.form_id)"
    )
    op.execute(f"UPDATE article_tags SET form_id = {twin} WHERE {twin} IS NOT NULL")
    op.execute(
        "UPDATE tag_forms SET n = n + (SELECT COALESCE(SUM(s.n), 0) FROM tag_forms AS s "
        "WHERE s.sure AND s.tag_id = tag_forms.tag_id AND s.label = tag_forms.label "
        "AND s.kind = tag_forms.kind) WHERE NOT sure"
    )
    op.execute(
        "UPDATE tag_forms SET sure = false WHERE sure AND NOT EXISTS (SELECT 1 FROM tag_forms "
        "AS p WHERE NOT p.sure AND p.tag_id = tag_forms.tag_id AND p.label = tag_forms.label "
        "AND p.kind = tag_forms.kind)"
    )
    op.execute("DELETE FROM tag_forms WHERE sure")
    with op.batch_alter_table("tag_forms", schema=None) as batch_op:
        batch_op.drop_constraint("uq_tag_forms", type_="unique")
        batch_op.create_unique_constraint("uq_tag_forms", ["tag_id", "label", "kind"])
        batch_op.drop_column("sure")
