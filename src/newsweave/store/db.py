"""Opening the database: engine, SQLite pragmas, migrations on start.

SQLite is the embedded default (one file, WAL so readers never wait for the writer, a busy
timeout so the one writer at a time waits instead of failing). PostgreSQL is chosen by the URL
alone; each connection may be pinned to a schema (`?options=-csearch_path=...`), which the
tests use to give every run its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, exc, make_url

from newsweave.store import locks

__all__ = ["Database", "in_transaction", "open_database"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode loses no committed transaction on a process crash (only on power loss).
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _postgres_session(dbapi_conn: Any, _record: Any) -> None:
    """Plan every statement for its own parameters. psycopg prepares a statement it has run
    five times, and PostgreSQL then may plan it once for any parameters: For You's reasons,
    planned so, read every article of a reader's follows before testing the 51 shown (2.5 ->
    6.8 ms at 200,000 articles, where a plan for the ids given takes 1.1 ms with its
    planning), and its list 1.5 -> 1.1 ms (bench/archive.py's reader, in process). Committed:
    a SET in a transaction rolled back would be undone."""
    with dbapi_conn.cursor() as cur:
        cur.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_conn.commit()


class Database:
    """An engine plus the few facts callers need about it."""

    def __init__(self, engine: Engine, local_dir: Path | None = None) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # This machine's folder for what a process may keep beside the database (the related
        # index's snapshot of a PostgreSQL site: understanding.snapshot_path); None: nowhere.
        self.local_dir = local_dir

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction: committed on success, rolled back on any error."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads, in a transaction (rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for a request's reads, in no transaction on PostgreSQL: each statement
        is its own, which changes nothing a read sees under READ COMMITTED (every statement
        takes its own snapshot there anyway), and saves the BEGIN and ROLLBACK round trips
        around them (PostgreSQL on 127.0.0.1: a pooled connection's one-row query 410 -> 220
        us; under 16 connections a round trip costs far more, each one a wait for the GIL).
        What needs a transaction on it asks for one (`in_transaction`). Writes go through
        `begin`."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    def upgrade(self, revision: str = "head") -> None:
        """Run every migration not yet applied, up to `revision` (Alembic, transactional on
        both engines; a revision short of head is for the tests of a data migration)."""
        self._migrate(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        """Undo the migrations after `revision`: backing out a release, and the tests that a
        data migration's way back keeps what it holds."""
        self._migrate(command.downgrade, revision)

    def _migrate(self, step: Callable[[Config, str], None], revision: str) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        with self.engine.begin() as conn:
            locks.hold(conn, locks.MIGRATIONS)  # processes starting together migrate one at a time
            cfg.attributes["connection"] = conn
            step(cfg, revision)

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def in_transaction(conn: Connection) -> Iterator[Connection]:
    """`conn` in a transaction for the statements in the block, where it was in none
    (Database.read): SET LOCAL's planner settings (store/search.py) hold to the end of a
    transaction, and without one they would end with their own statement. Committed at the end
    (they only read), rolled back on an error. Elsewhere `conn` is used as it is."""
    if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        yield conn
        return
    conn.commit()  # ends SQLAlchemy's own marker of a transaction; none is open in the database
    conn.execution_options(isolation_level=conn.default_isolation_level)
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.execution_options(isolation_level="AUTOCOMMIT")


# A pooled connection idle longer than this is tested before use (one round trip): PostgreSQL
# or something between may have closed it meanwhile (a restart, an idle timeout). One in use
# all the time is not: `pool_pre_ping` tested it at every checkout, 15 % of a search's wall
# time under load at a million articles (py-spy). A connection that dies in use meanwhile fails
# its request (a page says "try again", 503: web/app.py), and SQLAlchemy then replaces every
# connection of the pool.
IDLE_PING_S = 10.0


def _ping_when_idle(engine: Engine) -> None:
    def checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["newsweave_idle_since"] = time.monotonic()

    def checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("newsweave_idle_since")
        if since is None or time.monotonic() - since <= IDLE_PING_S:
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as e:
            if not dialect.is_disconnect(e, dbapi_conn, None):
                raise
            # The pool throws this connection away and checks out another (or a new one).
            raise exc.DisconnectionError("a pooled connection was closed while idle") from e

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


# SQLSTATE classes of a connection's end: 08 (connection exception) and 57P (the server
# shutting it: 57P01 "terminating connection due to administrator command", a restart, an idle
# session timeout). psycopg marks a connection broken only once libpq has seen its socket close;
# the server's FATAL message can come first, as the failed statement's own error, and
# SQLAlchemy then took the connection for sound: a 500 instead of "try again", and the
# connection went back to the pool to fail the next request with libpq's "another command is
# already in progress" (tests/test_db.py met that once, in session 54).
_GONE_STATES = ("08", "57P")
_GONE_MESSAGE = "another command is already in progress"


def _count_server_goodbyes_as_disconnects(engine: Engine) -> None:
    def handle_error(context: Any) -> None:
        error = context.original_exception
        state = getattr(error, "sqlstate", None) or ""
        if state.startswith(_GONE_STATES) or _GONE_MESSAGE in str(error):
            context.is_disconnect = True  # the pool replaces it, the page says "try again"

    event.listen(engine, "handle_error", handle_error)


def open_database(
    url: str, *, migrate: bool = True, local_dir: str | Path | None = None
) -> Database:
    """Open (and by default create and migrate) the database at `url`; `local_dir` is the
    data folder of this machine (config's data_dir)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    engine = create_engine(parsed, **kwargs)
    if engine.dialect.name != "sqlite":
        _ping_when_idle(engine)
        _count_server_goodbyes_as_disconnects(engine)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgres_session)
    db = Database(engine, Path(local_dir) if local_dir is not None else None)
    if migrate:
        db.upgrade()
    return db
