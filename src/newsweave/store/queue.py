"""The job queue's tables (Procrastinate's, in the same PostgreSQL), and deferring into them.

Procrastinate keeps its jobs in PostgreSQL, so a job is deferred by an INSERT in the very
transaction that decides it (`defer`): a job exists if and only if that transaction committed.
Its locks are what the cluster needs: a job's `lock` lets one job of that lock run at a time
(one poll per host, one understanding per source), its `queueing_lock` keeps one job of that
name waiting (a due source queued once, however many ticks see it due).

The schema is Procrastinate's own SQL, applied once (under the migrations' lock) by the first
worker to start; `pyproject.toml` pins the Procrastinate release whose schema this is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from newsweave.store import locks

__all__ = ["counts", "defer", "ensure_schema"]


def ensure_schema(conn: Connection) -> bool:
    """Create Procrastinate's tables unless they exist; True if this call created them."""
    locks.hold(conn, locks.MIGRATIONS)
    exists = conn.execute(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar()
    if exists:
        return False
    from procrastinate.schema import SchemaManager

    # Through the driver's cursor with no parameters: the schema's text holds '%' signs that
    # a parameterised execute would read as placeholders. Same connection, same transaction.
    cursor = conn.connection.cursor()
    try:
        cursor.execute(SchemaManager.get_schema())
    finally:
        cursor.close()
    return True


_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, :queueing_lock, "
    "CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
)


def defer(
    conn: Connection,
    task: str,
    args: Mapping[str, Any],
    *,
    queue: str,
    lock: str | None = None,
    queueing_lock: str | None = None,
) -> bool:
    """Queue a job in this transaction. False when a job with its `queueing_lock` is already
    waiting (that one will do)."""
    try:
        with conn.begin_nested():  # a taken queueing lock must not undo the whole transaction
            conn.execute(
                _DEFER,
                {
                    "queue": queue,
                    "task": task,
                    "lock": lock,
                    "queueing_lock": queueing_lock,
                    "args": json.dumps(dict(args)),
                },
            )
    except IntegrityError:
        return False
    return True


def counts(conn: Connection, queue: str) -> dict[str, int]:
    """Jobs of the queue by status ("todo", "doing", "succeeded", "failed", ...)."""
    q = text(
        "SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = :queue "
        "GROUP BY status"
    )
    return {str(s): int(n) for s, n in conn.execute(q, {"queue": queue})}
