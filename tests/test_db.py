"""Connections: a request's reads in no transaction on PostgreSQL, a pooled connection that
died while idle replaced before use, and a page whose connection died in use answered "try
again" (503), on the real PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from newsweave.store import db as db_module
from newsweave.store.db import Database, in_transaction, open_database
from newsweave.web.app import create_app

_SET = text("SELECT set_config('enable_indexscan', 'off', true)")
_SHOW = text("SHOW enable_indexscan")


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    """A site on PostgreSQL whose connections carry a name of their own (to be killed)."""
    database = open_database(f"{pg_url}&application_name=nw_{uuid.uuid4().hex[:16]}")
    yield database
    database.dispose()


@pytest.mark.postgres
def test_a_read_is_in_no_transaction_and_asks_for_one_where_a_setting_must_hold(
    pg: Database,
) -> None:
    with pg.read() as conn:
        conn.execute(_SET)
        # its own statement's transaction: the setting ended with it (no BEGIN was sent)
        assert conn.execute(_SHOW).scalar_one() == "on"
        with in_transaction(conn):
            conn.execute(_SET)
            assert conn.execute(_SHOW).scalar_one() == "off"
        assert conn.execute(_SHOW).scalar_one() == "on"

        def fails() -> None:
            with in_transaction(conn):
                conn.execute(_SET)
                raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            fails()
        assert conn.execute(_SHOW).scalar_one() == "on"  # rolled back, the connection usable
        assert conn.get_execution_options()["isolation_level"] == "AUTOCOMMIT"
    with pg.connect() as conn:  # back in the pool as it was: a read in a transaction
        assert conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT"
        conn.execute(_SET)
        assert conn.execute(_SHOW).scalar_one() == "off"
        with in_transaction(conn):  # already in one: used as it is
            assert conn.execute(_SHOW).scalar_one() == "off"


def test_a_read_on_sqlite_is_a_plain_connection(sqlite_db: Database) -> None:
    with sqlite_db.read() as conn, in_transaction(conn):
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar_one() == 0


def _kill(pg: Database) -> int:
    """Close, server side, the site's connections (from another engine: its own pool would
    lend the very connection to kill)."""
    other = create_engine(pg.engine.url.difference_update_query(["application_name"]))
    with other.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :n"
            ),
            {"n": pg.engine.url.query["application_name"]},
        ).scalar_one()
    other.dispose()
    return int(killed)


@pytest.mark.postgres
def test_a_pooled_connection_closed_while_idle_is_replaced_before_use(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL restarted, or something between closed an idle connection: the next request
    is answered on a new one, not failed. A connection in use is not tested first (no round
    trip a checkout): killed between two uses within the idle time, its next use fails once
    and the pool then replaces it."""
    one = text("SELECT 1")
    with pg.read() as conn:
        assert conn.execute(one).scalar_one() == 1
    monkeypatch.setattr(db_module, "IDLE_PING_S", 0.0)
    assert _kill(pg) == 1
    with pg.read() as conn:  # tested, found closed, replaced
        assert conn.execute(one).scalar_one() == 1
    monkeypatch.setattr(db_module, "IDLE_PING_S", 3600.0)
    assert _kill(pg) == 1
    with pytest.raises(OperationalError), pg.read() as conn:
        conn.execute(one)
    with pg.read() as conn:
        assert conn.execute(one).scalar_one() == 1


@pytest.mark.postgres
def test_the_servers_goodbye_before_the_socket_closes_is_the_connections_end(
    pg: Database,
) -> None:
    """PostgreSQL ending a connection sends its FATAL error (SQLSTATE 57P01) before it closes
    the socket; a statement can fail with it while psycopg still holds the connection sound.
    That error is the connection's end: SQLAlchemy throws the connection away (a page says
    "try again", 503) rather than lending it again. Raised here as a statement's error on a
    live connection, so that the order is certain; a statement's own error stays its own."""
    goodbye = text(
        "DO $$ BEGIN RAISE EXCEPTION 'terminating connection due to administrator command' "
        "USING ERRCODE = 'admin_shutdown'; END $$"
    )
    with pytest.raises(DBAPIError) as away, pg.read() as conn:
        conn.execute(goodbye)
    assert away.value.connection_invalidated
    with pytest.raises(DBAPIError) as own, pg.read() as conn:
        conn.execute(text("SELECT 1 / 0"))
    assert not own.value.connection_invalidated
    with pg.read() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1


@pytest.mark.postgres
def test_a_page_whose_connection_died_says_try_again(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader whose request met a connection closed in use is told to try again (503,
    Retry-After), not shown a 500, and the next request is answered."""
    monkeypatch.setattr(db_module, "IDLE_PING_S", 3600.0)
    app = create_app(pg, page_cache_seconds=0)

    async def get(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nw.test") as client:
            return await client.get(path)

    for path in ("/api/articles", "/"):
        assert asyncio.run(get(path)).status_code == 200
        assert _kill(pg) >= 1
        away = asyncio.run(get(path))
        assert (away.status_code, away.headers["retry-after"]) == (503, "1")
        assert "try again" in away.text
        assert asyncio.run(get(path)).status_code == 200
