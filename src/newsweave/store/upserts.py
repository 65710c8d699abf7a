"""`INSERT … ON CONFLICT` on both databases: a get-or-create that two processes may run at once.

A SELECT and then an INSERT is a race on a shared PostgreSQL (issue 13 saw `uq_tags_slug` and
`uq_entities_name_type` kill an import). Inserting with the conflict ignored and then reading
the row back holds whoever wins; SQLite and PostgreSQL both speak the clause.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_for", "insert_missing", "insert_stmt", "put"]


def insert_stmt(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT, which has `on_conflict_do_update` / `_do_nothing`."""
    return insert_for(conn.dialect.name, table)


def insert_for(dialect: str, table: Table) -> Any:
    """insert_stmt by the dialect's name: for a statement built once and kept."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_missing(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> int:
    """Insert the rows whose `keys` (a unique constraint) are not taken; leave the others.
    Returns how many were inserted (exact for one row, which is what callers count)."""
    if not rows:
        return 0
    stmt = insert_stmt(conn, table).on_conflict_do_nothing(index_elements=keys)
    if len(rows) == 1:  # counted by what it returns: rowcount is -1 on PostgreSQL here
        returned = conn.execute(stmt.values(dict(rows[0])).returning(*table.primary_key.columns))
        return len(returned.all())
    conn.execute(stmt, rows)
    return len(rows)


def put(conn: Connection, table: Table, row: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert the row, or overwrite the one holding its `keys` with it."""
    stmt = insert_stmt(conn, table).values(dict(row))
    rest = {k: stmt.excluded[k] for k in row if k not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=rest))
