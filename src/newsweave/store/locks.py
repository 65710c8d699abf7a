"""Locks that hold across processes for the length of one transaction.

PostgreSQL is the database many processes share (issue 13): two importers that meet the same
article, the same source or the same step of understanding must take turns, or both insert
and one dies on a unique key (or worse, nothing is unique and both rows stay: an article's
content hash is not a key). A transaction-level advisory lock is released by the commit or
rollback itself, so a killed process cannot leave one behind.

SQLite needs none: it has one writer at a time, and newsweave runs one process on it.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["MIGRATIONS", "UNDERSTANDING", "acquire", "hold", "release"]

# The cross-article step (copies, related articles, stories): one article at a time.
UNDERSTANDING = "understanding"
# Changing the schema (newsweave's migrations, the job queue's tables): one process at a time.
MIGRATIONS = "migrations"


def hold(conn: Connection, *names: str) -> None:
    """Wait for and take the locks named, until the transaction ends.

    Always taken in one order (by name), so two transactions asking for the same pair never
    wait on each other in a circle. The key is the name hashed with the schema, so two sites
    in two schemas of one server never wait on each other.
    """
    if conn.dialect.name != "postgresql":
        return
    for name in sorted(set(names)):
        conn.execute(_TAKE, {"name": name})


_TAKE = text("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || :name, 0))")


def acquire(conn: Connection, name: str) -> None:
    """Wait for and take the lock named until `release` (or the connection's end): for work
    that spans many transactions, such as talking to one host. The caller keeps `conn` open
    for as long and releases before giving it back to a pool."""
    if conn.dialect.name == "postgresql":
        conn.execute(_TAKE_SESSION, {"name": name})
        conn.commit()  # the lock outlives the transaction; the connection waits idle


def release(conn: Connection, name: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(_GIVE_SESSION, {"name": name})
        conn.commit()


_KEY = "hashtextextended(current_schema() || ':' || :name, 0)"
_TAKE_SESSION = text(f"SELECT pg_advisory_lock({_KEY})")
_GIVE_SESSION = text(f"SELECT pg_advisory_unlock({_KEY})")
