"""Shared fixtures: a real SQLite file or the PostgreSQL on this machine, and a real HTTP server.

PostgreSQL tests need the server on 127.0.0.1:5432 (trust auth, database `test`). Without it
they are skipped with the reason, except when NEWSWEAVE_REQUIRE_SERVICES=1 (as .ci/run sets):
then a missing server fails the run instead of quietly testing less.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from newsweave.ingest.fetch import FetchPolicy
from newsweave.store.db import Database, open_database
from tests.fixture_server import FixtureServer

PG_URL = os.environ.get("NEWSWEAVE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("NEWSWEAVE_TEST_REDIS", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("NEWSWEAVE_REQUIRE_SERVICES") == "1"
_pg_ok: bool | None = None


def postgres_available() -> bool:
    global _pg_ok
    if _pg_ok is None:
        try:
            engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_ok = True
        except Exception:
            _pg_ok = False
    return _pg_ok


def _need_postgres() -> None:
    if postgres_available():
        return
    reason = f"PostgreSQL is not reachable at {PG_URL}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and NEWSWEAVE_REQUIRE_SERVICES=1 forbids skipping")
    pytest.skip(reason)


def _need_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        return
    except redis.RedisError:
        pass
    reason = f"Redis is not reachable at {REDIS_URL}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and NEWSWEAVE_REQUIRE_SERVICES=1 forbids skipping")
    pytest.skip(reason)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the Redis on this machine, deleted afterwards."""
    _need_redis()
    import redis

    prefix = f"nwtest-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL pinned to a fresh schema, dropped afterwards."""
    _need_postgres()
    schema = f"nwtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store test runs on a real SQLite file and on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newsweave.db'}"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'newsweave.db'}")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def _events_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The team's event fixtures loaded and enriched once per test process, in a SQLite file."""
    from tests.events import load_events

    path = tmp_path_factory.mktemp("events") / "events.db"
    database = open_database(f"sqlite:///{path}")
    ids = load_events(database)
    database.dispose()  # the last connection closed: the WAL is folded into the file
    return path, ids


@pytest.fixture
def events_db(
    _events_template: tuple[Path, dict[str, int]], tmp_path: Path
) -> Iterator[tuple[Database, dict[str, int]]]:
    """A SQLite site holding the event fixtures (a copy of one loaded once): (db, id by key).
    Loading and enriching them took ~6 s a test."""
    template, ids = _events_template
    path = tmp_path / "newsweave.db"
    shutil.copyfile(template, path)
    database = open_database(f"sqlite:///{path}")
    yield database, dict(ids)
    database.dispose()


@pytest.fixture(scope="session")
def server() -> Iterator[FixtureServer]:
    srv = FixtureServer().start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def policy() -> FetchPolicy:
    """Fast but otherwise real politeness settings for tests."""
    return FetchPolicy(
        user_agent="newsweave-test/0.1",
        connect_timeout=2,
        read_timeout=1.5,
        total_timeout=3,
        max_bytes=1_000_000,
        max_retries=2,
        retry_max_wait=2,
        backoff_base=0.01,
        per_host_delay=0,
        per_host_concurrency=4,
    )
