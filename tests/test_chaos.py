"""A scaled-out site under fire (issue 13): three workers and two web processes on the local
PostgreSQL and Redis, a newsroom of 8 events × 8 outlets on 8 local hosts, and `kill -9` of a
worker while it analyses and of another while it stores what it understood.

Afterwards every article is stored once and understood once, no log shows a unique-key error
or a traceback, no host ever saw two requests at a time, both web processes refused a session
ended on one of them at once, and the stories, copies and related lists are those of one
process replaying the articles in the order the cluster understood them.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from newsweave.store.db import Database, open_database
from newsweave.store.schema import articles
from tests.conftest import REDIS_URL
from tests.newsroom import newsroom
from tests.newsroom_site import newsroom_site
from tests.test_cli import env_for
from tests.test_scale import _RACE_SIGNS, _understanding, replay_alone
from tests.test_shared_state import _act_as_one_site, _free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
_STARTED = re.compile(r"Starting job newsweave\.understand\[(\d+)\]")
_ENDED = re.compile(r"Job newsweave\.understand\[(\d+)\].* ended")


class _Process:
    """A newsweave process whose log is read as it is written."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newsweave", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def understanding(self) -> bool:
        """Whether an `understand` job of this worker has started and not ended."""
        started = set(_STARTED.findall(self.log))
        return bool(started - set(_ENDED.findall(self.log)))

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        self._reader.join(timeout=5)
        if self.proc.stderr is not None:
            self.proc.stderr.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close()


def _wait(cond: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g}s waiting for {what}")
        time.sleep(0.05)


def _enriched(db: Database) -> int:
    with db.connect() as conn:
        q = select(func.count()).where(articles.c.state == "enriched")
        return int(conn.execute(q).scalar_one())


def _settled(db: Database, n: int) -> bool:
    """All `n` articles enriched and no collecting or understanding job waiting or running."""
    with db.connect() as conn:
        busy = conn.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                "AND task_name NOT IN ('newsweave.tick', 'newsweave.upkeep')"
            )
        ).scalar_one()
    return _enriched(db) == n and busy == 0


def test_workers_killed_mid_analysis_and_mid_storing_lose_and_double_nothing(
    tmp_path: Path, pg_url: str, redis_prefix: str
) -> None:
    pieces = newsroom()
    env = env_for(tmp_path) | {
        "NEWSWEAVE_DATABASE_URL": pg_url,
        "NEWSWEAVE_REDIS_URL": REDIS_URL,
        "NEWSWEAVE_REDIS_PREFIX": redis_prefix,
        "NEWSWEAVE_PER_HOST_CONCURRENCY": "1",
        "NEWSWEAVE_PER_HOST_DELAY": "0",
        "NEWSWEAVE_WORKERS": "1",
        "NEWSWEAVE_LOAD_DEFAULT_SOURCES": "0",
    }
    # Heartbeats every 2 s (dead after 6 s): 1 s made a worker slowed by the test suite's load
    # look dead while it still worked, and its host's job ran again the moment it was killed,
    # beside the request the dead process had just sent (a server sees both).
    worker_args = ("worker", "--tick", "1", "--heartbeat", "2", "--concurrency", "2")
    db = open_database(pg_url)
    everyone: list[_Process] = []
    killed: list[_Process] = []
    try:
        with newsroom_site(pieces, delay=0.05) as outlets:
            for o in outlets:
                add = _Process(env, "sources", "add", o.base + "/feed.xml", "--name", o.name)
                add.proc.wait(timeout=120)
                add.stop()
                assert add.proc.returncode == 0, add.log
            ports = [_free_port(), _free_port()]
            webs = [_Process(env, "serve", "--port", str(p), "--processes", "1") for p in ports]
            workers = [_Process(env, *worker_args) for _ in range(3)]
            everyone += webs + workers

            # First kill: a worker that has begun understanding a source (loading its models
            # and analysing: nothing of that job is stored yet).
            _wait(lambda: any(w.understanding() for w in workers), 240, "a first understand job")
            victim = next(w for w in workers if w.understanding())
            time.sleep(0.5)
            victim.kill()
            killed.append(victim)
            workers.remove(victim)
            workers.append(_Process(env, *worker_args))
            everyone.append(workers[-1])
            assert _enriched(db) < len(pieces), "the first kill must land mid-run"

            # Second kill: a worker whose understand job is storing articles (the count of
            # enriched articles grows while its job runs).
            def storing() -> bool:
                return any(w.understanding() for w in workers) and _enriched(db) > before

            before = _enriched(db)
            _wait(storing, 240, "a worker storing what it understood")
            victim = next(w for w in workers if w.understanding())
            victim.kill()
            killed.append(victim)
            workers.remove(victim)
            assert _enriched(db) < len(pieces), "the second kill must land mid-run"

            # Meanwhile the web processes act as one site (a session ended on one is refused
            # by the other at once).
            bases = [f"http://127.0.0.1:{p}" for p in ports]
            _wait(lambda: all(_up(b) for b in bases), 90, "the web processes")
            with (
                httpx.Client(timeout=10) as alice,
                httpx.Client(timeout=10) as stale,
                httpx.Client(timeout=10) as guesser,
            ):
                _act_as_one_site(bases[0], bases[1], alice, stale, guesser)

            _wait(lambda: _settled(db, len(pieces)), 300, "every article to be understood")
            most = max(o.most_in_flight for o in outlets)
        for p in everyone:
            p.stop()
        assert most == 1, "a host saw two requests at once"
        for p in everyone:
            if p not in killed:
                assert not any(sign in p.log for sign in _RACE_SIGNS), p.log
        assert "its worker stopped" in "".join(w.log for w in workers), "no killed job was retried"

        cluster = _understanding(db)
        rows = cluster["rows"]
        assert len(rows) == len(pieces)
        assert len({r.url for r in rows}) == len(pieces)
        assert sorted(r.understood_seq for r in rows) == list(range(1, len(pieces) + 1))
        alone = replay_alone(db, tmp_path)
        assert cluster["stories"] == alone["stories"]
        assert cluster["copies"] == alone["copies"]
        assert cluster["related"] == alone["related"]
    finally:
        for p in everyone:
            p.stop()
        db.dispose()


def _up(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
