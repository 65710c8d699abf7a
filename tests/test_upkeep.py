"""Vacuum where PostgreSQL's autovacuum does not (store/upkeep.py): autovacuum's own rule, the
search window vacuumed once it churned, by a worker's job of its own, and the operator told.

The server these tests run against may have autovacuum on or off (this project's is off); each
test turns it off for the tables it churns (the reloption `autovacuum_enabled = false`), so it
asserts the same either way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, insert, text

from newsweave import config, jobs
from newsweave.store import upkeep
from newsweave.store.db import Database, open_database
from newsweave.store.schema import articles, sources

WINDOW = "articles_search_recent"


def test_a_table_is_due_by_autovacuums_own_thresholds() -> None:
    limits = upkeep.Thresholds()  # PostgreSQL's defaults: 50 + 20 %, 1000 + 20 %, 50 + 10 %

    def work(rows: float, dead: int = 0, inserted: int = 0, modified: int = 0) -> tuple[bool, bool]:
        d = upkeep.due(upkeep.TableCounts("t", rows, dead, inserted, modified, False), limits)
        return d.vacuum, d.analyze

    assert work(1000, dead=250) == (False, False)  # 50 + 0.2 x 1000 = 250: not past it
    assert work(1000, dead=251) == (True, False)
    assert work(1000, inserted=1200) == (False, False)
    assert work(1000, inserted=1201) == (True, False)
    assert work(1000, modified=151) == (False, True)
    assert work(-1, inserted=1001, modified=51) == (True, True)  # never analyzed: no rows known
    no_inserts = upkeep.Thresholds(insert=-1)  # autovacuum_vacuum_insert_threshold = -1: off
    counts = upkeep.TableCounts("t", 0, 0, 10**6, 0, False)
    assert not upkeep.due(counts, no_inserts).vacuum
    # a table autovacuum looks after is left to it, however much it churned
    busy = upkeep.TableCounts("t", 10, 10**6, 10**6, 10**6, True)
    assert upkeep.due(busy, limits) == upkeep.Due("t", False, False)


def _churn(db: Database, n: int) -> None:
    """`n` readable articles stored one transaction each, through a window of 100 that slides
    every 10: ~n - 100 rows deleted from it. The writer's statistics are flushed at once."""
    with db.begin() as conn:
        conn.execute(text(f"ALTER TABLE {WINDOW} SET (autovacuum_enabled = false)"))
        conn.execute(text("UPDATE articles_search_window SET size = 100, slack = 10"))
        conn.execute(insert(sources), [{"id": 1, "name": "S"}])
    now = datetime.now(UTC)
    with db.engine.connect() as conn:
        for i in range(n):
            row = {"ident": f"https://example.com/{i}", "source_id": 1, "first_seen_at": now}
            conn.execute(insert(articles), [row | {"title": f"Article {i}", "state": "enriched"}])
            conn.commit()
        if conn.dialect.server_version_info >= (15,):  # else sent within ~0.5 s anyway
            conn.execute(text("SELECT pg_stat_force_next_flush()"))
            conn.commit()


def _window_counts(conn: Connection) -> tuple[int, int]:
    """The window's dead rows, and how many times it was vacuumed by hand, as the statistics
    say. (Whether a vacuum can reclaim the dead rows depends on every transaction open in the
    database, the other tests' among them, so a test asserts the vacuum, not the count after.)"""
    conn.execute(text("SELECT pg_stat_clear_snapshot()"))
    dead, vacuumed = conn.execute(
        text(
            "SELECT n_dead_tup, vacuum_count FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = :t"
        ),
        {"t": WINDOW},
    ).one()
    return int(dead), int(vacuumed)


def _due_for(db: Database, table: str, seconds: float = 10.0) -> upkeep.Due | None:
    """The work due on `table`, once the writers' statistics arrived (flushed when idle)."""
    deadline = time.monotonic() + seconds
    while True:
        with db.connect() as conn:
            found = {d.table: d for d in upkeep.tables_due(conn)}
        if table in found or time.monotonic() > deadline:
            return found.get(table)
        time.sleep(0.1)


@pytest.mark.postgres
def test_the_churned_search_window_is_vacuumed_where_autovacuum_would_have(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        _churn(db, 400)
        work = _due_for(db, WINDOW)
        assert work is not None
        assert work.vacuum, work
        with db.connect() as conn:
            dead, vacuums = _window_counts(conn)
        assert dead >= 250  # ~290 deleted by its slides
        assert vacuums == 0

        done = jobs.vacuum_if_due(db)
        assert WINDOW in {d.table for d in done if d.vacuum}
        with db.connect() as conn:
            assert _window_counts(conn)[1] == 1
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_worker_vacuums_in_a_job_of_its_own_and_tells_the_operator_at_start(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from newsweave.worker import Cluster

    db = open_database(pg_url)
    try:
        _churn(db, 400)
        assert _due_for(db, WINDOW) is not None
        cluster = Cluster(db, config.load({}, database_url=pg_url), periodic=False)
        cluster.ensure_schema()
        assert cluster.hand_out_upkeep()
        assert not cluster.hand_out_upkeep()  # one waits already: once across the cluster
        with db.connect() as conn:
            queued = conn.execute(
                text("SELECT task_name, lock FROM procrastinate_jobs WHERE status = 'todo'")
            ).all()
        assert queued == [("newsweave.upkeep", "upkeep")]

        with caplog.at_level(logging.INFO):
            asyncio.run(cluster.run(burst=True))
        with db.connect() as conn:
            assert _window_counts(conn)[1] == 1
            off = conn.execute(text("SHOW autovacuum")).scalar_one() == "off"
        said = caplog.text
        assert f"vacuumed {WINDOW}" in said or f"vacuumed and analyzed {WINDOW}" in said
        assert ("PostgreSQL's autovacuum is off on this server" in said) == off
    finally:
        db.dispose()
