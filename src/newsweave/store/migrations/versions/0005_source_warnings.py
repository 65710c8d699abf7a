"""sources keep the warning of a good poll of a malformed feed apart from their last error

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_warning", sa.Text(), nullable=True))
    # What an older version stored as an error of a poll that worked is a warning.
    op.execute(
        "UPDATE sources SET last_warning = last_error, last_error = NULL "
        "WHERE error_count = 0 AND last_error IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("last_warning")
